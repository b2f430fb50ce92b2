"""The flag form's submission: the reason is required; the author is told by DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.services.errors import AlreadyAnswered, Refusal
from bot.slack import payload_values as parse
from bot.slack import request_views, signoff_views
from bot.slack.payload_values import BadValue
from bot.slack.signoff_views import FLAG_REASON
from handlers.reply import refuse_bad_value_view, services_of


def submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Flag the entry with the reason given, or show what is wrong in the form."""
    services = services_of(context)
    try:
        entry_id = parse.row_id(parse.metadata(view), "flag form", wide=True)
        typed = parse.input_text(view, FLAG_REASON, FLAG_REASON, "flag form")
        reason = (typed or "").strip()
        once = parse.view_once(body, view)
    except BadValue as exc:
        ack(response_action="update", view=refuse_bad_value_view(exc))
        return
    try:
        review = services.signoff.review(
            body["user"]["id"], entry_id, "flagged", reason, services.clock.now(), once
        )
    except AlreadyAnswered as exc:  # Slack's retry: the author was told once
        ack(response_action="update", view=request_views.refusal_view(exc.message))
        return
    except Refusal as exc:
        ack(response_action="errors", errors={FLAG_REASON: exc.message[:150]})
        return
    ack()
    told = signoff_views.reviewed(review)
    client.chat_postMessage(channel=body["user"]["id"], text=told["text"], blocks=told["blocks"])
    author = review.author.slack_user_id
    if author:
        note = signoff_views.flagged_note(review)
        client.chat_postMessage(channel=author, text=note["text"], blocks=note["blocks"])
