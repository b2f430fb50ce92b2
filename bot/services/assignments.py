"""Mentor assignments: assign, reassign (hold-harmless, history kept), unassign, status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from bot.domain.assignments import (
    AssignmentResult,
    MenteeStatus,
    MentorCaution,
    PairRow,
    PersonStatus,
    ProgramStatus,
    StatusCounts,
    mentor_caution,
)
from bot.domain.calendar import OutsideSchoolYearError
from bot.domain.deadlines import reassignment_due
from bot.domain.formatting import as_read, format_day_long
from bot.domain.ledger import in_induction_year
from bot.domain.members import Member
from bot.domain.reach import reach
from bot.services.errors import NotAllowed, Refusal
from bot.services.milestones import milestone_marks
from bot.services.pair_entries import entries_after, refuse_end, refuse_reassignment
from bot.services.pair_entries import move_entries as move_entries_to
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store, is_write_conflict
from bot.store.locks import lock_for_pair_end
from bot.store.models.core import Assignment, LogEntry, MilestoneDone, Person, PersonRole

REASON_MAX = 500
STATUS_PAGE = 40  # mentees listed by /induction status; the rest are counted
STATUS_MENTORS = 60  # mentors listed with their loads
START_HORIZON_DAYS = 30  # an assignment may be entered up to a month before it begins
ASSIGN_EXAMPLE = "/induction assign @mentor @mentee 2026-09-14"
UNASSIGN_EXAMPLE = "/induction unassign @mentee 2026-11-20 schedule change"


def assignment_due(mentee: Member, program: ProgramInfo) -> date:
    """The date a mentor must be assigned by: the policy window after school start or hire."""
    start = program.config.school_year_start
    anchor = max(start, mentee.hire_date) if mentee.hire_date else start
    return window_end(anchor, program)


def window_end(anchor: date, program: ProgramInfo) -> date:
    """The last day of the assignment window from an anchor (school start or hire date): in
    school days when the policy counts them, else calendar days."""
    school_days = program.policy.assignment_window_school_days
    if school_days is not None:
        try:
            return program.calendar.add_school_days(anchor, school_days)
        except OutsideSchoolYearError:
            return max(program.calendar.end, anchor)
    return anchor + timedelta(days=program.policy.assignment_window_days)


def check_start(on: date, program: ProgramInfo, today: date) -> None:
    """Refuse a start before the program year or more than START_HORIZON_DAYS ahead."""
    first, last = program.year.first, today + timedelta(days=START_HORIZON_DAYS)
    if first <= on <= last:
        return
    where = (
        f"before {format_day_long(first)}, the first day of the program year {program.year.label}"
        if on < first
        else f"more than {START_HORIZON_DAYS} days after today ({format_day_long(today)})"
    )
    raise Refusal(
        f"I read the start date as {as_read(on)}, which is {where}. An assignment starts "
        f"between {format_day_long(first)} and {format_day_long(last)}; leave the date out "
        "to start today.",
        example=f"/induction assign @mentor @mentee {min(max(today, first), last).isoformat()}",
    )


def check_end(on: date, started_on: date, mentee: Member, today: date) -> None:
    """Refuse an end in the future or before the assignment began."""
    if on > today:
        raise Refusal(
            f"I read the end date as {as_read(on)}, which is in the future. End an "
            f"assignment on the day it ends (today is {format_day_long(today)}), or leave the "
            "date out to end it today.",
            example=UNASSIGN_EXAMPLE.replace("2026-11-20", today.isoformat()),
        )
    if on < started_on:
        raise Refusal(
            f"I read the end date as {as_read(on)}, but {mentee.name}'s assignment "
            f"began {format_day_long(started_on)}; it can't end before that.",
            example=UNASSIGN_EXAMPLE.replace("2026-11-20", today.isoformat()),
        )


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
                "For your own hours try `/hours`; to log, `/logmeeting 45m`"
                + (
                    "; to ask for a change of your pairing (confidential), `/induction change`."
                    if actor.has("mentor", "mentee")
                    else "."
                )
            )
        return actor

    def _require_coordinator(self, actor: Member | None) -> None:
        if actor is not None and not actor.is_coordinator:
            raise NotAllowed(
                "Only induction coordinators can change assignments. "
                "To ask for a change of your pairing: `/induction change` (confidential, and "
                "without consequence)."
            )

    def assign(
        self,
        actor: Member | None,
        mentor_ref: str,
        mentee_ref: str,
        on: date | None,
        now: datetime,
        *,
        over_cap: bool = False,
        move_entries: bool = False,
    ) -> AssignmentResult:
        """Assign a mentor; an existing mentor of the mentee is closed as a reassignment. A
        mentor at the policy's caseload cap is refused unless the coordinator confirms
        (`over_cap`); the assignment is then listed in the report. A reassignment that would
        leave the old pair's entries after its end is refused unless `move_entries`."""
        self._require_coordinator(actor)
        program = self.programs.current()
        today = program.today(now)
        on = on or today
        check_start(on, program, today)
        with self._answering_clashes(), self.store.write() as session:
            mentor = self.people.get(session, program, mentor_ref)
            mentee = self.people.get(session, program, mentee_ref)
            return self.assign_in(
                session, program, actor, mentor, mentee, on, now,
                over_cap=over_cap, move_entries=move_entries,
            )[0]  # fmt: skip

    @staticmethod
    @contextmanager
    def _answering_clashes() -> Iterator[None]:
        """A clash on the open-assignment keys (one open assignment per mentee, per pair), or a
        deadlock between two such writes, as an answer, never a traceback: the write rolled
        back. The mentee row lock (`lock_mentee`) makes this a backstop."""
        try:
            yield
        except DBAPIError as exc:
            if not is_write_conflict(exc):
                raise
            raise Refusal(
                "Someone changed this mentee's assignment at the same moment: nothing changed. "
                "`/induction status @mentee` shows who mentors them now."
            ) from None

    def assign_in(
        self,
        session: Session,
        program: ProgramInfo,
        actor: Member | None,
        mentor: Member,
        mentee: Member,
        on: date,
        now: datetime,
        *,
        over_cap: bool = False,
        end_reason: str | None = None,
        move_entries: bool = False,
    ) -> tuple[AssignmentResult, int | None]:
        """Assign within the caller's transaction (the caller has checked who may): the result
        and the new assignment's id (None when the pair already exists). A mentor at the
        caseload cap is refused unless `over_cap`; a current mentor of the mentee is closed
        with `end_reason` (default: "reassigned to NAME"). Entries of the closed pair dated
        after its end are refused, or with `move_entries` moved to the new mentor (audited)."""
        check_pair(mentor, mentee)
        lock_for_pair_end(session, program.id)  # the log writes in progress finish first
        lock_mentee(session, mentee.id)
        current = _active_for_mentee(session, mentee.id)
        if any(a.mentor_id == mentor.id for a in current):
            same = next(a for a in current if a.mentor_id == mentor.id)
            unchanged = AssignmentResult(
                mentor, mentee, same.started_on, unchanged=True, today=program.today(now)
            )
            return unchanged, None
        caseload = caseload_on(session, mentor.id, on, excluding=mentee.id) + 1
        cap = program.policy.caseload_cap
        if cap is not None and caseload > cap and not over_cap:
            raise Refusal(
                f"{mentor.name} would mentor {caseload} on {format_day_long(on)}: the "
                f"program's caseload cap is {cap}. Pick another mentor, or assign anyway "
                "with `override` (`--override` on the command line); the annual report "
                "lists it.",
                example=f"/induction assign @mentor @mentee {on.isoformat()} override",
            )
        ended = []
        stranded: list[LogEntry] = []
        for old in current:
            if on < old.started_on:
                raise Refusal(
                    f"I read the start date as {as_read(on)}, but {mentee.name}'s "
                    f"current assignment began {format_day_long(old.started_on)}; a new one "
                    "can't start before that.",
                    example=f"/induction assign @mentor @mentee {old.started_on.isoformat()}",
                )
            # One rule for the end day: a pair covers its last day, so the old one ends the
            # day before the new start (the same day only when it began then: newer wins).
            ended_on = max(on - timedelta(days=1), old.started_on)
            old_mentor = member_of(self.people, session, program, old.mentor_id)
            left = entries_after(session, old.mentor_id, mentee.id, ended_on)
            if left and not move_entries:
                raise refuse_reassignment(old_mentor, mentee, mentor, ended_on, left)
            stranded.extend(left)
            old.ended_on = ended_on
            old.end_reason = end_reason or f"reassigned to {mentor.name}"
            old.ended_by_id = actor.id if actor else None
            ended.append((old_mentor, old.ended_on))
        created = Assignment(
            program_id=program.id,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
            started_on=on,
            created_by_id=actor.id if actor else None,
        )
        session.add(created)
        session.flush()  # the new id, for whoever asked for the change
        move_entries_to(session, program, actor, stranded, mentor.id, now)
        caution = _caution(session, program, mentor, on, caseload)
        result = AssignmentResult(
            mentor,
            mentee,
            on,
            ended=tuple(ended),
            caution=caution,
            today=program.today(now),
            moved=len(stranded),
        )
        return result, created.id

    def assign_ids(
        self,
        actor: Member,
        mentor_id: int,
        mentee_id: int,
        now: datetime,
        *,
        mentor_when_drawn: int | None = None,
    ) -> AssignmentResult:
        """Assign by person ids (the alert's Assign button), today — only while the mentee's
        mentor is still the one the button was drawn with (None: no mentor). A press after
        someone else assigned them stores nothing and says so; pressing it again after it
        worked is "already done"."""
        self._require_coordinator(actor)
        program = self.programs.current()
        today = program.today(now)
        check_start(today, program, today)
        with self._answering_clashes(), self.store.write() as session:
            found = {m.id: m for m in self.people.members(session, program, [mentor_id, mentee_id])}
            if mentor_id not in found or mentee_id not in found:
                raise Refusal("That person is no longer on the roster.")
            mentor, mentee = found[mentor_id], found[mentee_id]
            lock_for_pair_end(session, program.id)  # before the mentee's row, as assign_in
            lock_mentee(session, mentee_id)
            current = _active_for_mentee(session, mentee_id)
            mentors = {a.mentor_id for a in current}
            if mentor_id not in mentors and mentors != _as_set(mentor_when_drawn):
                raise Refusal(
                    moved_on(mentee, member_of(self.people, session, program, min(mentors)))
                    if mentors
                    else f"{mentee.name} no longer has the mentor this button was drawn with: "
                    "nothing changed. `/induction assign @mentor @mentee` assigns one."
                )
            return self.assign_in(session, program, actor, mentor, mentee, today, now)[0]

    def unassign(
        self,
        actor: Member | None,
        mentee_ref: str,
        reason: str | None,
        on: date | None,
        now: datetime,
    ) -> AssignmentResult:
        """End a mentee's active assignment with a date and reason; one that has not begun is
        cancelled: removed (it covered no day), and the pair it was to replace goes on."""
        self._require_coordinator(actor)
        program = self.programs.current()
        today = program.today(now)
        on = on or today
        reason = (reason or "").strip()[:REASON_MAX] or "ended by coordinator"
        with self.store.write() as session:
            lock_for_pair_end(session, program.id)  # the log writes in progress finish first
            mentee = self.people.get(session, program, mentee_ref)
            lock_mentee(session, mentee.id)
            current = _active_for_mentee(session, mentee.id)
            if not current:
                raise Refusal(f"{mentee.name} has no active mentor assignment to end.")
            ended, cancelled = [], []
            for old in current:
                if old.started_on > today:
                    _cancel(session, old)
                    mentor = member_of(self.people, session, program, old.mentor_id)
                    cancelled.append((mentor, old.started_on))
                    continue
                check_end(on, old.started_on, mentee, today)
                mentor = member_of(self.people, session, program, old.mentor_id)
                left = entries_after(session, old.mentor_id, mentee.id, on)
                if left:
                    raise refuse_end(mentor, mentee, on, left)
                old.ended_on = on
                old.end_reason = reason
                old.ended_by_id = actor.id if actor else None
                ended.append((mentor, on))
        return AssignmentResult(
            None, mentee, None, ended=tuple(ended), cancelled=tuple(cancelled), today=today
        )

    def program_status(
        self, actor: Member | None, now: datetime, *, page: int = STATUS_PAGE
    ) -> ProgramStatus:
        """Every mentee's assignment state, overdue first: the first `page` of them, with the
        program's counts (coordinators). An assignment that begins later is not a mentor yet:
        the mentee stays unassigned, and overdue, until it begins."""
        self._require_coordinator(actor)
        program = self.programs.current()
        today = program.today(now)
        start = program.config.school_year_start
        with self.store.read() as session:
            conn = session.connection()
            rows = conn.execute(
                _MENTEES,
                {"program_id": program.id, "school_year": program.school_year, "today": today},
            ).all()
            standings = []
            regap = program.policy.reassignment_window_days
            for row in rows:
                pid, name, educator_type, hire_date, induction, mentor_id, *rest = row
                started_on, nxt, nxt_on, ended = rest
                due = window_end(max(start, hire_date) if hire_date else start, program)
                due = due if mentor_id else reassignment_due(due, ended, regap)
                begun = mentor_id is not None
                late = (
                    not begun
                    and (educator_type or "").startswith("beginning_")
                    # year 2+: the window has passed
                    and in_induction_year(
                        hire_date, start, induction=induction, start_month=program.year_start_month
                    )
                )
                days = max((today - due).days, 0) if late else 0
                standings.append(
                    _Standing(pid, name, due, days, begun, mentor_id, started_on, nxt, nxt_on)
                )
            standings.sort(key=lambda r: (-r.days_overdue, r.begun, r.name, r.person_id))
            listed = standings[:page]
            ids = {r.person_id for r in listed} | {r.mentor_id for r in listed if r.mentor_id}
            ids |= {r.next_mentor_id for r in listed if r.next_mentor_id}
            members = {m.id: m for m in self.people.members(session, program, ids)}
            mentors, mentor_count = self._mentor_loads(session, program)
            awaiting = milestone_marks(session, self.people, program, awaiting_only=True)
        mentees = tuple(
            MenteeStatus(
                mentee=members[r.person_id],
                mentor=members[r.mentor_id] if r.begun and r.mentor_id else None,
                assigned_on=r.started_on if r.begun else None,
                due=r.due,
                days_overdue=r.days_overdue,
                upcoming=(members[r.next_mentor_id], r.next_on)
                if r.next_mentor_id and r.next_on
                else None,
            )
            for r in listed
        )
        counts = StatusCounts(
            mentees=len(standings),
            unassigned=sum(1 for r in standings if not r.begun),
            overdue=sum(1 for r in standings if r.days_overdue > 0),
            mentors=mentor_count,
        )
        return ProgramStatus(program.name, today, mentees, mentors, counts, awaiting)

    def _mentor_loads(
        self, session: Session, program: ProgramInfo
    ) -> tuple[tuple[tuple[Member, int], ...], int]:
        """The first STATUS_MENTORS mentors by name with their active mentee counts, and how
        many mentors there are."""
        conn = session.connection()
        params = {"program_id": program.id, "school_year": program.school_year}
        total = conn.execute(_MENTOR_COUNT, params).scalar_one()
        ids = list(conn.execute(_FIRST_MENTORS, {**params, "limit": STATUS_MENTORS}).scalars())
        load = dict(
            conn.execute(
                select(Assignment.mentor_id, func.count())
                .where(Assignment.mentor_id.in_(ids), Assignment.ended_on.is_(None))
                .group_by(Assignment.mentor_id)
            ).all()
        )
        found = {m.id: m for m in self.people.members(session, program, ids)}
        return tuple((found[i], int(load.get(i, 0))) for i in ids if i in found), int(total)

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
            marks = milestone_marks(session, self.people, program, person_id=person.id)
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
            milestones=marks,
            reach=reach(person, self.programs.email_on),
        )


