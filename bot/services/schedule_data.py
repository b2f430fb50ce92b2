"""What the scheduled jobs read: one query per table (no per-person loops), as plain records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model import Member
from bot.services.programs import ProgramInfo
from bot.store.models import (
    Assignment,
    MilestoneDone,
    Person,
    PersonRole,
    SupportTeamMember,
)


@dataclass
class ProgramSnapshot:
    """Everyone, every active pair, what is done — read once for a job run."""

    members: dict[int, Member]
    mentor_of: dict[int, int]  # mentee id → mentor id (active assignment)
    started_on: dict[tuple[int, int], date]  # (mentor, mentee) → start
    done: set[tuple[int | None, str]]
    team: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # mentee → (member, role)
    by_role: dict[str, list[Member]] = field(default_factory=dict)

    def holders(self, role: str) -> list[Member]:
        """Active members holding a role."""
        return self.by_role.get(role, [])

    def mentees_of(self, mentor_id: int) -> list[int]:
        """Active mentees of a mentor."""
        return [mentee for mentee, mentor in self.mentor_of.items() if mentor == mentor_id]


def load_snapshot(session: Session, program: ProgramInfo, today: date) -> ProgramSnapshot:
    """Read people, roles, active assignments, milestones and support teams in five queries."""
    roles: dict[int, set[str]] = defaultdict(set)
    for person_id, role in session.execute(
        select(PersonRole.person_id, PersonRole.role).where(
            PersonRole.school_year == program.school_year
        )
    ):
        roles[person_id].add(role)
    members: dict[int, Member] = {}
    by_role: dict[str, list[Member]] = defaultdict(list)
    for row in session.execute(
        select(
            Person.id,
            Person.email,
            Person.name,
            Person.school,
            Person.subject,
            Person.grade,
            Person.educator_type,
            Person.license,
            Person.hire_date,
            Person.slack_user_id,
            Person.active,
        ).where(Person.program_id == program.id, Person.active.is_(True))
    ):
        member = Member(*row, roles=frozenset(roles.get(row.id, ())))
        members[member.id] = member
        for role in member.roles:
            by_role[role].append(member)
    mentor_of: dict[int, int] = {}
    started_on: dict[tuple[int, int], date] = {}
    for mentor_id, mentee_id, start in session.execute(
        select(Assignment.mentor_id, Assignment.mentee_id, Assignment.started_on).where(
            Assignment.program_id == program.id,
            Assignment.ended_on.is_(None),
            Assignment.started_on <= today,  # one that begins later: not a mentor yet
        )
    ):
        if mentor_id in members and mentee_id in members:
            mentor_of[mentee_id] = mentor_id
            started_on[(mentor_id, mentee_id)] = start
    done: set[tuple[int | None, str]] = {
        (person_id, milestone)
        for person_id, milestone in session.execute(
            select(MilestoneDone.person_id, MilestoneDone.milestone).where(
                MilestoneDone.school_year == program.school_year
            )
        )
    }
    team: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for mentee_id, member_id, role in session.execute(
        select(
            SupportTeamMember.mentee_id, SupportTeamMember.member_id, SupportTeamMember.role
        ).where(SupportTeamMember.removed_on.is_(None))
    ):
        team[mentee_id].append((member_id, role))
    return ProgramSnapshot(members, mentor_of, started_on, done, dict(team), dict(by_role))


def pairs_active_between(
    session: Session, program: ProgramInfo, first: date, last: date
) -> list[tuple[int, int, date, date | None]]:
    """(mentor, mentee, start, end) of every assignment active on any day from first to last:
    begun by the last day and not ended before the first (ended or begun mid-way included)."""
    return [
        (mentor, mentee, start, end)
        for mentor, mentee, start, end in session.execute(
            select(
                Assignment.mentor_id,
                Assignment.mentee_id,
                Assignment.started_on,
                Assignment.ended_on,
            )
            .where(
                Assignment.program_id == program.id,
                Assignment.started_on <= last,
                (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= first),
            )
            .order_by(Assignment.started_on, Assignment.id)
        )
    ]
