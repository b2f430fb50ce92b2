"""The services a running app needs, built once per app (tests build one per test)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, FixedClock, SystemClock
from bot.config import Settings
from bot.services.activities import ActivityService
from bot.services.activity_items import activity_items
from bot.services.assignments import AssignmentService
from bot.services.home import HomeService
from bot.services.hours import HoursService
from bot.services.ledger_check import LedgerService
from bot.services.log_export import LogExport
from bot.services.logs import LogService
from bot.services.milestones import MilestoneService
from bot.services.nudges import NudgeService
from bot.services.outbox import Outbox
from bot.services.partnerships import PartnershipService
from bot.services.pay import PayService
from bot.services.people import PeopleService
from bot.services.programs import ProgramService
from bot.services.record import RecordService
from bot.services.report import ReportService
from bot.services.report_draft import ReportDrafts
from bot.services.requests import RequestService
from bot.services.retention import RetentionService
from bot.services.roster import RosterService
from bot.services.signoff import SignOffService
from bot.services.standards import StandardsService
from bot.services.surveys import SurveyService
from bot.services.years import YearService
from bot.store.db import Store


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

    def close(self) -> None:
        """Release the database connections."""
        self.store.dispose()


def clock_from(settings: Settings) -> Clock:
    """A fixed clock when MENTOR_MINUTES_NOW is set, else the system clock."""
    if settings.MENTOR_MINUTES_NOW is not None:
        return FixedClock(settings.MENTOR_MINUTES_NOW)
    return SystemClock()


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Wire the store and services for these settings."""
    store = Store(settings.DATABASE_URL)
    clock = clock or clock_from(settings)
    programs = ProgramService(store, clock)
    people = PeopleService(store)
    hours = HoursService(store, programs, people)
    roster = RosterService(store, programs)
    nudges = NudgeService(store, programs)
    outbox = Outbox(store)
    reports = ReportService(store, programs, people)
    surveys = SurveyService(store, programs, people)
    reports.sources.append(surveys.report_items)
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
    services = Services(
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
        activities=ActivityService(store, programs, people),
        retention=RetentionService(store, programs),
        partnerships=PartnershipService(store, programs),
    )
    reports.sources.append(
        activity_items(services.activities, services.retention, services.partnerships)
    )
    services.activities.exit_tickets = lambda event_id, attendee_ids, now: _exit_tickets(
        services, event_id, attendee_ids, now
    )
    return services


def _exit_tickets(services: Services, event_id: int, attendee_ids: list[int], now: datetime) -> int:
    """After a group session is recorded: its exit tickets claimed in the outbox (the surveys
    part, through the job layer that renders them; imported here, at the composition root)."""
    from schedules.jobs import send_exit_tickets

    return send_exit_tickets(services, event_id, attendee_ids, now)
