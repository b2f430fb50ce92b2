"""Standards coverage read from the store: the coverage kept at write time
(`ledger_pair_standards`: per pair, program year and standard, the entries and the last day) in
one query per scope, turned into coverage by the pure rule (`bot/domain/standards.py`). Counts
and dates only — no query here selects notes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.domain.calendar import SchoolCalendar
from bot.domain.ledger import ProgramYear
from bot.domain.members import Member
from bot.domain.standards import Coverage, kept_coverage
from bot.services import ledger
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.snapshot import pairs_active_between
from bot.store.db import Store

Pair = tuple[int, int]  # mentor, mentee


@dataclass(frozen=True)
class CoveredPair:
    """A pair whose coverage is asked for: who, and the span of their assignment."""

    mentor: Member
    mentee: Member
    started_on: date
    ended_on: date | None


def weeks_memo(calendar: SchoolCalendar) -> Callable[[date, date], int]:
    """`calendar.school_weeks_between`, remembered per (first, until): thousands of pairs ask
    about the same few days."""
    memo: dict[tuple[date, date], int] = {}

    def weeks(first: date, until: date) -> int:
        found = memo.get((first, until))
        if found is None:
            found = memo[(first, until)] = calendar.school_weeks_between(first, until)
        return found

    return weeks


def pair_coverage(
    session: Session, program: ProgramInfo, pairs: Sequence[CoveredPair], today: date
) -> list[Coverage]:
    """The coverage of each pair as of `today`, over the program year of `today` (read from
    the kept coverage, one statement)."""
    if not pairs or not program.policy.standards:
        return []
    year = program.year_of(today)
    kept = ledger.kept_counts(session, program, year, {p.mentee.id for p in pairs})
    vocabulary = program.policy.vocabulary
    weeks = weeks_memo(program.calendar)
    return [
        kept_coverage(
            pair.mentor,
            pair.mentee,
            pair.started_on,
            pair.ended_on,
            vocabulary,
            kept.get((pair.mentor.id, pair.mentee.id), {}),
            today,
            weeks,
        )
        for pair in pairs
    ]


def counts_by_mentee(
    session: Session, program: ProgramInfo, year: ProgramYear, mentee_ids: Collection[int]
) -> dict[int, dict[str, int]]:
    """Entries per standard of the vocabulary for each mentee, with every mentor they had."""
    codes = [standard.code for standard in program.policy.vocabulary]  # a property: once
    counts = {mentee: dict.fromkeys(codes, 0) for mentee in mentee_ids}
    for (_, mentee_id), kept in ledger.kept_counts(session, program, year, mentee_ids).items():
        for code, found in kept.items():
            if code in counts[mentee_id]:
                counts[mentee_id][code] += found.entries
    return counts


def spans(
    rows: Iterable[tuple[int, int, date, date | None]],
) -> dict[Pair, tuple[date, date | None]]:
    """Each pair's first start and last end over its assignment rows (None: still going)."""
    found: dict[Pair, tuple[date, date | None]] = {}
    for mentor_id, mentee_id, started, ended in rows:
        pair = (mentor_id, mentee_id)
        if pair not in found:
            found[pair] = (started, ended)
            continue
        first, last = found[pair]
        found[pair] = (
            min(first, started),
            None if last is None or ended is None else max(last, ended),
        )
    return found


class StandardsService:
    """Standards coverage of the pairs someone is in (a mentor's pairs, a mentee's own)."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def own_pairs(self, slack_user_id: str, now: datetime) -> list[Coverage]:
        """Coverage of the pairs of this program year the person is the mentor or the mentee
        of, ongoing first, then by mentee; empty when the program has no standards."""
        program = self.programs.current(now)
        today = program.today(now)
        year = program.year_of(today)
        with self.store.read() as session:
            person = self.people.caller(session, program, slack_user_id)
            return self.pairs_of(session, program, person, today, year)

    def pairs_of(
        self,
        session: Session,
        program: ProgramInfo,
        person: Member,
        today: date,
        year: ProgramYear,
        known: Mapping[int, Member] | None = None,
        rows: Sequence[tuple[int, int, date, date | None]] | None = None,
    ) -> list[Coverage]:
        """`own_pairs` inside a caller's session (Home reads it with its other figures; the
        members it has read already are `known`; `rows`: the person's assignments active from
        the year's first day to today, when the caller read them with its own)."""
        if rows is None:
            rows = pairs_active_between(
                session, program, year.first, min(today, year.last), involving=person.id
            )
        found = spans(rows)
        members = dict(known or {})
        wanted = {person_id for pair in found for person_id in pair} - set(members)
        members.update((m.id, m) for m in self.people.members(session, program, wanted))
        pairs = [
            CoveredPair(members[mentor], members[mentee], first, last)
            for (mentor, mentee), (first, last) in found.items()
            if mentor in members and mentee in members
        ]
        pairs.sort(key=lambda p: (p.ended_on is not None, p.mentee.name, p.mentor.name))
        return pair_coverage(session, program, pairs, today)
