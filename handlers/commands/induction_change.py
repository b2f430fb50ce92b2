"""`/induction change [@person] [reason…]`: a mentor or mentee asks the coordinators for a change
of their pairing (hold-harmless, confidential); alone, it opens the request form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.domain.grammar.command_text import InductionArgs
from bot.domain.reassignment import RequestForm
from bot.services.requests import CHANGE_EXAMPLE
from bot.slack import request_views, views
from bot.slack.budget import SLACK_CALL_ERRORS, describe_failure
from handlers.reply import Payload, ack_with, build_reply

log = logging.getLogger(__name__)

FORM_UNAVAILABLE = (
    "Slack did not open the request form just now; nothing was sent. Type the request instead."
)


def handle(
    ack: Ack, command: dict[str, Any], client: WebClient, services: Services, args: InductionArgs
) -> None:
    """File the request and confirm it in the ack, or open the form for a bare `change`."""
    user_id = command["user_id"]
    if not args.people and not args.reason:
        form, refusal = form_for(services, user_id, None)
        if form is None:
            ack_with(ack, lambda: refusal)
            return
        try:  # before the ack, so that a form Slack would not open can be said in it
            client.views_open(
                trigger_id=command["trigger_id"], view=request_views.request_form(form)
            )
        except SLACK_CALL_ERRORS as exc:
            log.warning("could not open the request form: %s", describe_failure(exc))
            ack_with(ack, lambda: views.refusal(FORM_UNAVAILABLE, CHANGE_EXAMPLE))
            return
        ack()
        return

    def build() -> Payload:
        request = services.requests.ask(
            user_id,
            services.clock.now(),
            request_views.render_notice,
            other_ref=args.people[0] if args.people else None,
            reason=args.reason,
        )
        return request_views.filed(request)

    ack_with(ack, build)


def form_for(
    services: Services, user_id: str, assignment_id: int | None
) -> tuple[RequestForm | None, Payload]:
    """The request form's choices for the caller, or the refusal to show instead."""
    found: list[RequestForm] = []

    def build() -> Payload:
        found.append(services.requests.form(user_id, services.clock.now(), assignment_id))
        return {}

    refusal = build_reply(build)
    return (found[0] if found else None), refusal
