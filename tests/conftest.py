"""Shared fixtures: a fresh store per test on SQLite and on PostgreSQL, the fake Slack Web API,
the app built by the real factory, and a real HTTP server in front of it."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from waitress import wasyncore

import bot.cli.jobs
import bot.devtools.console
import bot.devtools.slack_standin
from bot.bootstrap import Services, build_services
from bot.clock import FixedClock
from bot.config import Settings, load_settings
from bot.devtools.demo import DEMO_NOW, seed_demo
from bot.domain.policy import parse_program_toml
from bot.services.programs import ProgramInfo
from bot.slack.clients import slack_store_metadata
from bot.store.base import Base
from bot.store.db import upgrade
from bot.web.app import create_app
from bot.web.server import make_http_server
from tests.support.cli import Cli, clean_environment
from tests.support.hillside import (
    BOT_TOKEN,
    MIA,
    NOW,
    PAIRS,
    PROGRAM_TOML,
    ROSTER_CSV,
    SIGNING_SECRET,
)
from tests.support.home import log_week
from tests.support.scheduler import ALERT_DAY, check_payloads
from tests.support.slack_api import FakeSlackApi, created_fakes
from tests.support.years import YAN, YAN_ROW, at

PG_URL_ENV = "MM_TEST_PG_URL"


# ---- databases ----------------------------------------------------------------------------


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A migrated PostgreSQL database for this worker, or None when no cluster is running."""
    base = os.environ.get(PG_URL_ENV)
    if not base:
        yield None
        return
    name = f"mm_{os.getpid()}_{_worker()}"  # several pytest runs may share one cluster
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    every = [*Base.metadata.sorted_tables, *slack_store_metadata().sorted_tables]
    tables = ", ".join(f'"{t.name}"' for t in every)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite and PostgreSQL (skipped without a cluster, not in CI)."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    if url is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {PG_URL_ENV} is not set: the PostgreSQL tests must run")
        pytest.skip(f"no PostgreSQL ({PG_URL_ENV} unset); `make test` starts one")
    _truncate_postgres(url)
    yield url


# ---- Slack, settings, services, app ------------------------------------------------------


# Where the production code builds the console's stand-in itself: tests give it the checked fake.
_STANDIN_MODULES = (bot.devtools.console, bot.devtools.slack_standin, bot.cli.jobs)


