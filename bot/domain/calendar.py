"""School days, school weeks and local time in the program timezone (pure functions).

A *school day* lies within the school year (start..end inclusive), is not a weekend day and is
not a holiday, vacation or ICS non-school day.  Outside the school year there are no school
days: arithmetic that would have to leave the year raises ``OutsideSchoolYearError``.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.policy import DeadlineRule, ProgramConfig, school_year_label

WEEKEND: tuple[int, ...] = (5, 6)  # Saturday, Sunday (date.weekday())
# The days the program can speak of: every date read from a person, a file or Slack lies here,
# so that week, month and year arithmetic around it never leaves what `date` can hold.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


class OutsideSchoolYearError(ValueError):
    """The requested school day does not exist within the school year."""


@dataclass(frozen=True)
class SchoolCalendar:
    """The school days of one program year."""

    start: date
    end: date
    non_school_days: frozenset[date] = frozenset()
    weekend: tuple[int, ...] = WEEKEND
    _days: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _school_mondays: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"school year end {self.end} is before its start {self.start}")
        if any(not 0 <= day <= 6 for day in self.weekend):
            raise ValueError(f"weekend days must be 0..6 (Monday..Sunday), got {self.weekend}")
        days = []
        day = self.start
        while day <= self.end:
            if day.weekday() not in self.weekend and day not in self.non_school_days:
                days.append(day)
            day += timedelta(days=1)
        object.__setattr__(self, "_days", tuple(days))
        mondays = sorted({d - timedelta(days=d.weekday()) for d in days})
        object.__setattr__(self, "_school_mondays", tuple(mondays))  # weeks with school

    @classmethod
    def from_config(cls, cfg: ProgramConfig) -> "SchoolCalendar":
        """The calendar of a program: non_school_days, vacations and ICS days merged."""
        return cls(cfg.school_year_start, cfg.school_year_end, cfg.all_non_school_days())

    @property
    def school_year_label(self) -> str:
        """The school year as "2026-27"."""
        return school_year_label(self.start, self.end)

    @property
    def school_days(self) -> tuple[date, ...]:
        """Every school day of the year, in order."""
        return self._days

    def contains(self, d: date) -> bool:
        """True when ``d`` is within the school year (start..end inclusive)."""
        return self.start <= d <= self.end

    def is_school_day(self, d: date) -> bool:
        """True when school is in session on ``d``."""
        return (
            self.contains(d) and d.weekday() not in self.weekend and d not in self.non_school_days
        )

    def next_school_day(self, d: date, include_today: bool = True) -> date:
        """The first school day on or after ``d`` (strictly after unless include_today)."""
        index = bisect_left(self._days, d) if include_today else bisect_right(self._days, d)
        if index >= len(self._days):
            raise OutsideSchoolYearError(f"no school day after {d} in {self.school_year_label}")
        return self._days[index]

    def previous_school_day(self, d: date, include_today: bool = True) -> date:
        """The last school day on or before ``d`` (strictly before unless include_today)."""
        index = bisect_right(self._days, d) if include_today else bisect_left(self._days, d)
        if index == 0:
            raise OutsideSchoolYearError(f"no school day before {d} in {self.school_year_label}")
        return self._days[index - 1]

    def add_school_days(self, d: date, n: int) -> date:
        """The n-th school day after ``d`` (n = 0: the next school day on or after ``d``)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        index = bisect_left(self._days, d) if n == 0 else bisect_right(self._days, d) + n - 1
        if index >= len(self._days):
            raise OutsideSchoolYearError(
                f"{n} school days after {d} is past the end of {self.school_year_label}"
            )
        return self._days[index]

    def school_days_between(self, a: date, b: date) -> int:
        """How many school days lie in (a, b]; 0 when b <= a."""
        if b <= a:
            return 0
        return bisect_right(self._days, b) - bisect_right(self._days, a)

    def school_days_in(self, first: date, last: date) -> int:
        """How many school days lie in [first, last]."""
        return self.school_days_between(first - timedelta(days=1), last)

    def school_week(self, d: date) -> tuple[date, date]:
        """The Monday..Sunday week containing ``d``."""
        monday = d - timedelta(days=d.weekday())
        return monday, monday + timedelta(days=6)

    def previous_school_week(self, d: date) -> tuple[date, date]:
        """The latest Monday..Sunday week before the week of ``d`` that has a school day.

        Weeks with no school (a vacation week) are skipped, so a digest sent on the first school
        day after a break covers the last week that had school.
        """
        monday, _ = self.school_week(d)
        last = self.previous_school_day(monday, include_today=False)
        return self.school_week(last)

    def school_weeks_between(self, since: date, today: date) -> int:
        """The Monday–Sunday weeks with a school day that lie wholly after the week of
        ``since`` and are over by ``today`` (their Sunday is before it): the school weeks that
        have passed since that day. Weeks without school (a vacation) don't count."""
        first = since - timedelta(days=since.weekday()) + timedelta(days=7)
        over = today - timedelta(days=6)  # a week is over when its Monday is before this
        if over <= first:
            return 0
        mondays = self._school_mondays
        return bisect_left(mondays, over) - bisect_left(mondays, first)

    def deadline_due(self, rule: DeadlineRule, hire_date: date | None = None) -> date:
        """When ``rule`` is due for someone hired on ``hire_date`` (None: hired before the year).

        Late hires (hired after the anchor-based due date, when the rule has
        late_hire_school_days) are due that many school days after the hire date, at the
        latest at the end of the school year.
        """
        due = rule.base_due(self.start, hire_date)
        if rule.offset_school_days is not None:  # counted in school days from the anchor
            anchor = due - timedelta(days=rule.offset_days)
            try:
                due = self.add_school_days(anchor, rule.offset_school_days)
            except OutsideSchoolYearError:
                due = max(self.end, anchor)
        if hire_date is not None and rule.is_late_hire(self.start, hire_date):
            assert rule.late_hire_school_days is not None  # checked by is_late_hire
            try:
                return self.add_school_days(hire_date, rule.late_hire_school_days)
            except OutsideSchoolYearError:
                return max(self.end, hire_date)
        return due


