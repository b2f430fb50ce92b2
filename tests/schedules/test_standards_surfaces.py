"""Standards coverage on its surfaces — counts only, never notes — on SQLite and PostgreSQL:
the lead mentor's weekly digest flags a pair with a standard untouched for 6 school weeks (a
scheduler tick, the fake Slack Web API, every DM valid Block Kit), the annual report counts
entries per standard over its (b) set, the same in Markdown, CSV and JSON, and `/hours` (signed
requests into the Bolt app) shows a mentor and a mentee their own pairs' line, no one else."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from slack_bolt import App

from bot.bootstrap import Services
from bot.cli.report_format import STANDARDS_TITLE, report_csv, report_json, report_markdown
from bot.domain.standards import QUIET_SCHOOL_WEEKS
from tests.support.bolt_requests import slash
from tests.support.scheduler import SECRET, Ticker, at
from tests.support.slack_api import FakeSlackApi

pytestmark = pytest.mark.usefixtures("no_note_reaches_slack")

LEE, MIA, MAX = "U0LEE", "U0MIA", "U0MAX"


def log(services: Services, user: str, text: str, day: str) -> str:
    outcome = services.logs.log_text(user, text, at(day, 16), notes=f"{SECRET} {text}")
    assert outcome.ok, outcome.error
    assert outcome.batch_id is not None
    return outcome.batch_id


def standards_flag(ticker: Ticker, day: str) -> str | None:
    """The digest's standards flag as Lee (Lincoln's lead mentor) got it that morning."""
    ticker.tick(at(day, 7, 45))
    (digest,) = [s for s in ticker.of("digest", LEE) if s.day.isoformat() == day]
    flags = [
        block["text"]["text"]
        for block in digest.blocks
        if block["type"] == "section" and block["text"]["text"].startswith(":books:")
    ]
    assert len(flags) <= 1
    return flags[0] if flags else None


def test_the_digest_flags_a_pair_whose_standard_had_nothing_for_six_school_weeks(
    services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    ticker = Ticker(services, slack_api)
    log(services, LEE, "45m #I #II #III #IV", "2026-11-03")  # Bea: every standard, recently
    log(services, MIA, "30m #II", "2026-10-07")  # Ike: II on Wed 7 Oct, the rest never
    log(services, MIA, "30m observed #I", "2026-10-08")  # a visit: not pair time, not coverage
    head = f":books: No entry on a standard in {QUIET_SCHOOL_WEEKS}+ school weeks:"
    # Mon 16 Nov: II has had 5 school weeks (Oct 12 … Nov 9); I, III, IV none since Sep 2
    assert standards_flag(ticker, "2026-11-16") == f"{head}\n• Ike Incoming with Mia Mentor: I, III, IV (none yet)"  # fmt: skip
    # Mon 23 Nov: the week of Nov 16 is over, the 6th for II
    assert standards_flag(ticker, "2026-11-23") == f"{head}\n• Ike Incoming with Mia Mentor: I, II, III, IV (last 7 Oct)"  # fmt: skip


def test_the_report_counts_entries_per_standard_the_same_in_every_form(
    services: Services, pairs: None
) -> None:
    log(services, LEE, "45m #I #II", "2026-10-07")
    log(services, LEE, "30m observation #ii", "2026-10-14")
    undone = log(services, LEE, "20m #IV", "2026-10-15")
    services.logs.undo(LEE, undone, at("2026-10-15", 17))  # Undo'd: not counted
    log(services, MIA, "20m #II #III", "2026-10-21")
    log(services, MAX, "25m #III", "2026-10-22")
    report = services.reports.annual(None, at("2026-11-18", 10))
    expected = {"I": 1, "II": 3, "III": 2, "IV": 0}  # Bea, Ike and Bo are all served (b)
    assert report.teachers.standards == expected

    body = json.loads(report_json(report))
    assert set(body) >= {"program", "year", "period", "teachers", "administrators", "standards"}
    assert sorted(body["teachers"]) == list("abcdefgh")  # items a–h untouched
    assert body["standards"]["source"] == "counted"
    assert {r["code"]: r["entries"] for r in body["standards"]["teachers"]} == expected
    assert {r["code"]: r["entries"] for r in body["standards"]["administrators"]} == dict.fromkeys(expected, 0)  # fmt: skip
    assert body["standards"]["teachers"][2]["name"] == "Family & Community Engagement"

    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert {r[2]: int(r[3]) for r in rows if r[:2] == ["teachers", "standards"]} == expected
    assert {r[2]: int(r[3]) for r in rows if r[:2] == ["administrators", "standards"]} == dict.fromkeys(expected, 0)  # fmt: skip

    markdown = report_markdown(report)
    table = markdown.split(f"## {STANDARDS_TITLE}")[1].strip().splitlines()[2:]
    assert table == [
        "| I | Curriculum, Planning & Assessment | 1 | 0 |",
        "| II | Teaching All Students | 3 | 0 |",
        "| III | Family & Community Engagement | 2 | 0 |",
        "| IV | Professional Culture | 0 | 0 |",
    ]
    for text in (report_json(report), report_csv(report), markdown):
        assert SECRET not in text  # counts only


# ---- /hours: a mentor's and a mentee's own pairs, one line each --------------------------------


def hours(app: App, user: str) -> dict[str, Any]:
    return slash(app, "/hours", "", user)


def standards_context(reply: dict[str, Any]) -> list[str]:
    return [
        element["text"]
        for block in reply["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
        if element["text"].startswith(":books:")
    ]


def test_hours_shows_the_mentor_and_the_mentee_their_pairs_coverage_and_no_one_else(
    services: Services, pairs: None, app: App
) -> None:
    log(services, LEE, "45m #I #II", "2026-10-07")
    log(services, LEE, "30m observation #ii", "2026-11-10")
    line = "I ✓ 1 (last 7 Oct) · II ✓ 2 (last 10 Nov) · III — none yet · IV — none yet"
    # Lee mentors Bea but, as Lincoln's lead mentor, sees his school: hours and counts, no line
    assert standards_context(hours(app, LEE)) == []
    assert standards_context(hours(app, "U0BEA")) == [f":books: Standards: {line}"]
    assert standards_context(hours(app, MIA)) == [
        ":books: Standards: I — none yet · II — none yet · III — none yet · IV — none yet"
    ]
    assert standards_context(hours(app, "U0PAT")) == []  # the evaluator: hours only
    assert standards_context(hours(app, "U0CORA")) == []
    for user in (LEE, "U0BEA", MIA, "U0PAT", "U0CORA"):
        assert SECRET not in json.dumps(hours(app, user))
