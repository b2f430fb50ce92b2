"""Replays: a signed request seen before (signature + timestamp), or an Events API event seen
before (Slack's retries carry X-Slack-Retry-Num and a fresh signature), is not processed twice —
over real HTTP, concurrently, through two servers on one database, and from several processes
claiming at once; on SQLite and PostgreSQL."""

from __future__ import annotations

import http.client
import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.bootstrap import Services, build_services
from bot.config import Settings
from bot.store.db import Store
from bot.store.models.core import LogEntry
from bot.store.models.ingress import SeenRequest
from bot.web.ingress import EVENT_RETRY_WINDOW_SECONDS, SIGNATURE_WINDOW_SECONDS, ReplayGuard
from tests.support.bolt_requests import event_body
from tests.support.hillside import SIGNING_SECRET
from tests.support.servers import running_http_server
from tests.support.signing import signed_headers, slash_command_body
from tests.support.slack_api import FakeSlackApi

REPLAYS = 10
PROCESSES = 4
KEYS_PER_PROCESS = 40
WAIT = 60.0  # a deadline for what must finish, never a pause


def send(base_url: str, body: str, headers: dict[str, str]) -> tuple[int, bytes]:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=WAIT)
    try:
        conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def entries(services: Services) -> int:
    with services.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(LogEntry)) or 0)


def seen_rows(services: Services) -> int:
    with services.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(SeenRequest)) or 0)


def home_event(user_id: str = "U0LEE") -> str:
    return event_body({"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": "home", "event_ts": "1.2"})  # fmt: skip


def json_headers(
    body: str, retry: int | None = None, timestamp: int | None = None
) -> dict[str, str]:
    headers = signed_headers(SIGNING_SECRET, body, timestamp)
    headers["Content-Type"] = "application/json"
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


# ---- over HTTP ----------------------------------------------------------------------------------


def test_a_replayed_command_is_stored_once(
    http_server: str, services: Services, pairs: None
) -> None:
    body = slash_command_body("/logmeeting", "45m observation", "U0LEE")
    headers = signed_headers(SIGNING_SECRET, body)

    answers = [send(http_server, body, headers) for _ in range(1 + REPLAYS)]

    first, replays = answers[0], answers[1:]
    assert first[0] == 200 and b"Logged 45 min observation" in first[1]
    assert replays == [(200, b"")] * REPLAYS  # answered, not processed
    assert entries(services) == 1


def test_a_replayed_command_that_stored_nothing_is_answered_empty(
    http_server: str, services: Services, pairs: None
) -> None:
    """A command that only answered (a question back, `/hours`) is claimed once processed."""
    for line in ("45m with <@U0BO>", ""):
        body = slash_command_body("/logmeeting" if line else "/hours", line, "U0LEE")
        headers = signed_headers(SIGNING_SECRET, body)
        first, again = send(http_server, body, headers), send(http_server, body, headers)
        assert first[0] == 200 and first[1], line
        assert again == (200, b""), line
    assert entries(services) == 0 and seen_rows(services) == 2


def test_concurrent_copies_of_one_request_are_stored_once(
    http_server: str, services: Services, pairs: None
) -> None:
    body = slash_command_body("/logmeeting", "30m planning", "U0MIA")
    headers = signed_headers(SIGNING_SECRET, body)

    with ThreadPoolExecutor(max_workers=REPLAYS) as pool:
        answers = list(pool.map(lambda _: send(http_server, body, headers), range(REPLAYS)))

    assert sorted(status for status, _ in answers) == [200] * REPLAYS
    assert sum(1 for _, data in answers if b"Logged 30 min planning" in data) == 1
    assert sum(1 for _, data in answers if data == b"") == REPLAYS - 1
    assert entries(services) == 1


def test_a_replay_through_another_server_on_the_same_database_is_refused(
    http_server: str, settings: Settings, services: Services, pairs: None
) -> None:
    other_services = build_services(settings, clock=services.clock)  # as another process would
    body = slash_command_body("/logmeeting", "1h meeting", "U0MAX")
    headers = signed_headers(SIGNING_SECRET, body)
    try:
        with running_http_server(settings, other_services) as other:
            first = send(http_server, body, headers)
            again = send(other, body, headers)
    finally:
        other_services.close()

    assert first[0] == 200 and b"Logged 1 h meeting" in first[1]
    assert again == (200, b"")
    assert entries(services) == 1


def test_slack_retries_of_an_event_are_not_processed_again(
    http_server: str, slack_api: FakeSlackApi, pairs: None
) -> None:
    body = home_event()

    assert send(http_server, body, json_headers(body)) == (200, b"")
    for retry in (1, 2, 3):  # Slack signs each retry afresh: same event_id, new timestamp
        headers = json_headers(body, retry, timestamp=int(time.time()) + retry)
        assert send(http_server, body, headers) == (200, b"")

    assert len(slack_api.calls_to("views.publish")) == 1


