"""What the scheduled jobs read: one query per table (no per-person loops), as plain records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.model import Member
from bot.services.people import MEMBER_COLUMNS, member_of_row
from bot.services.programs import ProgramInfo
from bot.store.models.core import Assignment, MilestoneDone, Person, PersonRole, SupportTeamMember


@dataclass
class ProgramSnapshot:
    """Everyone, every active pair, what is done — read once for a job run."""

    members: dict[int, Member]
    mentor_of: dict[int, int]  # mentee id → mentor id (active assignment)
    started_on: dict[tuple[int, int], date]  # (mentor, mentee) → start
    done: set[tuple[int | None, str]]  # confirmed (a coordinator marked or confirmed it)
    team: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # mentee → (member, role)
    by_role: dict[str, list[Member]] = field(default_factory=dict)
    last_ended: dict[int, date] = field(default_factory=dict)  # mentee → latest assignment end
    # reported by the person or their mentor, awaiting confirmation: (person, milestone) →
    # (marked by, done on, marked at)
    reported: dict[tuple[int | None, str], tuple[int | None, date, datetime]] = field(
        default_factory=dict
    )

    def holders(self, role: str) -> list[Member]:
        """Active members holding a role."""
        return self.by_role.get(role, [])

    def mentees_of(self, mentor_id: int) -> list[int]:
        """Active mentees of a mentor."""
        return [mentee for mentee, mentor in self.mentor_of.items() if mentor == mentor_id]


def load_snapshot(session: Session, program: ProgramInfo, today: date) -> ProgramSnapshot:
    """Read people, roles, active assignments, milestones and support teams in five queries."""
    conn = session.connection()  # plain rows: a state has a hundred thousand people
    roles: dict[int, set[str]] = defaultdict(set)
    for person_id, role in conn.execute(
        select(PersonRole.person_id, PersonRole.role).where(
            PersonRole.school_year == program.school_year
        )
    ).all():
        roles[person_id].add(role)
    role_sets: dict[frozenset[str], frozenset[str]] = {}  # a few distinct sets, shared
    members: dict[int, Member] = {}
    by_role: dict[str, list[Member]] = defaultdict(list)
    no_roles: frozenset[str] = frozenset()
    for row in conn.execute(
        select(*MEMBER_COLUMNS).where(Person.program_id == program.id, Person.active.is_(True))
    ).all():
        held = roles.get(row[0])
        key = frozenset(held) if held else no_roles
        shared = role_sets.setdefault(key, key)
        member = member_of_row(tuple(row), shared)
        members[row[0]] = member
        for role in shared:
            by_role[role].append(member)
    mentor_of: dict[int, int] = {}
    started_on: dict[tuple[int, int], date] = {}
    for mentor_id, mentee_id, start in conn.execute(
        select(Assignment.mentor_id, Assignment.mentee_id, Assignment.started_on)
        .where(
            Assignment.program_id == program.id,
            Assignment.started_on <= today,  # one that begins later: not a mentor yet
            # a pair covers its last day; one reassigned from a later day goes on until then
            Assignment.ended_on.is_(None) | (Assignment.ended_on >= today),
        )
        .order_by(Assignment.started_on, Assignment.id)  # a same-day change wins
    ).all():
        if mentor_id in members and mentee_id in members:
            mentor_of[mentee_id] = mentor_id
            started_on[(mentor_id, mentee_id)] = start
    done: set[tuple[int | None, str]] = set()
    reported: dict[tuple[int | None, str], tuple[int | None, date, datetime]] = {}
    for subject_id, milestone, confirmed, marked_by, done_on, marked_at in conn.execute(
        select(
            MilestoneDone.person_id,
            MilestoneDone.milestone,
            MilestoneDone.confirmed,
            MilestoneDone.marked_by_id,
            MilestoneDone.done_on,
            MilestoneDone.created_at,
        ).where(MilestoneDone.school_year == program.school_year)
    ).all():
        if confirmed:
            done.add((subject_id, milestone))
        else:
            reported[(subject_id, milestone)] = (marked_by, done_on, marked_at)
    team: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for mentee_id, member_id, role in conn.execute(
        select(
            SupportTeamMember.mentee_id, SupportTeamMember.member_id, SupportTeamMember.role
        ).where(SupportTeamMember.removed_on.is_(None))
    ).all():
        team[mentee_id].append((member_id, role))
    last_ended: dict[int, date] = {
        mentee_id: ended
        for mentee_id, ended in conn.execute(
            select(Assignment.mentee_id, func.max(Assignment.ended_on))
            .where(Assignment.program_id == program.id, Assignment.ended_on.is_not(None))
            .group_by(Assignment.mentee_id)
        ).all()
        if ended is not None
    }
    return ProgramSnapshot(
        members,
        mentor_of,
        started_on,
        done,
        dict(team),
        dict(by_role),
        reported=reported,
        last_ended=last_ended,
    )


def snapshot_version(session: Session, program: ProgramInfo) -> tuple[object, ...]:
    """A fingerprint of everything `load_snapshot` reads (one statement): adding, changing or
    removing a person, a role, an assignment (or its end), a milestone or a team member
    changes it. Rows here are appended or ended, never edited in place, except people, whose
    `updated_at` moves with every change."""

    def one(*columns: Any) -> Any:
        return [select(column).scalar_subquery() for column in columns]

    people = select(func.count(), func.max(Person.updated_at)).where(
        Person.program_id == program.id
    )
    row = (
        session.connection()
        .execute(
            select(
                people.with_only_columns(func.count()).scalar_subquery(),
                people.with_only_columns(func.max(Person.updated_at)).scalar_subquery(),
                *one(func.count(PersonRole.id), func.max(PersonRole.id)),
                *one(
                    func.count(Assignment.id),
                    func.max(Assignment.id),
                    func.count(Assignment.ended_on),
                ),
                *one(
                    func.count(MilestoneDone.id),
                    func.max(MilestoneDone.id),
                    func.count(MilestoneDone.confirmed_at),  # a confirmation
                ),
                *one(
                    func.count(SupportTeamMember.id),
                    func.max(SupportTeamMember.id),
                    func.count(SupportTeamMember.removed_on),
                ),
            )
        )
        .one()
    )
    return (program.id, program.school_year, *row)


def pairs_active_between(
    session: Session,
    program: ProgramInfo,
    first: date,
    last: date,
    *,
    involving: int | None = None,
) -> list[tuple[int, int, date, date | None]]:
    """(mentor, mentee, start, end) of every assignment active on any day from first to last:
    begun by the last day and not ended before the first (ended or begun mid-way included);
    with `involving`, only those where that person is the mentor or the mentee."""
    conditions = [
        Assignment.program_id == program.id,
        Assignment.started_on <= last,
        (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= first),
    ]
    if involving is not None:
        conditions.append((Assignment.mentor_id == involving) | (Assignment.mentee_id == involving))
    return [
        (mentor, mentee, start, end)
        for mentor, mentee, start, end in session.execute(
            select(
                Assignment.mentor_id,
                Assignment.mentee_id,
                Assignment.started_on,
                Assignment.ended_on,
            )
            .where(*conditions)
            .order_by(Assignment.started_on, Assignment.id)
        )
    ]
