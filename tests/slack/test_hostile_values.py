"""Values from Slack are parsed, never trusted: every action and view listener, given a crafted
value in each place it reads one (a button's value, a JSON field of it, private_metadata, a form
field), answers HTTP 200 with a polite refusal, logs exactly one line that does not quote the
value, raises nothing, and stores nothing. The requests are real signed requests into the app."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.store.base import Base
from handlers import actions as action_listeners
from handlers import views as view_listeners
from tests.support.hillside import SIGNING_SECRET
from tests.support.signing import (
    block_action_body,
    signed_headers,
    slash_command_body,
    view_submission_body,
)
from tests.support.slack_api import FakeSlackApi

# ---- the crafted values --------------------------------------------------------------------

# Text a button or metadata carries where an id belongs.
ID_TEXTS = [
    "²",  # passes str.isdigit, fails int()
    "٣",  # an Arabic-Indic digit: isdigit, and int() reads it as 3
    "9" * 30,  # past any integer column
    "9" * 19,  # past BIGINT
    "-1",
    "0",
    "1.5",
    "1e3",
    " 7",
    "+7",
    "0x1f",
    "x",
    "7\x00",
]
# JSON values where a JSON id belongs (the texts above too, as strings).
ID_JSON: list[Any] = [int("9" * 30), -1, 0, 1.5, True, None, [], {}, "7", *ID_TEXTS]
PERSON_JSON = [v for v in ID_JSON if v is not None]  # a milestone's person: null is the presser
DAY_TEXTS = [
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "20261101",
    "2026-11-1",
    "2026-11-01T00:00",
    "x",
    "²⁰²⁶-11-01",
]
DAY_JSON: list[Any] = [*DAY_TEXTS, 20261101, None, [], {}]
TEXT_JSON: list[Any] = [123, None, [], {}, "x" * 5000, "30m meeting \x00"]
BATCH_TEXTS = ["²", "x" * 5000, "9" * 30, "../../etc", "\x00"]
SHAPES: list[Any] = [123, None, ["1"], {"r": 1}]  # a value that is not text at all
INPUT_SHAPES = [s for s in SHAPES if s is not None]  # an input left empty is null: not crafted

MENTOR, MENTEE, COORDINATOR = "U0LEE", "U0BEA", "U0CORA"
GOOD_ID = "1"


@dataclass(frozen=True)
class Case:
    """One place a listener reads a value: how to build a body with `bad` in it."""

    listener: str  # the action_id / callback_id (or pattern) it is registered under
    place: str
    values: list[Any]
    body: Callable[[Any, str], str]  # (bad value, response_url) -> signed body text
    lines: int = 1  # log lines: one for a value no view drew; none for a refusal in the form


def press(user: str, action_id: str) -> Callable[[Any, str], str]:
    """A button whose whole value is the bad one."""
    return lambda bad, url: block_action_body(user, action_id, bad, response_url=url)


def press_json(
    user: str, action_id: str, good: dict[str, Any], field: str
) -> Callable[[Any, str], str]:
    """A button whose JSON value has the bad one in `field`."""

    def body(bad: Any, url: str) -> str:
        return block_action_body(
            user, action_id, json.dumps({**good, field: bad}), response_url=url
        )

    return body


def _select(value: Any) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def _text(value: Any) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def _date(value: Any) -> dict[str, Any]:
    return {"value": {"type": "datepicker", "selected_date": value}}


LOG_FORM = {
    "mentee": _select("5"),
    "date": _date("2026-11-17"),
    "duration": _text("30m"),
    "kind": _select("meeting"),
}


def submit(
    user: str, callback: str, metadata: Any, state: dict[str, Any], field: str | None
) -> Callable[[Any, str], str]:
    """A form submission with the bad value as its metadata (field None) or in `field`."""

    def body(bad: Any, url: str) -> str:
        if field is None:
            return view_submission_body(user, callback, bad, state)
        element = dict(state[field]["value"])
        key = {"static_select": "selected_option", "datepicker": "selected_date"}.get(
            element.get("type", ""), "value"
        )
        element[key] = {"value": bad} if key == "selected_option" else bad
        return view_submission_body(user, callback, metadata, {**state, field: {"value": element}})

    return body


SIGN = {"first": "2026-10-01", "last": "2026-10-31", "school": None}
SURVEY_STATE = {"q1": _select("4")}

CASES = [
    Case("log_undo", "value", BATCH_TEXTS + SHAPES, press(MENTOR, "log_undo")),
    Case("log_edit", "value", ID_TEXTS + SHAPES, press(MENTOR, "log_edit")),
    Case("open_log_modal", "value", [*SHAPES, "x" * 5000], press(MENTOR, "open_log_modal")),
    Case("^log_pick_mentee:", "value", SHAPES, press(MENTOR, "log_pick_mentee:5")),
    Case(
        "^log_pick_mentee:",
        "m",
        ID_JSON,
        press_json(MENTOR, "log_pick_mentee:5", {"t": "30m", "q": "q1"}, "m"),
    ),
    Case(
        "^log_pick_mentee:",
        "t",
        TEXT_JSON,
        press_json(MENTOR, "log_pick_mentee:5", {"m": 5, "q": "q1"}, "t"),
    ),
    Case(
        "^log_pick_date:",
        "d",
        DAY_JSON,
        press_json(MENTOR, "log_pick_date:x", {"t": "30m", "q": "q1"}, "d"),
    ),
    Case(
        "^log_pick_kind:",
        "t",
        TEXT_JSON,
        press_json(MENTOR, "log_pick_kind:meeting", {"q": "q1"}, "t"),
    ),
    Case(
        "milestone_done",
        "p",
        PERSON_JSON,
        press_json(COORDINATOR, "milestone_done", {"k": "orientation"}, "p"),
    ),
    Case(
        "milestone_done", "k", TEXT_JSON, press_json(COORDINATOR, "milestone_done", {"p": 5}, "k")
    ),
    Case(
        "milestone_confirm",
        "p",
        PERSON_JSON,
        press_json(COORDINATOR, "milestone_confirm", {"k": "orientation"}, "p"),
    ),
    Case(
        "milestone_confirm",
        "k",
        TEXT_JSON,
        press_json(COORDINATOR, "milestone_confirm", {"p": 5}, "k"),
    ),
    Case(
        "^assign_suggested:",
        "mentor",
        ID_JSON,
        press_json(COORDINATOR, "assign_suggested:0", {"mentee": 8}, "mentor"),
    ),
    Case(
        "^assign_suggested:",
        "mentee",
        ID_JSON,
        press_json(COORDINATOR, "assign_suggested:0", {"mentor": 2}, "mentee"),
    ),
    Case(
        "^assign_suggested:",
        "had",
        PERSON_JSON,
        press_json(COORDINATOR, "assign_suggested:0", {"mentor": 2, "mentee": 8}, "had"),
    ),
    Case("signoff_confirm", "value", [*SHAPES, "x"], press(COORDINATOR, "signoff_confirm")),
    Case(
        "signoff_confirm",
        "first",
        [*DAY_JSON, "2026-11-01"],
        press_json(COORDINATOR, "signoff_confirm", SIGN, "first"),
    ),
    Case(
        "signoff_confirm",
        "last",
        [*DAY_JSON, "2026-09-30"],
        press_json(COORDINATOR, "signoff_confirm", SIGN, "last"),
    ),
    Case(
        "signoff_confirm",
        "span",
        ["2000-01-01"],
        press_json(COORDINATOR, "signoff_confirm", {**SIGN, "last": "2026-11-17"}, "first"),
    ),
    Case(
        "signoff_confirm",
        "school",
        [123, [], {}, "x" * 500, "Lincoln\x00"],
        press_json(COORDINATOR, "signoff_confirm", SIGN, "school"),
    ),
    Case("record_show", "value", ID_TEXTS + SHAPES, press(COORDINATOR, "record_show")),
    Case("entry_confirm", "value", ID_TEXTS + SHAPES, press(MENTEE, "entry_confirm")),
    Case("entry_flag", "value", ID_TEXTS + SHAPES, press(MENTEE, "entry_flag")),
    Case("survey_answer", "value", ID_TEXTS + SHAPES, press(MENTEE, "survey_answer")),
    Case("request_change", "value", ID_TEXTS + SHAPES, press(MENTEE, "request_change")),
    Case("request_reassign", "r", ID_JSON, press_json(COORDINATOR, "request_reassign", {}, "r")),
    Case("request_decline", "r", ID_JSON, press_json(COORDINATOR, "request_decline", {}, "r")),
    Case("request_withdraw", "r", ID_JSON, press_json(MENTEE, "request_withdraw", {}, "r")),
    Case("log_new", "mentee", ID_TEXTS + SHAPES, submit(MENTOR, "log_new", "", LOG_FORM, "mentee")),
    Case(
        "log_new", "date", DAY_TEXTS + INPUT_SHAPES, submit(MENTOR, "log_new", "", LOG_FORM, "date")
    ),
    Case("log_new", "duration", INPUT_SHAPES, submit(MENTOR, "log_new", "", LOG_FORM, "duration")),
    Case("log_new", "kind", [*SHAPES, "x" * 500], submit(MENTOR, "log_new", "", LOG_FORM, "kind")),
    Case(
        "log_edit_submit",
        "metadata",
        ID_TEXTS + SHAPES,
        submit(MENTOR, "log_edit_submit", None, LOG_FORM, None),
    ),
    Case(
        "log_edit_submit",
        "date",
        DAY_TEXTS + INPUT_SHAPES,
        submit(MENTOR, "log_edit_submit", GOOD_ID, LOG_FORM, "date"),
    ),
    Case(
        "entry_flag_submit",
        "metadata",
        ID_TEXTS + SHAPES,
        submit(MENTEE, "entry_flag_submit", None, {"reason": _text("not so")}, None),
    ),
    Case(
        "survey_submit",
        "metadata",
        ID_TEXTS + SHAPES,
        submit(MENTEE, "survey_submit", None, SURVEY_STATE, None),
    ),
    Case(
        "survey_submit",
        "answer",
        SHAPES,
        submit(MENTEE, "survey_submit", GOOD_ID, SURVEY_STATE, "q1"),
    ),
    Case(  # text off the scale: "Question 1 has no answer" under it, as a person may be told
        "survey_submit",
        "answer-text",
        ID_TEXTS,
        submit(MENTEE, "survey_submit", GOOD_ID, SURVEY_STATE, "q1"),
        lines=0,
    ),
    Case(
        "request_change_submit",
        "metadata",
        ID_TEXTS + SHAPES,
        submit(MENTEE, "request_change_submit", None, {"reason": _text("a reason")}, None),
    ),
    Case(
        "request_change_submit",
        "pair",
        ID_TEXTS + SHAPES,
        submit(
            MENTEE,
            "request_change_submit",
            "",
            {"pair": _select("1"), "reason": _text("a reason")},
            "pair",
        ),
    ),
    Case(
        "request_reassign_submit",
        "metadata",
        ID_TEXTS + SHAPES,
        submit(COORDINATOR, "request_reassign_submit", None, {"mentor": _select("2")}, None),
    ),
    Case(
        "request_reassign_submit",
        "mentor",
        ID_TEXTS + SHAPES,
        submit(COORDINATOR, "request_reassign_submit", GOOD_ID, {"mentor": _select("2")}, "mentor"),
    ),
    Case(
        "request_decline_submit",
        "metadata",
        ID_TEXTS + SHAPES,
        submit(COORDINATOR, "request_decline_submit", None, {"note": _text("a note")}, None),
    ),
]


# ---- every listener is covered ---------------------------------------------------------------


class Recorder:
    """Stands in for the App in `register`: records what each listener is registered under."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def _record(self, constraint: Any) -> Callable[[Any], Any]:
        self.names.add(constraint.pattern if isinstance(constraint, re.Pattern) else constraint)
        return lambda listener: listener

    action = view = _record


