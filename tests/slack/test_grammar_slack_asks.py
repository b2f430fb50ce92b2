"""/logmeeting asks instead of guessing, through the real app (issue 9): a near-miss kind gets
buttons that log when pressed; an unlinked @name, a date in the future in the program's locale
and notes over the limit are refused with nothing stored; a mentee's Edit can't change the kind."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import select

from bot.bootstrap import Services
from bot.services.errors import NotAllowed
from bot.store.models.core import LogAudit, LogEntry
from tests.support.bolt_requests import dispatch, slash
from tests.support.hillside import NOW
from tests.support.signing import block_action_body
from tests.support.slack_api import FakeSlackApi

TODAY = date(2026, 11, 18)
LATER = NOW + timedelta(minutes=5)


def command(app: App, text: str, user: str) -> dict[str, Any]:
    return slash(app, "/logmeeting", text, user)


def buttons(reply: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return {b["text"]["text"]: b for b in found}


def live_entries(services: Services) -> list[LogEntry]:
    with services.store.read() as session:
        query = select(LogEntry).where(LogEntry.deleted_at.is_(None)).order_by(LogEntry.id)
        return list(session.scalars(query))


# (what Lee types, the button pressed, the kind and notes stored)
NEAR_MISSES = [
    ("45 minutes obsevation", "Observation (I observed my mentee)", "observation", None),
    ("45 minutes obsevation", "Meeting", "meeting", None),
    ("30m planing unit 3 pacing", "Planning", "planning", "unit 3 pacing"),
    ("30m coteching, stations", "Co-teaching", "co-teaching", "stations"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "pressed", "kind", "notes"), NEAR_MISSES)
def test_a_near_miss_kind_asks_with_buttons_that_log_when_pressed(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi,
    text: str, pressed: str, kind: str, notes: str | None,
) -> None:  # fmt: skip
    reply = command(app, text, "U0LEE")
    assert reply["text"].startswith("Did you mean") and "Nothing" not in reply["text"]
    assert pressed in buttons(reply) and "Meeting" in buttons(reply)
    assert live_entries(services) == []

    button = buttons(reply)[pressed]
    dispatch(app, block_action_body("U0LEE", button["action_id"], button["value"], response_url=slack_api.response_url))  # fmt: skip

    (posted,) = [c.params for c in slack_api.calls_to("response_url")]
    assert posted["text"].startswith(
        f"Logged {text.split(maxsplit=1)[0].rstrip('m')} min {kind} with Bea"
    )
    assert [(e.kind, e.notes) for e in live_entries(services)] == [(kind, notes)]


# (what Lee types, the stored kind and notes once Bea is picked)
UNLINKED = [
    ("20m obs @zzz", "observation", None),
    ("20m obs @Bea Beginner", "observation", "Beginner"),
    ("20m @zzz, @yyy planning unit 3", "planning", "unit 3"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "notes"), UNLINKED)
def test_an_unlinked_name_is_a_question_never_a_note(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi,
    text: str, kind: str, notes: str | None,
) -> None:  # fmt: skip
    reply = command(app, text, "U0LEE")
    assert "didn't link" in reply["text"] and "Bea Beginner" in reply["text"]
    assert "mentees Bea" not in reply["text"]  # not claimed as understood
    assert live_entries(services) == []

    button = buttons(reply)["Bea Beginner"]
    dispatch(app, block_action_body("U0LEE", button["action_id"], button["value"], response_url=slack_api.response_url))  # fmt: skip

    (posted,) = [c.params for c in slack_api.calls_to("response_url")]
    assert posted["text"].startswith(f"Logged 20 min {kind} with Bea Beginner")
    assert [(e.kind, e.notes) for e in live_entries(services)] == [(kind, notes)]


# (what Lee types, what the refusal must say)
REFUSED = [
    ("30m <@U0BEA|bea> 12/11", "Fri 11 Dec is in the future"),
    ("30m 11/30", "Mon 30 Nov is in the future"),
    ("45 45", "I found two numbers (45 and 45)"),
    ("45m " + "word " * 500, "Your notes are 2,499 characters; the limit is 2,000"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "says"), REFUSED)
def test_a_guess_is_refused_and_nothing_is_stored(
    app: App, services: Services, pairs: None, text: str, says: str
) -> None:
    reply = command(app, text, "U0LEE")
    assert says in reply["text"] and "Nothing was logged" in reply["text"]
    assert live_entries(services) == []


@pytest.mark.parametrize("kind", ["meeting", "observation", "co-teaching", "planning", "group", "video", "other"])  # fmt: skip
def test_a_mentees_edit_that_changes_the_kind_is_refused_with_a_reason(
    services: Services, pairs: None, kind: str
) -> None:
    visit = services.logs.log_text("U0BEA", "30m observed <@U0MIA>", NOW).entries[0]

    with pytest.raises(NotAllowed, match="Mentees can log visits"):
        services.logs.edit("U0BEA", visit.id, LATER, duration_text="30m", kind=kind, on=TODAY, notes=None)  # fmt: skip

    (row,) = live_entries(services)
    assert row.kind == "observed"
    with services.store.read() as session:
        actions = session.scalars(select(LogAudit.action).where(LogAudit.log_entry_id == visit.id))
        assert list(actions) == ["create"]
