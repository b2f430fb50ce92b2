"""Standards coverage (pure): which of the program's standards a pair's entries addressed, how
often and when last, and which have had nothing for `QUIET_SCHOOL_WEEKS` school weeks.

The entries are the pair's *pair time* entries (`bot/domain/ledger.py`: every kind but the mentee's
`observed` visits), live ones only (an Undo'd entry is gone), of one program year. A standard
is quiet once `QUIET_SCHOOL_WEEKS` school weeks (`SchoolCalendar.school_weeks_between`: whole
Monday–Sunday weeks with a school day) have passed since the later of its last entry and the
pair's start, so a vacation week never counts and a new pair gets six weeks before any flag.
Counts and dates only: notes are never read here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.domain.calendar import SchoolCalendar
from bot.domain.ledger import is_pair_time, program_year_of
from bot.domain.members import Member
from bot.domain.policy import Standard

QUIET_SCHOOL_WEEKS = 6
TAG_SEPARATOR = ","  # log_entries.standards holds the codes as "I,III"


def split_tags(stored: str | None) -> tuple[str, ...]:
    """The codes an entry's stored standards name, in order, each once."""
    codes = (code.strip() for code in (stored or "").split(TAG_SEPARATOR))
    return tuple(dict.fromkeys(code for code in codes if code))


@dataclass(frozen=True)
class TaggedEntry:
    """A live entry as coverage sees it: its day, kind and the standards it addressed."""

    day: date
    kind: str
    standards: tuple[str, ...]


@dataclass(frozen=True)
class StandardCoverage:
    """One standard for one pair: entries that addressed it, the last day, quiet weeks since."""

    standard: Standard
    entries: int
    last: date | None
    quiet_weeks: int  # school weeks since the later of `last` and the pair's start

    @property
    def code(self) -> str:
        """The standard's code ("II")."""
        return self.standard.code

    @property
    def quiet(self) -> bool:
        """True when it has had nothing for `QUIET_SCHOOL_WEEKS` school weeks or more."""
        return self.quiet_weeks >= QUIET_SCHOOL_WEEKS


@dataclass(frozen=True)
class Coverage:
    """A pair's coverage of the program's standards, in the policy's order."""

    mentor: Member
    mentee: Member
    started_on: date
    ended_on: date | None
    standards: tuple[StandardCoverage, ...]
    today: date

    @property
    def addressed(self) -> tuple[StandardCoverage, ...]:
        """The standards with at least one entry."""
        return tuple(s for s in self.standards if s.entries)

    @property
    def none_yet(self) -> tuple[StandardCoverage, ...]:
        """The standards no entry has addressed yet."""
        return tuple(s for s in self.standards if not s.entries)

    @property
    def quiet(self) -> tuple[StandardCoverage, ...]:
        """An ongoing pair's standards with nothing for `QUIET_SCHOOL_WEEKS` school weeks."""
        if self.ended_on is not None and self.ended_on < self.today:
            return ()
        return tuple(s for s in self.standards if s.quiet)


def entries_per_standard(
    vocabulary: Iterable[Standard], entries: Iterable[TaggedEntry]
) -> dict[str, int]:
    """How many pair-time entries addressed each standard of the vocabulary (tags outside it,
    such as a standard the program no longer lists, are not counted)."""
    counts = {standard.code: 0 for standard in vocabulary}
    for entry in entries:
        if not is_pair_time(entry.kind):
            continue
        for code in entry.standards:
            if code in counts:
                counts[code] += 1
    return counts


def coverage(
    mentor: Member,
    mentee: Member,
    started_on: date,
    ended_on: date | None,
    vocabulary: Iterable[Standard],
    entries: Iterable[TaggedEntry],
    calendar: SchoolCalendar,
    today: date,
) -> Coverage:
    """The pair's coverage as of `today` from its live entries (visits are left out here)."""
    standards = tuple(vocabulary)
    counted = [e for e in entries if is_pair_time(e.kind)]
    counts = entries_per_standard(standards, counted)
    last: dict[str, date] = {}
    for entry in counted:
        for code in entry.standards:
            if code in counts and (code not in last or entry.day > last[code]):
                last[code] = entry.day
    until = today if ended_on is None else min(today, ended_on + timedelta(days=1))
    rows = tuple(
        StandardCoverage(
            standard,
            counts[standard.code],
            last.get(standard.code),
            calendar.school_weeks_between(
                max(last.get(standard.code, started_on), started_on), until
            ),
        )
        for standard in standards
    )
    return Coverage(mentor, mentee, started_on, ended_on, rows, today)


# ---- coverage kept at write time ------------------------------------------------------------

CoverageKey = tuple[int, int, date, str]  # mentor, mentee, program year's first day, code


