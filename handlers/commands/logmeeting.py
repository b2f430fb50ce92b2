"""`/logmeeting 45m observation …`: log in one line; asks instead of guessing; no text → form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.domain.entries import FormDefaults
from bot.slack import log_views, views
from bot.slack.budget import SLACK_CALL_ERRORS, describe_failure
from handlers.reply import Payload, ack_with, build_reply, services_of

log = logging.getLogger(__name__)

HELP_WORDS = ("help", "?", "-h", "--help")
FORM_UNAVAILABLE = (
    "Slack did not open the form just now; nothing was saved. Type the entry instead."
)
FORM_EXAMPLE = "/logmeeting 45m observation"


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
        try:  # before the ack, so that a form Slack would not open can be said in it
            client.views_open(trigger_id=command["trigger_id"], view=log_views.log_form(defaults))
        except SLACK_CALL_ERRORS as exc:
            log.warning("could not open the log form: %s", describe_failure(exc))
            ack_with(ack, lambda: views.refusal(FORM_UNAVAILABLE, FORM_EXAMPLE))
            return
        ack()
        return
    if text.lower() in HELP_WORDS:
        ack_with(ack, log_views.log_help)
        return

    def build() -> Payload:
        outcome = services.logs.log_text(user_id, text, services.clock.now())
        return log_views.logged(outcome) if outcome.ok else log_views.question(outcome)

    # The ack is the whole answer: no Home is read or published after it (issue 18).
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
