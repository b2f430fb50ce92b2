"""Program activities (report item a): recording one from Slack or the CLI, listing them, and
the year's summary for the report.

A group session is mentoring: recording one logs, in the same transaction, an entry of kind
`group` for each attending mentee with their mentor present — one batch per mentor — through the
log write path's helpers (`log_entries.py`), so the ledger counts it like any log: each mentee
their pair time, each mentor their mentor time once. Notes stay with the activity and are never
read back by the list or the summary."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select, true
from sqlalchemy.orm import Session

from bot.domain.activities import (
    GROUP,
    RECORDERS,
    ActivitiesSummary,
    ActivityFact,
    ActivityRequest,
    RecordedActivity,
    activities_source,
    kind_lines,
    mentoring_lines,
)
from bot.domain.formatting import format_day
from bot.domain.grammar import MAX_NOTES_CHARS
from bot.domain.ledger import Entry
from bot.domain.members import Member
from bot.services.errors import NotAllowed, Refusal
from bot.services.log_access import mentor_on
from bot.services.log_entries import (
    check_day_cap,
    count,
    keep_coverage,
    ledger_entry,
    snapshot,
    tagged_log,
    write_audit,
)
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.signoff import check_open
from bot.store import rollups
from bot.store.db import Store
from bot.store.models.core import Activity, ActivityAttendee, ActivityLogBatch, LogEntry, Person

log = logging.getLogger(__name__)

MENTOR_ROLES = ("mentor", "lead_mentor")
# Who may facilitate an activity: anyone on the roster but a mentee (the session is for them).
FACILITATORS = ("mentor", "lead_mentor", "coordinator", "evaluator")
LOG_SOURCE = "event"  # the log entries a group session wrote
PROGRAM = "program"  # `summary`: every entry of the program, whoever the mentee
ExitTicketHook = Callable[[int, list[int], datetime], object]


@dataclass(frozen=True)
class ActivityListing:
    """An activity as the coordinator's list shows it: no notes."""

    id: int
    kind: str
    occurred_on: date
    minutes: int
    facilitator_email: str
    attendees: int
    logged_entries: int  # group sessions: the mentoring entries it logged


def attendee_role(member: Member) -> str:
    """The role someone attended in: mentee, mentor, or other (an evaluator, a coordinator)."""
    if member.has("mentee"):
        return "mentee"
    if member.has(*MENTOR_ROLES):
        return "mentor"
    return "other"


