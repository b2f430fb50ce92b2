"""The annual induction report (due July 31), teachers (603 CMR 7.12) and administrators (7.13).

Every figure comes from the ledger over one program year; (d) and (e) are summed over exactly
the educators listed in (b). Each report counts its own population — the pairs whose mentee is a
teacher, or an administrator (`bot.domain.report.POPULATIONS`) — and a mentor of both appears in
each (c) with that population's time only (`ledger.mentor_time_by`). What the store cannot count
yet is marked with the reason — nothing is silently zero. Hours and counts only — never notes.

Beside the report: how far it is from ready (`report_readiness`, read by Home and the draft),
items (a), (f), the administrators' (g) and the partnerships from the services that hold them
(`activity_items`, one of the report's `sources`), and the weekly draft sent to coordinators
before it is due (`ReportDrafts`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import func, select

from bot.domain.activities import activities_item
from bot.domain.assignments import CautionedAssignment, mentor_caution
from bot.domain.ledger import ZERO, MentorTime, ProgramYear, Totals, in_induction_year, total
from bot.domain.members import Member
from bot.domain.notices import Nudge, ReportDraft
from bot.domain.partnerships import partnerships_item
from bot.domain.policy import Standard
from bot.domain.policy.rules import parse_month_day
from bot.domain.reach import reach
from bot.domain.report import (
    ADMINISTRATORS,
    NOT_RECORDED,
    PART_TITLES,
    POPULATIONS,
    TEACHER_TYPES,
    TEACHERS,
    Readiness,
    ReportItem,
    hours_of,
    population_of,
)
from bot.domain.retention import retention_by_school_item, retention_item
from bot.services import ledger
from bot.services.activities import ActivityService
from bot.services.assignments import trained_mentors
from bot.services.partnerships import PartnershipService
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.retention import BEGINNING_ADMINISTRATORS, BEGINNING_TEACHERS, RetentionService
from bot.services.standards import counts_by_mentee
from bot.store.db import Store
from bot.store.models.core import Assignment, MilestoneDone, OutboxMessage


@dataclass(frozen=True)
class EducatorLine:
    """An educator served, with every mentor they had this year and their time together."""

    name: str
    email: str
    school: str
    educator_type: str
    mentors: tuple[Member, ...]
    totals: Totals
    beyond_minutes: int | None = None  # year 2+: pair time toward the 50 hours, all years

    @property
    def minutes(self) -> int:
        """Pair time with every mentor this program year."""
        return self.totals.minutes

    @property
    def observations(self) -> int:
        """Observations made by their mentors this program year."""
        return self.totals.observations

    @property
    def mentor(self) -> str:
        """Their mentors' names, or "none"."""
        return ", ".join(m.name for m in self.mentors) or "none"


@dataclass(frozen=True)
class MentorLine:
    """A mentor, whether trained, and their mentoring this year."""

    name: str
    email: str
    school: str
    trained: bool
    mentees: int
    time: MentorTime

    @property
    def minutes(self) -> int:
        """Mentor time this program year (each log batch once)."""
        return self.time.minutes


@dataclass
class ProgramReport:
    """One report: teachers or administrators (`part`), over its own population."""

    part: str = TEACHERS
    served: list[EducatorLine] = field(default_factory=list)  # (b): in their induction year
    beyond_induction: list[EducatorLine] = field(default_factory=list)  # year 2+, apart
    mentors: list[MentorLine] = field(default_factory=list)  # of this population, its time
    cautioned: list[CautionedAssignment] = field(default_factory=list)  # in (c)
    together: Totals = ZERO  # over exactly `served`
    # The items beside the ledger's (the teachers' a f g h, the administrators' a f g h i):
    # recorded, surveyed or entered; absent ones say why.
    items: dict[str, ReportItem] = field(default_factory=dict)
    standards: dict[str, int] = field(default_factory=dict)  # entries per standard, `served`

    def __post_init__(self) -> None:
        missing = NOT_RECORDED[self.part]
        self.items = {k: ReportItem.missing(r) for k, r in missing.items()} | self.items

    @property
    def titles(self) -> dict[str, str]:
        """The items' titles as this report's regulation names them."""
        return PART_TITLES[self.part]

    @property
    def observations(self) -> int:
        """(d) observations made by mentors, over the educators served."""
        return self.together.observations

    @property
    def minutes_together(self) -> int:
        """(e) pair time over the educators served."""
        return self.together.minutes

    @property
    def trained_mentors(self) -> list[MentorLine]:
        """Mentors with training marked done."""
        return [m for m in self.mentors if m.trained]


