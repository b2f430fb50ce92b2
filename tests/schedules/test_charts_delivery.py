"""Charts through the scheduler and the loopback fake (issue 20): the weekly digest goes with
its bar chart; a chart Slack refuses (`invalid_blocks`) is sent once more as text; the
coordinators' monthly summary goes once, on the first school day of the month, from the kept
totals. Every call is checked by the fake (charts against the documented limits), and no
mentoring note reaches Slack."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.bootstrap import Services
from bot.domain.calendar import SchoolCalendar, period_target
from bot.services.monthly import month_gone
from bot.slack import charts
from bot.store.models.core import OutboxMessage
from schedules import jobs
from tests.support.bolt_requests import all_text
from tests.support.scheduler import POST, SECRET, Ticker, at
from tests.support.slack_api import FakeSlackApi, RecordedCall

pytestmark = pytest.mark.usefixtures("no_note_reaches_slack")

START, END = date(2026, 8, 31), date(2027, 6, 18)


@pytest.fixture
def ticker(services: Services, pairs: None, slack_api: FakeSlackApi) -> Ticker:
    return Ticker(services, slack_api)


def log(services: Services, user: str, text: str, day: str) -> None:
    outcome = services.logs.log_text(user, f"{text} {SECRET}", at(day, 16))
    assert outcome.ok, outcome.error


def chart_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in params.get("blocks") or [] if charts.is_chart(b)]


def posts_to(slack_api: FakeSlackApi, user: str, start: str) -> list[RecordedCall]:
    return [
        c
        for c in slack_api.calls_to(POST)
        if c.params.get("channel") == user and str(c.params.get("text", "")).startswith(start)
    ]


def test_the_digest_goes_with_a_chart_of_the_week_against_its_prorated_target(
    ticker: Ticker, services: Services
) -> None:
    log(services, "U0LEE", "45m", "2026-11-10")
    log(services, "U0MIA", "1h", "2026-11-12")
    ticker.tick(at("2026-11-16"))
    (lee,) = ticker.of("digest", "U0LEE")
    (chart,) = chart_of(lee.params)
    assert chart["chart"]["axis_config"]["categories"] == ["Bea Beginner", "Ike Incoming"]
    minutes, target = chart["chart"]["series"]
    assert [p["value"] for p in minutes["data"]] == [45, 60]
    assert [p["value"] for p in target["data"]] == [48, 48]  # Veterans Day week: 4 school days
    assert "Bea Beginner with Lee Lead: 45 min of 48 min" in lee.text
    assert "Ike Incoming with Mia Mentor: 1 h of 48 min" in lee.text


def test_a_refused_chart_is_sent_once_more_with_its_figures_as_text(
    ticker: Ticker, services: Services, slack_api: FakeSlackApi
) -> None:
    log(services, "U0LEE", "45m", "2026-11-10")
    slack_api.refuse_charts = True
    ticker.tick(at("2026-11-16"))

    first, second = posts_to(slack_api, "U0LEE", "Weekly digest")  # exactly twice
    assert chart_of(first.params) and not chart_of(second.params)
    assert second.params["text"] == first.params["text"]
    assert len(second.params["blocks"]) == len(first.params["blocks"])
    assert "Bea Beginner: 45 min of 48 min" in all_text(second.params)
    with services.store.read() as session:
        (status,) = session.scalars(
            select(OutboxMessage.status).where(
                OutboxMessage.rule == "weekly-digest", OutboxMessage.recipient == "U0LEE"
            )
        )
    assert status == "sent"
    assert "without their chart" in ticker.summaries[-1]
    slack_api.refuse_charts = False
    ticker.tick(at("2026-11-16", 9))
    assert len(posts_to(slack_api, "U0LEE", "Weekly digest")) == 2  # sent: never again


def test_a_message_refused_again_without_its_chart_is_parked_not_sent_a_third_time(
    ticker: Ticker, services: Services, slack_api: FakeSlackApi
) -> None:
    log(services, "U0LEE", "45m", "2026-11-10")
    ticker.tick(at("2026-11-16", 7, 0))  # the day's other DMs; the digest waits for 07:30
    slack_api.refuse_blocks = 2  # the chart, then its text form
    ticker.tick(at("2026-11-16"))
    first, second = posts_to(slack_api, "U0LEE", "Weekly digest")
    assert chart_of(first.params) and not chart_of(second.params)
    parked, _ = services.outbox.parked()
    assert [(p.rule, p.recipient, p.last_error) for p in parked] == [
        ("weekly-digest", "U0LEE", "invalid_blocks")
    ]
    ticker.tick(at("2026-11-17"))
    assert len(posts_to(slack_api, "U0LEE", "Weekly digest")) == 2


# ---- the monthly summary --------------------------------------------------------------------

NO_DEC_1 = SchoolCalendar(START, END, frozenset({date(2026, 12, 1)}))


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2026, 12, 1), None),  # a holiday: the first school day is the 2nd
        (date(2026, 12, 2), (date(2026, 11, 1), date(2026, 11, 30))),
        (date(2026, 12, 4), (date(2026, 11, 1), date(2026, 11, 30))),  # missed: caught up
        (date(2026, 12, 7), None),  # too late for November
        (date(2026, 11, 30), None),
        (date(2026, 9, 1), (date(2026, 8, 1), date(2026, 8, 31))),  # the year began on the 31st
        (date(2026, 8, 31), None),  # July: before the school year
        (date(2027, 7, 1), None),  # after it: no school day in July
    ],
)  # fmt: skip
def test_the_month_gone_is_summarised_on_the_first_school_day(
    today: date, month: tuple[date, date] | None
) -> None:
    assert month_gone(NO_DEC_1, today) == month


def test_a_months_target_is_the_weekly_target_prorated_by_its_school_days() -> None:
    calendar = SchoolCalendar(START, END, frozenset({date(2026, 10, 12)}))
    assert period_target(calendar, 60, date(2026, 10, 1), date(2026, 10, 31)) == 252  # 21 days
    assert period_target(calendar, 60, date(2026, 10, 19), date(2026, 10, 31)) == 120
    assert period_target(calendar, 45, date(2026, 10, 1), date(2026, 10, 1)) == 9
    assert period_target(calendar, 60, date(2026, 10, 31), date(2026, 10, 1)) == 0


def test_the_monthly_summary_goes_once_on_the_first_school_day_from_kept_totals(
    ticker: Ticker, services: Services
) -> None:
    log(services, "U0LEE", "45m", "2026-10-05")
    log(services, "U0LEE", "30m", "2026-10-13")
    log(services, "U0MAX", "1h", "2026-10-20")
    ticker.days("2026-10-28", "2026-11-06")  # a tick a day at 07:45, across the 1st

    (cora,) = ticker.of("monthly")
    assert (cora.day, cora.channel) == (date(2026, 11, 2), "U0CORA")  # Mon 2 Nov, not Sun 1
    (chart,) = chart_of(cora.params)
    assert chart["chart"]["axis_config"]["categories"] == ["Jefferson", "Lincoln"]
    weeks = [s["name"] for s in chart["chart"]["series"]]
    assert weeks == [
        "Week of Thu 1 Oct", "Week of Mon 5 Oct", "Week of Mon 12 Oct", "Week of Mon 19 Oct",
        "Week of Mon 26 Oct",
    ]  # fmt: skip
    hours = {s["name"]: [p["value"] for p in s["data"]] for s in chart["chart"]["series"]}
    assert hours["Week of Mon 5 Oct"] == [0, 0.75]
    assert hours["Week of Mon 12 Oct"] == [0, 0.5]
    assert hours["Week of Mon 19 Oct"] == [1, 0]
    assert "Lincoln: 1 h 15 (Thu 1 Oct 0 min, Mon 5 Oct 45 min, Mon 12 Oct 30 min" in cora.text
    # October: 21 school days (Columbus Day off) of a 1-hour week, 4 h 12; all three behind
    assert "Ike Incoming with Mia Mentor: 0 min of 4 h 12" in cora.text
    assert "Bea Beginner with Lee Lead: 1 h 15 of 4 h 12" in cora.text
    assert "3 pairs · 2 h 15 of mentoring in all" in cora.text

    # The same instant again, and later in the catch-up days: claimed once, never again.
    assert jobs.produce(services, "monthly-summary", at("2026-11-02", 9)) == (1, 0)
    assert jobs.produce(services, "monthly-summary", at("2026-11-04", 9)) == (1, 0)
    assert jobs.produce(services, "monthly-summary", at("2026-11-05", 9)) == (0, 0)


def test_a_coordinator_without_slack_is_named_as_not_reached(
    services: Services, pairs: None
) -> None:
    services.roster.import_csv(
        "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id\n"
        "cole@hillside.example,Cole Coordinator,coordinator,,,,,Professional,2015-08-24,\n"
    )
    notes = services.nudges.monthly_summary(at("2026-11-02", 9)) or []
    assert [n.recipient for n in notes] == ["U0CORA"]
    assert [u.person.name for u in services.nudges.unreached] == ["Cole Coordinator"]
