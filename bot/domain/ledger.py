"""What counts (docs/domain.md): pair time, mentor time, observations, visits, periods.

Pure: plain values in, plain values out. Every number a person sees is built from these rules;
the store keeps them summed at write time (`bot/store/rollups.py`) and `ledger verify`
recomputes them from the log rows with the same functions.

- **Pair time**: the minutes of every entry of a pair except `observed` visits.
- **Mentor time**: each log batch (one `/logmeeting` or one form, however many mentees it
  names) counted once per mentor and day — the longest of its entries that day.
- **Observations** made by mentors: entries of kind `observation`. **Visits** made by
  beginning educators: entries of kind `observed` (never pair time, mentor time or pay).
- **Periods**: Monday–Sunday weeks, months and program years (by default 1 July – 30 June).
  Totals are kept per *bucket*: the part of a week that lies in one month. A bucket never
  straddles a week, a month or a program year (program years begin on the first of a month),
  so every period is an exact union of buckets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

OBSERVATION = "observation"  # a mentor observes the mentee (report item d)
VISIT = "observed"  # the mentee observes a teacher: the mentee's own activity, not pair time
DEFAULT_YEAR_START_MONTH = 7  # program years run 1 July – 30 June unless the program says
INDUCTION_GRACE_DAYS = 60  # hired this close before the school year: it is the induction year


# ---- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ProgramYear:
    """A program year: every date belongs to exactly one."""

    first: date
    last: date

    @property
    def label(self) -> str:
        """The year as "2026-27" (or "2026" for a calendar year)."""
        if self.first.year == self.last.year:
            return str(self.first.year)
        return f"{self.first.year}-{self.last.year % 100:02d}"

    def contains(self, day: date) -> bool:
        """True when the day lies in this program year."""
        return self.first <= day <= self.last

    def following(self) -> ProgramYear:
        """The next program year."""
        return program_year_of(self.last + timedelta(days=1), self.first.month)


def program_year_of(day: date, start_month: int = DEFAULT_YEAR_START_MONTH) -> ProgramYear:
    """The program year containing a day."""
    if not 1 <= start_month <= 12:
        raise ValueError(f"a program year starts in month 1..12, not {start_month}")
    year = day.year if day.month >= start_month else day.year - 1
    first = date(year, start_month, 1)
    next_first = date(year + 1, start_month, 1)
    return ProgramYear(first, next_first - timedelta(days=1))


def program_year_by_label(label: str, start_month: int = DEFAULT_YEAR_START_MONTH) -> ProgramYear:
    """The program year a label such as "2026-27" names; ValueError when it names none."""
    text = label.strip()
    head, _, tail = text.partition("-")
    if not head.isdigit() or len(head) != 4 or (tail and not tail.isdigit()):
        raise ValueError(f"{label!r} is not a program year like 2026-27")
    year = program_year_of(date(int(head), start_month, 1), start_month)
    if year.label != text:
        raise ValueError(f"{label!r} is not a program year like {year.label}")
    return year


def week_of(day: date) -> tuple[date, date]:
    """The Monday–Sunday week containing a day."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of the month containing a day."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def bucket_of(day: date) -> date:
    """The first day of the day's bucket: the part of its week that lies in its month."""
    return max(week_of(day)[0], day.replace(day=1))


def bucket_last(start: date) -> date:
    """The last day of the bucket that begins on `start`."""
    return min(week_of(start)[1], month_of(start)[1])


@dataclass(frozen=True)
class Periods:
    """The periods `/hours`, Home and the echo show, as of one day."""

    today: date
    week: tuple[date, date]
    month: tuple[date, date]
    year: ProgramYear

    @classmethod
    def on(cls, today: date, start_month: int = DEFAULT_YEAR_START_MONTH) -> Periods:
        """The week, month and program year containing today."""
        return cls(today, week_of(today), month_of(today), program_year_of(today, start_month))


# ---- entries and totals ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A live log entry as the ledger sees it (no notes)."""

    id: int
    mentor_id: int
    mentee_id: int
    day: date
    minutes: int
    kind: str
    batch: str  # entries of one `/logmeeting` or form share it


