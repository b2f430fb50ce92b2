"""`/logmeeting 45m observation …`: log in one line; asks instead of guessing; no text → form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.model import FormDefaults
from bot.services.container import Services
from bot.slack import log_views
from handlers.reply import Payload, ack_with, build_reply, services_of

HELP_WORDS = ("help", "?", "-h", "--help")


def handle(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Answer `/logmeeting` in the ack (or open the form for an empty command)."""
    services = services_of(context)
    text = (command.get("text") or "").strip()
    user_id = command["user_id"]
    if not text:
        defaults, refusal = form_defaults(services, user_id, "")
        if defaults is None:
            ack_with(ack, lambda: refusal)
            return
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=log_views.log_form(defaults))
        return
    if text.lower() in HELP_WORDS:
        ack_with(ack, log_views.log_help)
        return

    def build() -> Payload:
        outcome = services.logs.log_text(user_id, text, services.clock.now())
        return log_views.logged(outcome) if outcome.ok else log_views.question(outcome)

    ack_with(ack, build)


def form_defaults(
    services: Services, user_id: str, text: str
) -> tuple[FormDefaults | None, Payload]:
    """The form's prefilled values, or the refusal to show instead."""
    found: list[FormDefaults] = []

    def build() -> Payload:
        found.append(services.logs.form_defaults(user_id, services.clock.now(), text))
        return {}

    refusal = build_reply(build)
    return (found[0] if found else None), refusal
