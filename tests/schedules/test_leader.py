"""One scheduler per deployment: the file lock beside SQLite, the PostgreSQL advisory lock, the
APScheduler job (one tick, fixed id, coalesced, one instance), and `serve --no-scheduler`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.bootstrap import build_services
from bot.config import load_settings
from bot.store.db import Store
from bot.web import server
from schedules import scheduler as schedules
from schedules.leader import FileLeader, PostgresLeader, leadership_for

# ---- FileLeader (SQLite) ----------------------------------------------------------------------


def test_a_second_file_leader_waits_until_the_first_steps_down(tmp_path: Path) -> None:
    path = tmp_path / "mm.db.scheduler.lock"
    first, second = FileLeader(path), FileLeader(path)
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        assert first.acquire() is True  # keeps it
        assert second.acquire() is False
        first.release()
        assert second.acquire() is True
        assert first.acquire() is False
    finally:
        first.release()
        second.release()


def test_leadership_for_sqlite_is_a_lock_file_beside_the_database(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'mm.db'}")
    try:
        leader = leadership_for(store)
        assert isinstance(leader, FileLeader)
        assert leader.path == Path(f"{tmp_path / 'mm.db'}.scheduler.lock")
    finally:
        store.dispose()


# ---- PostgresLeader ---------------------------------------------------------------------------


@pytest.fixture
def two_stores(db_url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores (as two processes) on the PostgreSQL test database."""
    stores = (Store(db_url), Store(db_url))
    yield stores
    for store in stores:
        store.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_only_one_postgres_leader_holds_the_advisory_lock(
    two_stores: tuple[Store, Store],
) -> None:
    first, second = (PostgresLeader(store) for store in two_stores)
    assert isinstance(leadership_for(two_stores[0]), PostgresLeader)
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        assert first.acquire() is True  # still the leader (its connection is alive)
        first.release()
        assert second.acquire() is True
        assert first.acquire() is False
    finally:
        first.release()
        second.release()


# ---- the APScheduler job ----------------------------------------------------------------------


class NeverLeader:
    """A Leadership that never leads (and records being asked)."""

    def __init__(self) -> None:
        self.asked = 0
        self.released = 0

    def acquire(self) -> bool:
        self.asked += 1
        return False

    def release(self) -> None:
        self.released += 1


def test_build_scheduler_has_exactly_the_one_tick_job() -> None:
    scheduler = schedules.build_scheduler(None, None, NeverLeader())  # type: ignore[arg-type]
    scheduler.start(paused=True)
    try:
        (job,) = scheduler.get_jobs()
        assert job.id == "mentor-minutes-tick" == schedules.TICK_ID
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=60)
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert job.func is schedules.tick_if_leader
    finally:
        scheduler.shutdown(wait=False)


def test_a_process_that_does_not_lead_does_not_tick() -> None:
    leader = NeverLeader()
    assert schedules.tick_if_leader(None, None, leader, {}) is None  # type: ignore[arg-type]
    assert leader.asked == 1


# ---- serve --no-scheduler ---------------------------------------------------------------------


class StubServer:
    effective_port = 3000

    def __init__(self) -> None:
        self.ran = 0

    def run(self) -> None:
        self.ran += 1


@pytest.mark.parametrize(("scheduler", "starts"), [(False, 0), (True, 1)])
def test_serve_starts_the_scheduler_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scheduler: bool, starts: int
) -> None:
    started: list[Any] = []
    stopped: list[bool] = []
    http = StubServer()

    class Runner:
        def shutdown(self) -> None:
            stopped.append(True)

    def fake_start(*args: Any, **kwargs: Any) -> Runner:
        started.append(args)
        return Runner()

    monkeypatch.setattr(server, "start_scheduler", fake_start)
    monkeypatch.setattr(server, "make_http_server", lambda *a, **k: http)
    settings = load_settings(
        _env_file=None,
        DATABASE_URL=f"sqlite:///{tmp_path / 'mm.db'}",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_APP_TOKEN="",
        MENTOR_MINUTES_NOW=None,
    )
    services = build_services(settings)  # nothing is read: the server and scheduler are stubs
    code = server.serve(settings, services, host="127.0.0.1", port=0, scheduler=scheduler)
    services.close()
    assert (code, http.ran) == (0, 1)
    assert len(started) == starts and len(stopped) == starts
    if starts:
        assert started[0][:2] == (settings, services)
