"""The buttons on `/logmeeting` replies and on the Home tab: Undo, Edit, pick a mentee or
date, open the form. On Home (no response_url) the answer is the Home re-published with it on
top; after a change the presser's Home is refreshed.

Every press is checked server-side against who pressed it, never against the button's value.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import log_views, views
from handlers.commands.logmeeting import form_defaults
from handlers.home import answer_press
from handlers.reply import Payload, build_reply, services_of


def undo(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Undo a logged batch: the author or a coordinator."""
    ack()
    services = services_of(context)
    batch_id = body["actions"][0].get("value", "")

    def build() -> Payload:
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
    value = body["actions"][0].get("value", "")
    found: list[Any] = []

    def build() -> Payload:
        if not value.isdigit():
            return views.refusal("That button is out of date.")
        found.append(services.logs.entry_form(body["user"]["id"], int(value), services.clock.now()))
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
    text = body["actions"][0].get("value", "")
    defaults, refusal = form_defaults(services, body["user"]["id"], text)
    if defaults is None:
        answer_press(body, respond, client, services, refusal, replace=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=log_views.log_form(defaults))


def pick(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Log the original line with the chosen mentee or date."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        try:
            choice = json.loads(body["actions"][0].get("value", ""))
            text = str(choice["t"])
            mentee_id = int(choice["m"]) if "m" in choice else None
            on = date.fromisoformat(choice["d"]) if "d" in choice else None
        except (ValueError, KeyError, TypeError):
            return views.refusal("That button is out of date; please type the command again.")
        outcome = services.logs.log_text(
            body["user"]["id"], text, services.clock.now(), mentee_id=mentee_id, on=on
        )
        return log_views.logged(outcome) if outcome.ok else log_views.question(outcome)

    payload = build_reply(build)
    answer_press(body, respond, client, services, payload, replace=True)
