"""Answered is answered: a question's choice, or a form's submission, delivered again (pressed
twice, replayed, or retried by Slack) stores nothing more and says so. The claim is a unique key
taken in the transaction of the write, so it holds with two threads at once on PostgreSQL."""

from __future__ import annotations

import json
import threading
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.store.models.claims import AnsweredOnce
from bot.store.models.core import EntryReview, LogAudit, LogEntry
from tests.support.bolt_requests import all_text, command
from tests.support.hillside import SIGNING_SECRET
from tests.support.signing import block_action_body, signed_headers, view_submission_body
from tests.support.slack_api import FakeSlackApi

MENTOR, MENTEE = "U0MAX", "U0BO"  # Max mentors Bo (the `pairs` fixture)
THREADS = 4


def dispatch(app: App, body: str) -> BoltResponse:
    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(SIGNING_SECRET, body)))
    assert response.status == 200, (response.status, response.body)
    return response


def choices(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]


def live_entries(services: Services) -> int:
    with services.store.read() as session:
        query = select(func.count()).select_from(LogEntry).where(LogEntry.deleted_at.is_(None))
        return int(session.execute(query).scalar_one())


def count(services: Services, table: Any) -> int:
    with services.store.read() as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def press(app: App, slack_api: FakeSlackApi, user: str, button: dict[str, Any]) -> str:
    """Press a button of a reply; what the press answered (through the response_url)."""
    before = len(slack_api.calls_to("response_url"))
    body = block_action_body(
        user, button["action_id"], button["value"], response_url=slack_api.response_url
    )
    dispatch(app, body)
    return str(slack_api.wait_for_calls("response_url", before + 1)[-1].params.get("text"))


def log_form_state(duration: str = "25m", mentee: str = "") -> dict[str, Any]:
    state: dict[str, Any] = {
        "date": {"value": {"type": "datepicker", "selected_date": "2026-11-17"}},
        "duration": {"value": {"type": "plain_text_input", "value": duration}},
        "kind": {"value": {"type": "static_select", "selected_option": {"value": "meeting"}}},
        "notes": {"value": {"type": "plain_text_input", "value": None}},
    }
    if mentee:  # the edit form has no mentee field
        state["mentee"] = {"value": {"type": "static_select", "selected_option": {"value": mentee}}}  # fmt: skip
    return state


def person_id(roster: dict[str, int], email: str) -> str:
    return str(roster[email])


# ---- a question's choice ---------------------------------------------------------------------


