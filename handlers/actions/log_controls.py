"""The buttons on `/logmeeting` replies and on the Home tab: Undo, Edit, pick a mentee or
date, open the form. On Home (no response_url) the answer is the Home re-published with it on
top; after a change the presser's Home is refreshed.

Every press is checked server-side against who pressed it, never against the button's value.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import log_views
from bot.slack import payload_values as values
from bot.slack.log_views import MAX_VALUE_TEXT
from bot.slack.payload_values import BadValue
from handlers.commands.logmeeting import form_defaults
from handlers.home import answer_press
from handlers.reply import Payload, build_reply, refuse_bad_value, services_of


def undo(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Undo a logged batch: the author or a coordinator."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        batch_id = values.batch_id(values.action_value(body), "Undo button")
        now = services.clock.now()
        removed = services.logs.undo(body["user"]["id"], batch_id, now)
        program = services.programs.current()
        target = program.weekly_target(program.today(now))
        return log_views.undone(removed, target)

    payload = build_reply(build)
    answer_press(body, respond, client, services, payload, replace=True)


def edit(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the edit form for an entry the presser may change."""
    ack()
    services = services_of(context)
    found: list[Any] = []

    def build() -> Payload:
        entry_id = values.row_id(values.action_value(body), "Edit button", wide=True)
        found.append(services.logs.entry_form(body["user"]["id"], entry_id, services.clock.now()))
        return {}

    refusal = build_reply(build)
    if not found:
        answer_press(body, respond, client, services, refusal, replace=False)
        return
    defaults, entry_id = found[0]
    client.views_open(
        trigger_id=body["trigger_id"], view=log_views.log_form(defaults, entry_id=entry_id)
    )


def open_form(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the new-entry form prefilled from the text the button carries."""
    ack()
    services = services_of(context)
    try:
        text = values.text(values.action_value(body), "form button", limit=MAX_VALUE_TEXT)
    except BadValue as exc:
        answer_press(body, respond, client, services, refuse_bad_value(exc), replace=False)
        return
    defaults, refusal = form_defaults(services, body["user"]["id"], text)
    if defaults is None:
        answer_press(body, respond, client, services, refusal, replace=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=log_views.log_form(defaults))


def pick(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Log the original line with the chosen mentee or date, once per question: a second
    press of any of its choices (or Slack's retry) stores nothing and says so."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        place = "choice button"
        choice = values.json_object(values.action_value(body), place)
        text = values.text(choice.get("t"), place, limit=MAX_VALUE_TEXT)
        mentee_id = values.json_id(choice["m"], place) if "m" in choice else None
        on = values.day(choice["d"], place) if "d" in choice else None
        once = values.question_once(choice, place)
        outcome = services.logs.log_text(
            body["user"]["id"], text, services.clock.now(), mentee_id=mentee_id, on=on, once=once
        )
        if outcome.ok:
            return log_views.logged(outcome)
        return log_views.question(outcome, asked=once.source)  # a follow-up: the same question

    payload = build_reply(build)
    answer_press(body, respond, client, services, payload, replace=True)
