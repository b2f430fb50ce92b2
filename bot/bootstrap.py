"""The composition root: the services a running app needs, built once per app (tests build one
per test), and `Services`, the one object handlers, jobs and the CLI are handed.

`Services` lives here, beside the one function that fills it, rather than in `bot.services`:
it names every service and one part of the jobs (`schedules.claims`, which renders with the
Slack views), and a service may import neither the views nor the jobs. Handlers, `schedules`
and `bot.cli` import this module; it imports `bot.services`, `bot.store` and `schedules.claims`
only, so none of them is imported back (`schedules.claims` needs no `Services`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, FixedClock, SystemClock
from bot.config import Settings
from bot.services.activities import ActivityService
from bot.services.assignments import AssignmentService
from bot.services.erasure import ErasureService
from bot.services.home import HomeService
from bot.services.hours import HoursService
from bot.services.ledger_check import LedgerService
from bot.services.log_export import LogExport
from bot.services.logs import LogService
from bot.services.milestones import MilestoneService
from bot.services.nudges import NudgeService
from bot.services.outbox import Mailer, Outbox
from bot.services.partnerships import PartnershipService
from bot.services.pay import PayService
from bot.services.people import PeopleService
from bot.services.programs import ProgramService
from bot.services.record import RecordService
from bot.services.report import ReportDrafts, ReportService, activity_items
from bot.services.requests import RequestService
from bot.services.retention import RetentionService
from bot.services.roster import RosterService
from bot.services.signoff import SignOffService
from bot.services.standards import StandardsService
from bot.services.surveys import SurveyService
from bot.services.years import YearService
from bot.store.db import Store
from schedules.claims import ExitTickets, render_email
from schedules.mail import mailer_for


@dataclass
class Services:
    """Everything handlers and jobs call; reaches handlers through Bolt's context."""

    store: Store
    clock: Clock
    programs: ProgramService
    people: PeopleService
    roster: RosterService
    assignments: AssignmentService
    hours: HoursService
    logs: LogService
    log_export: LogExport
    outbox: Outbox
    nudges: NudgeService
    milestones: MilestoneService
    reports: ReportService
    ledger: LedgerService
    pay: PayService
    years: YearService
    report_drafts: ReportDrafts
    records: RecordService
    signoff: SignOffService
    standards: StandardsService
    surveys: SurveyService
    home: HomeService
    requests: RequestService
    activities: ActivityService
    retention: RetentionService
    partnerships: PartnershipService
    erasure: ErasureService
    mailer: Mailer | None = None  # email as a second channel (SMTP_URL), or none
    email_from: str = ""  # the From address of every email

    def close(self) -> None:
        """Release the database connections."""
        self.store.dispose()


def clock_from(settings: Settings) -> Clock:
    """A fixed clock when MENTOR_MINUTES_NOW is set, else the system clock."""
    if settings.MENTOR_MINUTES_NOW is not None:
        return FixedClock(settings.MENTOR_MINUTES_NOW)
    return SystemClock()


def build_services(
    settings: Settings, clock: Clock | None = None, *, mailer: Mailer | None = None
) -> Services:
    """Wire the store, the services and the jobs' part in them for these settings: each built
    once, in order, from what it needs; nothing is set on a service after it is built.
    `mailer`: how email goes (the console prints it, tests catch it); default: SMTP_URL's."""
    clock = clock or clock_from(settings)
    store = Store(settings.DATABASE_URL, clock=clock)
    mailer = mailer if mailer is not None else mailer_for(settings)
    programs = ProgramService(store, clock, email_on=mailer is not None)
    people = PeopleService(store)
    hours = HoursService(store, programs, people)
    roster = RosterService(store, programs)
    nudges = NudgeService(store, programs)
    outbox = Outbox(store, email_on=mailer is not None, render_email=render_email)
    surveys = SurveyService(store, programs, people)
    activities = ActivityService(
        store, programs, people, exit_tickets=ExitTickets(store, surveys, outbox)
    )
    retention = RetentionService(store, programs)
    partnerships = PartnershipService(store, programs)
    reports = ReportService(
        store,
        programs,
        people,
        sources=(surveys.report_items, activity_items(activities, retention, partnerships)),
    )
    pay = PayService(store, programs, people)
    standards = StandardsService(store, programs, people)
    home = HomeService(
        store,
        programs,
        people,
        hours=hours,
        nudges=nudges,
        outbox=outbox,
        reports=reports,
        pay=pay,
        standards=standards,
    )
    assignments = AssignmentService(store, programs, people)
    return Services(
        store=store,
        clock=clock,
        programs=programs,
        people=people,
        roster=roster,
        assignments=assignments,
        hours=hours,
        logs=LogService(store, programs, people),
        log_export=LogExport(store, programs, people),
        outbox=outbox,
        nudges=nudges,
        milestones=MilestoneService(store, programs, people),
        reports=reports,
        ledger=LedgerService(store, programs),
        pay=pay,
        years=YearService(store, programs, people, roster),
        report_drafts=ReportDrafts(store, programs, people, reports),
        records=RecordService(store, programs, people),
        signoff=SignOffService(store, programs, people),
        standards=standards,
        surveys=surveys,
        home=home,
        requests=RequestService(store, programs, people, assignments, nudges, outbox),
        activities=activities,
        retention=retention,
        partnerships=partnerships,
        erasure=ErasureService(store, programs, people),
        mailer=mailer,
        email_from=settings.email_from,
    )
