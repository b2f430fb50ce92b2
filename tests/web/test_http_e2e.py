"""Real signed HTTP into the waitress server (bot/web/server.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.support.blockkit import valid_ack
from tests.support.bolt_requests import all_text
from tests.support.hillside import SIGNING_SECRET
from tests.support.http_client import post_command, request
from tests.support.signing import signed_headers, slash_command_body

FIVE_MINUTES = 5 * 60
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # engine-independent


def reply_of(data: bytes) -> dict[str, Any]:
    """The JSON reply of an acked slash command, checked as Block Kit."""
    reply = valid_ack(data)
    assert reply is not None
    return reply


def test_signed_hours_command_gets_the_ephemeral_reply(http_server: str, pairs: None) -> None:
    status, data = post_command(http_server, "/hours", "", "U0LEE")
    assert status == 200
    reply = reply_of(data)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Lincoln: ")
    assert isinstance(reply["blocks"], list) and reply["blocks"]
    assert reply["blocks"][0]["type"] == "header"
    shown = all_text(reply["blocks"])
    assert "Bea Beginner" in shown and "Ike Incoming" in shown
    assert "Bo Beginner" not in shown  # Jefferson is not Lee's school


def _bad_signature(body: str) -> dict[str, str]:
    return signed_headers("not-the-secret", body)


def _old_timestamp(body: str) -> dict[str, str]:
    return signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) - FIVE_MINUTES - 60)


def _future_timestamp(body: str) -> dict[str, str]:
    return signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) + FIVE_MINUTES + 60)


def _no_signature(body: str) -> dict[str, str]:
    return {"Content-Type": "application/x-www-form-urlencoded"}


def _tampered(body: str) -> dict[str, str]:
    return signed_headers(SIGNING_SECRET, body.replace("U0LEE", "U0CORA"))


@SQLITE_ONLY
@pytest.mark.parametrize(
    "make_headers",
    [
        pytest.param(_bad_signature, id="wrong-secret"),
        pytest.param(_old_timestamp, id="signed-six-minutes-ago"),
        pytest.param(_future_timestamp, id="timestamp-six-minutes-ahead"),
        pytest.param(_no_signature, id="unsigned"),
        pytest.param(_tampered, id="body-changed-after-signing"),
    ],
)
def test_requests_that_fail_verification_get_401(
    http_server: str, pairs: None, make_headers: Any
) -> None:
    body = slash_command_body("/hours", "", "U0LEE")
    status, _, data = request(http_server, "POST", "/slack/events", body, make_headers(body))
    assert status == 401
    assert b"Bea Beginner" not in data


def test_healthz_reports_the_database(http_server: str) -> None:
    status, headers, data = request(http_server, "GET", "/healthz")
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    body = json.loads(data)
    assert body["ok"] is True
    assert body["database"] == "ok"


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("POST", "/slack/eventsx"),
    ],
)
def test_unknown_paths_are_404(http_server: str, method: str, path: str) -> None:
    status, _, _ = request(http_server, method, path)
    assert status == 404


def test_induction_status_for_a_coordinator(http_server: str, pairs: None) -> None:
    status, data = post_command(http_server, "/induction", "status", "U0CORA")
    assert status == 200
    reply = reply_of(data)
    assert reply["response_type"] == "ephemeral"
    shown = all_text(reply["blocks"])
    assert "Hillside Public Schools — assignments" in shown
    assert "4 mentees · 1 without a mentor · 1 overdue" in shown
    # Nia (beginning teacher hired 19 Oct) is unassigned and overdue: listed first.
    first_section = next(b for b in reply["blocks"] if b["type"] == "section")
    assert first_section["text"]["text"].startswith("*Nia New*")
    assert "16 days overdue" in first_section["text"]["text"]


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [
        ("U0MIA", "`/induction` is for induction coordinators"),
        ("U0NOBODY", "not on the Hillside Public Schools roster"),
    ],
)
def test_induction_status_refused_for_non_coordinators(
    http_server: str, pairs: None, user_id: str, expected: str
) -> None:
    status, data = post_command(http_server, "/induction", "status", user_id)
    assert status == 200
    reply = reply_of(data)
    assert reply["response_type"] == "ephemeral"
    assert expected in reply["text"]
    assert "Nia New" not in all_text(reply)
