"""Buttons of reassignment requests: "Request a change" (a mentor's or mentee's, on Home or a
message), the requester's Withdraw, and the coordinators' Reassign and Decline. Those open a
form with the trigger_id — Home has no response_url — and a refusal opens as a form too. The
presser is checked now, server-side; the button's value only names what was offered."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import payload_values as values
from bot.slack import request_views
from bot.slack.budget import SLACK_CALL_ERRORS, describe_failure
from handlers.commands.induction_change import form_for
from handlers.reply import (
    Payload,
    build_reply,
    refuse_bad_value_view,
    respond_with,
    services_of,
)

log = logging.getLogger(__name__)


def _open(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    except SLACK_CALL_ERRORS as exc:
        log.warning("could not open a request form: %s", describe_failure(exc))


def _as_view(payload: Payload) -> dict[str, Any]:
    return request_views.result_view("Mentor Minutes", payload["blocks"])


def _request_id(body: dict[str, Any], place: str) -> int:
    """The request a Reassign, Decline or Withdraw button is about (a BadValue if crafted)."""
    return values.json_id(values.json_object(values.action_value(body), place).get("r"), place)


def request_change(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Open the request form for the presser's pairs (value: "" or an assignment id)."""
    ack()
    services = services_of(context)
    try:
        pair = values.optional_row_id(values.action_value(body), "Request a change button")
    except values.BadValue as exc:
        _open(client, body, refuse_bad_value_view(exc))
        return
    form, refusal = form_for(services, body["user"]["id"], pair)
    _open(client, body, request_views.request_form(form) if form else _as_view(refusal))


def reassign(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Open the Reassign form with suggested mentors (coordinators only)."""
    ack()
    services = services_of(context)
    forms: list[dict[str, Any]] = []

    def build() -> Payload:
        request_id = _request_id(body, "Reassign button")
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
    forms: list[dict[str, Any]] = []

    def build() -> Payload:
        request_id = _request_id(body, "Decline button")
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

    def build() -> Payload:
        request_id = _request_id(body, "Withdraw button")
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