def test_a_questions_choice_pressed_twice_logs_once(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    reply = command(app, SIGNING_SECRET, "/logmeeting", "20m obsrvation", MENTOR)
    first, second = choices(reply)[:2]
    assert {json.loads(first["value"])["q"]} == {json.loads(b["value"])["q"] for b in choices(reply)}  # fmt: skip

    answers = [press(app, slack_api, MENTOR, b) for b in (first, first, second)]

    assert live_entries(services) == 1
    assert answers[0].startswith("Logged")
    assert all("already answered" in a and "nothing more was logged" in a for a in answers[1:])


def test_a_follow_up_question_is_the_same_question(
    app: App, services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    """Lee mentors two (Bea; Ike added here): "which mentee?" then each press logs — once."""
    services.assignments.assign(None, "lee@hillside.example", "ike@hillside.example", None, services.clock.now())  # fmt: skip
    reply = command(app, SIGNING_SECRET, "/logmeeting", "30m meeting", "U0LEE")
    bea, ike = choices(reply)[:2]

    answers = [press(app, slack_api, "U0LEE", b) for b in (bea, ike, bea)]

    assert live_entries(services) == 1
    assert answers[0].startswith("Logged")
    assert "already answered" in answers[1] and "already answered" in answers[2]


def test_a_choice_that_stores_nothing_leaves_the_question_open(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    """The claim is in the write's transaction: a refused choice does not use the question up."""
    long_day = services.logs.log_text(MENTOR, "710m meeting", services.clock.now())
    reply = command(app, SIGNING_SECRET, "/logmeeting", "20m obsrvation", MENTOR)
    first = choices(reply)[0]

    refused = press(app, slack_api, MENTOR, first)  # over the day's 12 hours: refused
    assert not refused.startswith("Logged") and "already answered" not in refused
    services.logs.undo(MENTOR, str(long_day.batch_id), services.clock.now())

    assert press(app, slack_api, MENTOR, first).startswith("Logged")
    assert live_entries(services) == 1


# ---- a form submitted twice --------------------------------------------------------------------


def test_the_log_form_submitted_twice_stores_once(
    app: App, services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    body = view_submission_body(
        MENTOR, "log_new", "", log_form_state(mentee=person_id(roster, "bo@hillside.example"))
    )

    first = dispatch(app, body)
    again = dispatch(app, body)  # Slack's retry: the same view, the same hash

    assert first.body == "" and live_entries(services) == 1
    assert "already submitted" in all_text(json.loads(again.body or "{}"))
    assert len(slack_api.calls_to("chat.postMessage")) == 1  # one "Logged" DM
    assert count(services, AnsweredOnce) == 1


def test_a_form_shown_its_errors_can_be_submitted_again(
    app: App, services: Services, pairs: None, roster: dict[str, int]
) -> None:
    """Nothing stored, nothing claimed: the same view, corrected, stores."""
    bo = person_id(roster, "bo@hillside.example")
    wrong = view_submission_body(MENTOR, "log_new", "", log_form_state("25 parsecs", bo), view_id="V1")  # fmt: skip
    fixed = view_submission_body(MENTOR, "log_new", "", log_form_state("25m", bo), view_id="V1")

    assert json.loads(dispatch(app, wrong).body)["response_action"] == "errors"
    assert dispatch(app, fixed).body == ""
    assert live_entries(services) == 1


def test_the_edit_form_submitted_twice_changes_once(
    app: App, services: Services, pairs: None, roster: dict[str, int]
) -> None:
    bo = person_id(roster, "bo@hillside.example")
    dispatch(app, view_submission_body(MENTOR, "log_new", "", log_form_state(mentee=bo)))
    with services.store.read() as session:
        entry_id = session.execute(select(LogEntry.id)).scalar_one()
    audits = count(services, LogAudit)
    body = view_submission_body(MENTOR, "log_edit_submit", str(entry_id), log_form_state("40m"))

    dispatch(app, body)
    again = dispatch(app, body)

    assert count(services, LogAudit) == audits + 1
    assert "already submitted" in all_text(json.loads(again.body or "{}"))


def test_the_flag_form_submitted_twice_tells_the_author_once(
    app: App, services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    bo = person_id(roster, "bo@hillside.example")
    dispatch(app, view_submission_body(MENTOR, "log_new", "", log_form_state(mentee=bo)))
    with services.store.read() as session:
        entry_id = session.execute(select(LogEntry.id)).scalar_one()
    slack_api.calls.clear()
    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "It was 20 minutes"}}}
    body = view_submission_body(MENTEE, "entry_flag_submit", str(entry_id), reason)

    dispatch(app, body)
    again = dispatch(app, body)

    to_author = [c for c in slack_api.calls_to("chat.postMessage") if c.params["channel"] == MENTOR]  # fmt: skip
    assert len(to_author) == 1
    assert count(services, EntryReview) == 1
    assert "already submitted" in all_text(json.loads(again.body or "{}"))


# ---- at once, on both databases --------------------------------------------------------------


def test_the_same_submission_from_threads_at_once_stores_once(
    app: App, services: Services, pairs: None, roster: dict[str, int]
) -> None:
    body = view_submission_body(
        MENTOR, "log_new", "", log_form_state(mentee=person_id(roster, "bo@hillside.example"))
    )
    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            start.wait()
            statuses.append(
                app.dispatch(
                    BoltRequest(body=body, headers=signed_headers(SIGNING_SECRET, body))
                ).status
            )
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures and statuses == [200] * THREADS
    assert live_entries(services) == 1
    assert count(services, AnsweredOnce) == 1
