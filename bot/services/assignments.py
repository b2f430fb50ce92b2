"""Mentor assignments: assign, reassign (hold-harmless, history kept), unassign, status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.errors import NotAllowed, Refusal
from bot.services.people import Member, PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models import Assignment

REASON_MAX = 500


@dataclass(frozen=True)
class AssignmentResult:
    """What an assign or unassign did."""

    mentor: Member | None
    mentee: Member
    started_on: date | None
    ended: tuple[tuple[Member, date], ...] = ()  # previous mentors whose assignment closed
    unchanged: bool = False


@dataclass(frozen=True)
class PairRow:
    """An assignment as listed in a status."""

    assignment_id: int
    mentor: Member
    mentee: Member
    started_on: date
    ended_on: date | None
    end_reason: str | None


@dataclass(frozen=True)
class MenteeStatus:
    """A mentee's assignment state against the policy window."""

    mentee: Member
    mentor: Member | None
    assigned_on: date | None
    due: date
    days_overdue: int  # 0 when assigned or not yet due


@dataclass(frozen=True)
class ProgramStatus:
    """Everyone's assignment state; overdue first."""

    program_name: str
    today: date
    mentees: tuple[MenteeStatus, ...]
    mentors: tuple[tuple[Member, int], ...]  # mentor and their active mentee count

    @property
    def unassigned(self) -> tuple[MenteeStatus, ...]:
        """Mentees with no active mentor."""
        return tuple(m for m in self.mentees if m.mentor is None)

    @property
    def overdue(self) -> tuple[MenteeStatus, ...]:
        """Unassigned mentees past their assignment deadline."""
        return tuple(m for m in self.mentees if m.days_overdue > 0)


@dataclass(frozen=True)
class PersonStatus:
    """One person's roles and assignment history."""

    person: Member
    as_mentee: tuple[PairRow, ...]
    as_mentor: tuple[PairRow, ...]
    due: date | None


def assignment_due(mentee: Member, program: ProgramInfo) -> date:
    """The date a mentor must be assigned by: the policy window after school start or hire."""
    start = program.config.school_year_start
    anchor = max(start, mentee.hire_date) if mentee.hire_date else start
    return anchor + timedelta(days=program.policy.assignment_window_days)


def check_pair(mentor: Member, mentee: Member) -> None:
    """Refuse a pair the rules do not allow."""
    if mentor.id == mentee.id:
        raise Refusal("A person can't mentor themselves.")
    if not mentor.active or not mentee.active:
        who = mentor if not mentor.active else mentee
        raise Refusal(f"{who.name} is deactivated in the program.")
    if "mentee" in mentor.roles:
        raise Refusal(
            f"{mentor.name} is a mentee this year, and a mentee can't mentor.",
            example="/induction assign @mentor @mentee",
        )
    if "mentor" not in mentor.roles:
        raise Refusal(
            f"{mentor.name} doesn't hold the mentor role this year. "
            "Add `mentor` to their roles in the roster first.",
            example="/induction assign @mentor @mentee",
        )
    if "mentee" not in mentee.roles:
        raise Refusal(
            f"{mentee.name} isn't a mentee this year. Add `mentee` to their roles in the roster.",
            example="/induction assign @mentor @mentee",
        )


