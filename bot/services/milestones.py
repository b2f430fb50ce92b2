"""Milestones marked done (which stops their nudges) and support-team membership.

A coordinator's mark is confirmed at once. A mark by the person it concerns or their mentor is
a report: it stops their own reminders, and a coordinator confirms it (a button in their next
to-do); until then it does not count for the coordinators' reminders or the report's trained
mentors. Who marked and who confirmed, and when, are kept on the row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.deadlines import ASSIGNMENT_RULE, YEAR2_RULE
from bot.domain.formatting import as_read, format_day_long
from bot.domain.members import Member
from bot.domain.milestones import MarkedDone, MilestoneMark, TeamChange
from bot.services.errors import NotAllowed, Refusal
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models.core import Assignment, MilestoneDone, SupportTeamMember

NOT_MARKABLE = {
    ASSIGNMENT_RULE: "An assignment is done by assigning: `/induction assign @mentor @mentee`.",
    YEAR2_RULE: "The 50-hour milestone is reached by logged hours, not by marking it done.",
}
TEAM_ROLES = ("mentor", "evaluator", "coordinator", "lead_mentor")


def check_done_on(on: date, program: ProgramInfo, today: date, example: str) -> None:
    """Refuse a done date in the future or outside the program year (`example` without it)."""
    year = program.year
    last = min(today, year.last)
    if year.first <= on <= last:
        return
    where = (
        "in the future"
        if on > today
        else f"outside the program year {year.label} ({format_day_long(year.first)} to "
        f"{format_day_long(year.last)})"
    )
    raise Refusal(
        f"I read the date as {as_read(on)}, which is {where}. A milestone is done on a "
        f"day between {format_day_long(year.first)} and {format_day_long(last)}; leave the date "
        "out for today.",
        example=f"{example} {max(last, year.first).isoformat()}",
    )


def _confirm(row: MilestoneDone, coordinator: Member, now: datetime) -> None:
    row.confirmed = True
    row.confirmed_by_id = coordinator.id
    row.confirmed_at = now


class MilestoneService:
    """Marks milestones done (kept for the report) and manages support teams."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    @staticmethod
    def _may_mark(session: Session, actor: Member, person: Member | None) -> bool:
        if actor.is_coordinator:
            return True
        if person is None:
            return False
        if actor.id == person.id:
            return True
        mentor_id = session.scalar(
            select(Assignment.mentor_id).where(
                Assignment.mentee_id == person.id, Assignment.ended_on.is_(None)
            )
        )
        return mentor_id == actor.id

    def mark_done(
        self,
        slack_user_id: str,
        milestone: str,
        person: int | str | None,
        on: date | None,
        now: datetime,
    ) -> MarkedDone:
        """Record a milestone done for a person (id or reference) or the program (None)."""
        program = self.programs.current()
        rule = program.policy.deadline(milestone)
        if rule is None:
            keys = ", ".join(r.key for r in program.policy.deadlines)
            raise Refusal(
                f"I don't know the milestone {milestone!r}. Milestones: {keys}.",
                example="/induction done orientation @jane",
            )
        if milestone in NOT_MARKABLE:
            raise Refusal(NOT_MARKABLE[milestone])
        today = program.today(now)
        on = on or today
        who = "" if "program" in rule.applies_to else " @jane"
        check_done_on(on, program, today, f"/induction done {milestone}{who}")
        with self.store.write() as session:
            actor = self.people.caller(session, program, slack_user_id)
            subject = self._subject(session, program, person)
            if "program" in rule.applies_to and subject is not None:
                subject = None
            if "program" not in rule.applies_to and subject is None:
                raise Refusal(
                    f"Say whose {rule.title.lower()} is done.",
                    example=f"/induction done {milestone} @jane",
                )
            if not self._may_mark(session, actor, subject):
                raise NotAllowed(
                    "Only a coordinator, the person it is about or their mentor can mark this done."
                )
            existing = _mark_of(session, program, milestone, subject)
            reporter = self._member(session, program, existing.marked_by_id if existing else None)
            if existing is not None and actor.is_coordinator and not existing.confirmed:
                _confirm(existing, actor, now)  # marking a reported milestone confirms it
                return MarkedDone(rule.title, subject, existing.done_on, marked_by=reporter)
            if existing is not None:
                return MarkedDone(
                    rule.title,
                    subject,
                    existing.done_on,
                    already=True,
                    confirmed=existing.confirmed,
                    marked_by=reporter,
                )
            confirmed = actor.is_coordinator
            session.add(
                MilestoneDone(
                    program_id=program.id,
                    person_id=subject.id if subject else None,
                    milestone=milestone,
                    school_year=program.school_year,
                    done_on=on,
                    marked_by_id=actor.id,
                    created_at=now,
                    confirmed=confirmed,
                    confirmed_by_id=actor.id if confirmed else None,
                    confirmed_at=now if confirmed else None,
                )
            )
        reported_by = None if confirmed else actor
        return MarkedDone(rule.title, subject, on, confirmed=confirmed, marked_by=reported_by)

    def confirm(
        self, slack_user_id: str, milestone: str, person_id: int | None, now: datetime
    ) -> MarkedDone:
        """Confirm a reported milestone (coordinators; the presser, not the button, decides)."""
        program = self.programs.current()
        rule = program.policy.deadline(milestone)
        with self.store.write() as session:
            actor = self.people.caller(session, program, slack_user_id)
            if not actor.is_coordinator:
                raise NotAllowed("Only a coordinator confirms a milestone reported done.")
            if rule is None:
                raise Refusal(f"The milestone {milestone!r} is no longer in the program's policy.")
            subject = self._subject(session, program, person_id)
            row = _mark_of(session, program, milestone, subject)
            if row is None:
                raise Refusal(f"{rule.title} is no longer marked done; nothing to confirm.")
            reporter = self._member(session, program, row.marked_by_id)
            already = row.confirmed
            if not already:
                _confirm(row, actor, now)
        return MarkedDone(rule.title, subject, row.done_on, already=already, marked_by=reporter)

    def _member(self, session: Session, program: ProgramInfo, pid: int | None) -> Member | None:
        found = self.people.members(session, program, [pid]) if pid is not None else []
        return found[0] if found else None

    def _subject(
        self, session: Session, program: ProgramInfo, person: int | str | None
    ) -> Member | None:
        if person is None:
            return None
        if isinstance(person, int):
            found = self.people.members(session, program, [person])
            if not found:
                raise Refusal("That person is no longer on the roster.")
            return found[0]
        return self.people.get(session, program, person)

    def change_team(
        self, slack_user_id: str, mentee_ref: str, add: bool, member_ref: str, now: datetime
    ) -> TeamChange:
        """Add or remove a support-team member (coordinators)."""
        program = self.programs.current()
        today = program.today(now)
        with self.store.write() as session:
            actor = self.people.caller(session, program, slack_user_id)
            if not actor.is_coordinator:
                raise NotAllowed("Only coordinators manage support teams.")
            mentee = self.people.get(session, program, mentee_ref)
            member = self.people.get(session, program, member_ref)
            if "mentee" not in mentee.roles:
                raise Refusal(
                    f"{mentee.name} isn't a mentee this year.",
                    example="/induction team @mentee add @evaluator",
                )
            if member.id == mentee.id:
                raise Refusal("A mentee is at the centre of their own team already.")
            current = session.scalars(
                select(SupportTeamMember).where(
                    SupportTeamMember.mentee_id == mentee.id,
                    SupportTeamMember.member_id == member.id,
                    SupportTeamMember.removed_on.is_(None),
                )
            ).first()
            if add and current is None:
                role = next((r for r in TEAM_ROLES if r in member.roles), "other")
                session.add(
                    SupportTeamMember(
                        mentee_id=mentee.id,
                        member_id=member.id,
                        role=role,
                        added_on=today,
                        added_by_id=actor.id,
                    )
                )
            elif not add and current is not None:
                current.removed_on = today
            elif not add:
                raise Refusal(f"{member.name} isn't on {mentee.name}'s support team.")
            session.flush()
            rows = session.execute(
                select(SupportTeamMember.member_id, SupportTeamMember.role).where(
                    SupportTeamMember.mentee_id == mentee.id,
                    SupportTeamMember.removed_on.is_(None),
                )
            ).all()
            members = {m.id: m for m in self.people.members(session, program, [r[0] for r in rows])}
        team = tuple((members[r[0]], r[1]) for r in rows if r[0] in members)
        return TeamChange(mentee, member, add, team)


