"""A state minimum paced over its period (pure): how much pair time a pair should have by today,
in school days, and whether it is on track — "behind by 2 h 15 for this semester".

Periods: `week` (Monday–Sunday), `semester` (each half of the school year's school days; the
split falls on the Monday of the middle school day's week, so it is a ledger bucket boundary),
`school_year` (the ten months of school) and `year` (the program year); the last two count the
whole program year's pair time, paced over the school year's school days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.calendar import SchoolCalendar
from bot.domain.formatting import format_minutes
from bot.domain.ledger import ProgramYear, week_of

LABELS = {
    "week": "this week",
    "semester": "this semester",
    "school_year": "this school year",
    "year": "this year",
}


@dataclass(frozen=True)
class PacedPeriod:
    """The stretch a paced minimum applies to, as of one day."""

    name: str
    first: date
    last: date
    school_first: date  # the school days pacing counts run from here …
    school_last: date  # … to here

    @property
    def label(self) -> str:
        """ "this semester"."""
        return LABELS[self.name]


def paced_period(
    name: str, calendar: SchoolCalendar, year: ProgramYear, today: date
) -> PacedPeriod:
    """The period of a paced minimum that holds `today`."""
    if name == "week":
        first, last = week_of(today)
        return PacedPeriod(name, first, last, first, last)
    if name == "semester":
        days = calendar.school_days
        middle = days[len(days) // 2] if days else calendar.start
        split = middle - timedelta(days=middle.weekday())
        before = split - timedelta(days=1)
        if today < split:
            return PacedPeriod(name, year.first, before, calendar.start, before)
        return PacedPeriod(name, split, year.last, split, calendar.end)
    return PacedPeriod(name, year.first, year.last, calendar.start, calendar.end)


@dataclass(frozen=True)
class Pace:
    """A pair against a paced minimum."""

    period: PacedPeriod
    required: int  # minutes over the whole period
    expected: int  # minutes expected by today
    done: int

    @property
    def on_track(self) -> bool:
        """True when the pair has at least what is expected by today."""
        return self.done >= self.expected

    @property
    def behind(self) -> int:
        """Minutes short of what is expected by today."""
        return max(0, self.expected - self.done)

    def text(self) -> str:
        """ "on track for this semester (…)" or "behind by 2 h 15 for this semester (…)"."""
        figures = (
            f"{format_minutes(self.done)} of {format_minutes(self.required)}; "
            f"{format_minutes(self.expected)} expected by now"
        )
        if self.on_track:
            return f"on track for {self.period.label} ({figures})"
        return f"behind by {format_minutes(self.behind)} for {self.period.label} ({figures})"


def met_week(week_minutes: int, weekly_target: int | None, pace: Pace | None) -> bool:
    """A pair met the policy this week: the week's target, or (a policy with no weekly target)
    its own pace, on track."""
    if weekly_target is not None:
        return week_minutes >= weekly_target
    return pace is not None and pace.on_track


def pace_of(
    required: int, period: PacedPeriod, calendar: SchoolCalendar, today: date, done: int
) -> Pace:
    """How much of `required` is expected by `today`: prorated by the school days gone."""
    total = calendar.school_days_in(period.school_first, period.school_last)
    gone = calendar.school_days_in(period.school_first, min(today, period.school_last))
    expected = required if not total else math.ceil(required * gone / total)
    return Pace(period, required, expected, done)


def paced_share(
    required: int, name: str, calendar: SchoolCalendar, year: ProgramYear, first: date, last: date
) -> int:
    """The part of a paced minimum owed over the days from `first` to `last` (a month, or the
    part of it a pair was active): each school day owes its period's `required` divided by the
    period's school days, as `pace_of` prorates it; rounded up to the minute."""
    owed = 0.0
    day = first
    while day <= last:
        period = paced_period(name, calendar, year, day)
        end = min(last, period.last)
        days = calendar.school_days_in(max(day, period.school_first), min(end, period.school_last))
        total = calendar.school_days_in(period.school_first, period.school_last)
        if total and days:
            owed += required * days / total
        day = end + timedelta(days=1)
    return math.ceil(owed - 1e-9)
