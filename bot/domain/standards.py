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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.calendar import SchoolCalendar
from bot.domain.ledger import is_pair_time
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