def _mark_of(
    session: Session, program: ProgramInfo, milestone: str, subject: Member | None
) -> MilestoneDone | None:
    """This school year's mark of a milestone for a person (None: the program itself)."""
    whose = (
        MilestoneDone.person_id.is_(None)
        if subject is None
        else MilestoneDone.person_id == subject.id
    )
    return session.scalars(
        select(MilestoneDone).where(
            MilestoneDone.program_id == program.id,
            MilestoneDone.milestone == milestone,
            MilestoneDone.school_year == program.school_year,
            whose,
        )
    ).first()


# ---- marks as records: who marked, who confirmed -------------------------------------------

MAX_AWAITING = 40  # reports listed in a status or a coordinator's to-do


def milestone_marks(
    session: Session,
    people: PeopleService,
    program: ProgramInfo,
    *,
    person_id: int | None = None,
    awaiting_only: bool = False,
) -> tuple[MilestoneMark, ...]:
    """This school year's marks: one person's (or everyone's when person_id is None), or only
    the reports awaiting confirmation; oldest first."""
    query: Any = select(MilestoneDone).where(
        MilestoneDone.program_id == program.id, MilestoneDone.school_year == program.school_year
    )
    if person_id is not None:
        query = query.where(MilestoneDone.person_id == person_id)
    if awaiting_only:
        query = query.where(MilestoneDone.confirmed.is_(False)).limit(MAX_AWAITING)
    rows = list(session.scalars(query.order_by(MilestoneDone.created_at, MilestoneDone.id)))
    ids = {
        pid
        for row in rows
        for pid in (row.person_id, row.marked_by_id, row.confirmed_by_id)
        if pid is not None
    }
    members = {m.id: m for m in people.members(session, program, ids)}

    def title(key: str) -> str:
        rule = program.policy.deadline(key)
        return rule.title if rule is not None else key

    return tuple(
        MilestoneMark(
            key=row.milestone,
            title=title(row.milestone),
            person=members.get(row.person_id) if row.person_id is not None else None,
            done_on=row.done_on,
            marked_by=members.get(row.marked_by_id) if row.marked_by_id is not None else None,
            marked_on=program.today(row.created_at),
            confirmed=row.confirmed,
            confirmed_by=(
                members.get(row.confirmed_by_id) if row.confirmed_by_id is not None else None
            ),
            confirmed_on=program.today(row.confirmed_at) if row.confirmed_at else None,
        )
        for row in rows
    )