@pytest.fixture(autouse=True)
def every_slack_payload_is_valid(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every fake Web API of the test (the fixture's, a test's own, the console's) checks each
    call carrying blocks, attachments or a view; any it refused fails the test here."""
    for module in _STANDIN_MODULES:
        if hasattr(module, "FakeSlackApi"):
            monkeypatch.setattr(module, "FakeSlackApi", FakeSlackApi)
    created_fakes().clear()
    yield
    problems = [problem for fake in created_fakes() for problem in fake.invalid]
    created_fakes().clear()
    assert not problems, "invalid Block Kit sent to Slack:\n" + "\n".join(problems)


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    """The loopback fake Slack Web API."""
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def no_note_reaches_slack(slack_api: FakeSlackApi) -> Iterator[None]:
    """After the test, no call to the fake carries the note SECRET that scheduler tests log
    (`pytestmark = pytest.mark.usefixtures("no_note_reaches_slack")`)."""
    yield
    check_payloads(slack_api)


@pytest.fixture
def clock() -> FixedClock:
    """A clock frozen at Wed 18 Nov 2026 10:00 New York time."""
    return FixedClock(NOW)


@pytest.fixture
def settings(db_url: str, slack_api: FakeSlackApi) -> Settings:
    """Settings for the test database and the fake Web API; no .env, no real Slack."""
    return load_settings(
        _env_file=None,
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=slack_api.url,
        MENTOR_MINUTES_NOW=None,
    )


@pytest.fixture
def services(settings: Settings, clock: FixedClock) -> Iterator[Services]:
    """Services over the test database with the frozen clock."""
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def program(services: Services) -> ProgramInfo:
    """The contract's example program, loaded."""
    info, _ = services.programs.load(parse_program_toml(PROGRAM_TOML))
    return info


@pytest.fixture
def roster(services: Services, program: ProgramInfo) -> dict[str, int]:
    """The test roster imported; email → person id."""
    report = services.roster.import_csv(ROSTER_CSV)
    assert report.ok, report.problems
    with services.store.read() as session:
        return {m.email: m.id for m in services.people.all_members(session, program)}


@pytest.fixture
def pairs(services: Services, roster: dict[str, int]) -> None:
    """Lee→Bea, Mia→Ike, Max→Bo assigned; Nia unassigned."""
    for mentor, mentee, day in PAIRS:
        services.assignments.assign(None, mentor, mentee, date.fromisoformat(day), NOW)


@pytest.fixture
def app(settings: Settings, services: Services) -> Any:
    """The Bolt app from the real factory, answering synchronously (as the console does)."""
    return create_app(settings, services, process_before_response=True)


@pytest.fixture
def http_server(settings: Settings, services: Services) -> Iterator[str]:
    """The real HTTP server (waitress) on a free loopback port; yields its base URL."""
    server = make_http_server(settings, services, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    # Close the sockets from inside waitress's loop, then stop its worker threads. A trigger
    # already closed (the loop ended on its own) leaves the sockets to close here.
    try:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    except OSError:
        wasyncore.close_all(server._map, ignore_all=True)
    thread.join(timeout=5)
    server.task_dispatcher.shutdown()


# ---- the CLI ------------------------------------------------------------------------------


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], db_url: str
) -> Cli:
    """The CLI against the migrated test database (SQLite and PostgreSQL)."""
    clean_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    return Cli(capsys, tmp_path, db_url)


@pytest.fixture
def loaded(cli: Cli) -> Cli:
    """The contract's program and the test roster, loaded through the CLI."""
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    assert cli("roster", "import", cli.write("roster.csv", ROSTER_CSV)).code == 0
    return cli


# ---- two program years ----------------------------------------------------------------------


@pytest.fixture
def year_one(services: Services, program: ProgramInfo, clock: FixedClock) -> Services:
    """2026-27: the test roster plus Yan (hired 2025: year 2), four pairs, some logs."""
    assert services.roster.import_csv(ROSTER_CSV + YAN_ROW + "\n").ok
    for mentor, mentee, day in (*PAIRS, (MIA, YAN, "2026-09-02")):
        services.assignments.assign(None, mentor, mentee, date.fromisoformat(day), clock.now())
    for slack, line, day in (
        ("U0LEE", "90m meeting", "2026-11-16"),
        ("U0MIA", "2h planning <@U0YAN>", "2026-11-16"),
        ("U0MIA", "45m observation <@U0IKE>", "2026-11-17"),
    ):
        clock.set(at(day))
        assert services.logs.log_text(slack, line, clock.now()).ok
    clock.set(at("2027-06-07"))
    return services


# ---- worlds ---------------------------------------------------------------------------------


@pytest.fixture
def week(services: Services, pairs: None) -> Services:
    """The three pairs and a week of mentoring logged (tests/support/home.py WEEK_OF_LOGS)."""
    log_week(services, NOW)
    return services


@pytest.fixture
def world(services: Services, pairs: None, clock: FixedClock) -> Services:
    """The contract roster, three pairs assigned, Nia unassigned; the clock on the alert day."""
    clock.set(ALERT_DAY)
    return services


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Settings, Services]]:
    """The demo district on a fresh SQLite file, at the demo's clock (Wed 18 Nov 2026 10:00)."""
    settings = load_settings(
        _env_file=None,
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}",
        SLACK_BOT_TOKEN="",
        SLACK_APP_TOKEN="",
        MENTOR_MINUTES_NOW=DEMO_NOW,
    )
    seed_demo(settings)
    services = build_services(settings, clock=FixedClock(DEMO_NOW))
    yield settings, services
    services.close()