@dataclass
class AnnualReport:
    """The teachers' report (a)–(h) and the administrators' (a)–(i)."""

    program: str
    school_year: str
    period: tuple[date, date]
    generated_on: date
    teachers: ProgramReport
    administrators: ProgramReport
    milestones: dict[str, int] = field(default_factory=dict)
    vocabulary: tuple[Standard, ...] = ()  # the program's standards, in the policy's order
    # Mentors with no teacher or administrator mentee this program year: in neither (c).
    without_mentees: list[MentorLine] = field(default_factory=list)

    @property
    def parts(self) -> dict[str, ProgramReport]:
        """The two reports by name, teachers first."""
        return {TEACHERS: self.teachers, ADMINISTRATORS: self.administrators}


# Items beside the ledger's, by report part ("teachers" | "administrators") and key.
class ItemSource(Protocol):
    """Items of the report from another service, for a program year. `brief`: for a readiness
    check (Home) — sources, headline counts and what needs attention, without the breakdowns
    that recount log rows."""

    def __call__(
        self, year: str, now: datetime, /, *, brief: bool = False
    ) -> dict[tuple[str, str], ReportItem]: ...


class ReportService:
    """Builds the annual report from the ledger, and the items beside it from the services that
    record, survey or hold them (`sources`, given by build_services)."""

    def __init__(
        self,
        store: Store,
        programs: ProgramService,
        people: PeopleService,
        sources: Sequence[ItemSource] = (),
    ) -> None:
        self.store = store
        self.programs = programs
        self.people = people
        self.sources = tuple(sources)

    def annual(self, year: str | None, now: datetime, *, brief: bool = False) -> AnnualReport:
        """The report for a program year (default: the program's); `brief` for a readiness
        check (the sources' breakdowns left out: see ItemSource)."""
        program = self.programs.for_year(year, now)  # that year's calendar and roles
        period = program.year
        with self.store.read() as session:
            members = {m.id: m for m in self.people.all_members(session, program)}
            population = {
                m.id: found
                for m in members.values()
                if (found := population_of(m.educator_type)) is not None
            }
            pair_totals = ledger.pairs_in_year(session, program, period)
            mentor_time = ledger.mentor_time_by(session, program, period, population, pair_totals)
            assigned = session.execute(
                select(
                    Assignment.mentor_id,
                    Assignment.mentee_id,
                    Assignment.started_on,
                    Assignment.ended_on,
                )
                .where(
                    Assignment.program_id == program.id,
                    Assignment.started_on <= period.last,
                    (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= period.first),
                )
                .order_by(Assignment.started_on, Assignment.id)
            ).all()
            done = {
                milestone: int(count)
                for milestone, count in session.execute(
                    select(MilestoneDone.milestone, func.count())
                    .where(
                        MilestoneDone.program_id == program.id,
                        MilestoneDone.school_year == program.school_year,
                        MilestoneDone.confirmed.is_(True),  # a report awaiting one: not yet
                    )
                    .group_by(MilestoneDone.milestone)
                )
            }
            trained = trained_mentors(session, program, None)
            mentees = [m.id for m in members.values() if "mentee" in m.roles]
            beyond = ledger.beyond_induction(session, program, [members[m] for m in mentees])
            tags = counts_by_mentee(session, program, period, mentees)
        mentors_of: dict[int, list[int]] = defaultdict(list)
        for mentor, mentee in [*((a[0], a[1]) for a in assigned), *pair_totals]:
            if mentor not in mentors_of[mentee]:
                mentors_of[mentee].append(mentor)
        start = program.config.school_year_start
        build = _Builder(
            members,
            mentors_of,
            pair_totals,
            mentor_time,
            trained,
            start,
            program.year_start_month,
            tags,
            {mentee: minutes for mentee, (_, minutes) in beyond.items()},
        )
        cap = program.policy.caseload_cap

        by_mentor: dict[int, list[int]] = defaultdict(list)  # assignment indexes, in order
        for index, (mentor, *_) in enumerate(assigned):
            by_mentor[mentor].append(index)

        def caseload(index: int) -> int:
            """The mentor's mentees on the assignment's first day: it and those made before."""
            mentor, _, on, _ = assigned[index]
            return len(
                {
                    e
                    for i in by_mentor[mentor]
                    if i <= index
                    for _, e, s, end in (assigned[i],)
                    if s <= on and (end is None or end >= on)
                }
            )

        build.cautioned = [
            CautionedAssignment(members[mentor], members[mentee], on, caution)
            for index, (mentor, mentee, on, _) in enumerate(assigned)
            if mentor in members
            and mentee in members
            and (
                caution := mentor_caution(
                    members[mentor],
                    mentor in trained,
                    on,
                    caseload(index),
                    cap,
                    rule=program.policy.mentor_rule,
                )
            )
            is not None
        ]
        teachers, administrators = (build.report(part) for part in (TEACHERS, ADMINISTRATORS))
        listed = {m.email for m in [*teachers.mentors, *administrators.mentors]}
        report = AnnualReport(
            program.name,
            period.label,
            (period.first, period.last),
            program.today(now),
            teachers=teachers,
            administrators=administrators,
            milestones=done,
            vocabulary=program.policy.vocabulary,
            without_mentees=[
                build.mentor(member, 0, MentorTime())
                for member in members.values()
                if "mentor" in member.roles and member.email not in listed
            ],
        )
        parts = report.parts
        for source in self.sources:
            for (part, key), item in source(period.label, now, brief=brief).items():
                parts[part].items[key] = item
        return report