class _Standing(NamedTuple):
    """One mentee's row in a status, before the page is chosen."""

    person_id: int
    name: str
    due: date
    days_overdue: int
    begun: bool  # a mentor today
    mentor_id: int | None
    started_on: date | None
    next_mentor_id: int | None  # an assignment that begins later
    next_on: date | None


def _role_join(role: str) -> Any:
    return (
        (PersonRole.person_id == Person.id)
        & (PersonRole.role == role)
        & (PersonRole.school_year == bindparam("school_year"))
    )


# The latest assignment covering today (its first to its last day), and the latest that has
# not begun: a pair reassigned from a later day keeps its mentor until then.
_CURRENT = (
    select(Assignment.mentee_id, func.max(Assignment.id).label("assignment_id"))
    .where(
        Assignment.program_id == bindparam("program_id"),
        Assignment.started_on <= bindparam("today"),
        Assignment.ended_on.is_(None) | (Assignment.ended_on >= bindparam("today")),
    )
    .group_by(Assignment.mentee_id)
    .subquery()
)
_PLANNED = (
    select(Assignment.mentee_id, func.max(Assignment.id).label("assignment_id"))
    .where(
        Assignment.program_id == bindparam("program_id"),
        Assignment.started_on > bindparam("today"),
        Assignment.ended_on.is_(None),
    )
    .group_by(Assignment.mentee_id)
    .subquery()
)
_NEXT = aliased(Assignment)
# When each mentee's latest assignment ended: a gap gets the reassignment window.
_ENDED = (
    select(Assignment.mentee_id, func.max(Assignment.ended_on).label("ended_on"))
    .where(Assignment.program_id == bindparam("program_id"), Assignment.ended_on.is_not(None))
    .group_by(Assignment.mentee_id)
    .subquery()
)
# Every active mentee of the year with their current assignment, if any: a few plain columns
# per person, so a status over 50,000 people builds no ORM objects.
_MENTEES = (
    select(
        Person.id,
        Person.name,
        Person.educator_type,
        Person.hire_date,
        Person.induction_school_year,
        Assignment.mentor_id,
        Assignment.started_on,
        _NEXT.mentor_id,
        _NEXT.started_on,
        _ENDED.c.ended_on,
    )
    .join(PersonRole, _role_join("mentee"))
    .outerjoin(_CURRENT, _CURRENT.c.mentee_id == Person.id)
    .outerjoin(Assignment, Assignment.id == _CURRENT.c.assignment_id)
    .outerjoin(_PLANNED, _PLANNED.c.mentee_id == Person.id)
    .outerjoin(_NEXT, _NEXT.id == _PLANNED.c.assignment_id)
    .outerjoin(_ENDED, _ENDED.c.mentee_id == Person.id)
    .where(Person.program_id == bindparam("program_id"), Person.active.is_(True))
)
_MENTORS = (
    select(Person.id)
    .join(PersonRole, _role_join("mentor"))
    .where(Person.program_id == bindparam("program_id"), Person.active.is_(True))
)
_MENTOR_COUNT = select(func.count()).select_from(_MENTORS.subquery())
_FIRST_MENTORS = _MENTORS.order_by(Person.name, Person.id).limit(bindparam("limit"))


