"""Buttons on scheduled DMs: Mark done, Confirm a reported milestone and Assign a suggested
mentor (coordinators; also on the coordinator's Home).

The presser is checked server-side; the button's value only says what was offered."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import views
from handlers.home import answer_press
from handlers.reply import Payload, build_reply, respond_with, services_of


def _value(body: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(body["actions"][0].get("value", ""))
    except (ValueError, KeyError, IndexError):
        return {}
    return value if isinstance(value, dict) else {}


def mark_done(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Mark the milestone of a nudge done, if the presser may."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        value = _value(body)
        if "k" not in value:
            return views.refusal("That button is out of date.")
        person = value.get("p")
        done = services.milestones.mark_done(
            body["user"]["id"],
            str(value["k"]),
            int(person) if isinstance(person, int) else None,
            None,
            services.clock.now(),
        )
        return views.milestone_done(done)

    respond_with(respond, build_reply(build), replace=False)


def confirm(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Confirm a milestone reported done (coordinators: the presser is checked, not the button)."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        value = _value(body)
        person = value.get("p")
        if "k" not in value or not (person is None or isinstance(person, int)):
            return views.refusal("That button is out of date.")
        done = services.milestones.confirm(
            body["user"]["id"], str(value["k"]), person, services.clock.now()
        )
        return views.milestone_done(done)

    respond_with(respond, build_reply(build), replace=False)


def assign_suggested(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Assign the suggested mentor (coordinators only), from the alert or from Home."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        value = _value(body)
        had = value.get("had")  # the mentee's mentor when drawn; absent on older buttons: none
        if (
            not isinstance(value.get("mentor"), int)
            or not isinstance(value.get("mentee"), int)
            or not (had is None or isinstance(had, int))
        ):
            return views.refusal("That button is out of date.")
        actor = services.assignments.coordinator(body["user"]["id"])
        result = services.assignments.assign_ids(
            actor, value["mentor"], value["mentee"], services.clock.now(), mentor_when_drawn=had
        )
        return views.assignment_result(result)

    payload = build_reply(build)
    answer_press(body, respond, client, services, payload, replace=False)


def record_show(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """One educator's induction record in brief (coordinators: checked by the service)."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        value = body["actions"][0].get("value", "")
        if not value.isdigit():
            return views.refusal("That button is out of date.")
        services.assignments.coordinator(body["user"]["id"])
        record = services.records.of_id(int(value), services.clock.now())
        return views.induction_record(record)

    respond_with(respond, build_reply(build), replace=False)