def test_every_action_and_view_listener_is_in_the_table() -> None:
    recorder = Recorder()
    action_listeners.register(recorder)  # type: ignore[arg-type]
    view_listeners.register(recorder)  # type: ignore[arg-type]
    assert recorder.names == {case.listener for case in CASES}


# ---- each crafted value: 200, refused politely, one quiet log line, nothing stored --------


def row_counts(services: Services) -> dict[str, int]:
    with services.store.read() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def quoted(bad: Any, text: str) -> bool:
    """True when the log shows the crafted value itself (values distinctive enough to tell)."""
    shown = bad if isinstance(bad, str) else json.dumps(bad)
    return (len(shown) >= 4 and shown.strip() in text) or ("²" in shown and "²" in text)


def answered(response_body: str, slack_api: FakeSlackApi) -> bool:
    """Something was said: the ack's body, a reply through response_url, or a form."""
    said = [c for c in slack_api.calls if c.method in ("response_url", "views.open", "views.update", "views.publish")]  # fmt: skip
    return bool(response_body.strip()) or bool(said)


def failures_of(
    case: Case, app: App, services: Services, slack_api: FakeSlackApi, caplog: Any
) -> list[str]:
    """What went wrong for each value of the case (empty: all held)."""
    failures: list[str] = []
    for bad in case.values:
        before = row_counts(services)
        caplog.clear()
        slack_api.calls.clear()
        body = case.body(bad, slack_api.response_url)
        response = app.dispatch(BoltRequest(body=body, headers=signed_headers(SIGNING_SECRET, body)))  # fmt: skip
        label = f"{case.listener} {case.place}={bad!r:.40}"
        lines = [r for r in caplog.records if r.levelno >= logging.INFO and r.name.split(".")[0] in ("bot", "handlers")]  # fmt: skip
        if response.status != 200:
            failures.append(f"{label}: HTTP {response.status}")
        if any(r.exc_info for r in caplog.records) or "Traceback" in caplog.text:
            failures.append(f"{label}: traceback")
        if len(lines) != case.lines:
            failures.append(f"{label}: {len(lines)} log lines {[r.getMessage()[:60] for r in lines]}")  # fmt: skip
        if quoted(bad, "\n".join(r.getMessage() for r in caplog.records)):
            failures.append(f"{label}: the log quotes the value")
        if not answered(response.body or "", slack_api):
            failures.append(f"{label}: nothing said")
        if slack_api.calls_to("chat.postMessage"):
            failures.append(f"{label}: a DM was sent")
        if row_counts(services) != before:
            failures.append(f"{label}: something was stored")
    return failures


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.listener.strip('^:')}-{c.place}")
def test_a_crafted_value_is_refused_quietly(
    case: Case,
    app: App,
    services: Services,
    pairs: None,
    slack_api: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)

    failures = failures_of(case, app, services, slack_api, caplog)

    assert not failures, "\n".join(failures)


