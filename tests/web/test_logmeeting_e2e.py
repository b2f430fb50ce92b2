"""`/logmeeting` end to end over real signed HTTP (waitress, bot/web/server.py) with the fake Web
API, on SQLite and PostgreSQL: log → export, Undo → totals and audit, refusals store nothing,
and 200 concurrent commands → 200 rows."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import cli
from bot.bootstrap import Services
from bot.store.models.core import LogAudit, LogEntry, Person
from tests.support.blockkit import valid_ack
from tests.support.bolt_requests import all_text
from tests.support.hillside import NOW
from tests.support.http_client import post_events
from tests.support.signing import block_action_body, slash_command_body
from tests.support.slack_api import FakeSlackApi

EXPORT_COLUMNS = ["id", "date", "mentor_email", "mentee_email", "kind", "minutes", "logged_by_email", "source", "created_at"]  # fmt: skip
CONCURRENT_COMMANDS = 200
CONCURRENT_WORKERS = 16


# ---- helpers -------------------------------------------------------------------------------


def command(base_url: str, text: str, user: str, name: str = "/logmeeting") -> dict[str, Any]:
    status, data = post_events(base_url, slash_command_body(name, text, user))
    assert status == 200, (status, data)
    reply = valid_ack(data)
    assert reply is not None and reply["response_type"] == "ephemeral", reply
    return reply


def counts(services: Services) -> tuple[int, int]:
    with services.store.read() as session:
        entries = session.scalar(select(func.count()).select_from(LogEntry))
        audits = session.scalar(select(func.count()).select_from(LogAudit))
    return int(entries or 0), int(audits or 0)


def export(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> str:  # fmt: skip
    """`mentor-minutes export logs ARGS` against the test database; its stdout."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("MENTOR_MINUTES_NOW", raising=False)
    capsys.readouterr()
    assert cli.main(["export", "logs", *args]) == 0
    return capsys.readouterr().out


# ---- log → export --------------------------------------------------------------------------