def batch_key(batch_id: str | None, entry_id: int) -> str:
    """An entry's batch; an entry stored without one is a batch of its own."""
    return batch_id if batch_id else f"entry-{entry_id}"


@dataclass(frozen=True)
class Totals:
    """A pair's (or a scope's) counts over some period."""

    minutes: int = 0  # pair time
    observations: int = 0  # entries of kind `observation`
    visits: int = 0  # `observed` visits by the mentee
    visit_minutes: int = 0
    contacts: int = 0  # entries that count as pair time
    last_contact: date | None = None  # the latest day of those

    def __add__(self, other: Totals) -> Totals:
        last = [d for d in (self.last_contact, other.last_contact) if d is not None]
        return Totals(
            self.minutes + other.minutes,
            self.observations + other.observations,
            self.visits + other.visits,
            self.visit_minutes + other.visit_minutes,
            self.contacts + other.contacts,
            max(last) if last else None,
        )

    @property
    def hours(self) -> float:
        """Pair time in hours, rounded to two decimals."""
        return round(self.minutes / 60, 2)


ZERO = Totals()


def total(parts: Iterable[Totals]) -> Totals:
    """The sum of several totals."""
    result = ZERO
    for part in parts:
        result = result + part
    return result


def is_pair_time(kind: str) -> bool:
    """Whether an entry of this kind is time the pair spent together (every kind but visits)."""
    return kind != VISIT


def entry_totals(entry: Entry) -> Totals:
    """What one entry adds to its pair."""
    if not is_pair_time(entry.kind):
        return Totals(visits=1, visit_minutes=entry.minutes)
    return Totals(
        minutes=entry.minutes,
        observations=1 if entry.kind == OBSERVATION else 0,
        contacts=1,
        last_contact=entry.day,
    )


def totals_by_kind(
    entries: Iterable[Entry], start_month: int = DEFAULT_YEAR_START_MONTH
) -> dict[tuple[date, str], Totals]:
    """Totals per program year (keyed by its first day) and kind: the breakdown of the kept
    pair-year totals (summed over kinds, they are those totals)."""
    result: dict[tuple[date, str], Totals] = {}
    for entry in entries:
        key = (program_year_of(entry.day, start_month).first, entry.kind)
        result[key] = result.get(key, ZERO) + entry_totals(entry)
    return result


@dataclass(frozen=True)
class MentorTime:
    """A mentor's time over some period: minutes and the sessions they came from."""

    minutes: int = 0
    sessions: int = 0

    def __add__(self, other: MentorTime) -> MentorTime:
        return MentorTime(self.minutes + other.minutes, self.sessions + other.sessions)


SessionKey = tuple[int, str, date]  # mentor, batch, day


def sessions(entries: Iterable[Entry]) -> dict[SessionKey, int]:
    """Mentor sessions: each (mentor, batch, day) once, with its longest entry's minutes."""
    longest: dict[SessionKey, int] = {}
    for entry in entries:
        if entry.kind == VISIT:
            continue
        key = (entry.mentor_id, entry.batch, entry.day)
        longest[key] = max(longest.get(key, 0), entry.minutes)
    return longest


# ---- rollups ------------------------------------------------------------------------------

PairBucketKey = tuple[int, int, date]  # mentor, mentee, bucket start
PairYearKey = tuple[int, int, date]  # mentor, mentee, program year's first day
MentorBucketKey = tuple[int, date]  # mentor, bucket start
ScopeKey = tuple[str, str, date]  # scope (PROGRAM_SCOPE or school_scope(...)), grain, start

PROGRAM_SCOPE = "program"  # every pair of the program
BUCKET, YEAR = "bucket", "year"  # a scope's totals over one bucket, or one program year


def school_scope(school: str | None) -> str:
    """The scope of a school's pairs: those whose mentee is in it ("" for no school)."""
    return f"school:{school or ''}"