# ---- slash commands: crafted text is read by the grammar, never a traceback ------------------
# (the command's reply is the grammar's: refused, or logged with the odd bytes as notes)

LOG_TEXTS = [
    "30m meeting note\x00",
    "\x00",
    "30m 0001-01-01",
    "30m 9999-12-31",
    "²m",
    "9" * 30 + "m",
]
LOG_TEXTS += ["30m with <@U" + "9" * 30 + ">", "30m std:²", "1h99"]
INDUCTION_TEXTS = ["signoff 0001-01", "signoff 9999-12", "signoff 2000-01-01..2026-11-17 Nowhere"]
INDUCTION_TEXTS += ["reopen 9999-12 a reason", "signoff 2026-02-30..2026-03-01", "status \x00"]
INDUCTION_TEXTS += ["assign <@U" + "9" * 30 + "> <@U0BEA>", "event group 0001-01-01 90m <@U0BEA>"]
HOURS_TEXTS = ["9999", "0001-01", "\x00", "year 0001-02"]
COMMANDS = [
    *[("/logmeeting", text, MENTOR) for text in LOG_TEXTS],
    *[("/induction", text, COORDINATOR) for text in INDUCTION_TEXTS],
    *[("/hours", text, MENTOR) for text in HOURS_TEXTS],
]


@pytest.mark.parametrize(("name", "text", "user"), COMMANDS)
def test_a_crafted_command_is_answered_without_a_traceback(
    name: str,
    text: str,
    user: str,
    app: App,
    services: Services,
    pairs: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    body = slash_command_body(name, text, user)

    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(SIGNING_SECRET, body)))

    assert response.status == 200
    assert not any(r.exc_info for r in caplog.records), [r.getMessage() for r in caplog.records]
    assert json.loads(response.body)["text"]  # something was said (a few of these log an entry)
