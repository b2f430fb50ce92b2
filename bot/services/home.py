"""The Home tab's reads: a section for each role the person holds, each through the service
that owns its figures (hours and the 50 hours from the ledger, the digest, the overdue alert's
rows, the outbox, the report, pay). Notes are read for the mentor's and the mentee's own
entries only; every other section is hours and counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.orm import Session, aliased

from bot.domain.deadlines import (
    ASSIGNMENT_RULE,
    PROGRESS_RULES,
    YEAR2_RULE,
    Subject,
    applies,
    due_date,
)
from bot.domain.home import (
    BehindPace,
    BehindPair,
    CoordinatorSection,
    Home,
    HomeEntry,
    MenteeSection,
    MentorSection,
    MilestoneLine,
    ParkedLine,
    Year2Progress,
)
from bot.domain.hours import HoursReport
from bot.domain.ledger import VISIT
from bot.domain.members import Member
from bot.domain.months import MonthRef
from bot.domain.notices import Digest
from bot.domain.pay import PayPeriod
from bot.domain.standards import Coverage
from bot.services import ledger
from bot.services.errors import NotAllowed, Refusal
from bot.services.hours import HoursService, past_month
from bot.services.kept import (
    COORDINATOR_HOME,
    KeptFigureService,
    coordinator_figures,
    coordinator_from,
    watermark,
)
from bot.services.log_access import changeable_mentees, changeable_since
from bot.services.milestones import milestone_marks
from bot.services.nudges import NudgeService
from bot.services.outbox import Outbox
from bot.services.pay import PayService
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.report import ReportService, report_readiness
from bot.services.snapshot import is_year2, year2_minutes
from bot.services.standards import StandardsService
from bot.store.db import Store
from bot.store.models.core import Assignment, EntryReview, LogEntry, Person

MENTOR_ENTRIES = 5  # the latest entries a mentor may change, with Edit and Undo
MENTEE_ENTRIES = 10  # the collaborative log's latest entries on a mentee's Home
PARKED_SHOWN = 5
BEHIND_SHOWN = 10  # the pairs furthest behind the pace on a coordinator's Home


class HomeService:
    """What one person's Home shows, read through the services that own each figure."""

    def __init__(
        self,
        store: Store,
        programs: ProgramService,
        people: PeopleService,
        *,
        hours: HoursService,
        nudges: NudgeService,
        outbox: Outbox,
        reports: ReportService,
        pay: PayService,
        standards: StandardsService,
    ) -> None:
        self.store = store
        self.programs = programs
        self.people = people
        self.hours = hours
        self.nudges = nudges
        self.outbox = outbox
        self.reports = reports
        self.pay = pay
        self.standards = standards
        self.kept = KeptFigureService(store)
        # a lead mentor's digest of this week so far, kept in process per lead mentor with the
        # watermark it was computed at: a Home with nothing changed since reads no digest
        self._digests: dict[int, tuple[tuple[int, str], Digest]] = {}

    def home(self, slack_user_id: str, now: datetime) -> Home:
        """Every section the person's roles give them; NotOnRoster when they aren't on it."""
        program = self.programs.current(now)
        with self.store.shared_read():  # one snapshot, one transaction for every section
            return self._home(program, slack_user_id, now)

    def _home(self, program: ProgramInfo, slack_user_id: str, now: datetime) -> Home:
        with self.store.read() as session:
            viewer = self.people.caller(session, program, slack_user_id)
        today = program.today(now)
        mentor = mentee = None
        if viewer.has("mentor"):
            mentor = self._mentor(program, viewer, slack_user_id, now)
        if viewer.has("mentee"):
            mentee = self._mentee(program, viewer, slack_user_id, now)
        cohort = self._cohort(program, viewer, now) if viewer.has("lead_mentor") else None
        school = None
        if viewer.has("evaluator") and not viewer.is_coordinator:
            school = self.hours.report(slack_user_id, now, caller=viewer)
        coordinator = self._coordinator(program, now) if viewer.is_coordinator else None
        return Home(
            viewer,
            program.name,
            today,
            program.year,
            mentor=mentor,
            mentee=mentee,
            cohort=cohort,
            school=school,
            coordinator=coordinator,
        )

    def _cohort(self, program: ProgramInfo, lead: Member, now: datetime) -> Digest:
        """The lead mentor's cohort digest (`NudgeService.cohort_digest`), computed again only
        when something it reads changed (or on a new day)."""
        with self.store.read() as session:
            mark = (program.id, watermark(session, program.today(now), program.id, outbox=True))
        kept = self._digests.get(lead.id)
        if kept is not None and kept[0] == mark and kept[1].lead == lead:
            return kept[1]
        digest = self.nudges.cohort_digest(lead, now)
        self._digests[lead.id] = (mark, digest)
        return digest

    # ---- mentor and mentee ---------------------------------------------------------------
    def _mentor(
        self, program: ProgramInfo, viewer: Member, slack_user_id: str, now: datetime
    ) -> MentorSection:
        hours = self.hours.report(slack_user_id, now, own=True, caller=viewer)
        with self.store.read() as session:
            rows = (
                session.connection()
                .execute(
                    _MENTOR_LATEST,
                    {"program_id": program.id, "viewer": viewer.id}
                    | changeable_since(program.today(now)),
                )
                .all()
            )
            known = _members_of(hours, viewer)
            entries = self._entries(session, program, list(rows), viewer, known)
            coverage = self._coverage(session, program, viewer, now, known, as_mentor=True)
        return MentorSection(hours, entries, coverage)

    def _mentee(
        self, program: ProgramInfo, viewer: Member, slack_user_id: str, now: datetime
    ) -> MenteeSection:
        hours = self.hours.report(slack_user_id, now, own=True, caller=viewer)
        year = program.year
        today = program.today(now)
        subject = Subject(viewer.id, viewer.name, viewer.educator_type, viewer.hire_date)
        year2 = is_year2(viewer, program)
        year2_rule = program.policy.deadline(YEAR2_RULE)
        target = program.policy.year2_target_hours * 60
        toward_50 = year2 and year2_rule is not None and applies(year2_rule, subject) and target > 0
        with self.store.read() as session:
            rows = (
                session.connection()
                .execute(
                    _MENTEE_LATEST,
                    {
                        "program_id": program.id,
                        "viewer": viewer.id,
                        "year_first": year.first,
                        "year_last": year.last,
                    },
                )
                .all()
            )
            count = int(rows[0].in_all) if rows else 0
            known = _members_of(hours, viewer)
            entries = self._entries(session, program, list(rows), viewer, known)
            current, active = _assignments(session, program, viewer, today)
            marks = {
                m.key: m
                for m in milestone_marks(session, self.people, program, person_id=viewer.id)
            }
            years = (  # only toward the 50 hours (read already when their /hours needed them)
                ledger.mentee_years(session, program, [viewer.id]).get(viewer.id, {})
                if toward_50
                else {}
            )
            coverage = self._coverage(
                session, program, viewer, now, known, as_mentor=False, rows=active
            )
        milestones = []
        for rule in program.policy.deadlines:
            if rule.key in PROGRESS_RULES or not applies(rule, subject):
                continue
            if rule.key == ASSIGNMENT_RULE:
                if year2:
                    continue  # the assignment window is the induction year's
                done = current[1] if current is not None else None
                milestones.append(MilestoneLine(rule.title, None, done, confirmed=True))
                continue
            mark = marks.get(rule.key)
            milestones.append(
                MilestoneLine(
                    rule.title,
                    due_date(rule, subject, program.calendar),
                    mark.done_on if mark else None,
                    mark.confirmed if mark else False,
                )
            )
        progress = None
        if toward_50:
            progress = Year2Progress(year2_minutes(viewer, program, years), target)
        return MenteeSection(
            hours,
            entries,
            count,
            tuple(milestones),
            progress,
            current[0] if current is not None else None,
            coverage,
        )

    def _coverage(
        self,
        session: Session,
        program: ProgramInfo,
        viewer: Member,
        now: datetime,
        known: dict[int, Member],
        *,
        as_mentor: bool,
        rows: list[tuple[int, int, date, date | None]] | None = None,
    ) -> tuple[Coverage, ...]:
        """Standards coverage of the viewer's pairs as mentor (or as mentee); none when the
        program has no standards. `rows`: the viewer's assignments active this year so far,
        when read already (`_assignments`)."""
        if not program.policy.standards:
            return ()
        today = program.today(now)
        found = self.standards.pairs_of(
            session, program, viewer, today, program.year_of(today), known, rows
        )
        mine = [c for c in found if (c.mentor.id if as_mentor else c.mentee.id) == viewer.id]
        return tuple(mine)

    def _entries(
        self,
        session: Session,
        program: ProgramInfo,
        rows: list[Any],
        viewer: Member,
        known: dict[int, Member],
    ) -> tuple[HomeEntry, ...]:
        """Rows (with ENTRY_EXTRAS) as a Home lists them; the callers chose rows whose notes
        the viewer may read (their own entries as mentor, or their pairs' as mentee). Members
        already `known` are not read again."""
        ids = {r.mentor_id for r in rows} | {r.mentee_id for r in rows}
        members = dict(known)
        members.update((m.id, m) for m in self.people.members(session, program, ids - set(known)))
        return tuple(
            HomeEntry(
                id=r.id,
                batch_id=r.batch_id,
                batch_size=int(r.batch_size) if r.batch_id else 1,
                mentor=members[r.mentor_id],
                mentee=members[r.mentee_id],
                occurred_on=r.occurred_on,
                minutes=r.minutes,
                kind=r.kind,
                notes=r.notes,
                logged_by_mentee=r.kind == VISIT and r.logged_by_id == r.mentee_id,
                to_review=r.kind != VISIT
                and not r.reviewed
                and r.logged_by_id != viewer.id
                and viewer.id in (r.mentor_id, r.mentee_id),
            )
            for r in rows
        )

    # ---- coordinator -------------------------------------------------------------------------
    def _coordinator(self, program: ProgramInfo, now: datetime) -> CoordinatorSection:
        unassigned = self.nudges.unassigned_rows(now)
        parked, parked_count = self.outbox.parked(limit=PARKED_SHOWN)
        with self.store.read() as session:
            names = dict(
                session.execute(
                    select(Person.slack_user_id, Person.name).where(
                        Person.program_id == program.id,
                        Person.slack_user_id.in_([p.recipient for p in parked]),
                    )
                ).all()
            )
            behind = self._behind(session, program, program.today(now))
            kept = self.kept.figures(
                session,
                program,
                COORDINATOR_HOME,
                program.today(now),
                now,
                lambda: self.program_figures(now),
            )
        readiness, pay, refusal = coordinator_from(kept)
        lines = tuple(
            ParkedLine(
                p.id,
                p.rule,
                names.get(p.recipient, p.recipient),
                p.period,
                p.attempts,
                p.last_error,
                p.created_at,
            )
            for p in parked
        )
        return CoordinatorSection(unassigned, lines, parked_count, readiness, pay, refusal, behind)

    def program_figures(self, now: datetime) -> dict[str, Any]:
        """The coordinator's program-wide figures, fresh from the functions that own them: the
        annual report's readiness (brief: no (a) recount) and this month's pay so far (or why
        none); what `KeptFigureService` keeps."""
        program = self.programs.current(now)
        pay, refusal = None, None
        try:
            pay = self.pay.period(*this_month_so_far(program, now))
        except Refusal as exc:
            refusal = exc.message
        readiness = report_readiness(self.reports.annual(None, now, brief=True))
        return coordinator_figures(readiness, pay, refusal)

    def _behind(self, session: Session, program: ProgramInfo, today: date) -> BehindPace | None:
        """The pairs furthest behind the program's pace, from the kept totals."""
        found = ledger.behind_pace(session, program, today, BEHIND_SHOWN)
        if found is None:
            return None
        ids = {person for pair, _ in found.pairs for person in pair}
        members = {m.id: m for m in self.people.members(session, program, ids)}
        return BehindPace(
            found.pace,
            tuple(
                BehindPair(members[mentor], members[mentee], pace)
                for (mentor, mentee), pace in found.pairs
            ),
            found.count,
            found.active,
        )

    def pay_month(self, slack_user_id: str, now: datetime, month: MonthRef | None) -> PayPeriod:
        """`/hours pay [MONTH]` (coordinators): a past month's pay, the figures of `export pay
        --month`; this month (named or not): so far (`this_month_so_far`)."""
        program = self.programs.current(now)
        with self.store.read() as session:
            viewer = self.people.caller(session, program, slack_user_id)
        if not viewer.is_coordinator:
            raise NotAllowed("Only coordinators see pay totals.")
        past = past_month(program, month, now) if month is not None else None
        if past is None:
            return self.pay.period(*this_month_so_far(program, now))
        return self.pay.period(past.first, past.last)


