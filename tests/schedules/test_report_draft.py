"""The annual report's draft in Slack (issue 10, item 7): a weekly DM to coordinators from
mid-June until the report is due or marked done, with the headline figures and what is still
missing; through the deadline sweep and the outbox, on both databases."""

from __future__ import annotations

import json
from datetime import date

from bot.bootstrap import Services
from bot.services.report import report_readiness
from bot.store.models.core import MilestoneDone, OutboxMessage
from schedules.jobs import produce
from tests.support.blockkit import valid_message
from tests.support.years import at


def drafts(services: Services) -> list[OutboxMessage]:
    with services.store.read() as session:
        return session.query(OutboxMessage).filter(OutboxMessage.rule == "report_draft").all()


def test_no_draft_before_mid_june(year_one: Services) -> None:
    assert year_one.report_drafts.due(at("2027-06-14")) == []


def test_the_draft_gives_the_headlines_and_what_is_missing_once_a_week(
    year_one: Services,
) -> None:
    assert produce(year_one, "deadline-sweep", at("2027-06-15")) is not None
    [draft] = drafts(year_one)
    assert (draft.recipient, draft.subject, draft.period) == (
        "U0CORA",
        "report-2026-27",
        "2027-W24",
    )
    payload = draft.payload
    valid_message(payload)
    text = json.dumps(payload)
    report = year_one.reports.annual("2026-27", at("2027-06-15"))
    ready = report_readiness(report)
    assert ready.headlines[0].startswith(f"Teachers: (b) {len(report.teachers.served)} served")
    assert "Teachers (h) Partnerships: no partnerships have been entered" in ready.missing
    assert "Still missing" in text and "(h) Partnerships" in text
    assert "(due Sat 31 Jul 2027)" in payload["text"]
    produce(year_one, "deadline-sweep", at("2027-06-16"))
    assert len(drafts(year_one)) == 1  # once a week
    produce(year_one, "deadline-sweep", at("2027-06-21"))
    assert [d.period for d in drafts(year_one)] == ["2027-W24", "2027-W25"]


def test_july_drafts_the_year_just_ended_until_it_is_marked_done(
    year_one: Services,
) -> None:
    [nudge] = year_one.report_drafts.due(at("2027-07-06"))
    assert nudge.subject == "report-2026-27"
    assert nudge.content.due == date(2027, 7, 31)  # type: ignore[union-attr]
    with year_one.store.write() as session:
        session.add(
            MilestoneDone(
                program_id=year_one.programs.current_id(),
                person_id=None,
                milestone="annual_report",
                school_year="2026-27",
                done_on=date(2027, 7, 6),
            )
        )
    assert year_one.report_drafts.due(at("2027-07-07")) == []
    assert year_one.report_drafts.due(at("2027-08-02")) == []  # past due: the sweep escalates