def trained_mentors(session: Session, program: ProgramInfo, ids: list[int] | None) -> set[int]:
    """Of these people (None: everyone), those whose mentor training is marked done and
    confirmed this school year (a mentor's own report counts once a coordinator confirms it)."""
    query = select(MilestoneDone.person_id).where(
        MilestoneDone.program_id == program.id,
        MilestoneDone.school_year == program.school_year,
        MilestoneDone.milestone == "mentor_training",
        MilestoneDone.confirmed.is_(True),
    )
    if ids is not None:
        query = query.where(MilestoneDone.person_id.in_(ids))
    return {pid for pid in session.scalars(query) if pid is not None}


def _caution(
    session: Session, program: ProgramInfo, mentor: Member, on: date, caseload: int = 0
) -> MentorCaution | None:
    """What to warn the coordinator about this mentor (the assignment still happens)."""
    trained = mentor.id in trained_mentors(session, program, [mentor.id])
    policy = program.policy
    return mentor_caution(
        mentor, trained, on, caseload, policy.caseload_cap, rule=policy.mentor_rule
    )


def caseload_on(
    session: Session, mentor_id: int, day: date, *, excluding: int | None = None
) -> int:
    """How many mentees a mentor has on a day (other than `excluding`)."""
    statement = select(func.count(func.distinct(Assignment.mentee_id))).where(
        Assignment.mentor_id == mentor_id,
        Assignment.started_on <= day,
        (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= day),
    )
    if excluding is not None:
        statement = statement.where(Assignment.mentee_id != excluding)
    return int(session.execute(statement).scalar() or 0)