def test_a_logged_meeting_shows_in_the_export(
    http_server: str, services: Services, pairs: None, db_url: str, tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    reply = command(http_server, "45m observation private words", "U0LEE")
    assert reply["text"].startswith("Logged 45 min observation with Bea Beginner, Wed 18 Nov")
    with services.store.read() as session:
        (entry_id,) = session.scalars(select(LogEntry.id)).all()

    rows = list(csv.DictReader(io.StringIO(export(monkeypatch, capsys, db_url))))
    as_json = json.loads(export(monkeypatch, capsys, db_url, "--format", "json"))

    expected = {
        "id": str(entry_id),
        "date": "2026-11-18",
        "mentor_email": "lee@hillside.example",
        "mentee_email": "bea@hillside.example",
        "kind": "observation",
        "minutes": "45",
        "logged_by_email": "lee@hillside.example",
        "source": "slack",
        "created_at": NOW.isoformat(),
    }
    assert rows == [expected]
    assert list(rows[0]) == EXPORT_COLUMNS
    assert len(as_json) == 1 and list(as_json[0]) == EXPORT_COLUMNS
    assert as_json[0] == {**expected, "id": entry_id, "minutes": 45}


def test_the_export_header_is_the_contracts_even_when_empty(
    http_server: str, pairs: None, db_url: str, tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert export(monkeypatch, capsys, db_url) == ",".join(EXPORT_COLUMNS) + "\n"
    assert json.loads(export(monkeypatch, capsys, db_url, "--format", "json")) == []


def test_undone_entries_leave_the_export(
    http_server: str, services: Services, pairs: None, slack_api: FakeSlackApi, db_url: str,
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    command(http_server, "30m planning", "U0MIA")
    undo = command(http_server, "45m observation", "U0LEE")["blocks"][-1]["elements"][0]
    status, _ = post_events(http_server, block_action_body("U0LEE", "log_undo", undo["value"], response_url=slack_api.response_url))  # fmt: skip
    assert status == 200
    slack_api.wait_for_calls("response_url", 1)

    rows = list(csv.DictReader(io.StringIO(export(monkeypatch, capsys, db_url))))
    assert [(r["mentor_email"], r["minutes"]) for r in rows] == [("mia@hillside.example", "30")]


# ---- Undo ----------------------------------------------------------------------------------


def test_undo_over_http_drops_the_totals_and_writes_the_audit_row(
    http_server: str, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    command(http_server, "30m yesterday", "U0LEE")
    reply = command(http_server, "45m observation", "U0LEE")
    assert "this week 1 h 15 of 1 h" in all_text(command(http_server, "", "U0LEE", "/hours"))
    undo = next(e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "log_undo")  # fmt: skip

    status, _ = post_events(http_server, block_action_body("U0LEE", "log_undo", undo["value"], response_url=slack_api.response_url))  # fmt: skip

    assert status == 200
    (posted,) = slack_api.wait_for_calls("response_url", 1)
    assert posted.params["text"].startswith("Undone: ~45 min observation with Bea Beginner")
    assert "this week 30 min of 1 h" in all_text(command(http_server, "", "U0LEE", "/hours"))
    with services.store.read() as session:
        lee = session.scalar(select(Person.id).where(Person.slack_user_id == "U0LEE"))
        audits = session.scalars(select(LogAudit).where(LogAudit.action == "undo")).all()
        undone = session.scalars(select(LogEntry).where(LogEntry.deleted_at.is_not(None))).all()
    assert [(e.minutes, e.batch_id) for e in undone] == [(45, undo["value"])]
    (audit,) = audits
    assert (audit.log_entry_id, audit.actor_id) == (undone[0].id, lee)
    assert audit.before is not None and audit.before["deleted"] is False
    assert audit.after is not None and audit.after["deleted"] is True
    assert counts(services) == (2, 3)


def test_a_forwarded_undo_over_http_is_refused(
    http_server: str, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    reply = command(http_server, "45m observation", "U0LEE")
    batch = reply["blocks"][-1]["elements"][0]["value"]

    status, _ = post_events(http_server, block_action_body("U0MAX", "log_undo", batch, response_url=slack_api.response_url))  # fmt: skip

    assert status == 200
    (posted,) = slack_api.wait_for_calls("response_url", 1)
    assert "Only the person who logged this entry" in posted.params["text"]
    assert counts(services) == (1, 1)
    assert "this week 45 min of 1 h" in all_text(command(http_server, "", "U0LEE", "/hours"))


# ---- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "text", "says"),
    [
        ("U0BEA", "30m meeting with <@U0LEE>", "Mentees can log visits"),
        ("U0BEA", "45m observation with <@U0LEE>", "Mentees can log visits"),
        ("U0BEA", "30m", "Mentees can log visits to observe"),
        ("U0NIA", "30m observed <@U0MIA>", "no mentor assigned"),
        ("U0MIA", "45m with <@U0BEA>", "isn't one of your mentees"),
    ],
)  # fmt: skip
def test_an_unauthorized_log_is_refused_and_nothing_is_stored(
    http_server: str, services: Services, pairs: None, user: str, text: str, says: str
) -> None:
    reply = command(http_server, text, user)
    assert says in reply["text"]
    assert not reply["text"].startswith("Logged")
    assert counts(services) == (0, 0)


# ---- concurrency ---------------------------------------------------------------------------


def test_200_concurrent_commands_are_all_stored(
    http_server: str, services: Services, pairs: None
) -> None:
    mentors = ("U0LEE", "U0MIA", "U0MAX")
    jobs = [(mentors[i % 3], f"{1 + i % 5}m planning batch {i}") for i in range(CONCURRENT_COMMANDS)]  # fmt: skip

    def send(job: tuple[str, str]) -> tuple[int, str]:
        status, data = post_events(http_server, slash_command_body("/logmeeting", job[1], job[0]))
        return status, valid_ack(data)["text"] if status == 200 else data.decode()  # type: ignore[index]

    with ThreadPoolExecutor(max_workers=CONCURRENT_WORKERS) as pool:
        answers = list(pool.map(send, jobs))

    assert [s for s, _ in answers] == [200] * CONCURRENT_COMMANDS
    not_logged = [t for _, t in answers if not t.startswith("Logged")]
    assert not_logged == []
    with services.store.read() as session:
        entries = session.scalars(select(LogEntry)).all()
        creates = session.scalar(select(func.count()).select_from(LogAudit).where(LogAudit.action == "create"))  # fmt: skip
        slack_ids = {
            pid: sid for pid, sid in session.execute(select(Person.id, Person.slack_user_id))
        }
    assert len(entries) == CONCURRENT_COMMANDS and creates == CONCURRENT_COMMANDS
    assert len({e.batch_id for e in entries}) == CONCURRENT_COMMANDS
    assert sorted(e.notes or "" for e in entries) == sorted(f"batch {i}" for i in range(CONCURRENT_COMMANDS))  # fmt: skip
    assert Counter(slack_ids[e.logged_by_id] for e in entries) == Counter(u for u, _ in jobs)
    assert sum(e.minutes for e in entries) == sum(1 + i % 5 for i in range(CONCURRENT_COMMANDS))