@dataclass
class _Builder:
    members: dict[int, Member]
    mentors_of: dict[int, list[int]]
    pair_totals: dict[tuple[int, int], Totals]
    mentor_time: dict[str, dict[int, MentorTime]]  # by population (`ledger.mentor_time_by`)
    trained: set[int]
    school_year_start: date
    start_month: int
    standards: dict[int, dict[str, int]]  # entries per standard, by mentee
    beyond: dict[int, int]  # year 2+ mentees: pair time toward the 50 hours, all years
    cautioned: list[CautionedAssignment] = field(default_factory=list)

    def educator(self, member: Member) -> EducatorLine:
        mentor_ids = self.mentors_of.get(member.id, [])
        return EducatorLine(
            member.name,
            member.email,
            member.school or "",
            member.educator_type or "",
            tuple(self.members[m] for m in mentor_ids if m in self.members),
            total(self.pair_totals.get((m, member.id), ZERO) for m in mentor_ids),
            self.beyond.get(member.id),
        )

    def mentor(self, member: Member, mentees: int, time: MentorTime) -> MentorLine:
        return MentorLine(
            member.name, member.email, member.school or "", member.id in self.trained, mentees, time
        )

    def report(self, part: str) -> ProgramReport:
        """One report over its own population: its mentees, their pairs, and their mentors with
        this population's time only."""
        types = POPULATIONS[part]
        report = ProgramReport(part)
        mine = [m for m in self.members.values() if m.educator_type in types]  # by name
        for member in mine:
            if "mentee" not in member.roles:
                continue
            line = self.educator(member)
            if in_induction_year(
                member.hire_date,
                self.school_year_start,
                induction=member.induction_school_year,
                start_month=self.start_month,
            ):
                report.served.append(line)
                for code, count in self.standards.get(member.id, {}).items():
                    report.standards[code] = report.standards.get(code, 0) + count
            else:
                report.beyond_induction.append(line)
        report.together = total(line.totals for line in report.served)
        report.cautioned = [c for c in self.cautioned if c.mentee.educator_type in types]
        mentee_ids = [m.id for m in mine if "mentee" in m.roles]
        time = self.mentor_time.get(part, {})
        mentees_of: Counter[int] = Counter(
            mentor for e in mentee_ids for mentor in self.mentors_of.get(e, [])
        )  # each mentee's mentors are listed once: no scan of every mentee per mentor
        for member in self.members.values():
            if "mentor" not in member.roles:
                continue
            mentees = mentees_of[member.id]
            if mentees:  # a mentor of this population; a mentor of none is listed apart
                report.mentors.append(
                    self.mentor(member, mentees, time.get(member.id, MentorTime()))
                )
        return report


def report_readiness(report: AnnualReport) -> Readiness:
    """The report's headline figures and every item still missing or incomplete, per part (the
    administrators' only when it serves anyone)."""
    headlines: list[str] = []
    missing: list[str] = []
    for part in report.parts.values():
        name = part.part.capitalize()
        if part.part == ADMINISTRATORS and not part.served:
            continue
        headlines.append(
            f"{name}: (b) {len(part.served)} served · (c) {len(part.trained_mentors)} trained "
            f"mentors of {len(part.mentors)} · (d) {part.observations} · (e) "
            f"{hours_of(part.minutes_together):.2f} h together"
        )
        for key, item in part.items.items():
            if item.source == "none":
                missing.append(f"{name} ({key}) {part.titles[key]}: {item.reason}")
            missing += [f"{name} ({key}) {note}" for note in item.attention]
    return Readiness(report.school_year, tuple(headlines), tuple(missing))


