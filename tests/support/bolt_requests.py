"""Dispatch signed slash commands and events into a Bolt app in-process, and walk payloads."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from tests.support.blockkit import valid_ack
from tests.support.hillside import SIGNING_SECRET
from tests.support.signing import (
    DEFAULT_APP_ID,
    DEFAULT_TEAM_ID,
    block_action_body,
    signed_headers,
    slash_command_body,
)
from tests.support.slack_api import RESPONSE_URL_METHOD, FakeSlackApi


def dispatch(app: App, body: str, secret: str = SIGNING_SECRET) -> BoltResponse:
    """A signed request into the app, as Slack sends it; it must answer 200."""
    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(secret, body)))
    assert response.status == 200, (response.status, response.body)
    return response


def reply_of(response: BoltResponse) -> dict[str, Any] | None:
    """The ack's body, checked as Slack would read it (tests/support/blockkit.py); None if empty."""
    return valid_ack(response.body)


def command(app: App, secret: str, name: str, text: str, user_id: str) -> dict[str, Any]:
    """Send a signed slash command; return the ack's JSON body (the ephemeral reply, checked)."""
    reply = reply_of(dispatch(app, slash_command_body(name, text, user_id), secret))
    assert reply is not None, f"{name} {text}: an empty ack"
    return reply


def slash(app: App, name: str, text: str, user_id: str) -> dict[str, Any]:
    """`NAME TEXT` as `user_id`: the ephemeral reply of the ack, checked as Block Kit."""
    reply = command(app, SIGNING_SECRET, name, text, user_id)
    assert reply["response_type"] == "ephemeral", reply
    return reply


def press(app: App, slack_api: FakeSlackApi, user: str, action_id: str, value: str) -> BoltResponse:
    """A signed button press on a message whose response_url is the fake's."""
    body = block_action_body(user, action_id, value, response_url=slack_api.response_url)
    return dispatch(app, body)


def press_for_answer(app: App, slack_api: FakeSlackApi, user: str, button: dict[str, Any]) -> str:
    """A signed press of a DM's button; the text the app answered through response_url."""
    before = len(slack_api.calls_to(RESPONSE_URL_METHOD))
    press(app, slack_api, user, button["action_id"], button.get("value", ""))
    answers = slack_api.wait_for_calls(RESPONSE_URL_METHOD, before + 1)
    return str(answers[-1].params["text"])


def responded(slack_api: FakeSlackApi) -> str:
    """Everything posted to response_urls so far, as one JSON string for `in` checks."""
    return json.dumps([c.params for c in slack_api.calls if c.method == RESPONSE_URL_METHOD])


def event_body(event: dict[str, Any], *, team_id: str = DEFAULT_TEAM_ID) -> str:
    """The JSON body of an Events API `event_callback`."""
    return json.dumps(
        {
            "token": "fake-verification-token",
            "team_id": team_id,
            "api_app_id": DEFAULT_APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": event,
        }
    )


def open_home(app: App, secret: str, user_id: str) -> int:
    """Send a signed `app_home_opened` event for the Home tab; return the HTTP status."""
    body = event_body(
        {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D{user_id}",
            "tab": "home",
            "event_ts": str(time.time()),
        }
    )
    headers = signed_headers(secret, body)
    headers["Content-Type"] = "application/json"
    return app.dispatch(BoltRequest(body=body, headers=headers)).status


def texts(payload: Any) -> Iterator[str]:
    """Every string anywhere in a JSON-like payload (block texts, fallbacks, values)."""
    if isinstance(payload, str):
        yield payload
    elif isinstance(payload, dict):
        for value in payload.values():
            yield from texts(value)
    elif isinstance(payload, list | tuple):
        for value in payload:
            yield from texts(value)


def all_text(payload: Any) -> str:
    """All strings of a payload joined by newlines, for `in` checks."""
    return "\n".join(texts(payload))