@dataclass
class Rollups:
    """Totals per pair and bucket, per pair and program year, mentor time per bucket, and
    (`scopes`) pair time per school and for the whole program, per bucket and per year."""

    pair_buckets: dict[PairBucketKey, Totals]
    pair_years: dict[PairYearKey, Totals]
    mentor_buckets: dict[MentorBucketKey, MentorTime]
    scopes: dict[ScopeKey, Totals] = field(default_factory=dict)

    def without_zeros(self) -> Rollups:
        """The same, less rows that count nothing (a store may keep those)."""
        return Rollups(
            {k: v for k, v in self.pair_buckets.items() if v != ZERO},
            {k: v for k, v in self.pair_years.items() if v != ZERO},
            {k: v for k, v in self.mentor_buckets.items() if v != MentorTime()},
            {k: v for k, v in self.scopes.items() if v != ZERO},
        )

    def with_scopes(self, schools: dict[int, str | None]) -> Rollups:
        """The same, with the scope totals its pair totals make (mentees' schools given)."""
        scopes = scope_totals(self.pair_buckets, self.pair_years, schools)
        return Rollups(self.pair_buckets, self.pair_years, self.mentor_buckets, scopes)


def scope_totals(
    pair_buckets: dict[PairBucketKey, Totals],
    pair_years: dict[PairYearKey, Totals],
    schools: dict[int, str | None],
) -> dict[ScopeKey, Totals]:
    """Pair totals (or their deltas) summed per school of the mentee and for the program, per
    bucket and per year. A scope has no latest contact day (that is a pair's)."""
    found: dict[ScopeKey, Totals] = {}
    for grain, rows in ((BUCKET, pair_buckets), (YEAR, pair_years)):
        for (_, mentee, start), totals in rows.items():
            counted = Totals(
                totals.minutes,
                totals.observations,
                totals.visits,
                totals.visit_minutes,
                totals.contacts,
            )
            for scope in (PROGRAM_SCOPE, school_scope(schools.get(mentee))):
                key = (scope, grain, start)
                found[key] = found.get(key, ZERO) + counted
    return {k: v for k, v in found.items() if v != ZERO}


EntryRow = tuple[
    int, int, int, date, int, str, str
]  # id, mentor, mentee, day, minutes, kind, batch


def recompute(entries: Iterable[Entry], start_month: int = DEFAULT_YEAR_START_MONTH) -> Rollups:
    """Every rollup from the live entries: what the store must hold."""
    return recompute_rows(
        ((e.id, e.mentor_id, e.mentee_id, e.day, e.minutes, e.kind, e.batch) for e in entries),
        start_month,
    )


def recompute_rows(
    rows: Iterable[EntryRow], start_month: int = DEFAULT_YEAR_START_MONTH
) -> Rollups:
    """`recompute` over plain rows, in one pass with running sums (a million rows in seconds):
    the same rules as `entry_totals` and `sessions`, which the tests hold it to."""
    pair_buckets: dict[PairBucketKey, list[Any]] = {}
    pair_years: dict[PairYearKey, list[Any]] = {}
    longest: dict[SessionKey, int] = {}
    buckets: dict[date, date] = {}
    years: dict[date, date] = {}
    for _, mentor, mentee, day, minutes, kind, batch in rows:
        bucket = buckets.get(day)
        if bucket is None:
            bucket = buckets[day] = bucket_of(day)
            years[day] = program_year_of(day, start_month).first
        in_bucket = pair_buckets.get((mentor, mentee, bucket))
        if in_bucket is None:
            in_bucket = pair_buckets[(mentor, mentee, bucket)] = [0, 0, 0, 0, 0, None]
        in_year = pair_years.get((mentor, mentee, years[day]))
        if in_year is None:
            in_year = pair_years[(mentor, mentee, years[day])] = [0, 0, 0, 0, 0, None]
        if kind == VISIT:
            in_bucket[2] += 1
            in_bucket[3] += minutes
            in_year[2] += 1
            in_year[3] += minutes
            continue
        observed = kind == OBSERVATION
        for sums in (in_bucket, in_year):
            sums[0] += minutes
            sums[1] += observed
            sums[4] += 1
            if sums[5] is None or day > sums[5]:
                sums[5] = day
        session = (mentor, batch, day)
        if minutes > longest.get(session, 0):
            longest[session] = minutes
    mentor_buckets: dict[MentorBucketKey, list[int]] = {}
    for (mentor, _, day), minutes in longest.items():
        sums = mentor_buckets.setdefault((mentor, buckets[day]), [0, 0])
        sums[0] += minutes
        sums[1] += 1
    return Rollups(
        {k: Totals(*v) for k, v in pair_buckets.items()},
        {k: Totals(*v) for k, v in pair_years.items()},
        {k: MentorTime(*v) for k, v in mentor_buckets.items()},
    )