class AssignmentService:
    """Assignments, checked against the rules and recorded as history."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def coordinator(self, slack_user_id: str) -> Member:
        """The caller, who must be a coordinator of the program."""
        program = self.programs.current()
        with self.store.read() as session:
            actor = self.people.caller(session, program, slack_user_id)
        if not actor.is_coordinator:
            raise NotAllowed(
                "`/induction` is for induction coordinators. "
                "For your own hours try `/hours`; to log, `/logmeeting 45m`."
            )
        return actor

    def _require_coordinator(self, actor: Member | None) -> None:
        if actor is not None and not actor.is_coordinator:
            raise NotAllowed(
                "Only induction coordinators can change assignments. "
                "If you'd like a change, ask your coordinator — requests are confidential."
            )

    def assign(
        self, actor: Member | None, mentor_ref: str, mentee_ref: str, on: date | None, now: datetime
    ) -> AssignmentResult:
        """Assign a mentor; an existing mentor of the mentee is closed as a reassignment."""
        self._require_coordinator(actor)
        program = self.programs.current()
        on = on or program.today(now)
        with self.store.write() as session:
            mentor = self.people.get(session, program, mentor_ref)
            mentee = self.people.get(session, program, mentee_ref)
            check_pair(mentor, mentee)
            current = _active_for_mentee(session, mentee.id)
            if any(a.mentor_id == mentor.id for a in current):
                same = next(a for a in current if a.mentor_id == mentor.id)
                return AssignmentResult(mentor, mentee, same.started_on, unchanged=True)
            ended = []
            for old in current:
                if on < old.started_on:
                    raise Refusal(
                        f"{mentee.name}'s current assignment began {old.started_on:%b %d}; "
                        f"a new one can't start before that."
                    )
                old.ended_on = on
                old.end_reason = f"reassigned to {mentor.name}"
                old.ended_by_id = actor.id if actor else None
                ended.append((member_of(self.people, session, program, old.mentor_id), on))
            session.add(
                Assignment(
                    program_id=program.id,
                    mentor_id=mentor.id,
                    mentee_id=mentee.id,
                    started_on=on,
                    created_by_id=actor.id if actor else None,
                )
            )
        return AssignmentResult(mentor, mentee, on, ended=tuple(ended))

    def assign_ids(
        self, actor: Member, mentor_id: int, mentee_id: int, now: datetime
    ) -> AssignmentResult:
        """Assign by person ids (the alert's Assign button), today."""
        program = self.programs.current()
        with self.store.read() as session:
            found = {m.id: m for m in self.people.members(session, program, [mentor_id, mentee_id])}
        if mentor_id not in found or mentee_id not in found:
            raise Refusal("That person is no longer on the roster.")
        return self.assign(actor, found[mentor_id].email, found[mentee_id].email, None, now)

    def unassign(
        self,
        actor: Member | None,
        mentee_ref: str,
        reason: str | None,
        on: date | None,
        now: datetime,
    ) -> AssignmentResult:
        """End a mentee's active assignment with a date and reason."""
        self._require_coordinator(actor)
        program = self.programs.current()
        on = on or program.today(now)
        reason = (reason or "").strip()[:REASON_MAX] or "ended by coordinator"
        with self.store.write() as session:
            mentee = self.people.get(session, program, mentee_ref)
            current = _active_for_mentee(session, mentee.id)
            if not current:
                raise Refusal(f"{mentee.name} has no active mentor assignment to end.")
            ended = []
            for old in current:
                if on < old.started_on:
                    raise Refusal(
                        f"{mentee.name}'s assignment began {old.started_on:%a %d %b %Y}; "
                        "it can't end before that.",
                        example="/induction unassign @mentee schedule change",
                    )
                old.ended_on = on
                old.end_reason = reason
                old.ended_by_id = actor.id if actor else None
                ended.append((member_of(self.people, session, program, old.mentor_id), on))
        return AssignmentResult(None, mentee, None, ended=tuple(ended))

    def program_status(self, actor: Member | None, now: datetime) -> ProgramStatus:
        """Every mentee's assignment state, overdue first (coordinators)."""
        self._require_coordinator(actor)
        program = self.programs.current()
        today = program.today(now)
        with self.store.read() as session:
            members = {m.id: m for m in self.people.all_members(session, program)}
            active = session.scalars(select(Assignment).where(Assignment.ended_on.is_(None)))
            mentor_of: dict[int, tuple[int, date]] = {}
            load: dict[int, int] = {}
            for a in active:
                if a.mentee_id in members and a.mentor_id in members:
                    mentor_of[a.mentee_id] = (a.mentor_id, a.started_on)
                    load[a.mentor_id] = load.get(a.mentor_id, 0) + 1
        rows = []
        for member in members.values():
            if "mentee" not in member.roles or not member.active:
                continue
            due = assignment_due(member, program)
            pair = mentor_of.get(member.id)
            overdue = (today - due).days if pair is None and member.is_beginning else 0
            rows.append(
                MenteeStatus(
                    mentee=member,
                    mentor=members[pair[0]] if pair else None,
                    assigned_on=pair[1] if pair else None,
                    due=due,
                    days_overdue=max(overdue, 0),
                )
            )
        rows.sort(key=lambda r: (-r.days_overdue, r.mentor is not None, r.mentee.name))
        mentors = tuple(
            (m, load.get(m.id, 0))
            for m in sorted(members.values(), key=lambda m: m.name)
            if "mentor" in m.roles and m.active
        )
        return ProgramStatus(program.name, today, tuple(rows), mentors)

    def person_status(self, actor: Member | None, ref: str, now: datetime) -> PersonStatus:
        """One person's assignment history (coordinators)."""
        self._require_coordinator(actor)
        program = self.programs.current()
        with self.store.read() as session:
            person = self.people.get(session, program, ref)
            rows = session.scalars(
                select(Assignment)
                .where((Assignment.mentee_id == person.id) | (Assignment.mentor_id == person.id))
                .order_by(Assignment.started_on, Assignment.id)
            ).all()
            ids = {a.mentor_id for a in rows} | {a.mentee_id for a in rows}
            members = {m.id: m for m in self.people.members(session, program, ids)}
        pairs = [
            PairRow(
                a.id,
                members[a.mentor_id],
                members[a.mentee_id],
                a.started_on,
                a.ended_on,
                a.end_reason,
            )
            for a in rows
        ]
        return PersonStatus(
            person=person,
            as_mentee=tuple(p for p in pairs if p.mentee.id == person.id),
            as_mentor=tuple(p for p in pairs if p.mentor.id == person.id),
            due=assignment_due(person, program) if "mentee" in person.roles else None,
        )


def _active_for_mentee(session: Session, mentee_id: int) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(
                Assignment.mentee_id == mentee_id, Assignment.ended_on.is_(None)
            )
        )
    )


def member_of(people: PeopleService, session: Session, program: ProgramInfo, pid: int) -> Member:
    """The member with an id (who must exist)."""
    return people.members(session, program, [pid])[0]
