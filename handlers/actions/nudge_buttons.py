"""Buttons on scheduled DMs: Mark done, Confirm a reported milestone and Assign a suggested
mentor (coordinators; also on the coordinator's Home).

The presser is checked server-side; the button's value only says what was offered."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import payload_values as values
from bot.slack import views
from handlers.home import answer_press
from handlers.reply import Payload, build_reply, respond_with, services_of

MAX_RULE_KEY = 64


def _milestone(body: dict[str, Any], place: str) -> tuple[str, int | None]:
    """The milestone a button is about: its rule's key, and the person (None: the presser's)."""
    value = values.json_object(values.action_value(body), place)
    key = values.text(value.get("k"), place, limit=MAX_RULE_KEY)
    person = value.get("p")
    return key, None if person is None else values.json_id(person, place)


def mark_done(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Mark the milestone of a nudge done, if the presser may."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        key, person = _milestone(body, "Mark done button")
        done = services.milestones.mark_done(
            body["user"]["id"], key, person, None, services.clock.now()
        )
        return views.milestone_done(done)

    respond_with(respond, build_reply(build), replace=False)


def confirm(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Confirm a milestone reported done (coordinators: the presser is checked, not the button)."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        key, person = _milestone(body, "Confirm button")
        done = services.milestones.confirm(body["user"]["id"], key, person, services.clock.now())
        return views.milestone_done(done)

    respond_with(respond, build_reply(build), replace=False)


def assign_suggested(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Assign the suggested mentor (coordinators only), from the alert or from Home."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        place = "Assign button"
        value = values.json_object(values.action_value(body), place)
        mentor, mentee = (
            values.json_id(value.get("mentor"), place),
            values.json_id(value.get("mentee"), place),
        )
        had = value.get("had")  # the mentee's mentor when drawn; absent on older buttons: none
        mentor_when_drawn = None if had is None else values.json_id(had, place)
        actor = services.assignments.coordinator(body["user"]["id"])
        result = services.assignments.assign_ids(
            actor, mentor, mentee, services.clock.now(), mentor_when_drawn=mentor_when_drawn
        )
        return views.assignment_result(result)

    payload = build_reply(build)
    answer_press(body, respond, client, services, payload, replace=False)


def record_show(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """One educator's induction record in brief (coordinators: checked by the service)."""
    ack()
    services = services_of(context)

    def build() -> Payload:
        person = values.row_id(values.action_value(body), "Induction record button")
        services.assignments.coordinator(body["user"]["id"])
        record = services.records.of_id(person, services.clock.now())
        return views.induction_record(record)

    respond_with(respond, build_reply(build), replace=False)
