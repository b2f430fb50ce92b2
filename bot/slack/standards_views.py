"""Block Kit for standards coverage: one pair's coverage (Home, for the mentor's pairs and the
mentee's own) and the one-line summaries the digest and `/hours` use. Counts and dates only —
never notes."""

from __future__ import annotations

from datetime import date

from bot.domain.formatting import MONTH_ABBRS
from bot.domain.standards import QUIET_SCHOOL_WEEKS, Coverage, StandardCoverage
from bot.slack.blocks import Block, context, section

ADDRESSED = "✓"
NONE_YET = "— none yet"


def _short_day(day: date, today: date) -> str:
    """ "3 Oct", with the year when it is not today's."""
    shown = f"{day.day} {MONTH_ABBRS[day.month - 1]}"
    return shown if day.year == today.year else f"{shown} {day.year}"


def _standard_text(row: StandardCoverage, today: date) -> str:
    if not row.entries:
        return f"{row.code} {NONE_YET}"
    assert row.last is not None  # an addressed standard has a last day
    return f"{row.code} {ADDRESSED} {row.entries} (last {_short_day(row.last, today)})"


def coverage_line(coverage: Coverage) -> str:
    """One line: "I ✓ 4 (last 12 Nov) · II ✓ 2 (last 3 Oct) · III — none yet · …"."""
    return " · ".join(_standard_text(row, coverage.today) for row in coverage.standards)


def quiet_text(coverage: Coverage) -> str:
    """The standards an ongoing pair has had nothing on for the quiet weeks, named ("" if none)."""
    if not coverage.quiet:
        return ""
    named = ", ".join(
        row.code if row.standard.name == row.code else f"{row.code} {row.standard.name}"
        for row in coverage.quiet
    )
    return f"Nothing on {named} in {QUIET_SCHOOL_WEEKS}+ school weeks"


def coverage_blocks(coverage: Coverage) -> list[Block]:
    """One pair's coverage: a section with the line, and a flag for quiet standards; no blocks
    when the program has no standards."""
    if not coverage.standards:
        return []
    title = f"*Standards* · {coverage.mentee.name} with {coverage.mentor.name}"
    blocks: list[Block] = [section(f"{title}\n{coverage_line(coverage)}")]
    flag = quiet_text(coverage)
    if flag:
        blocks.append(context(f":hourglass: {flag}."))
    return blocks


def digest_flag(coverages: list[Coverage], limit: int = 20) -> str:
    """The digest's flag: one line per ongoing pair with a quiet standard ("" if none)."""
    lines = [
        f"• {c.mentee.name} with {c.mentor.name}: "
        + ", ".join(row.code for row in c.quiet)
        + (f" (last {_short_day(last, c.today)})" if (last := _latest(c)) else " (none yet)")
        for c in coverages
        if c.quiet
    ]
    if not lines:
        return ""
    more = f"\n…and {len(lines) - limit} more" if len(lines) > limit else ""
    head = f":books: No entry on a standard in {QUIET_SCHOOL_WEEKS}+ school weeks:"
    return "\n".join([head, *lines[:limit]]) + more


def _latest(coverage: Coverage) -> date | None:
    """The last day any of the pair's quiet standards was addressed."""
    days = [row.last for row in coverage.quiet if row.last is not None]
    return max(days) if days else None
