"""Year-2 teachers (hired before this school year, `bot.domain.ledger.in_induction_year`): no
overdue-assignment alert — the 14-day window is the induction year's — and the 50 hours beyond
the induction year are progress: reminded with hours logged, never "due 30 Jun", never overdue,
never escalated to the coordinator."""

from __future__ import annotations

from datetime import date

import pytest

from bot.bootstrap import Services
from bot.domain.calendar import SchoolCalendar
from bot.domain.deadlines import YEAR2_RULE, Subject, items_for_day, upcoming_within
from bot.domain.policy import MA_PRESET
from schedules import claims, jobs
from tests.support.bolt_requests import all_text
from tests.support.hillside import NOW, ROSTER_CSV
from tests.support.scheduler import at, each_day
from tests.support.years import YAN, YAN_ROW

CALENDAR = SchoolCalendar(date(2026, 8, 31), date(2027, 6, 18))
SECOND_YEAR = Subject(7, "Yan Second", "beginning_teacher", date(2025, 8, 25))


@pytest.fixture
def year2(services: Services, pairs: None) -> None:
    """The roster with Yan (hired Aug 2025, unassigned) and Nia assigned: only Yan lacks one."""
    report = services.roster.import_csv(ROSTER_CSV + YAN_ROW + "\n")
    assert report.ok, report.problems
    services.assignments.assign(None, "mia@hillside.example", "nia@hillside.example", date(2026, 11, 2), NOW)  # fmt: skip


def sweep(services: Services, day: date | str) -> list[jobs.Notification]:
    return claims.notifications(services.nudges.deadline_sweep(at(day)) or [])


def test_a_year2_teacher_gets_no_overdue_assignment_alert(services: Services, year2: None) -> None:
    alerts = [
        n
        for day in each_day("2026-09-14", "2026-09-25")
        for n in sweep(services, day)
        if n.rule == "overdue-assignment"
    ]
    assert alerts == []
    status = services.assignments.program_status(None, NOW)
    yan = next(m for m in status.mentees if m.mentee.email == YAN)
    assert (yan.mentor, yan.days_overdue) == (None, 0)
    assert status.overdue_count == 0


def test_the_50_hours_are_progress_never_due_or_escalated(services: Services, year2: None) -> None:
    """The last reminder point (30 Jun) and the day after: the DM shows the hours logged and no
    date; nobody hears of it on 1 Jul."""
    last = [n for n in sweep(services, "2027-06-30") if n.recipient == "U0YAN"]
    assert last, "Yan's progress reminder"
    shown = all_text(last[0].payload)
    assert "50 hours of mentoring beyond the induction year" in shown
    assert "0 min of 50 h logged" in shown
    assert "due" not in shown and "overdue" not in shown
    after = [n for n in sweep(services, "2027-07-01") if "50 hours" in all_text(n.payload)]
    assert after == []


@pytest.mark.parametrize("today", [date(2027, 6, 20), date(2027, 7, 5)])
def test_the_digest_lists_the_50_hours_neither_upcoming_nor_overdue(today: date) -> None:
    overdue, soon = upcoming_within(MA_PRESET, CALENDAR, [SECOND_YEAR], set(), today, 14)
    assert [i.rule.key for i in overdue + soon if i.rule.key == YEAR2_RULE] == []


def test_no_day_escalates_the_50_hours() -> None:
    carried = [
        item
        for day in each_day("2027-04-01", "2027-07-30")
        for item in items_for_day(MA_PRESET, CALENDAR, [SECOND_YEAR], set(), day)
        if item.rule.key == YEAR2_RULE
    ]
    assert carried, "progress reminders still go out"
    assert {i.state for i in carried} == {"upcoming"}
    assert {r for i in carried for r in i.notify} == {"mentee", "mentor"}
