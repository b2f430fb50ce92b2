"""Dates given to `/induction` are bounded (bot/services/assignments.py, milestones.py): an
assignment starts within the program year and at most START_HORIZON_DAYS ahead, ends no later
than today; a milestone is done within the program year and not in the future. A refusal says
what was understood and shows a correct example; nothing is stored. A mentee whose assignment
begins later stays overdue until it begins."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.services.assignments import START_HORIZON_DAYS
from bot.services.errors import Refusal
from bot.store.models.core import Assignment, MilestoneDone
from schedules import claims
from tests.support.bolt_requests import all_text, slash
from tests.support.hillside import NOW
from tests.support.slack_api import FakeSlackApi

NY = ZoneInfo("America/New_York")
CORA = "U0CORA"
LEE, NIA, BEA, BO = "<@U0LEE|lee>", "<@U0NIA|nia>", "<@U0BEA|bea>", "<@U0BO|bo>"


def induction(app: App, text: str) -> dict[str, Any]:
    return slash(app, "/induction", text, CORA)


def stored(services: Services) -> tuple[int, int]:
    """(assignments, milestones done) in the store."""
    with services.store.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Assignment)) or 0,
            session.scalar(select(func.count()).select_from(MilestoneDone)) or 0,
        )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (f"assign {LEE} {NIA} 9999-12-31", ("I read the start date as 9999-12-31 (Fri 31 Dec), which is more than 30 days after today (Wed 18 Nov 2026).", "An assignment starts between Wed 1 Jul 2026 and Fri 18 Dec 2026", "Try: `/induction assign @mentor @mentee 2026-11-18`")),
        (f"assign {LEE} {NIA} 1900-01-01", ("I read the start date as 1900-01-01 (Mon 1 Jan), which is before Wed 1 Jul 2026, the first day of the program year 2026-27.", "Try: `/induction assign @mentor @mentee 2026-11-18`")),
        (f"assign {LEE} {NIA} 2026-12-19", ("which is more than 30 days after today",)),
        (f"assign {LEE} {NIA} 2026-06-30", ("before Wed 1 Jul 2026",)),
        (f"done orientation {BEA} 0001-01-01", ("I read the date as 0001-01-01 (Mon 1 Jan), which is outside the program year 2026-27 (Wed 1 Jul 2026 to Wed 30 Jun 2027).", "Try: `/induction done orientation @jane 2026-11-18`")),
        (f"done orientation {BEA} 2026-11-19", ("I read the date as 2026-11-19 (Thu 19 Nov), which is in the future.", "between Wed 1 Jul 2026 and Wed 18 Nov 2026")),
        (f"done orientation {BEA} 2026-06-30", ("outside the program year 2026-27",)),
        ("done annual_report 2027-01-04", ("in the future", "Try: `/induction done annual_report 2026-11-18`")),
    ],
)  # fmt: skip
def test_a_date_out_of_bounds_is_refused_and_nothing_is_stored(
    app: App, services: Services, roster: dict[str, int], text: str, said: tuple[str, ...]
) -> None:
    before = stored(services)
    reply = induction(app, text)
    shown = all_text(reply)
    assert ":warning:" in shown
    for part in said:
        assert part in shown, shown
    assert stored(services) == before


def test_an_end_in_the_future_is_refused(app: App, services: Services, pairs: None) -> None:
    shown = all_text(induction(app, f"unassign {BO} 2027-01-04 moved away"))
    assert "I read the end date as 2027-01-04 (Mon 4 Jan), which is in the future." in shown
    assert "Try: `/induction unassign @mentee 2026-11-18 schedule change`" in shown
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Assignment).where(Assignment.ended_on.is_not(None))) == 0  # fmt: skip


@pytest.mark.parametrize(
    ("text", "first_words"),
    [
        (f"assign {LEE} {NIA} 2026-07-01", ":white_check_mark: Lee Lead now mentors Nia New from Wed 1 Jul"),
        (f"assign {LEE} {NIA} 2026-12-18", ":white_check_mark: Lee Lead now mentors Nia New from Fri 18 Dec"),
        (f"done orientation {BEA} 2026-07-01", ""),
        (f"done orientation {BEA} 2026-11-18", ""),
    ],
)  # fmt: skip
def test_the_bounds_themselves_are_accepted(
    app: App, services: Services, roster: dict[str, int], text: str, first_words: str
) -> None:
    before = stored(services)
    shown = all_text(induction(app, text))
    assert ":warning:" not in shown and first_words in shown
    assert stored(services) != before


def test_the_horizon_is_a_named_constant() -> None:
    assert START_HORIZON_DAYS == 30


def test_the_command_line_refuses_the_same_dates(
    services: Services, roster: dict[str, int]
) -> None:
    with pytest.raises(Refusal, match="more than 30 days after today"):
        services.assignments.assign(None, "lee@hillside.example", "nia@hillside.example", date(9999, 12, 31), NOW)  # fmt: skip
    assert stored(services) == (0, 0)


# ---- a future start keeps the mentee overdue until it begins ----------------------------------


def test_status_keeps_a_future_start_overdue_until_it_begins(
    app: App, services: Services, roster: dict[str, int]
) -> None:
    induction(app, f"assign {LEE} {NIA} 2026-12-01")
    shown = all_text(induction(app, "status"))
    assert "*Nia New* (Jefferson, Science, grade 8) — :red_circle: no mentor, 16 days overdue (due Mon 2 Nov) · Lee Lead from Tue 1 Dec" in shown  # fmt: skip
    services.clock.set(NOW + timedelta(days=14))  # type: ignore[attr-defined]
    shown = all_text(induction(app, "status"))
    assert "*Nia New* (Jefferson, Science, grade 8) — mentor Lee Lead since Tue 1 Dec" in shown


def test_the_overdue_alert_keeps_a_future_start_until_it_begins(
    services: Services, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    services.assignments.assign(None, "lee@hillside.example", "nia@hillside.example", date(2026, 12, 1), NOW)  # fmt: skip
    thursday = datetime.combine(date(2026, 11, 19), time(7, 45), NY)
    notes = claims.notifications(services.nudges.deadline_sweep(thursday) or [])
    alerts = [n for n in notes if n.rule == "overdue-assignment"]
    assert alerts and "Nia New" in all_text(alerts[0].payload)