def _members_of(hours: HoursReport, viewer: Member) -> dict[int, Member]:
    """The viewer and everyone in the pairs their hours list: read already."""
    known = {viewer.id: viewer}
    for pair in hours.pairs:
        known[pair.mentor.id] = pair.mentor
        known[pair.mentee.id] = pair.mentee
    return known


def _assignments(
    session: Session, program: ProgramInfo, viewer: Member, today: date
) -> tuple[tuple[int, date] | None, list[tuple[int, int, date, date | None]] | None]:
    """A mentee's current assignment (id, start: the latest begun and not ended) and, when the
    program has standards, the assignments involving them active from the year's first day to
    today (`pairs_active_between`, in its order: the coverage's pairs), in one statement."""
    current_of = (
        (Assignment.mentee_id == viewer.id)
        & Assignment.ended_on.is_(None)
        & (Assignment.started_on <= today)
    )
    if not program.policy.standards:
        latest = session.execute(
            select(Assignment.id, Assignment.started_on)
            .where(current_of)
            .order_by(Assignment.started_on.desc(), Assignment.id.desc())
            .limit(1)
        ).first()
        return (latest[0], latest[1]) if latest is not None else None, None
    year = program.year_of(today)
    first, last = year.first, min(today, year.last)
    active_of = (
        (Assignment.program_id == program.id)
        & (Assignment.started_on <= last)
        & (Assignment.ended_on.is_(None) | (Assignment.ended_on >= first))
    )
    rows = session.execute(
        select(
            Assignment.id,
            Assignment.mentor_id,
            Assignment.mentee_id,
            Assignment.started_on,
            Assignment.ended_on,
            current_of.label("current"),
            active_of.label("active"),
        )
        .where(
            (Assignment.mentor_id == viewer.id) | (Assignment.mentee_id == viewer.id),
            active_of | current_of,
        )
        .order_by(Assignment.started_on, Assignment.id)
    ).all()
    current: tuple[int, date] | None = None
    active = []
    for id_, mentor, mentee, started, ended, is_current, is_active in rows:
        if is_current:
            current = (id_, started)  # the rows' order: the latest begun wins
        if is_active:
            active.append((mentor, mentee, started, ended))
    return current, active