@dataclass(frozen=True)
class Change:
    """What one write does to the rollups: signed deltas, and where a latest day may drop."""

    pair_buckets: dict[PairBucketKey, Totals]
    pair_years: dict[PairYearKey, Totals]
    mentor_buckets: dict[MentorBucketKey, MentorTime]
    recheck_last: frozenset[PairBucketKey]  # buckets that lost a contact: recompute its last day

    @property
    def empty(self) -> bool:
        """True when nothing changes."""
        return not (self.pair_buckets or self.pair_years or self.mentor_buckets)


def change(
    before: Iterable[Entry], after: Iterable[Entry], start_month: int = DEFAULT_YEAR_START_MONTH
) -> Change:
    """The deltas that turn rollups holding `before` into rollups holding `after`.

    `before` and `after` are every live entry of the batches a write touches (for mentor
    time, a batch is counted once per mentor and day, so its other entries matter)."""
    old, new = list(before), list(after)
    pair_buckets: dict[PairBucketKey, Totals] = {}
    pair_years: dict[PairYearKey, Totals] = {}
    recheck: set[PairBucketKey] = set()
    removed, added = set(old) - set(new), set(new) - set(old)
    for sign, entries in ((-1, removed), (1, added)):
        for entry in entries:
            counted = _signed(entry_totals(entry), sign)
            bucket = (entry.mentor_id, entry.mentee_id, bucket_of(entry.day))
            year = (entry.mentor_id, entry.mentee_id, program_year_of(entry.day, start_month).first)
            pair_buckets[bucket] = pair_buckets.get(bucket, ZERO) + counted
            pair_years[year] = pair_years.get(year, ZERO) + counted
            if sign < 0 and counted.contacts:
                recheck.add(bucket)
    mentor_buckets: dict[MentorBucketKey, MentorTime] = {}
    old_sessions, new_sessions = sessions(old), sessions(new)
    for key in old_sessions.keys() | new_sessions.keys():
        was, now = old_sessions.get(key), new_sessions.get(key)
        if was == now:
            continue
        delta = MentorTime((now or 0) - (was or 0), (now is not None) - (was is not None))
        bucket_key = (key[0], bucket_of(key[2]))
        mentor_buckets[bucket_key] = mentor_buckets.get(bucket_key, MentorTime()) + delta
    return Change(
        {k: v for k, v in pair_buckets.items() if v != ZERO},
        {k: v for k, v in pair_years.items() if v != ZERO},
        {k: v for k, v in mentor_buckets.items() if v != MentorTime()},
        frozenset(recheck),
    )


def _signed(totals: Totals, sign: int) -> Totals:
    return Totals(
        sign * totals.minutes,
        sign * totals.observations,
        sign * totals.visits,
        sign * totals.visit_minutes,
        sign * totals.contacts,
        totals.last_contact if sign > 0 else None,
    )


# ---- who is in their induction year ---------------------------------------------------------


@lru_cache(maxsize=4096)  # pure; a roster's few hire dates, asked for every educator
def induction_year_of(
    hire_date: date | None,
    school_year_start: date,
    start_month: int = DEFAULT_YEAR_START_MONTH,
    induction: str | None = None,
) -> ProgramYear | None:
    """The program year that was an educator's induction year (their first in the district):
    the one the roster named (`induction`, a label such as "2026-27"), else the one whose
    school year was the first to begin after the hire date (hired up to INDUCTION_GRACE_DAYS
    before a school year: that one), never a program year before the one the hire date lies in
    (hired on 1 July: that program year, whenever its school year begins). None when neither is
    known (treated as year 1). The school year is assumed to begin at the same point of every
    program year as it does this year."""
    if induction is not None:
        return program_year_by_label(induction, start_month)
    if hire_date is None:
        return None
    offset = (school_year_start - program_year_of(school_year_start, start_month).first).days
    ahead = max(0, INDUCTION_GRACE_DAYS - offset)  # a grace reaching back into the year before
    return program_year_of(hire_date + timedelta(days=ahead), start_month)


