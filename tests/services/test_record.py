"""`export record EMAIL` (issue 12, item 4): one educator's induction record across three
program years — mentors with dates, pair time by year and kind, observations, milestones, the
50 hours beyond the induction year — with no notes, in Markdown, CSV and JSON, on both databases."""

from __future__ import annotations

import json
from datetime import date

import pytest
from slack_bolt import App

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.config import Settings
from bot.devtools.demo import DEMO_NOW
from bot.domain.policy import parse_program_toml
from bot.domain.record import record_csv, record_json, record_markdown
from bot.services.errors import Refusal
from tests.support.bolt_requests import press, responded, slash
from tests.support.slack_api import RESPONSE_URL_METHOD, FakeSlackApi
from tests.support.years import NEXT_ROSTER, NEXT_TOML, at


@pytest.fixture
def two_years(year_one: Services, clock: FixedClock) -> Services:
    """Year one, then 2027-28 started, the old year closed and Mia again with Yan."""
    year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    clock.set(at("2027-08-30"))
    year_one.years.roll_over(clock.now())
    year_one.assignments.assign(
        None, "mia@hillside.example", "yan@hillside.example", None, clock.now()
    )
    clock.set(at("2027-09-08"))
    assert year_one.logs.log_text("U0MIA", "30m meeting <@U0YAN> secret plans for the fall", clock.now()).ok  # fmt: skip
    assert year_one.logs.log_text("U0MIA", "20m observation <@U0YAN>", clock.now()).ok
    return year_one


def test_the_record_covers_three_years_with_mentors_kinds_and_the_50_hours(
    two_years: Services, clock: FixedClock
) -> None:
    record = two_years.records.of("yan@hillside.example", clock.now())
    assert (record.induction_year, record.induction_inferred) == ("2025-26", True)
    assert [(y.label, y.number, y.minutes, y.observations) for y in record.years] == [
        ("2025-26", 1, 0, 0),
        ("2026-27", 2, 120, 0),
        ("2027-28", 3, 50, 1),
    ]
    kinds = {(y.label, k.kind): (k.entries, k.minutes) for y in record.years for k in y.kinds}
    assert kinds == {
        ("2026-27", "planning"): (1, 120),
        ("2027-28", "meeting"): (1, 30),
        ("2027-28", "observation"): (1, 20),
    }
    for year in record.years:  # the breakdown adds up to the ledger's year totals
        assert sum(k.minutes for k in year.kinds) == year.minutes
    assert (record.beyond_minutes, record.beyond_target, record.beyond_met) == (170, 3000, False)
    assert record.sign_off == (
        "0 of 3 entries in signed-off periods; 0 confirmed by the other side of the pair"
    )
    assert [(m.email, m.started_on, m.ended_on) for m in record.mentors] == [
        ("mia@hillside.example", date(2026, 9, 2), date(2027, 6, 30)),
        ("mia@hillside.example", date(2027, 8, 30), None),
    ]


def test_the_record_in_three_forms_carries_the_same_figures_and_no_notes(
    two_years: Services, clock: FixedClock
) -> None:
    record = two_years.records.of("yan@hillside.example", clock.now())
    md, csv, body = record_markdown(record), record_csv(record), json.loads(record_json(record))
    for text in (md, csv, json.dumps(body)):
        assert "secret plans" not in text
    assert "| 2027-28 | 3 | 50 min | 1 | 0 |" in md
    assert "Signature: ____" in md and "Name and title:" in md
    assert "year,2027-28,minutes,50" in csv
    assert body["years"][2]["minutes"] == 50
    assert body["beyond_induction_year"] == {"minutes": 170, "target_minutes": 3000, "met": False}


def test_someone_who_was_never_a_mentee_has_no_record(
    two_years: Services, clock: FixedClock
) -> None:
    with pytest.raises(Refusal, match="Mia Mentor has no induction record"):
        two_years.records.of("mia@hillside.example", clock.now())
    with pytest.raises(Refusal, match="not on the Hillside Public Schools roster"):
        two_years.records.of("nobody@hillside.example", clock.now())


def test_a_coordinator_opens_the_record_from_status_and_no_one_else_can(
    app: App, slack_api: FakeSlackApi, services: Services, pairs: None
) -> None:
    status = slash(app, "/induction", "status <@U0BEA>", "U0CORA")
    [button] = [e for b in status["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "record_show"
    press(app, slack_api, "U0LEE", "record_show", button["value"])
    assert "is for induction coordinators" in responded(slack_api)
    assert "Induction record" not in responded(slack_api)
    press(app, slack_api, "U0CORA", "record_show", button["value"])
    shown = responded(slack_api)
    assert "Induction record \\u2014 Bea Beginner" in shown  # (json-escaped dash)
    assert "2026-27 (year 1): 0 min together" in shown
    assert all("blocks" in c.params for c in slack_api.calls_to(RESPONSE_URL_METHOD))


def test_hired_on_1_july_the_induction_year_is_the_program_year_that_begins_that_day(
    demo: tuple[Settings, Services],
) -> None:
    """The demo's Ada was hired on Wed 1 Jul 2026, the first day of 2026-27 (issue 19)."""
    _, services = demo
    record = services.records.of("ada@maplevalley.example", DEMO_NOW)
    assert (record.induction_year, record.induction_inferred) == ("2026-27", True)
    assert [(y.label, y.number) for y in record.years][:1] == [("2026-27", 1)]
    md = record_markdown(record)
    assert "- Induction year: 2026-27" in md and "2025-26" not in md