_SAME_BATCH = aliased(LogEntry)
ENTRY_EXTRAS = (  # beside each listed entry: its batch's live entries, and whether reviewed
    select(func.count())
    .where(_SAME_BATCH.batch_id == LogEntry.batch_id, _SAME_BATCH.deleted_at.is_(None))
    .correlate(LogEntry)
    .scalar_subquery()
    .label("batch_size"),
    exists().where(EntryReview.log_entry_id == LogEntry.id).correlate(LogEntry).label("reviewed"),
)
ENTRY_COLUMNS = (  # what a Home shows of an entry: columns, not ORM objects (plain rows)
    LogEntry.id,
    LogEntry.batch_id,
    LogEntry.mentor_id,
    LogEntry.mentee_id,
    LogEntry.logged_by_id,
    LogEntry.occurred_on,
    LogEntry.minutes,
    LogEntry.kind,
    LogEntry.notes,
)


def _latest(where: tuple[Any, ...], order: tuple[Any, ...], limit: int, *more: Any) -> Select[Any]:
    """The first `limit` entries in `order`, with ENTRY_EXTRAS (and `more`) beside each: the
    entries chosen first, the extras computed for those only (not for every entry the filter
    lets through before the limit)."""
    chosen = select(LogEntry.id).where(*where).order_by(*order).limit(limit).subquery()
    return (
        select(*ENTRY_COLUMNS, *ENTRY_EXTRAS, *more)
        .join(chosen, chosen.c.id == LogEntry.id)
        .order_by(*order)
    )


