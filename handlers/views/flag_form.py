"""The flag form's submission: the reason is required; the author is told by DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.services.errors import Refusal
from bot.slack import signoff_views
from bot.slack.signoff_views import FLAG_REASON
from handlers.reply import services_of


def submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Flag the entry with the reason given, or show what is wrong in the form."""
    services = services_of(context)
    metadata = view.get("private_metadata", "")
    state = view.get("state", {}).get("values", {})
    reason = (state.get(FLAG_REASON, {}).get(FLAG_REASON, {}).get("value") or "").strip()
    if not metadata.isdigit():
        ack(response_action="errors", errors={FLAG_REASON: "This form is out of date."})
        return
    try:
        review = services.signoff.review(
            body["user"]["id"], int(metadata), "flagged", reason, services.clock.now()
        )
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