def test_a_retry_of_an_event_never_seen_is_processed(
    http_server: str, slack_api: FakeSlackApi, pairs: None
) -> None:
    body = home_event()  # the first delivery was lost on the way

    assert send(http_server, body, json_headers(body, retry=1)) == (200, b"")

    assert len(slack_api.calls_to("views.publish")) == 1


def test_an_event_that_failed_with_a_500_is_processed_on_slacks_retry(
    http_server: str,
    slack_api: FakeSlackApi,
    services: Services,
    pairs: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    body = home_event()
    with monkeypatch.context() as patch:
        patch.setattr(services.hours, "report", broken)
        status, _ = send(http_server, body, json_headers(body))
    assert status == 500
    assert slack_api.calls_to("views.publish") == []

    assert send(http_server, body, json_headers(body, retry=1)) == (200, b"")
    assert len(slack_api.calls_to("views.publish")) == 1


def test_a_refused_request_claims_nothing(
    http_server: str, services: Services, pairs: None
) -> None:
    body = slash_command_body("/logmeeting", "45m", "U0LEE")
    headers = signed_headers("not-the-secret", body)

    assert send(http_server, body, headers)[0] == 401
    assert seen_rows(services) == 0


# ---- the guard itself -----------------------------------------------------------------------


class FakeWallClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_claims_expire_and_are_pruned(services: Services) -> None:
    clock = FakeWallClock(1_800_000_000.0)
    guard = ReplayGuard(services.store, now=clock)
    signature_key, event_key = "a" * 64, "b" * 64

    assert guard.claim(signature_key, clock.now + SIGNATURE_WINDOW_SECONDS + 1)
    assert guard.claim(event_key, clock.now + EVENT_RETRY_WINDOW_SECONDS)
    assert not guard.claim(signature_key, clock.now + SIGNATURE_WINDOW_SECONDS + 1)

    clock.now += SIGNATURE_WINDOW_SECONDS + 2  # the signature could no longer be verified
    assert guard.prune() == 1
    assert seen_rows(services) == 1
    assert not guard.claim(event_key, clock.now + EVENT_RETRY_WINDOW_SECONDS)

    clock.now += EVENT_RETRY_WINDOW_SECONDS
    assert guard.claim(event_key, clock.now + 60)  # a dead row is taken over, not a replay
    assert seen_rows(services) == 1


def test_claims_are_pruned_as_requests_come_in(services: Services) -> None:
    clock = FakeWallClock(1_800_000_000.0)
    guard = ReplayGuard(services.store, now=clock)
    for i in range(5):
        assert guard.claim(f"{i:064d}", clock.now + 10)

    clock.now += 3600
    assert guard.claim("f" * 64, clock.now + 10)  # the first claim of the hour prunes

    assert seen_rows(services) == 1


def _claim_all(url: str, keys: list[str], expires_at: float, start: Any, won: Any) -> None:
    """In a process of its own: once every process is ready, claim every key; report the wins."""
    store = Store(url)
    try:
        guard = ReplayGuard(store)
        guard.prune()  # connected and warm before the race starts
        start.wait(WAIT)
        won.put([key for key in keys if guard.claim(key, expires_at)])
    finally:
        store.dispose()


def test_processes_claiming_the_same_requests_win_each_once(db_url: str) -> None:
    keys = [f"{i:064x}" for i in range(KEYS_PER_PROCESS)]
    expires_at = time.time() + SIGNATURE_WINDOW_SECONDS
    context = multiprocessing.get_context("spawn")
    start, won = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(
            target=_claim_all, args=(db_url, keys[i:] + keys[:i], expires_at, start, won)
        )
        for i in range(PROCESSES)
    ]  # each starts at a different key, so they collide all along the way
    for process in processes:
        process.start()
    results = [won.get(timeout=WAIT) for _ in processes]
    for process in processes:
        process.join(WAIT)

    claimed = [key for keys_won in results for key in keys_won]
    assert sorted(claimed) == sorted(keys)  # every request once, whichever process took it
    assert [process.exitcode for process in processes] == [0] * PROCESSES


def test_a_store_that_cannot_check_for_replays_gets_a_503_not_a_traceback(
    http_server: str,
    services: Services,
    pairs: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def down(*args: Any, **kwargs: Any) -> bool:
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(ReplayGuard, "claim", down)
    body = slash_command_body("/logmeeting", "45m", "U0LEE")

    assert send(http_server, body, signed_headers(SIGNING_SECRET, body)) == (503, b"")
    assert entries(services) == 0
    assert all(record.exc_info is None for record in caplog.records)
