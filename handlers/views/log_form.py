"""The log form: a new entry, or an edit. Errors show under the field; success is DMed (the
Home shows it when the person next opens the tab)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.grammar import ParseError
from bot.services.errors import AlreadyAnswered, ParseRefused, Refusal
from bot.slack import log_views, request_views
from bot.slack import payload_values as parse
from bot.slack.payload_values import MAX_WORD, BadValue
from handlers.reply import Payload, refuse_bad_value_view, services_of

log = logging.getLogger(__name__)
SORRY = "Something went wrong on our side; nothing was saved. Please try again."


def _dm(client: WebClient, user_id: str, payload: Payload) -> None:
    try:
        client.chat_postMessage(channel=user_id, text=payload["text"], blocks=payload["blocks"])
    except SlackApiError as exc:
        log.warning("could not DM %s: %s", user_id, exc.response.get("error"))


@dataclass(frozen=True)
class _Form:
    """A log form's fields, read strictly (None where left empty)."""

    mentee: int | None
    on: date | None
    duration: str
    kind: str
    notes: str | None
    standards: str | None


def _read(view: dict[str, Any]) -> _Form:
    """The form's fields, or a BadValue when one holds what the form could not have sent."""
    place = "form"
    values = log_views.form_values(view.get("state"))
    mentee = values.get("mentee")
    return _Form(
        mentee=None if mentee is None else parse.row_id(mentee, place),
        on=parse.optional_day(values.get("date"), place),
        duration=parse.text(values.get("duration") or "", place, limit=MAX_WORD),
        kind=parse.text(values.get("kind") or "meeting", place, limit=MAX_WORD),
        notes=parse.free_text(values.get("notes"), place),
        standards=parse.optional_text(values.get("standards"), place, limit=MAX_WORD),
    )


def submit_new(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store the form's entry, or show what is wrong under the field."""
    services = services_of(context)
    user_id = body["user"]["id"]
    try:
        form = _read(view)
        once = parse.view_once(body, view)
    except BadValue as exc:
        ack(response_action="update", view=refuse_bad_value_view(exc))
        return
    missing = {"mentee": "Choose the mentee."} if form.mentee is None else {}
    if form.on is None:
        missing["date"] = "Pick a date."
    if missing or form.mentee is None or form.on is None:
        ack(response_action="errors", errors=missing)
        return
    try:
        outcome = services.logs.log_form(
            user_id,
            services.clock.now(),
            mentee_id=form.mentee,
            duration_text=form.duration,
            kind=form.kind,
            on=form.on,
            notes=form.notes,
            standards=log_views.picked_standards(form.standards),
            once=once,
        )
    except AlreadyAnswered as exc:  # Slack's retry of a submission already stored
        ack(response_action="update", view=request_views.refusal_view(exc.message))
        return
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
    try:
        entry_id = parse.row_id(parse.metadata(view), "form", wide=True)
        form = _read(view)
        once = parse.view_once(body, view)
    except BadValue as exc:
        ack(response_action="update", view=refuse_bad_value_view(exc))
        return
    if form.on is None:
        ack(response_action="errors", errors={"date": "Pick a date."})
        return
    try:
        entry = services.logs.edit(
            user_id,
            entry_id,
            services.clock.now(),
            duration_text=form.duration,
            kind=form.kind,
            on=form.on,
            notes=form.notes,
            once=once,
        )
    except AlreadyAnswered as exc:
        ack(response_action="update", view=request_views.refusal_view(exc.message))
        return
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
