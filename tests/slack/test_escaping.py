"""The one escaping boundary (bot/slack/blocks.py): hostile roster names, notes and reasons
never become live mentions, broadcasts or links — in replies, DMs, digests, alerts or Home."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bootstrap import Services
from bot.slack.blocks import Mrkdwn, context, escape, message, mrkdwn, section
from tests.support.bolt_requests import command, open_home
from tests.support.hillside import NOW, ROSTER_CSV, SIGNING_SECRET
from tests.support.scheduler import Ticker
from tests.support.slack_api import FakeSlackApi

HOSTILE = "Eve <!channel> <https://evil.example|click> & <@U0CORA> <!subteam^S1> >quote"
LIVE = ("<!", "<http", "<@", "<#")


def mrkdwn_texts(payload: Any, *, top: bool = True) -> list[str]:
    """Every text Slack parses as mrkdwn: mrkdwn objects and messages' fallback `text`."""
    found: list[str] = []
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn" and isinstance(payload.get("text"), str):
            found.append(payload["text"])
        if top and isinstance(payload.get("text"), str):
            found.append(payload["text"])
        for key, value in payload.items():
            if key not in ("value", "private_metadata", "initial_value", "action_id"):
                found += mrkdwn_texts(value, top=False)
    elif isinstance(payload, list):
        for value in payload:
            found += mrkdwn_texts(value, top=False)
    return found


def assert_inert(payloads: list[Any]) -> None:
    texts = [t for p in payloads for t in mrkdwn_texts(p)]
    assert texts, "nothing was checked"
    for text in texts:
        assert not any(token in text for token in LIVE), text


# ---- the builders ---------------------------------------------------------------------------------


@given(st.text(max_size=400))
@settings(max_examples=300)
def test_any_text_through_the_builders_comes_out_inert(text: str) -> None:
    payload = message(text, [section(text, fields=[text]), context(text, text)])
    for shown in mrkdwn_texts(payload):
        assert "<" not in shown and ">" not in shown
        assert shown.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0


def test_only_text_the_app_marks_goes_live() -> None:
    assert mrkdwn(Mrkdwn("<@U0LEE>"))["text"] == "<@U0LEE>"
    assert mrkdwn("<@U0LEE>")["text"] == "&lt;@U0LEE&gt;"
    assert escape("a & b") == "a &amp; b"


def test_a_cut_never_leaves_half_an_entity() -> None:
    text = mrkdwn("x" * 2998 + "<<<")["text"]
    assert text.endswith("x") and len(text) <= 3000


# ---- end to end ------------------------------------------------------------------------------


@pytest.fixture
def hostile(services: Services, program: object) -> Services:
    """The test roster with hostile names on a mentor, a mentee and a school, assigned."""
    rows = ROSTER_CSV + (
        f'evil@hillside.example,"{HOSTILE} Mentor",mentor;lead_mentor,"{HOSTILE} School",Math,4,,Professional,2012-08-27,U0EVM\n'
        f'eve@hillside.example,"{HOSTILE} Mentee",mentee,"{HOSTILE} School",Math,4,beginning_teacher,Initial,2026-08-24,U0EVE\n'
        f'late@hillside.example,"{HOSTILE} Late",mentee,"{HOSTILE} School",Math,4,beginning_teacher,Initial,2026-08-24,U0LAT\n'
    )  # fmt: skip
    report = services.roster.import_csv(rows)
    assert report.ok, report.problems
    services.assignments.assign(None, "evil@hillside.example", "eve@hillside.example", date(2026, 9, 1), NOW)  # fmt: skip
    return services


def test_hostile_names_notes_and_reasons_stay_text_everywhere(
    hostile: Services, app: Any, slack_api: FakeSlackApi
) -> None:
    replies = [
        command(app, SIGNING_SECRET, "/logmeeting", f"45m observation {HOSTILE} notes", "U0EVM"),
        command(app, SIGNING_SECRET, "/logmeeting", f"zzz {HOSTILE}", "U0EVM"),  # a question
        command(app, SIGNING_SECRET, "/hours", "", "U0CORA"),
        command(app, SIGNING_SECRET, "/hours", "", "U0EVM"),
        command(app, SIGNING_SECRET, "/hours", HOSTILE, "U0EVM"),
        command(app, SIGNING_SECRET, "/induction", "status", "U0CORA"),
        command(app, SIGNING_SECRET, "/induction", "status <@U0EVE>", "U0CORA"),
        command(app, SIGNING_SECRET, "/induction", f"unassign <@U0EVE> {HOSTILE}", "U0CORA"),
        command(app, SIGNING_SECRET, "/induction", f"nonsense {HOSTILE}", "U0CORA"),
    ]
    assert open_home(app, SIGNING_SECRET, "U0EVM") == 200
    ticker = Ticker(hostile, slack_api)
    ticker.days("2026-11-19", "2026-11-24")  # the daily sweep, the overdue alert, the digest
    assert ticker.of("digest") and ticker.of("alert")
    posted = [call.params for call in slack_api.calls if call.method in ("chat.postMessage", "views.publish")]  # fmt: skip
    assert_inert(replies + posted)
    shown = "\n".join(t for p in replies + posted for t in mrkdwn_texts(p))
    assert "Eve &lt;!channel&gt;" in shown  # the name is shown, as text
