"""Sign off (after the preview) and an entry's Confirm / Flag. The presser is checked by the
service, never the button's value; a press from Home (no response_url) is answered by DM."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.domain.signoff import Period
from bot.slack import signoff_views, views
from handlers.home import answer_press
from handlers.reply import Payload, build_reply, services_of


def _answer(
    body: dict[str, Any], client: WebClient, respond: Respond, services: Services, payload: Payload
) -> None:
    """On Home, the Home re-published with the answer on top; on a message, a reply."""
    answer_press(body, respond, client, services, payload, replace=False)


def sign(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Sign off the period the preview showed."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        try:
            value = json.loads(body["actions"][0].get("value", ""))
            period = Period(date.fromisoformat(value["first"]), date.fromisoformat(value["last"]))
            school = value.get("school")
        except (ValueError, KeyError, TypeError):
            return views.refusal("That button is out of date.")
        done = services.signoff.sign(
            body["user"]["id"],
            period,
            school if isinstance(school, str) else None,
            services.clock.now(),
        )
        return signoff_views.signed(done)

    _answer(body, client, respond, services, build_reply(build))


def confirm_entry(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Confirm an entry (the other side of the pair only)."""
    ack()
    services = services_of(context)
    value = body["actions"][0].get("value", "")

    def build() -> Payload:
        if not value.isdigit():
            return views.refusal("That button is out of date.")
        review = services.signoff.review(
            body["user"]["id"], int(value), "confirmed", None, services.clock.now()
        )
        return signoff_views.reviewed(review)

    _answer(body, client, respond, services, build_reply(build))


def flag_entry(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the form asking why an entry is flagged."""
    ack()
    value = body["actions"][0].get("value", "")
    if not value.isdigit():
        _answer(
            body,
            client,
            respond,
            services_of(context),
            views.refusal("That button is out of date."),
        )
        return
    client.views_open(trigger_id=body["trigger_id"], view=signoff_views.flag_form(int(value)))
