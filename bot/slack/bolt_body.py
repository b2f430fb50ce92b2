"""A mend for Bolt's body parsing (slack_bolt/request/internals.py `parse_body`).

Bolt treats any form body in which the letters "payload" appear as an interaction and, when it
finds no `payload` field, drops the whole request: `/logmeeting 45m payload review` arrived as
an empty request and Slack showed "dispatch_failed". Here the form is read first and the field
looked for. The signature is still checked by Bolt on the raw body, as before."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request import request as bolt_request


def parse_body(body: str, content_type: str | None) -> dict[str, Any]:
    """Bolt's parse, with an interaction recognised by its `payload` field, not by a substring."""
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        parsed: dict[str, Any] = json.loads(body)
        return parsed
    params = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in params:
        payload: dict[str, Any] = json.loads(params["payload"])
        return payload
    return params


def install() -> None:
    """Use this parse for every BoltRequest built from now on (idempotent)."""
    bolt_request.parse_body = parse_body  # type: ignore[attr-defined]
