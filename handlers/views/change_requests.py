"""Submissions of the reassignment-request forms: the request, Reassign and Decline. A field at
fault is shown under it; any other refusal, and the outcome, replace the form (in the ack)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, BoltContext

from bot.domain.assignments import MOVE_ENTRIES
from bot.domain.reassignment import NOTE_MAX, clean_text, reason_problem
from bot.services.errors import Refusal
from bot.slack import log_views, request_views
from bot.slack import payload_values as parse
from bot.slack.payload_values import BadValue
from handlers.reply import SORRY, refuse_bad_value_view, services_of

log = logging.getLogger(__name__)
T = TypeVar("T")


PLACE = "request form"


def _values(view: dict[str, Any]) -> dict[str, str | None]:
    return log_views.form_values(view.get("state"))


def _metadata_id(view: dict[str, Any]) -> int | None:
    return parse.optional_row_id(parse.metadata(view), PLACE)


def _settle(ack: Ack, act: Callable[[], T], shown: Callable[[T], dict[str, Any]]) -> None:
    """Do what the form asks and replace the form with the outcome, or with why nothing was
    done (a refusal's message; anything unexpected: sorry, logged)."""
    try:
        outcome = act()
    except Refusal as exc:
        ack(response_action="update", view=request_views.refusal_view(exc.message, exc.example))
        return
    except Exception:
        log.exception("request form failed")
        ack(response_action="update", view=request_views.refusal_view(SORRY))
        return
    ack(response_action="update", view=shown(outcome))


def _form_id(view: dict[str, Any]) -> int:
    """The request a Reassign or Decline form is about (a BadValue when crafted)."""
    return parse.row_id(parse.metadata(view), PLACE)


def submit_request(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """File the request from the form; confirm it in the form, with the hold-harmless wording."""
    services = services_of(context)
    try:
        values = _values(view)
        pair = _metadata_id(view)
        chosen = parse.optional_row_id(values.get("pair") or "", PLACE)
        reason = parse.free_text(values.get("reason"), PLACE)
    except BadValue as exc:
        ack(response_action="update", view=refuse_bad_value_view(exc))
        return
    if pair is None and chosen is None:
        ack(response_action="errors", errors={"pair": "Choose the person the request is about."})
        return
    problem = reason_problem(clean_text(reason))
    if problem:
        ack(response_action="errors", errors={"reason": problem[:150]})
        return
    _settle(
        ack,
        lambda: services.requests.ask(
            body["user"]["id"],
            services.clock.now(),
            request_views.render_notice,
            assignment_id=pair if pair is not None else chosen,
            reason=reason,
        ),
        request_views.filed_view,
    )


def submit_reassign(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Reassign the pair's mentee to the chosen mentor (coordinators, checked now)."""
    services = services_of(context)
    try:
        request_id = _form_id(view)
        values = _values(view)
        mentor = parse.optional_row_id(values.get("mentor") or "", PLACE)
    except BadValue as exc:
        ack(response_action="update", view=refuse_bad_value_view(exc))
        return
    if mentor is None:
        ack(response_action="errors", errors={"mentor": "Choose the new mentor."})
        return
    _settle(
        ack,
        lambda: services.requests.reassign(
            body["user"]["id"],
            request_id,
            mentor,
            services.clock.now(),
            request_views.render_notice,
            move_entries=values.get(request_views.MOVE_BLOCK) == MOVE_ENTRIES,
        ),
        request_views.answered_view,
    )


def submit_decline(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Decline the request with the note, sent to the requester (coordinators, checked now)."""
    services = services_of(context)
    try:
        request_id = _form_id(view)
        note = clean_text(parse.free_text(_values(view).get("note"), PLACE))
    except BadValue as exc:
        ack(response_action="update", view=refuse_bad_value_view(exc))
        return
    problem = (
        "Write a note for the person who asked: it is sent to them."
        if note is None
        else reason_problem(note, NOTE_MAX, "note")
    )
    if problem:
        ack(response_action="errors", errors={"note": problem[:150]})
        return
    _settle(
        ack,
        lambda: services.requests.decline(
            body["user"]["id"],
            request_id,
            note,
            services.clock.now(),
            request_views.render_notice,
        ),
        request_views.answered_view,
    )