@dataclass(frozen=True)
class TaggedLog:
    """A live entry as the kept coverage counts it: its pair, day, kind and standards."""

    id: int
    mentor_id: int
    mentee_id: int
    day: date
    kind: str
    standards: tuple[str, ...]


@dataclass(frozen=True)
class StandardCount:
    """One pair's entries that addressed one standard in one program year, and the last day."""

    entries: int
    last: date | None


@dataclass(frozen=True)
class CoverageChange:
    """What one write does to the kept coverage: signed entry counts, the days added (a
    later day moves `last` forward), and the pair-years that lost an entry (their `last`
    may move back: recounted from the log rows)."""

    entries: dict[CoverageKey, int]
    added_last: dict[CoverageKey, date]
    recount: frozenset[tuple[int, int, date]]  # mentor, mentee, program year's first day

    @property
    def empty(self) -> bool:
        """True when nothing changes."""
        return not (self.entries or self.added_last or self.recount)


def coverage_change(
    before: Iterable[TaggedLog], after: Iterable[TaggedLog], start_month: int
) -> CoverageChange:
    """The change that turns coverage holding `before` into coverage holding `after` (the
    entries a write touches, as they were and as they are); an entry unchanged is no change."""
    old, new = set(before), set(after)
    entries: dict[CoverageKey, int] = {}
    added_last: dict[CoverageKey, date] = {}
    recount: set[tuple[int, int, date]] = set()
    for sign, changed in ((-1, old - new), (1, new - old)):
        for entry in changed:
            if not is_pair_time(entry.kind) or not entry.standards:
                continue
            year = program_year_of(entry.day, start_month).first
            for code in entry.standards:
                key = (entry.mentor_id, entry.mentee_id, year, code)
                entries[key] = entries.get(key, 0) + sign
                if sign > 0 and (key not in added_last or entry.day > added_last[key]):
                    added_last[key] = entry.day
            if sign < 0:
                recount.add((entry.mentor_id, entry.mentee_id, year))
    return CoverageChange({k: v for k, v in entries.items() if v}, added_last, frozenset(recount))


def count_coverage(
    rows: Iterable[tuple[int, int, date, str, str | None]], start_month: int
) -> dict[CoverageKey, StandardCount]:
    """The coverage every live entry makes, from plain rows (mentor, mentee, day, kind,
    stored standards): what the store must hold (`ledger verify`, `ledger rebuild`)."""
    counts: dict[CoverageKey, list[Any]] = {}
    years: dict[date, date] = {}
    for mentor, mentee, day, kind, stored in rows:
        if not stored or not is_pair_time(kind):
            continue
        year = years.get(day)
        if year is None:
            year = years[day] = program_year_of(day, start_month).first
        for code in split_tags(stored):
            found = counts.get((mentor, mentee, year, code))
            if found is None:
                counts[(mentor, mentee, year, code)] = [1, day]
                continue
            found[0] += 1
            found[1] = max(found[1], day)
    return {key: StandardCount(n, last) for key, (n, last) in counts.items()}


def kept_coverage(
    mentor: Member,
    mentee: Member,
    started_on: date,
    ended_on: date | None,
    vocabulary: Iterable[Standard],
    kept: dict[str, StandardCount],
    today: date,
    weeks_since: Callable[[date, date], int],
    untouched: dict[tuple[date, date], tuple[StandardCoverage, ...]] | None = None,
) -> Coverage:
    """`coverage` from a pair's kept counts for the year (code → count and last day), the
    quiet weeks from `weeks_since(first, until)` (`SchoolCalendar.school_weeks_between`, or a
    memo of it: a digest asks the same few dates for thousands of pairs). `untouched`, when
    given (for one vocabulary), shares the rows of pairs with nothing tagged yet that began on
    the same day."""
    until = today if ended_on is None else min(today, ended_on + timedelta(days=1))
    if not kept and untouched is not None:
        shared = untouched.get((started_on, until))
        if shared is None:
            shared = untouched[(started_on, until)] = _coverage_rows(
                started_on, until, vocabulary, kept, weeks_since
            )
        return Coverage(mentor, mentee, started_on, ended_on, shared, today)
    rows = _coverage_rows(started_on, until, vocabulary, kept, weeks_since)
    return Coverage(mentor, mentee, started_on, ended_on, rows, today)


def _coverage_rows(
    started_on: date,
    until: date,
    vocabulary: Iterable[Standard],
    kept: dict[str, StandardCount],
    weeks_since: Callable[[date, date], int],
) -> tuple[StandardCoverage, ...]:
    rows = []
    for standard in vocabulary:
        found = kept.get(standard.code)
        last = found.last if found is not None else None
        since = started_on if last is None or last < started_on else last
        rows.append(
            StandardCoverage(
                standard,
                found.entries if found is not None else 0,
                last,
                weeks_since(since, until),
            )
        )
    return tuple(rows)
