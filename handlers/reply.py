"""How a listener answers: build the reply, or turn a refusal into a clear ephemeral message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.bootstrap import Services
from bot.domain.grammar.command_text import UsageError
from bot.services.errors import Refusal, UnknownMention
from bot.slack import request_views, views
from bot.slack.payload_values import BadValue

log = logging.getLogger(__name__)

Payload = dict[str, Any]
STALE_EXAMPLE = "/logmeeting help"
SORRY = (
    "Something went wrong on our side and nothing was saved. "
    "Please try again in a minute; if it keeps happening, tell your coordinator."
)


def services_of(context: BoltContext) -> Services:
    """The services the app factory put on the context."""
    services = context["services"]
    assert isinstance(services, Services)
    return services


def stale_text(exc: BadValue) -> str:
    """What a person reads when a button or form carried a value our views never drew."""
    return (
        f"That {exc.place} holds something I can't read, so nothing was changed. Buttons and "
        "forms on older messages can go out of date: open a fresh one, or type the command."
    )


def refuse_bad_value(exc: BadValue) -> Payload:
    """The refusal of a crafted or stale value, logged in one line naming the place (never the
    value)."""
    log.warning("refused a value no view of ours drew: %s", exc.place)
    return views.refusal(stale_text(exc), STALE_EXAMPLE)


def refuse_bad_value_view(exc: BadValue) -> dict[str, Any]:
    """The same refusal as a modal (a form's answer, or a press with no message to reply to)."""
    log.warning("refused a value no view of ours drew: %s", exc.place)
    return request_views.refusal_view(stale_text(exc), STALE_EXAMPLE)


def build_reply(build: Callable[[], Payload]) -> Payload:
    """The payload from `build`, or a refusal that says what was wrong."""
    try:
        return build()
    except Exception as exc:
        return refusal_for(exc)


def refusal_for(exc: Exception) -> Payload:
    """What was wrong with the input (a crafted value, a UsageError or a Refusal), or sorry
    (logged): our fault."""
    if isinstance(exc, BadValue):
        return refuse_bad_value(exc)
    if isinstance(exc, UnknownMention):
        return views.unknown_mention(exc.user_id, exc.program, exc.example)
    if isinstance(exc, UsageError | Refusal):
        return views.refusal(exc.message, exc.example)
    if getattr(exc, "reply_quietly", False):  # the HTTP edge answers for it (bot.store.db)
        log.warning("listener stopped: %s", exc)
    else:
        log.error("listener failed", exc_info=exc)
    return views.refusal(SORRY)


def respond_with(respond: Respond, payload: Payload, *, replace: bool) -> None:
    """Answer a button press (through its response_url), ephemeral."""
    if payload:
        respond(
            text=payload.get("text", ""),
            blocks=payload.get("blocks"),
            response_type="ephemeral",
            replace_original=replace,
        )


def ack_with(ack: Ack, build: Callable[[], Payload]) -> None:
    """Acknowledge with the reply (ephemeral, within Slack's 3 seconds)."""
    payload = build_reply(build)
    ack(
        text=payload.get("text") or "",
        blocks=payload.get("blocks"),
        response_type=payload.get("response_type", "ephemeral"),
    )