def induction_year_number(year: ProgramYear, induction: ProgramYear | None) -> int:
    """1 in the induction year, 2 the year after it, and so on (1 when it is not known; at most
    1 for years before it)."""
    if induction is None:
        return 1
    return max(1, year.first.year - induction.first.year + 1)


def induction_label(year: ProgramYear, number: int) -> str:
    """The program year that was the induction year of someone in their year `number` of
    `year` (the roster's `induction_year` column)."""
    first = year.first.replace(year=year.first.year - (number - 1))
    return program_year_of(first, year.first.month).label


def in_induction_year(
    hire_date: date | None,
    school_year_start: date,
    *,
    induction: str | None = None,
    start_month: int = DEFAULT_YEAR_START_MONTH,
) -> bool:
    """True in the educator's first year in the district (the roster's induction year, else
    hired for this school year or during it)."""
    year = program_year_of(school_year_start, start_month)
    found = induction_year_of(hire_date, school_year_start, start_month, induction)
    return induction_year_number(year, found) == 1


def beyond_induction_year(
    year: ProgramYear,
    hire_date: date | None,
    school_year_start: date,
    *,
    induction: str | None = None,
) -> bool:
    """True when a program year comes after the educator's induction year (its hours count
    toward the 50 hours beyond the induction year)."""
    found = induction_year_of(hire_date, school_year_start, year.first.month, induction)
    return induction_year_number(year, found) >= 2


def minutes_beyond_induction(
    years: dict[date, Totals],
    induction: ProgramYear | None,
    start_month: int = DEFAULT_YEAR_START_MONTH,
) -> int:
    """Pair time toward the 50 hours: an educator's totals of every program year (keyed by its
    first day) after the induction year (`induction_year_of`) — years 2 and 3 (and any later)
    summed."""
    return total(
        totals
        for first, totals in years.items()
        if induction_year_number(program_year_of(first, start_month), induction) >= 2
    ).minutes


# ---- what the surfaces read ------------------------------------------------------------------


@dataclass(frozen=True)
class PairSummary:
    """One pair's totals this week, this month, this program year and since they began."""

    week: Totals = ZERO
    month: Totals = ZERO
    year: Totals = ZERO
    since_start: Totals = ZERO  # every program year of the pair

    def period(self, name: str) -> Totals:
        """The totals of a named period: week, month or year."""
        return {"week": self.week, "month": self.month, "year": self.year}[name]

    @property
    def last_contact(self) -> date | None:
        """The latest day the pair logged time together."""
        return self.since_start.last_contact


NO_PAIR_TIME = PairSummary()


def summary_after(summary: PairSummary, added: Iterable[Entry], periods: Periods) -> PairSummary:
    """A pair's summary once new entries of the pair are counted (what the rollups hold after
    the write that adds them: the echo needs no second read)."""
    week, month, year, since = summary.week, summary.month, summary.year, summary.since_start
    for entry in added:
        counted = entry_totals(entry)
        if periods.week[0] <= entry.day <= periods.week[1]:
            week += counted
        if periods.month[0] <= entry.day <= periods.month[1]:
            month += counted
        if periods.year.contains(entry.day):
            year += counted
        since += counted
    return PairSummary(week, month, year, since)


@dataclass(frozen=True)
class ScopeSummary:
    """Pair time, observations and visits over every pair someone may see, this week, month
    and program year (contacts and latest days are a pair's, and stay zero here)."""

    week: Totals = ZERO
    month: Totals = ZERO
    year: Totals = ZERO

    def period(self, name: str) -> Totals:
        """The totals of a named period: week, month or year."""
        return {"week": self.week, "month": self.month, "year": self.year}[name]
