"""Build signed Slack request bodies (slash commands, interactions) for Bolt endpoint tests."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

DEFAULT_TEAM_ID = "T0TEST"
DEFAULT_CHANNEL_ID = "C0TEST"
DEFAULT_TRIGGER_ID = "1337.42.abcd"
DEFAULT_RESPONSE_URL = "http://127.0.0.1:9/response"
DEFAULT_APP_ID = "A0TEST"
_VERIFICATION_TOKEN = "fake-verification-token"
_SELECT_TYPES = frozenset({"static_select", "external_select", "radio_buttons", "overflow"})
# Slack gives every invocation its own response_url, so no two commands are the same request
# (the edge refuses a signed request it has seen: bot/web/ingress.py).
_INVOCATIONS = itertools.count(1)
# Every modal Slack opens has its own view id: a submission is claimed once by it (and its hash).
_VIEWS = itertools.count(1)


def signed_headers(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends with a request body, signed with `signing_secret`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    if signature is None:
        raise ValueError("could not sign the request body")
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def slash_command_body(
    command: str,
    text: str,
    user_id: str,
    *,
    team_id: str = DEFAULT_TEAM_ID,
    channel_id: str = DEFAULT_CHANNEL_ID,
    trigger_id: str = DEFAULT_TRIGGER_ID,
    response_url: str | None = None,
) -> str:
    """The urlencoded body of a slash command invocation (a fresh response_url unless given)."""
    return urlencode(
        {
            "token": _VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": "fake-workspace",
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel_id.startswith("D") else "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": DEFAULT_APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url or f"{DEFAULT_RESPONSE_URL}/{next(_INVOCATIONS)}",
            "trigger_id": trigger_id,
        }
    )


def _user(user_id: str, team_id: str) -> dict[str, str]:
    """The `user` object of an interaction payload."""
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _team(team_id: str) -> dict[str, str]:
    """The `team` object of an interaction payload."""
    return {"id": team_id, "domain": "fake-workspace"}


def _payload_body(payload: dict[str, Any]) -> str:
    """Urlencode an interaction payload as Slack does (`payload=<json>`)."""
    return urlencode({"payload": json.dumps(payload)})


def block_action_body(
    user_id: str,
    action_id: str,
    value: str,
    *,
    block_id: str = "actions",
    action_type: str = "button",
    team_id: str = DEFAULT_TEAM_ID,
    channel_id: str = DEFAULT_CHANNEL_ID,
    message_ts: str = "1700000000.000100",
    view: dict[str, Any] | None = None,
    trigger_id: str = DEFAULT_TRIGGER_ID,
    response_url: str = DEFAULT_RESPONSE_URL,
) -> str:
    """The urlencoded body of a block_actions interaction (a message or, with `view`, a view)."""
    action: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": str(time.time()),
    }
    if action_type in _SELECT_TYPES:
        action["selected_option"] = {
            "text": {"type": "plain_text", "text": value},
            "value": value,
        }
    else:
        action["value"] = value
        action["text"] = {"type": "plain_text", "text": value}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "api_app_id": DEFAULT_APP_ID,
        "token": _VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "user": _user(user_id, team_id),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        full_view = {"type": "modal", "team_id": team_id, "state": {"values": {}}, **view}
        full_view.setdefault("id", "V0TEST")
        payload["container"] = {"type": "view", "view_id": full_view["id"]}
        payload["view"] = full_view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "general"}
        payload["message"] = {"type": "message", "ts": message_ts, "text": "", "blocks": []}
        payload["response_url"] = response_url
    return _payload_body(payload)


def view_submission_body(
    user_id: str,
    callback_id: str,
    private_metadata: str,
    state_values: dict[str, Any],
    *,
    team_id: str = DEFAULT_TEAM_ID,
    view_id: str | None = None,
    view_hash: str = "1.fakehash",
    trigger_id: str = DEFAULT_TRIGGER_ID,
) -> str:
    """The urlencoded body of a view_submission interaction (a fresh view id unless given: the
    same id and hash twice is Slack retrying one submission)."""
    view_id = view_id or f"V0TEST{next(_VIEWS)}"
    payload: dict[str, Any] = {
        "type": "view_submission",
        "api_app_id": DEFAULT_APP_ID,
        "token": _VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "user": _user(user_id, team_id),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": state_values},
            "hash": view_hash,
            "title": {"type": "plain_text", "text": "Mentor Minutes"},
            "blocks": [],
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": DEFAULT_APP_ID,
            "bot_id": "B0BOT",
        },
        "response_urls": [],
    }
    return _payload_body(payload)
