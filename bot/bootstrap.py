"""The composition root: the services a running app needs, built once per app (tests build one
per test), and `Services`, the one object handlers, jobs and the CLI are handed.

`Services` lives here, beside the one function that fills it, rather than in `bot.services`:
it names every service and one part of the jobs (`schedules.claims`, which renders with the
Slack views), and a service may import neither the views nor the jobs. Handlers, `schedules`
and `bot.cli` import this module; it imports `bot.services`, `bot.store` and `schedules.claims`
only, so none of them is imported back (`schedules.claims` needs no `Services`)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

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
from bot.services.programs import CACHE_SECONDS, ProgramService
from bot.services.record import RecordService
from bot.services.report import ReportDrafts, ReportService, activity_items
from bot.services.requests import RequestService
from bot.services.retention import RetentionService
from bot.services.roster import RosterService
from bot.services.signoff import SignOffService
from bot.services.standards import StandardsService
from bot.services.surveys import SurveyService
from bot.services.tenants import DEFAULT_RETENTION_AFTER_UNINSTALL_DAYS, Tenant, TenantDirectory
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
    tenants: TenantDirectory
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
    return services_for(store, clock, mailer, settings.email_from)


def services_for(
    store: Store,
    clock: Clock,
    mailer: Mailer | None,
    email_from: str,
    program_id: int | None = None,
    tenants: TenantDirectory | None = None,
) -> Services:
    """The services over one store, bound to one program (`program_id`) or, unbound, reading
    the database's one program (the first, when there are several)."""
    programs = ProgramService(store, clock, email_on=mailer is not None, program_id=program_id)
    people = PeopleService(store)
    hours = HoursService(store, programs, people)
    roster = RosterService(store, programs)
    nudges = NudgeService(store, programs)
    outbox = Outbox(store, programs, email_on=mailer is not None, render_email=render_email)
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
        tenants=tenants or TenantDirectory(store, clock),
        mailer=mailer,
        email_from=email_from,
    )


MAX_TEAMS_KEPT = 10_000  # workspaces whose program is kept in memory (all read afresh past it)


class Tenants:
    """Every program on one database, each with its own `Services` (built once, kept), sharing
    one store, one clock and one mailer. Which program a workspace has is read once and kept
    until `bind` or `mark_uninstalled` (on any of their directories) changes it, or for
    CACHE_SECONDS (a change made by another process), so routing a request costs no
    statement."""

    def __init__(self, single: Services, *, oauth: bool = False) -> None:
        self._single = single
        self.oauth = oauth  # OAuth is configured: many workspaces whatever the database holds
        self.store = single.store
        self.clock = single.clock
        self.directory = single.tenants
        self._lock = threading.Lock()
        self._bound: dict[int, Services] = {}
        self._by_team: dict[tuple[str | None, str | None], Tenant | None] = {}
        self._all: list[Tenant] | None = None
        self._since = time.monotonic()  # when what is kept was first read
        self.directory.on_change.append(self.forget)

    @classmethod
    def build(
        cls, settings: Settings, clock: Clock | None = None, *, mailer: Mailer | None = None
    ) -> Tenants:
        """The tenants of these settings' database."""
        return cls(build_services(settings, clock, mailer=mailer), oauth=settings.many_workspaces)

    def single(self) -> Services:
        """The unbound services: the database's one program (today's behaviour)."""
        return self._single

    def for_program(self, program_id: int) -> Services:
        """The services bound to one program, built on first use and kept."""
        with self._lock:
            found = self._bound.get(program_id)
            if found is None:
                single = self._single
                found = services_for(
                    self.store,
                    self.clock,
                    single.mailer,
                    single.email_from,
                    program_id,
                    self.directory,
                )
                self._bound[program_id] = found
            return found

    def tenant_for(self, enterprise_id: str | None, team_id: str | None) -> Tenant | None:
        """The tenant of a workspace (uninstalled ones included), kept after the first read."""
        key = (enterprise_id or None, team_id or None)
        self._expire()
        with self._lock:
            if key in self._by_team:
                return self._by_team[key]
        tenant = self.directory.for_team(*key)
        with self._lock:
            if len(self._by_team) >= MAX_TEAMS_KEPT:  # many workspaces, or many made up
                self._by_team.clear()
            self._by_team[key] = tenant
        return tenant

    def for_team(self, enterprise_id: str | None, team_id: str | None) -> Services | None:
        """The services of a workspace's program; None when it has none or was uninstalled."""
        tenant = self.tenant_for(enterprise_id, team_id)
        if tenant is None or not tenant.active:
            return None
        return self.for_program(tenant.program_id)

    def all(self) -> list[Tenant]:
        """Every program (kept after the first read, until a change or CACHE_SECONDS)."""
        self._expire()
        with self._lock:
            if self._all is not None:
                return self._all
        tenants = self.directory.all()
        with self._lock:
            self._all = tenants
        return tenants

    def _expire(self) -> None:
        with self._lock:
            if time.monotonic() - self._since >= CACHE_SECONDS:
                self._all = None
                self._by_team.clear()
                self._since = time.monotonic()

    def multi(self) -> bool:
        """Many workspaces: OAuth is configured, or the database holds more than one program."""
        return self.oauth or len(self.all()) > 1

    def running(self) -> list[tuple[Tenant | None, Services]]:
        """What the scheduler runs: every installed program with its services (one workspace:
        the unbound services, as ever; with no program yet, those with no tenant)."""
        tenants = self.all()
        if not tenants:
            return [(None, self._single)]
        if not self.multi():
            return [(t, self._single) for t in tenants if t.active]
        return [(t, self.for_program(t.program_id)) for t in tenants if t.active]

    def erase_expired(self, now: datetime) -> list[Tenant]:
        """Erase every uninstalled program whose policy's retention_after_uninstall_days have
        passed (the deadline sweep's part for programs that run no job); the ones erased."""
        erased = []
        for tenant in self.all():
            if tenant.active:
                continue
            program = self.for_program(tenant.program_id).programs.find(now)
            days = (
                program.policy.retention_after_uninstall_days
                if program is not None
                else DEFAULT_RETENTION_AFTER_UNINSTALL_DAYS
            )
            erase_on = tenant.erase_on(days)
            if erase_on is not None and now >= erase_on:
                self.directory.erase(tenant, now)
                with self._lock:
                    self._bound.pop(tenant.program_id, None)
                erased.append(tenant)
        return erased

    def bind(self, program_id: int, team_id: str | None, enterprise_id: str | None) -> Tenant:
        """Give a program its workspace (TenantDirectory.bind; what was kept is forgotten)."""
        return self.directory.bind(program_id, team_id, enterprise_id)

    def forget(self) -> None:
        """Read the workspaces again on the next call (after a change, here or elsewhere)."""
        with self._lock:
            self._by_team.clear()
            self._all = None
            self._since = time.monotonic()

    def close(self) -> None:
        """Release the database connections (one store for every program)."""
        self.store.dispose()
