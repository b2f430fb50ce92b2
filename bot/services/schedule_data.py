"""What the scheduled jobs read: one query per table (no per-person loops), as plain records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services.people import Member
from bot.services.programs import ProgramInfo
from bot.store.models import (
    Assignment,
    LogEntry,
    MilestoneDone,
    Person,
    PersonRole,
    SupportTeamMember,
)

RECENT_DAYS = 60  # last contacts are looked for here first
MAX_IN_LIST = 500


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


def load_snapshot(session: Session, program: ProgramInfo) -> ProgramSnapshot:
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
            Assignment.program_id == program.id, Assignment.ended_on.is_(None)
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


def last_contacts(
    session: Session,
    program: ProgramInfo,
    today: date,
    pairs: list[tuple[int, int]] | None = None,
) -> dict[tuple[int, int], date]:
    """The latest logged day per (mentor, mentee), up to today.

    With `pairs`, the recent window is read first (an index range, not the whole log) and
    only the pairs with no contact in it are looked up further back."""
    recent_from = today - timedelta(days=RECENT_DAYS) if pairs is not None else None
    found = _last_contacts(session, program, today, since=recent_from)
    if pairs is None:
        return found
    missing = [p for p in pairs if p not in found]
    if missing:
        mentees = sorted({mentee for _, mentee in missing})
        older = _last_contacts(
            session, program, today, mentees=mentees if len(mentees) <= MAX_IN_LIST else None
        )
        found.update({p: older[p] for p in missing if p in older})
    return found


def _last_contacts(
    session: Session,
    program: ProgramInfo,
    today: date,
    *,
    since: date | None = None,
    mentees: list[int] | None = None,
) -> dict[tuple[int, int], date]:
    query = select(LogEntry.mentor_id, LogEntry.mentee_id, func.max(LogEntry.occurred_on)).where(
        LogEntry.program_id == program.id,
        LogEntry.deleted_at.is_(None),
        LogEntry.occurred_on <= today,
    )
    if since is not None:
        query = query.where(LogEntry.occurred_on >= since)
    if mentees is not None:
        query = query.where(LogEntry.mentee_id.in_(mentees))
    return {
        (mentor, mentee): last
        for mentor, mentee, last in session.execute(
            query.group_by(LogEntry.mentor_id, LogEntry.mentee_id)
        )
    }


def week_totals(
    session: Session, program: ProgramInfo, first: date, last: date
) -> dict[tuple[int, int], tuple[int, int]]:
    """(minutes, observations) per (mentor, mentee) between two days, inclusive."""
    observation = func.sum(func.cast(LogEntry.kind == "observation", LogEntry.minutes.type))
    return {
        (mentor, mentee): (int(minutes or 0), int(observations or 0))
        for mentor, mentee, minutes, observations in session.execute(
            select(LogEntry.mentor_id, LogEntry.mentee_id, func.sum(LogEntry.minutes), observation)
            .where(
                LogEntry.program_id == program.id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on >= first,
                LogEntry.occurred_on <= last,
            )
            .group_by(LogEntry.mentor_id, LogEntry.mentee_id)
        )
    }


def minutes_per_mentee(
    session: Session, program: ProgramInfo, mentee_ids: list[int]
) -> dict[int, int]:
    """All logged minutes per mentee (every year), for the 50-hour progress rule."""
    if not mentee_ids:
        return {}
    query = select(LogEntry.mentee_id, func.sum(LogEntry.minutes)).where(
        LogEntry.program_id == program.id, LogEntry.deleted_at.is_(None)
    )
    if len(mentee_ids) <= MAX_IN_LIST:
        query = query.where(LogEntry.mentee_id.in_(mentee_ids))
    wanted = set(mentee_ids)
    return {
        mentee: int(total or 0)
        for mentee, total in session.execute(query.group_by(LogEntry.mentee_id))
        if mentee in wanted
    }
