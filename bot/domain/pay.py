"""What to pay (pure): hourly pay from mentor time, lead stipends prorated by school days.

Mentor time is the ledger's (`bot/domain/ledger.py`: each log batch once; `observed` visits never
paid). Amounts are whole cents, rounded half up, from integer arithmetic only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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


@dataclass(frozen=True)
class PayRow:
    """One person and basis of pay for a period (the contract's pay export columns). Each column
    means one thing: on an hourly row `minutes` and `rate_cents` (per hour), on a stipend row
    `school_days`, `year_school_days` and `yearly_rate_cents`; the others are empty (None)."""

    email: str
    name: str
    role: str
    basis: str  # "hourly" or "stipend"
    minutes: int | None  # hourly: mentor time paid in the period
    rate_cents: int | None  # hourly: per hour
    amount_cents: int
    school_days: int | None = None  # stipend: school days of the period paid for
    year_school_days: int | None = None  # stipend: school days of the program year
    yearly_rate_cents: int | None = None  # stipend: per program year

    @classmethod
    def hourly(cls, email: str, name: str, minutes: int, rate_cents: int) -> PayRow:
        """A mentor's mentor time at the hourly rate."""
        return cls(
            email, name, "mentor", "hourly", minutes, rate_cents, hourly_amount(minutes, rate_cents)
        )

    @classmethod
    def stipend(
        cls, email: str, name: str, school_days: int, year_school_days: int, yearly_rate_cents: int
    ) -> PayRow:
        """A lead mentor's yearly stipend for some school days of the year."""
        return cls(
            email,
            name,
            "lead_mentor",
            "stipend",
            None,
            None,
            prorated_stipend(yearly_rate_cents, school_days, year_school_days),
            school_days,
            year_school_days,
            yearly_rate_cents,
        )


@dataclass(frozen=True)
class PayPeriod:
    """What `export pay` found for a period: the rows and what could not be paid, and why."""

    first: date
    last: date
    rows: tuple[PayRow, ...]
    notes: tuple[str, ...] = ()

    @property
    def total_cents(self) -> int:
        """The amount over every row."""
        return sum(row.amount_cents for row in self.rows)
