"""The Answer button on a survey or exit-ticket DM: open the answer modal for the presser.

Who may answer is checked against the store (the presser must be a recipient who has not
answered, while the survey is open); the button's value only names the survey."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services.errors import Refusal
from bot.slack import payload_values as values
from bot.slack import survey_views, views
from bot.slack.payload_values import BadValue
from handlers.reply import refuse_bad_value, respond_with, services_of


def open_form(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the survey's answer modal, or say why it can't be answered."""
    ack()
    services = services_of(context)
    try:
        survey_id = values.row_id(values.action_value(body), "Answer button")
    except BadValue as exc:
        respond_with(respond, refuse_bad_value(exc), replace=False)
        return
    try:
        form = services.surveys.form(body["user"]["id"], survey_id, services.clock.now())
    except Refusal as exc:
        respond_with(respond, views.refusal(exc.message), replace=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=survey_views.answer_modal(form))
