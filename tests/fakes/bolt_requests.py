"""Dispatch signed slash commands and events into a Bolt app in-process, and walk payloads."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from slack_bolt import App, BoltRequest

from fakes.signing import DEFAULT_APP_ID, DEFAULT_TEAM_ID, signed_headers, slash_command_body


def command(app: App, secret: str, name: str, text: str, user_id: str) -> dict[str, Any]:
    """Send a signed slash command; return the ack's JSON body (the ephemeral reply)."""
    body = slash_command_body(name, text, user_id)
    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(secret, body)))
    assert response.status == 200, (response.status, response.body)
    parsed = json.loads(response.body)
    assert isinstance(parsed, dict)
    return parsed


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