_MENTOR_LATEST = _latest(  # a mentor's latest entries they may still change
    (
        LogEntry.program_id == bindparam("program_id"),
        LogEntry.logged_by_id == bindparam("viewer"),
        LogEntry.mentor_id == bindparam("viewer"),
        LogEntry.deleted_at.is_(None),
        LogEntry.mentee_id.in_(changeable_mentees(bindparam("viewer"))),
    ),
    (LogEntry.created_at.desc(), LogEntry.id.desc()),
    MENTOR_ENTRIES,
)
_MENTEE_YEAR = (
    LogEntry.program_id == bindparam("program_id"),
    LogEntry.mentee_id == bindparam("viewer"),  # their own pairs' entries: no one else's notes
    LogEntry.deleted_at.is_(None),
    LogEntry.occurred_on >= bindparam("year_first"),
    LogEntry.occurred_on <= bindparam("year_last"),
)
_MENTEE_LATEST = _latest(  # a mentee's latest entries of the year, with how many there are
    _MENTEE_YEAR,
    (LogEntry.occurred_on.desc(), LogEntry.id.desc()),
    MENTEE_ENTRIES,
    select(func.count())
    .select_from(LogEntry)
    .where(*_MENTEE_YEAR)
    .scalar_subquery()
    .label("in_all"),
)


def this_month_so_far(program: ProgramInfo, now: datetime) -> tuple[date, date]:
    """From the first of this month (or of the program year, if later) to today."""
    today = program.today(now)
    return max(today.replace(day=1), program.year.first), today
