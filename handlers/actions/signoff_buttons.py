"""Sign off (after the preview) and an entry's Confirm / Flag. The presser is checked by the
service, never the button's value; a press from Home (no response_url) is answered by DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.slack import payload_values as values
from bot.slack import signoff_views
from bot.slack.payload_values import BadValue
from handlers.home import answer_press
from handlers.reply import Payload, build_reply, refuse_bad_value, services_of


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
        place = "Sign off button"
        value = values.json_object(values.action_value(body), place)
        period = values.period(value.get("first"), value.get("last"), place)
        school = values.school(value.get("school"), place)
        done = services.signoff.sign(body["user"]["id"], period, school, services.clock.now())
        return signoff_views.signed(done)

    _answer(body, client, respond, services, build_reply(build))


def confirm_entry(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Confirm an entry (the other side of the pair only)."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        entry_id = values.row_id(values.action_value(body), "Confirm button", wide=True)
        review = services.signoff.review(
            body["user"]["id"], entry_id, "confirmed", None, services.clock.now()
        )
        return signoff_views.reviewed(review)

    _answer(body, client, respond, services, build_reply(build))


def flag_entry(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the form asking why an entry is flagged."""
    ack()
    try:
        entry_id = values.row_id(values.action_value(body), "Flag button", wide=True)
    except BadValue as exc:
        services = services_of(context)
        payload = refuse_bad_value(exc)
        answer_press(body, respond, client, services, payload, replace=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=signoff_views.flag_form(entry_id))
