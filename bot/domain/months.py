"""A calendar month named in a command — `october`, `oct`, `2026-10` — and the month it means as
of a day: a bare name is its latest occurrence up to that day; a month not begun is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.calendar import in_calendar_range
from bot.domain.formatting import format_day
from bot.domain.ledger import month_of
from bot.domain.signoff import MONTH_NAMES

MONTH_WORDS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
NUMERIC_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")  # 2026-10
YEAR_LABEL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")  # a program year: 2026 or 2026-27


class MonthError(ValueError):
    """A month that cannot be shown: `message` says why, `example` what to type instead."""

    def __init__(self, message: str, example: str) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


@dataclass(frozen=True)
class MonthRef:
    """A month as typed: a month number, and the year when one was given (`2026-10`)."""

    month: int
    year: int | None = None
    command: str = "/hours month"  # what a refusal's example starts with

    def example(self, today: date) -> str:
        """The command with last month, written as this one was (name or YYYY-MM)."""
        last_month = month_of(today.replace(day=1) - timedelta(days=1))[0]
        if self.year is None:
            return f"{self.command} {MONTH_NAMES[last_month.month - 1].lower()}"
        return f"{self.command} {last_month:%Y-%m}"


@dataclass(frozen=True)
class Month:
    """A calendar month, first to last day."""

    first: date
    last: date

    @property
    def label(self) -> str:
        """ "October 2026"."""
        return f"{MONTH_NAMES[self.first.month - 1]} {self.first.year}"

    @property
    def numeric(self) -> str:
        """ "2026-10"."""
        return f"{self.first:%Y-%m}"

    def so_far(self, today: date) -> tuple[date, date]:
        """Its first day to its last, or to today while it is under way."""
        return self.first, min(self.last, today)

    def holds(self, day: date) -> bool:
        """True when the day is in this month."""
        return self.first <= day <= self.last


def is_year_label(token: str) -> bool:
    """`2026` or `2026-27` (a program year), not `2026-10` (a month)."""
    found = YEAR_LABEL.match(token)
    if found is None:
        return False
    second = found.group(2)
    return second is None or int(second) == (int(found.group(1)) + 1) % 100


def read_month(token: str, command: str = "/hours month") -> MonthRef | None:
    """The month a word names (`october`, `oct`, `sept`, `2026-10`), or None."""
    word = token.strip().lower().rstrip(".,")
    if word in MONTH_WORDS:
        return MonthRef(MONTH_WORDS[word], None, command)
    found = NUMERIC_MONTH.match(word)
    if found is not None and 1 <= int(found.group(2)) <= 12 and not is_year_label(word):
        return MonthRef(int(found.group(2)), int(found.group(1)), command)
    return None


def month_span(year: int, month: int) -> Month:
    """The month of that number in that year."""
    first, last = month_of(date(year, month, 1))
    return Month(first, last)


def resolve_month(ref: MonthRef, today: date) -> Month:
    """The month meant as of today: a bare name is its latest occurrence up to today (this
    month included); a month not begun yet, or outside the calendar, is a MonthError."""
    if ref.year is None:
        year = today.year if ref.month <= today.month else today.year - 1
        return month_span(year, ref.month)
    first = date(ref.year, ref.month, 1) if ref.year >= 1 else None
    if first is None or not in_calendar_range(first):
        raise MonthError(
            f"{ref.year}-{ref.month:02d} is outside the dates the program works with.",
            ref.example(today),
        )
    month = month_span(ref.year, ref.month)
    if month.first > today:
        raise MonthError(
            f"{month.label} hasn't begun yet (today is {format_day(today)} {today.year}): "
            "I can show this month so far or a past one.",
            ref.example(today),
        )
    return month
