"""Driving the Home tab in tests: open it, press its buttons as Slack sends them (a view
container, no response_url), and read what was published — every view checked as Block Kit."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App, BoltRequest

from tests.support.bolt_requests import all_text, open_home
from tests.support.signing import block_action_body, signed_headers
from tests.support.slack_api import FakeSlackApi

HOME_VIEW = {"type": "home", "id": "V0HOME"}


def published(slack_api: FakeSlackApi, user: str) -> list[dict[str, Any]]:
    """Every Home view published for a user, oldest first (the fake checked each)."""
    views = []
    for call in slack_api.calls_to("views.publish"):
        if call.params["user_id"] == user:
            view = call.params["view"]
            view = json.loads(view) if isinstance(view, str) else view
            views.append(view)
    return views


def home_of(app: App, secret: str, slack_api: FakeSlackApi, user: str) -> dict[str, Any]:
    """Open the Home tab as `user`; the view published for them."""
    before = len(published(slack_api, user))
    assert open_home(app, secret, user) == 200
    views = published(slack_api, user)
    assert len(views) == before + 1, "no Home was published"
    return views[-1]


def press_on_home(app: App, secret: str, user: str, action_id: str, value: str) -> int:
    """Press a Home button as Slack sends it: the HTTP status of the answer."""
    body = block_action_body(user, action_id, value, view=HOME_VIEW)
    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(secret, body)))
    return response.status


def buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of a view, in order."""
    found = []
    for block in view["blocks"]:
        if block["type"] == "actions":
            found += [e for e in block["elements"] if e["type"] == "button"]
        elif block["type"] == "section" and (block.get("accessory") or {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def text_of(view: dict[str, Any]) -> str:
    """Every string of a view, joined, for `in` checks."""
    return all_text(view)


# ---- a week of mentoring at Hillside (conftest's roster and pairs, clock Wed 18 Nov 2026) ----

NOTE_LEE_BEA = "NOTE-LEE-BEA pacing"
NOTE_MIA_IKE = "NOTE-MIA-IKE routines"
NOTE_MAX_BO = "NOTE-MAX-BO grading"
NOTE_BEA_VISIT = "NOTE-BEA-VISIT questioning"
NOTES = (NOTE_LEE_BEA, NOTE_MIA_IKE, NOTE_MAX_BO, NOTE_BEA_VISIT)
WEEK_OF_LOGS = (  # who logs, what (a week of 5 school days: the target is 1 h)
    ("U0LEE", f"45m observation <@U0BEA> 2026-11-16 {NOTE_LEE_BEA}"),
    ("U0LEE", "30m meeting <@U0BEA> 2026-11-17"),
    ("U0MIA", f"1h planning <@U0IKE> 2026-11-10 {NOTE_MIA_IKE}"),  # last week
    ("U0MIA", "20m meeting <@U0IKE> 2026-11-18"),
    ("U0MAX", f"50m meeting <@U0BO> 2026-11-16 {NOTE_MAX_BO}"),
    ("U0BEA", f"30m observed <@U0MIA> 2026-11-17 {NOTE_BEA_VISIT}"),  # a visit: not pair time
)


def log_week(services: Any, now: Any) -> None:
    """Store WEEK_OF_LOGS through the log service, as /logmeeting would."""
    for user, line in WEEK_OF_LOGS:
        assert services.logs.log_text(user, line, now).ok, line
