"""Standards coverage read from the store: the tagged entries of a program year in one query
per scope, turned into coverage by the pure rule (`bot/domain/standards.py`). Counts and dates
only — the query never selects notes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.domain.ledger import VISIT, ProgramYear
from bot.domain.members import Member
from bot.domain.standards import Coverage, TaggedEntry, coverage, entries_per_standard, split_tags
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.snapshot import pairs_active_between
from bot.store.db import Store
from bot.store.models.core import LogEntry

Pair = tuple[int, int]  # mentor, mentee


@dataclass(frozen=True)
class CoveredPair:
    """A pair whose coverage is asked for: who, and the span of their assignment."""

    mentor: Member
    mentee: Member
    started_on: date
    ended_on: date | None


_TAGGED = select(
    LogEntry.mentor_id, LogEntry.mentee_id, LogEntry.occurred_on, LogEntry.kind, LogEntry.standards
).where(
    LogEntry.program_id == bindparam("program_id"),
    LogEntry.occurred_on >= bindparam("first"),
    LogEntry.occurred_on <= bindparam("last"),
    LogEntry.deleted_at.is_(None),
    LogEntry.standards.is_not(None),
    LogEntry.kind != VISIT,
)
_TAGGED_OF = _TAGGED.where(LogEntry.mentee_id.in_(bindparam("mentees", expanding=True)))


def tagged_entries(
    session: Session,
    program: ProgramInfo,
    year: ProgramYear,
    mentee_ids: Collection[int] | None = None,
) -> dict[Pair, list[TaggedEntry]]:
    """The live pair-time entries with standards of a program year, by pair: of some mentees,
    or (None) of the whole program — one statement either way."""
    params = {"program_id": program.id, "first": year.first, "last": year.last}
    if mentee_ids is not None:
        if not mentee_ids:
            return {}
        statement, params = _TAGGED_OF, params | {"mentees": sorted(set(mentee_ids))}
    else:
        statement = _TAGGED
    found: dict[Pair, list[TaggedEntry]] = defaultdict(list)
    for mentor_id, mentee_id, day, kind, stored in session.execute(statement, params):
        found[(mentor_id, mentee_id)].append(TaggedEntry(day, kind, split_tags(stored)))
    return dict(found)


def pair_coverage(
    session: Session, program: ProgramInfo, pairs: Sequence[CoveredPair], today: date
) -> list[Coverage]:
    """The coverage of each pair as of `today`, over the program year of `today`."""
    if not pairs or not program.policy.standards:
        return []
    year = program.year_of(today)
    tagged = tagged_entries(session, program, year, {p.mentee.id for p in pairs})
    return [
        coverage(
            pair.mentor,
            pair.mentee,
            pair.started_on,
            pair.ended_on,
            program.policy.vocabulary,
            tagged.get((pair.mentor.id, pair.mentee.id), ()),
            program.calendar,
            today,
        )
        for pair in pairs
    ]


def counts_by_mentee(
    session: Session, program: ProgramInfo, year: ProgramYear, mentee_ids: Collection[int]
) -> dict[int, dict[str, int]]:
    """Entries per standard of the vocabulary for each mentee, with every mentor they had."""
    entries: dict[int, list[TaggedEntry]] = defaultdict(list)
    for (_, mentee_id), tagged in tagged_entries(session, program, year, mentee_ids).items():
        entries[mentee_id].extend(tagged)
    vocabulary = program.policy.vocabulary
    return {mentee: entries_per_standard(vocabulary, entries[mentee]) for mentee in mentee_ids}


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
    ) -> list[Coverage]:
        """`own_pairs` inside a caller's session (Home reads it with its other figures)."""
        rows = pairs_active_between(
            session, program, year.first, min(today, year.last), involving=person.id
        )
        found = spans(rows)
        members = {
            m.id: m
            for m in self.people.members(
                session, program, {person_id for pair in found for person_id in pair}
            )
        }
        pairs = [
            CoveredPair(members[mentor], members[mentee], first, last)
            for (mentor, mentee), (first, last) in found.items()
            if mentor in members and mentee in members
        ]
        pairs.sort(key=lambda p: (p.ended_on is not None, p.mentee.name, p.mentor.name))
        return pair_coverage(session, program, pairs, today)