class ActivityService:
    """Records program activities and sums them for the report."""

    def __init__(
        self,
        store: Store,
        programs: ProgramService,
        people: PeopleService,
        exit_tickets: ExitTicketHook | None = None,
    ) -> None:
        self.store = store
        self.programs = programs
        self.people = people
        # Exit tickets after a group session (the surveys part, rendered and claimed by the
        # jobs' `schedules.claims.ExitTickets`): given by build_services; None sends none.
        self.exit_tickets = exit_tickets

    # ---- recording -------------------------------------------------------------------------
    def record_from_slack(
        self, slack_user_id: str, request: ActivityRequest, now: datetime
    ) -> RecordedActivity:
        """Record an activity a lead mentor or coordinator typed in Slack."""
        program = self.programs.current(now)
        with self.store.read() as session:
            actor = self.people.caller(session, program, slack_user_id)
        if not actor.has(*RECORDERS):
            raise NotAllowed(
                "Only lead mentors and coordinators record program activities. "
                "Mentors log their own mentoring with `/logmeeting`."
            )
        return self._record(program, actor, request, now, source="slack")

    def record_from_cli(self, request: ActivityRequest, now: datetime) -> RecordedActivity:
        """Record an activity a coordinator entered on the command line (`--by` required)."""
        if request.facilitator is None:
            raise Refusal("Say who facilitated it: --by EMAIL.")
        return self._record(self.programs.current(now), None, request, now, source="cli")

    def _record(
        self,
        program: ProgramInfo,
        actor: Member | None,
        request: ActivityRequest,
        now: datetime,
        *,
        source: str,
    ) -> RecordedActivity:
        day = self._day(program, request, now)
        if request.notes is not None and len(request.notes) > MAX_NOTES_CHARS:
            raise Refusal(
                f"The notes are {len(request.notes):,} characters; keep them to "
                f"{MAX_NOTES_CHARS:,} (as for a logged meeting). Nothing was recorded.",
                example='--notes "unit 3 planning, next steps agreed"',
            )
        with self.store.read() as session:
            facilitator = (
                self._in_program(session, program, request.facilitator, "facilitator")
                if request.facilitator is not None
                else actor
            )
            assert facilitator is not None
            attendees = [
                self._in_program(session, program, ref, "attendee") for ref in request.attendees
            ]
        if not facilitator.has(*FACILITATORS):
            raise Refusal(
                f"{facilitator.name} is a mentee, so they can't facilitate an activity: name "
                "the mentor, lead mentor or coordinator who ran it. Nothing was recorded.",
                example="mentor-minutes event add group 2026-10-14 90m --by lead@district.org",
            )
        attendees = [m for m in dict.fromkeys(attendees) if m.id != facilitator.id]
        if not attendees:
            raise Refusal(
                "Nobody attended but the facilitator: mention the attendees.",
                example="/induction event group 2026-10-14 90m @ana @ben",
            )
        if request.kind == GROUP and GROUP not in program.policy.kinds:
            raise Refusal(
                "This program's policy has no `group` kind of mentoring, so I can't log a group "
                "session's time; ask the coordinator to add it to the policy's kinds."
            )
        writer = actor or facilitator
        with self.store.write() as session:
            activity = Activity(
                program_id=program.id,
                kind=request.kind,
                occurred_on=day,
                minutes=request.minutes,
                facilitator_id=facilitator.id,
                recorded_by_id=actor.id if actor is not None else None,
                notes=request.notes,
                source=source,
                created_at=now,
            )
            session.add(activity)
            session.flush()
            session.add_all(
                ActivityAttendee(activity_id=activity.id, person_id=m.id, role=attendee_role(m))
                for m in attendees
            )
            logged: tuple[tuple[Member, tuple[Member, ...]], ...] = ()
            no_mentor: tuple[Member, ...] = ()
            if request.kind == GROUP:
                logged, no_mentor = self._log_group(
                    session, program, activity, writer, facilitator, attendees, now
                )
            activity_id = activity.id
        recorded = RecordedActivity(
            id=activity_id,
            kind=request.kind,
            occurred_on=day,
            minutes=request.minutes,
            facilitator=facilitator,
            attendees=tuple(attendees),
            logged=logged,
            no_mentor=no_mentor,
        )
        self._after_group(recorded, now)
        return recorded

    @staticmethod
    def _day(program: ProgramInfo, request: ActivityRequest, now: datetime) -> date:
        """The activity's day: not in the future, not before the program year."""
        today = program.today(now)
        day = request.occurred_on or today
        if day > today:
            raise Refusal(
                f"{format_day(day)} is in the future: record an activity once it has happened.",
                example=f"/induction event {request.kind} {today.isoformat()} 60m @ana",
            )
        if day < program.year.first:
            raise Refusal(
                f"{format_day(day)} is before the {program.year.label} program year "
                f"(from {format_day(program.year.first)}), which is the one being kept.",
                example=f"/induction event {request.kind} {today.isoformat()} 60m @ana",
            )
        return day

    def _in_program(self, session: Session, program: ProgramInfo, ref: str, role: str) -> Member:
        """The member a reference names, on the roster, active and in this program year."""
        member = self.people.find(session, program, ref)
        who = ref if not ref.startswith("<@") else "The person you mentioned"
        if member is None:
            raise Refusal(
                f"{who} ({role}) is not on the {program.name} roster, so nothing was recorded.",
                example="/induction event group 2026-10-14 90m @ana @ben",
            )
        if not member.active or not member.roles:
            raise Refusal(
                f"{member.name} ({role}) is not in the {program.school_year} program, so nothing "
                "was recorded.",
                example="/induction event group 2026-10-14 90m @ana @ben",
            )
        return member

    def _log_group(
        self,
        session: Session,
        program: ProgramInfo,
        activity: Activity,
        writer: Member,
        facilitator: Member,
        attendees: Sequence[Member],
        now: datetime,
    ) -> tuple[tuple[tuple[Member, tuple[Member, ...]], ...], tuple[Member, ...]]:
        """A group session's mentoring: each attending mentee with their mentor of the day when
        present (else the facilitator, when a mentor), one batch per mentor."""
        present = {m.id: m for m in attendees if m.has(*MENTOR_ROLES)}
        if facilitator.has(*MENTOR_ROLES):
            present.setdefault(facilitator.id, facilitator)
        by_mentor: dict[int, list[Member]] = defaultdict(list)
        no_mentor: list[Member] = []
        for mentee in (m for m in attendees if m.has("mentee")):
            mentor_id = mentor_on(session, mentee.id, activity.occurred_on)
            if mentor_id not in present:
                mentor_id = facilitator.id if facilitator.id in present else None
            if mentor_id is None:
                no_mentor.append(mentee)
            else:
                by_mentor[mentor_id].append(mentee)
        day = activity.occurred_on
        attending = [m for ms in by_mentor.values() for m in ms]
        check_open(
            session,
            program,
            [(m.school, day) for m in attending],
            "logged",
            mentees=[m.id for m in attending],
        )
        rollups.lock_mentors(session, by_mentor)
        entries: list[LogEntry] = []
        for mentor_id, mentees in sorted(by_mentor.items()):
            batch = str(uuid.uuid4())
            for mentee in mentees:
                check_day_cap(
                    session,
                    mentor_id,
                    mentee.id,
                    activity.occurred_on,
                    activity.minutes,
                    program.policy.max_minutes_per_day,
                )
                entries.append(
                    LogEntry(
                        program_id=program.id,
                        mentor_id=mentor_id,
                        mentee_id=mentee.id,
                        school=mentee.school,
                        logged_by_id=writer.id,
                        occurred_on=activity.occurred_on,
                        minutes=activity.minutes,
                        kind=GROUP,
                        notes=None,  # the session's notes stay with the activity
                        source=LOG_SOURCE,
                        batch_id=batch,
                        created_at=now,
                        updated_at=now,
                    )
                )
            session.add(ActivityLogBatch(batch_id=batch, activity_id=activity.id))
        if entries:
            session.add_all(entries)
            session.flush()
            write_audit(session, writer, "create", now, [(e, None, snapshot(e)) for e in entries])
            count(session, program, [], [ledger_entry(e) for e in entries])
            keep_coverage(session, program, [], [tagged_log(e) for e in entries])
        logged = tuple(
            (present[mentor_id], tuple(mentees)) for mentor_id, mentees in sorted(by_mentor.items())
        )
        return logged, tuple(no_mentor)

    def _after_group(self, recorded: RecordedActivity, now: datetime) -> None:
        """After a group session is stored: its exit tickets, when that part is wired. A failure
        there is logged; the session stays recorded."""
        if recorded.kind != GROUP or self.exit_tickets is None:
            return
        try:
            self.exit_tickets(recorded.id, [m.id for m in recorded.attendees], now)
        except Exception:
            log.exception("exit tickets for activity %s failed", recorded.id)

    # ---- reading ---------------------------------------------------------------------------
    def listing(self, year: str | None, now: datetime) -> list[ActivityListing]:
        """The program year's activities, oldest first (no notes)."""
        program = self.programs.for_year(year, now)
        first, last = program.year.first, program.year.last
        with self.store.read() as session:
            activities = session.scalars(
                select(Activity)
                .where(Activity.program_id == program.id, Activity.occurred_on.between(first, last))
                .order_by(Activity.occurred_on, Activity.id)
            ).all()
            ids = [a.id for a in activities]
            attendance = self._attendance(session, ids)
            wanted = {a.facilitator_id for a in activities}
            facilitators = {m.id: m for m in self.people.members(session, program, wanted)}
            logged: dict[int, int] = defaultdict(int)
            for activity_id, _ in session.execute(
                select(ActivityLogBatch.activity_id, LogEntry.id)
                .join(LogEntry, LogEntry.batch_id == ActivityLogBatch.batch_id)
                .where(ActivityLogBatch.activity_id.in_(ids), LogEntry.deleted_at.is_(None))
            ):
                logged[activity_id] += 1
        return [
            ActivityListing(
                id=a.id,
                kind=a.kind,
                occurred_on=a.occurred_on,
                minutes=a.minutes,
                facilitator_email=facilitators[a.facilitator_id].email,
                attendees=len(attendance.get(a.id, ())),
                logged_entries=logged[a.id],
            )
            for a in activities
        ]

    @staticmethod
    def _attendance(session: Session, activity_ids: list[int]) -> dict[int, frozenset[int]]:
        found: dict[int, set[int]] = defaultdict(set)
        if activity_ids:
            for activity_id, person_id in session.execute(
                select(ActivityAttendee.activity_id, ActivityAttendee.person_id).where(
                    ActivityAttendee.activity_id.in_(activity_ids)
                )
            ):
                found[activity_id].add(person_id)
        return {key: frozenset(value) for key, value in found.items()}

    def summary(
        self, year: str | None, now: datetime, *, mentoring: bool = True
    ) -> ActivitiesSummary:
        """Report item (a) for a program year (None: the current one): activities by kind with
        counts, distinct attendance and hours, and (unless `mentoring` is False: a readiness
        check, which only asks whether anything was logged) the kinds of logged mentoring by the
        ledger's rules, recounted from the year's log rows. Counts and hours only — never notes."""
        return self._summaries(year, now, None, mentoring=mentoring)[PROGRAM]

    def summaries(
        self,
        year: str | None,
        now: datetime,
        populations: Mapping[str, Collection[str]],
        *,
        mentoring: bool = True,
    ) -> dict[str, ActivitiesSummary]:
        """`summary` for each report's population (name → the mentees' educator types): the
        program's activities in each, the kinds of mentoring logged with that population's
        mentees only — one read of the year's rows for all."""
        return self._summaries(year, now, populations, mentoring=mentoring)

    def _summaries(
        self,
        year: str | None,
        now: datetime,
        populations: Mapping[str, Collection[str]] | None,
        *,
        mentoring: bool,
    ) -> dict[str, ActivitiesSummary]:
        program = self.programs.for_year(year, now)
        first, last = program.year.first, program.year.last
        groups = {PROGRAM: None} if populations is None else dict(populations)
        with self.store.read() as session:
            rows = session.execute(
                select(Activity.id, Activity.kind, Activity.minutes).where(
                    Activity.program_id == program.id, Activity.occurred_on.between(first, last)
                )
            ).all()
            attendance = self._attendance(session, [row.id for row in rows])
            in_year = (
                LogEntry.program_id == program.id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on.between(first, last),
            )
            entries: dict[str, list[Entry]] = {name: [] for name in groups}
            if mentoring:
                for row in session.connection().execute(
                    select(*rollups.ENTRY_COLUMNS, Person.educator_type)
                    .join(Person, Person.id == LogEntry.mentee_id)
                    .where(*in_year)
                ):
                    entry = rollups.entry_from_row(row[:-1])
                    for name, types in groups.items():
                        if types is None or row[-1] in types:
                            entries[name].append(entry)
                logged = {name: len(found) for name, found in entries.items()}
            else:  # whether anything was logged, in one statement
                flags = session.execute(
                    select(
                        *(
                            exists().where(
                                *in_year,
                                true()
                                if types is None
                                else LogEntry.mentee_id.in_(
                                    select(Person.id).where(Person.educator_type.in_(types))
                                ),
                            )
                            for types in groups.values()
                        )
                    )
                ).one()
                logged = {name: int(bool(flag)) for name, flag in zip(groups, flags, strict=True)}
        facts = [
            ActivityFact(row.kind, row.minutes, attendance.get(row.id, frozenset())) for row in rows
        ]
        return {
            name: ActivitiesSummary(
                year=program.year.label,
                kinds=kind_lines(facts),
                mentoring=mentoring_lines(entries[name]),
                source=activities_source(program.year.label, len(facts), logged[name]),
            )
            for name in groups
        }
