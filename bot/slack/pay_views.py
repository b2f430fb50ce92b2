"""Block Kit for pay totals (`export pay`'s rows for a period): the coordinator's Home and
`/hours pay`. A missing rate is said, never paid as $0."""

from __future__ import annotations

from typing import Any

from bot.domain.formatting import format_day, format_minutes
from bot.domain.months import month_span
from bot.domain.pay import PayPeriod
from bot.slack.blocks import Block, message, pack_sections, section

Payload = dict[str, Any]
MAX_PAY_ROWS = 20


def money(cents: int) -> str:
    """Cents as dollars: 525000 → "$5,250.00"."""
    return f"${cents // 100:,}.{cents % 100:02d}"


def pay_blocks(pay: PayPeriod) -> list[Block]:
    """A month's pay (this one so far, or a past one), in sections: one line per person and
    basis, the total, and what could not be paid and why (a missing rate is said, never $0)."""
    month = month_span(pay.first.year, pay.first.month)
    if (pay.first, pay.last) == (month.first, month.last):  # a whole month: `/hours pay october`
        title = f"Pay for {month.label}, {format_day(pay.first)} – {format_day(pay.last)}"
        command = f"mentor-minutes export pay --month {month.numeric}"
    else:
        title = f"Pay this month so far, {format_day(pay.first)} – {format_day(pay.last)}"
        command = f"mentor-minutes export pay --from {pay.first} --to {pay.last}"
    lines = [f"*{title}* — the rows of `{command}`"]
    for row in pay.rows[:MAX_PAY_ROWS]:
        basis = (
            f"{format_minutes(row.minutes)} at {money(row.rate_cents)}/h"
            if row.minutes is not None and row.rate_cents is not None
            else f"stipend {money(row.yearly_rate_cents or 0)}/year, prorated by school days"
        )
        lines.append(
            f"• {row.name} ({row.role.replace('_', ' ')}) — {basis}: *{money(row.amount_cents)}*"
        )
    if len(pay.rows) > MAX_PAY_ROWS:
        lines.append(f"…and {len(pay.rows) - MAX_PAY_ROWS} more rows (the total counts them all).")
    if pay.rows:
        lines.append(f"*Total: {money(pay.total_cents)}*")
    elif not pay.notes:
        lines.append("Nothing to pay for this period yet.")
    lines += [f":warning: {note}" for note in pay.notes]
    return [section(text) for text in pack_sections(lines)[:3]]


def pay_totals(pay: PayPeriod) -> Payload:
    """`/hours pay [MONTH]`: the pay totals for this month so far or a past month, as an
    ephemeral reply."""
    blocks = pay_blocks(pay)
    parts = [f"total {money(pay.total_cents)}"] if pay.rows else []
    said = " · ".join([*parts, *pay.notes]) or "nothing to pay yet"
    text = f"Pay {pay.first} – {pay.last}: {said}"
    return message(text, blocks)
