"""The annual report's draft, sent to coordinators each week from mid-June (the policy's
`report_nudge_from`) until it is due (`report_due`, July 31) or marked done: the headline
figures and what is still missing, so the gaps are filled before the deadline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.cli.report_format import report_readiness
from bot.domain.ledger import ProgramYear
from bot.domain.notices import Nudge, ReportDraft
from bot.domain.policy.rules import parse_month_day
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.report import ReportService
from bot.store.db import Store
from bot.store.models.core import MilestoneDone, OutboxMessage

RULE = "report_draft"
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
                    MilestoneDone.person_id.is_(None),
                    MilestoneDone.milestone == ANNUAL_REPORT,
                    MilestoneDone.school_year == year.label,
                )
            ).first()
            sent = session.execute(
                select(OutboxMessage.id).where(
                    OutboxMessage.rule == RULE,
                    OutboxMessage.subject == subject,
                    OutboxMessage.period == period,
                )
            ).first()
            coordinators = [
                m
                for m in self.people.all_members(session, program)
                if m.is_coordinator and m.active and m.slack_user_id
            ]
        if filed is not None or sent is not None or not coordinators:
            return []
        readiness = report_readiness(self.reports.annual(year.label, now))
        return [
            Nudge(RULE, c.slack_user_id or "", subject, period, ReportDraft(c, due, readiness))
            for c in coordinators
        ]