def in_calendar_range(day: date) -> bool:
    """True for a day the program can speak of (EARLIEST_DAY..LATEST_DAY)."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def local_date(now: datetime, tz: ZoneInfo) -> date:
    """The calendar date of the aware instant ``now`` in ``tz``."""
    _require_aware(now)
    return now.astimezone(tz).date()


def local_datetime(d: date, t: time, tz: ZoneInfo) -> datetime:
    """The aware instant at wall-clock ``t`` on ``d`` in ``tz``.

    On a DST gap day a missing time moves forward (02:30 → 03:30 EDT); an ambiguous time on a
    fall-back day is its first occurrence (daylight time).
    """
    naive_wall = datetime.combine(d, t.replace(tzinfo=None), tzinfo=tz)
    return naive_wall.astimezone(UTC).astimezone(tz)


def week_target(calendar: SchoolCalendar, weekly_minutes: int, day: date) -> int:
    """The weekly target for the Monday–Sunday week of ``day``, prorated by its school days: a
    short week (a holiday, Thanksgiving) owes its share, school days / 5, to the minute
    (rounded half up); a week without school owes nothing."""
    monday = day - timedelta(days=day.weekday())
    school = calendar.school_days_in(monday, monday + timedelta(days=6))
    full = 7 - len(calendar.weekend)
    return (weekly_minutes * min(school, full) * 2 + full) // (2 * full)


def period_target(calendar: SchoolCalendar, weekly_minutes: int, first: date, last: date) -> int:
    """The weekly target over the days from ``first`` to ``last`` (a month, or the part of it
    a pair was active), prorated by their school days as `week_target` prorates a week: school
    days / 5 of the weekly minutes, to the minute (rounded half up)."""
    if last < first:
        return 0
    school = calendar.school_days_in(first, last)
    full = 7 - len(calendar.weekend)
    return (weekly_minutes * school * 2 + full) // (2 * full)


def in_quiet_hours(now: datetime, tz: ZoneInfo, quiet: tuple[time, time]) -> bool:
    """True when ``now`` falls in the local quiet window [start, end), which may wrap midnight.

    A window whose start equals its end is empty (no quiet hours).
    """
    _require_aware(now)
    start, end = quiet
    local = now.astimezone(tz).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_send_time(now: datetime, tz: ZoneInfo, quiet: tuple[time, time]) -> datetime:
    """``now`` when outside quiet hours, else the instant the quiet window ends (aware, in tz)."""
    if not in_quiet_hours(now, tz, quiet):
        return now.astimezone(tz)
    today = local_date(now, tz)
    end = local_datetime(today, quiet[1], tz)
    if end <= now:
        end = local_datetime(today + timedelta(days=1), quiet[1], tz)
    return end


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {now.isoformat()}")
