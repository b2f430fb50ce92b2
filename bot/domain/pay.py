"""What to pay (pure): hourly pay from mentor time, lead stipends prorated by school days.

Mentor time is the ledger's (`bot/domain/ledger.py`: each log batch once; `observed` visits never
paid). Amounts are whole cents, rounded half up, from integer arithmetic only."""

from __future__ import annotations


def divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for non-negative integers."""
    if denominator <= 0:
        raise ValueError("the denominator must be positive")
    return (2 * numerator + denominator) // (2 * denominator)


def hourly_amount(minutes: int, rate_cents: int) -> int:
    """Minutes at an hourly rate, in cents: 105 min at $30.00 → 5250."""
    return divide_half_up(minutes * rate_cents, 60)


def prorated_stipend(stipend_cents: int, period_school_days: int, year_school_days: int) -> int:
    """A yearly stipend for the school days of a period: the whole year gives the whole stipend."""
    if year_school_days <= 0:
        return 0
    days = min(period_school_days, year_school_days)
    return divide_half_up(stipend_cents * days, year_school_days)