# ---- items beside the ledger's: activities, hiring and retention, partnerships -------------


def activity_items(
    activities: ActivityService, retention: RetentionService, partnerships: PartnershipService
) -> ItemSource:
    """The items beside the ledger's for a program year, each report its own: (a) the
    program's activities with the kinds of mentoring logged with that report's mentees; the
    teachers' (f) beginning teachers' hiring and retention; the administrators' (f) first-year
    administrators' and (g) teachers' by school (603 CMR 7.13); the partnerships (the teachers'
    (h), the administrators' (i)), the program's, in both."""

    def items(
        year: str, now: datetime, /, *, brief: bool = False
    ) -> dict[tuple[str, str], ReportItem]:
        a = activities.summaries(year, now, POPULATIONS, mentoring=not brief)
        beginning, first_year, by_school = retention.summaries(
            year, now, (BEGINNING_TEACHERS, BEGINNING_ADMINISTRATORS, TEACHER_TYPES)
        )
        partners = partnerships_item(partnerships.summary(now))
        return {
            (TEACHERS, "a"): activities_item(a[TEACHERS]),
            (ADMINISTRATORS, "a"): activities_item(a[ADMINISTRATORS]),
            (TEACHERS, "f"): retention_item(beginning),
            (ADMINISTRATORS, "f"): retention_item(first_year),
            (ADMINISTRATORS, "g"): retention_by_school_item(by_school),
            (TEACHERS, "h"): partners,
            (ADMINISTRATORS, "i"): partners,
        }

    return items


# ---- the weekly draft -----------------------------------------------------------------------

DRAFT_RULE = "report_draft"
ANNUAL_REPORT = "annual_report"  # the milestone a coordinator marks done when it is filed


def report_window(year: ProgramYear, program: ProgramInfo) -> tuple[date, date]:
    """From when a program year's report draft is sent, and its due date (the policy's month
    and day in the calendar year the program year ends)."""
    policy = program.policy
    start_month, start_day = parse_month_day(policy.report_nudge_from)
    due_month, due_day = parse_month_day(policy.report_due)
    return (
        date(year.last.year, start_month, start_day),
        date(year.last.year, due_month, due_day),
    )


class ReportDrafts:
    """Works out the week's drafts (one per coordinator) for the outbox."""

    def __init__(
        self, store: Store, programs: ProgramService, people: PeopleService, reports: ReportService
    ) -> None:
        self.store = store
        self.programs = programs
        self.people = people
        self.reports = reports

    def report_year(self, now: datetime) -> tuple[ProgramYear, date] | None:
        """The kept program year whose report is being prepared today (the current one in
        June, the one just ended in July), and its due date."""
        program = self.programs.current(now)
        today = program.today(now)
        kept = self.programs.kept()
        for info in reversed(kept.years if kept is not None else (program,)):
            first, due = report_window(info.year, program)
            if first <= today <= due:
                return info.year, due
        return None

    def due(self, now: datetime) -> list[Nudge]:
        """This week's drafts, unless outside the window, filed (marked done) or sent already."""
        found = self.report_year(now)
        if found is None:
            return []
        year, due = found
        program = self.programs.current(now)
        week = program.today(now).isocalendar()
        period = f"{week.year}-W{week.week:02d}"
        subject = f"report-{year.label}"
        with self.store.read() as session:
            filed = session.execute(
                select(MilestoneDone.id).where(
                    MilestoneDone.program_id == program.id,
                    MilestoneDone.person_id.is_(None),
                    MilestoneDone.milestone == ANNUAL_REPORT,
                    MilestoneDone.school_year == year.label,
                )
            ).first()
            sent = session.execute(
                select(OutboxMessage.id).where(
                    OutboxMessage.program_id == program.id,
                    OutboxMessage.rule == DRAFT_RULE,
                    OutboxMessage.subject == subject,
                    OutboxMessage.period == period,
                )
            ).first()
            coordinators = [
                m
                for m in self.people.all_members(session, program)
                if m.is_coordinator and m.active and reach(m, self.programs.email_on).reachable
            ]
        if filed is not None or sent is not None or not coordinators:
            return []
        readiness = report_readiness(self.reports.annual(year.label, now))
        return [
            Nudge(
                DRAFT_RULE,
                c.slack_user_id or "",
                subject,
                period,
                ReportDraft(c, due, readiness),
                c,
            )
            for c in coordinators
        ]
