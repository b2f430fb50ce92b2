"""Submissions of the reassignment-request forms: the request, Reassign and Decline. A field at
fault is shown under it; any other refusal, and the outcome, replace the form (in the ack)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, BoltContext

from bot.domain.reassignment import NOTE_MAX, clean_text, reason_problem
from bot.services.errors import Refusal
from bot.slack import log_views, request_views
from handlers.reply import SORRY, services_of

log = logging.getLogger(__name__)
T = TypeVar("T")


def _values(view: dict[str, Any]) -> dict[str, str | None]:
    return log_views.form_values(view.get("state") or {})


def _metadata_id(view: dict[str, Any]) -> int | None:
    metadata = str(view.get("private_metadata") or "")
    return int(metadata) if metadata.isdigit() else None


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
    """The request a Reassign or Decline form is about (a Refusal when the form is stale)."""
    request_id = _metadata_id(view)
    if request_id is None:
        raise Refusal("That form is out of date; nothing was changed.")
    return request_id


def submit_request(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """File the request from the form; confirm it in the form, with the hold-harmless wording."""
    services = services_of(context)
    values = _values(view)
    pair = _metadata_id(view)
    chosen = values.get("pair")
    if pair is None and not (chosen and chosen.isdigit()):
        ack(response_action="errors", errors={"pair": "Choose the person the request is about."})
        return
    reason = values.get("reason")
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
            assignment_id=pair if pair is not None else int(str(chosen)),
            reason=reason,
        ),
        request_views.filed_view,
    )


def submit_reassign(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Reassign the pair's mentee to the chosen mentor (coordinators, checked now)."""
    services = services_of(context)
    mentor = _values(view).get("mentor")
    if not (mentor and mentor.isdigit()):
        ack(response_action="errors", errors={"mentor": "Choose the new mentor."})
        return
    _settle(
        ack,
        lambda: services.requests.reassign(
            body["user"]["id"],
            _form_id(view),
            int(mentor),
            services.clock.now(),
            request_views.render_notice,
        ),
        request_views.answered_view,
    )


def submit_decline(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Decline the request with the note, sent to the requester (coordinators, checked now)."""
    services = services_of(context)
    note = clean_text(_values(view).get("note"))
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
            _form_id(view),
            note,
            services.clock.now(),
            request_views.render_notice,
        ),
        request_views.answered_view,
    )
