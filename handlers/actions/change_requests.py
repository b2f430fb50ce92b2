"""Buttons of reassignment requests: "Request a change" (a mentor's or mentee's, on Home or a
message), the requester's Withdraw, and the coordinators' Reassign and Decline. Those open a
form with the trigger_id — Home has no response_url — and a refusal opens as a form too. The
presser is checked now, server-side; the button's value only names what was offered."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import request_views
from bot.slack import views as views_
from bot.slack.budget import SLACK_CALL_ERRORS, describe_failure
from handlers.commands.induction_change import form_for
from handlers.reply import Payload, build_reply, respond_with, services_of

log = logging.getLogger(__name__)
OUT_OF_DATE = "That button is out of date; nothing was changed."


def _open(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    except SLACK_CALL_ERRORS as exc:
        log.warning("could not open a request form: %s", describe_failure(exc))


def _as_view(payload: Payload) -> dict[str, Any]:
    return request_views.result_view("Mentor Minutes", payload["blocks"])


def _request_id(body: dict[str, Any]) -> int | None:
    try:
        value = json.loads(body["actions"][0].get("value", ""))
    except (ValueError, KeyError, IndexError):
        return None
    found = value.get("r") if isinstance(value, dict) else None
    return found if isinstance(found, int) else None


def request_change(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Open the request form for the presser's pairs (value: "" or an assignment id)."""
    ack()
    services = services_of(context)
    raw = str(body["actions"][0].get("value") or "").strip()
    if raw and not raw.isdigit():
        _open(client, body, request_views.refusal_view(OUT_OF_DATE))
        return
    form, refusal = form_for(services, body["user"]["id"], int(raw) if raw else None)
    _open(client, body, request_views.request_form(form) if form else _as_view(refusal))


def reassign(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Open the Reassign form with suggested mentors (coordinators only)."""
    ack()
    services = services_of(context)
    request_id = _request_id(body)
    forms: list[dict[str, Any]] = []

    def build() -> Payload:
        if request_id is None:
            return views_.refusal(OUT_OF_DATE)
        choice = services.requests.reassign_choice(
            body["user"]["id"], request_id, services.clock.now()
        )
        forms.append(request_views.reassign_form(choice))
        return {}

    refusal = build_reply(build)
    _open(client, body, forms[0] if forms else _as_view(refusal))


def decline(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Open the Decline form (coordinators only)."""
    ack()
    services = services_of(context)
    request_id = _request_id(body)
    forms: list[dict[str, Any]] = []

    def build() -> Payload:
        if request_id is None:
            return views_.refusal(OUT_OF_DATE)
        request = services.requests.answerable(body["user"]["id"], request_id, services.clock.now())
        forms.append(request_views.decline_form(request))
        return {}

    refusal = build_reply(build)
    _open(client, body, forms[0] if forms else _as_view(refusal))


def withdraw(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Withdraw the presser's own open request; answered where the button was."""
    ack()
    services = services_of(context)
    request_id = _request_id(body)

    def build() -> Payload:
        if request_id is None:
            return views_.refusal(OUT_OF_DATE)
        request = services.requests.withdraw(body["user"]["id"], request_id, services.clock.now())
        return request_views.withdrawn(request)

    payload = build_reply(build)
    view = body.get("view") or {}
    if body.get("response_url"):  # the ephemeral confirmation: replaced, button and all
        respond_with(respond, payload, replace=True)
    elif view.get("type") == "modal" and view.get("id"):  # the request form's confirmation
        try:
            client.views_update(view_id=view["id"], view=_as_view(payload))
        except SLACK_CALL_ERRORS as exc:
            log.warning("could not update the request form: %s", describe_failure(exc))
    else:  # Home: a form of its own
        _open(client, body, _as_view(payload))
