"""The log form: a new entry, or an edit. Errors show under the field; success is DMed (the
Home shows it when the person next opens the tab)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.grammar import ParseError
from bot.services.errors import ParseRefused, Refusal
from bot.slack import log_views
from handlers.reply import Payload, services_of

log = logging.getLogger(__name__)
SORRY = "Something went wrong on our side; nothing was saved. Please try again."


def _dm(client: WebClient, user_id: str, payload: Payload) -> None:
    try:
        client.chat_postMessage(channel=user_id, text=payload["text"], blocks=payload["blocks"])
    except SlackApiError as exc:
        log.warning("could not DM %s: %s", user_id, exc.response.get("error"))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def submit_new(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store the form's entry, or show what is wrong under the field."""
    services = services_of(context)
    user_id = body["user"]["id"]
    values = log_views.form_values(view.get("state") or {})
    on = _date(values.get("date"))
    mentee = values.get("mentee")
    if not mentee or not mentee.isdigit():
        ack(response_action="errors", errors={"mentee": "Choose the mentee."})
        return
    if on is None:
        ack(response_action="errors", errors={"date": "Pick a date."})
        return
    try:
        outcome = services.logs.log_form(
            user_id,
            services.clock.now(),
            mentee_id=int(mentee),
            duration_text=values.get("duration") or "",
            kind=values.get("kind") or "meeting",
            on=on,
            notes=values.get("notes"),
            standards=log_views.picked_standards(values.get("standards")),
        )
    except Refusal as exc:
        ack(response_action="errors", errors={"mentee": exc.message[:150]})
        return
    except Exception:
        log.exception("log form failed")
        ack(response_action="errors", errors={"duration": SORRY})
        return
    if outcome.error is not None:
        ack(response_action="errors", errors=log_views.form_errors(outcome.error))
        return
    ack()
    _dm(client, user_id, log_views.logged(outcome))


def submit_edit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Apply an edit (author or coordinator), audited."""
    services = services_of(context)
    user_id = body["user"]["id"]
    values = log_views.form_values(view.get("state") or {})
    on = _date(values.get("date"))
    entry_id = view.get("private_metadata") or ""
    if on is None or not entry_id.isdigit():
        ack(response_action="errors", errors={"date": "Pick a date."})
        return
    try:
        entry = services.logs.edit(
            user_id,
            int(entry_id),
            services.clock.now(),
            duration_text=values.get("duration") or "",
            kind=values.get("kind") or "meeting",
            on=on,
            notes=values.get("notes"),
        )
    except ParseRefused as exc:
        assert isinstance(exc.error, ParseError)
        ack(response_action="errors", errors=log_views.form_errors(exc.error, has_mentee=False))
        return
    except Refusal as exc:
        ack(response_action="errors", errors={"duration": exc.message[:150]})
        return
    program = services.programs.current()
    target = program.weekly_target(program.today(services.clock.now()))
    ack()
    _dm(client, user_id, log_views.updated(entry, target))
