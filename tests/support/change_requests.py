"""Drive reassignment requests through the Bolt app as Slack would: signed slash commands, button
presses from a message or from Home (no response_url there), form submissions, and delivery of
what the outbox claimed to the fake Web API."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.store.models.core import Assignment, OutboxMessage
from bot.store.models.requests import ReassignmentAudit
from schedules import jobs
from tests.support.bolt_requests import dispatch, reply_of
from tests.support.hillside import NOW, ROSTER_CSV
from tests.support.scheduler import SleepRecorder
from tests.support.signing import (
    block_action_body,
    slash_command_body,
    view_submission_body,
)
from tests.support.slack_api import FakeSlackApi

SECRET = "SECRET-REASON-91"  # a reason only coordinators may ever see
COLE = "cole@hillside.example,Cole Coordinator,coordinator,,,,,Professional,2016-08-29,U0COLE"
HOME_VIEW = {"type": "home", "id": "VHOME", "blocks": []}


def add_second_coordinator(services: Services, *, coordinator: bool = True) -> None:
    """Cole joins the roster as a coordinator (or is now an evaluator, no longer one)."""
    row = COLE if coordinator else COLE.replace(",coordinator,", ",evaluator,")
    report = services.roster.import_csv(ROSTER_CSV + row + "\n")
    assert report.ok, report.problems


def command(app: App, text: str, user: str) -> dict[str, Any] | None:
    """`/induction TEXT` as `user`: the ack's ephemeral reply (checked), or None for an empty
    ack (a form was opened instead)."""
    reply = reply_of(dispatch(app, slash_command_body("/induction", text, user)))
    assert reply is None or reply["response_type"] == "ephemeral", reply
    return reply


def press(
    app: App,
    user: str,
    action_id: str,
    value: str,
    *,
    home: bool = False,
    modal: dict[str, Any] | None = None,
    response_url: str | None = None,
) -> BoltResponse:
    """A button pressed on a message, on Home or in a form (a view container: no
    response_url)."""
    if home or modal is not None:
        body = block_action_body(user, action_id, value, view=modal or HOME_VIEW)
        assert "response_url" not in json.loads(_payload_of(body))
    else:
        body = block_action_body(user, action_id, value, response_url=response_url or "")
    return dispatch(app, body)


def _payload_of(body: str) -> str:
    return parse_qs(body)["payload"][0]


def submit(
    app: App, user: str, callback_id: str, metadata: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Submit a form; the ack's body (`response_action` update or errors)."""
    answer = reply_of(dispatch(app, view_submission_body(user, callback_id, metadata, values)))
    assert answer is not None
    return answer


def select_value(value: str) -> dict[str, Any]:
    """A static_select's state as Slack submits it."""
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def text_value(value: str | None) -> dict[str, Any]:
    """A plain_text_input's state as Slack submits it."""
    return {"value": {"type": "plain_text_input", "value": value}}


def last_opened(slack_api: FakeSlackApi) -> dict[str, Any]:
    """The view of the latest views.open call (the fake checked it as Block Kit)."""
    calls = slack_api.calls_to("views.open")
    assert calls, "no form was opened"
    view: dict[str, Any] = calls[-1].params["view"]
    return view


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button of some blocks."""
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def deliver(services: Services, slack_api: FakeSlackApi, now: datetime = NOW) -> list[Any]:
    """Send what the outbox holds; the chat.postMessage calls it made (the fake checked each)."""
    before = len(slack_api.calls_to("chat.postMessage"))
    client = WebClient(token="xoxb-test", base_url=slack_api.url)
    jobs.deliver(services, client, now, sleep=SleepRecorder())
    return slack_api.calls_to("chat.postMessage")[before:]


def count(services: Services, table: Any) -> int:
    """Rows of a table."""
    with services.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def audit_rows(services: Services) -> list[tuple[int, str, int, dict[str, Any] | None]]:
    """(request, action, actor, detail) of every audit row, in order."""
    with services.store.read() as session:
        return [
            (r.request_id, r.action, r.actor_id, r.detail)
            for r in session.scalars(select(ReassignmentAudit).order_by(ReassignmentAudit.id))
        ]


def outbox_rules(services: Services) -> list[tuple[str, str]]:
    """(rule, recipient) of every outbox row, in order."""
    with services.store.read() as session:
        return [
            (r.rule, r.recipient)
            for r in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def assignment_id(services: Services, mentor_id: int, mentee_id: int) -> int:
    """The open assignment of a pair."""
    with services.store.read() as session:
        found = session.scalar(
            select(Assignment.id).where(
                Assignment.mentor_id == mentor_id,
                Assignment.mentee_id == mentee_id,
                Assignment.ended_on.is_(None),
            )
        )
    assert found is not None
    return int(found)


def pairs_of(services: Services, mentee_id: int) -> list[tuple[int, date, date | None, str | None]]:
    """(mentor, start, end, end reason) of a mentee's assignments, oldest first."""
    with services.store.read() as session:
        return [
            (a.mentor_id, a.started_on, a.ended_on, a.end_reason)
            for a in session.scalars(
                select(Assignment)
                .where(Assignment.mentee_id == mentee_id)
                .order_by(Assignment.started_on, Assignment.id)
            )
        ]