def _cancel(session: Session, planned: Assignment) -> None:
    """Remove an assignment that has not begun, and reopen the one it was to close (ended the
    day before its start, still in the future)."""
    replaced = session.scalars(
        select(Assignment).where(
            Assignment.mentee_id == planned.mentee_id,
            Assignment.id != planned.id,
            Assignment.ended_on == planned.started_on - timedelta(days=1),
        )
    ).all()
    session.delete(planned)
    session.flush()  # the pair's unique open row is free before the old one reopens
    for old in replaced:
        old.ended_on = old.end_reason = old.ended_by_id = None


def lock_mentee(session: Session, mentee_id: int) -> None:
    """Order the assignment changes of one mentee (PostgreSQL: a row lock on the person until
    the transaction ends; SQLite writers already queue). Taken before reading the mentee's
    assignments, so a second press sees what the first stored. NO KEY UPDATE: log entries
    naming the mentee (a foreign key) don't wait for it."""
    session.execute(select(Person.id).where(Person.id == mentee_id).with_for_update(key_share=True))


def moved_on(mentee: Member, mentor: Member) -> str:
    """Why an Assign button drawn before the mentee got a mentor stores nothing."""
    return (
        f"{mentee.name} now has a mentor ({mentor.name}), so this button is out of date: "
        "nothing changed. To change the mentor: `/induction assign @mentor @mentee`."
    )


def _as_set(mentor_id: int | None) -> set[int]:
    return set() if mentor_id is None else {mentor_id}


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
