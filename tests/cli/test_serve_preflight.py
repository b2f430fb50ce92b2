"""`serve` checks its settings, database, migrations and program before it starts anything (the
scheduler included) and refuses with one line per problem; a malformed DATABASE_URL is one line
for every command. The real CLI, run as a process: what it prints is all it prints."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.preflight import serve_problems
from bot.config import ENV_NAMES, load_settings
from bot.store.db import head_revision, upgrade
from tests.support.cli import Cli, clean_environment
from tests.support.hillside import BOT_TOKEN, SIGNING_SECRET
from tests.support.repo import REPO

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
TOKEN_LINE = "mentor-minutes: SLACK_BOT_TOKEN is not set: put the bot token (xoxb-…) in .env (README, Create the Slack app), or try `mentor-minutes console --demo` without Slack"  # fmt: skip
SECRET_LINE = "mentor-minutes: SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify Slack's requests (or set SLACK_APP_TOKEN, xapp-…, for Socket Mode)"  # fmt: skip
NO_PROGRAM_LINE = "mentor-minutes: there is no program yet: run `mentor-minutes program load FILE.toml` (docs/program-file.md), then `mentor-minutes roster import FILE.csv`"  # fmt: skip
RELATIVE_LINE = "mentor-minutes: configuration error: DATABASE_URL: sqlite://relative.db is not a SQLite URL: a file takes three slashes, e.g. sqlite:///relative.db (relative to the working directory) or sqlite:////srv/mentor-minutes/relative.db (absolute)"  # fmt: skip
NO_DATABASE_LINE = "mentor-minutes: there is no database at {} (DATABASE_URL): run `mentor-minutes db upgrade` first"  # fmt: skip
BAD_TOKEN_LINE = "mentor-minutes: configuration error: SLACK_BOT_TOKEN: expected a bot token starting with xoxb-"  # fmt: skip
BAD_API_URL_LINE = "mentor-minutes: configuration error: SLACK_API_URL: expected an http(s) URL such as https://slack.com/api/"  # fmt: skip
BEHIND_LINE = "mentor-minutes: the database ({}) is at revision 0012_standards_coverage, not at the newest ({}): run `mentor-minutes db upgrade` first"  # fmt: skip
SLACK = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": "http://127.0.0.1:9/api/"}  # fmt: skip


@pytest.fixture
def fresh_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """The CLI in an empty working directory."""
    clean_environment(monkeypatch, tmp_path)
    return Cli(capsys, tmp_path, "sqlite://")


def mentor_minutes(cwd: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGV` in `cwd` (no stray .env) with only these settings."""
    environment = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    environment["PYTHONPATH"] = str(REPO)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,  # a serve that started would run until this kills it: a failure
        check=False,
    )


def refused(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The refusal's lines, after checking it printed nothing else and exited 2."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""
    return done.stderr.splitlines()


def test_serve_with_nothing_set_up_lists_every_problem_and_creates_nothing(tmp_path: Path) -> None:
    done = mentor_minutes(tmp_path, "serve", "--port", "0")
    assert refused(done) == [
        TOKEN_LINE,
        SECRET_LINE,
        NO_DATABASE_LINE.format(tmp_path / "mentor_minutes.db"),
    ]
    assert list(tmp_path.iterdir()) == []


def test_serve_with_malformed_settings_names_each_and_checks_the_rest(tmp_path: Path) -> None:
    done = mentor_minutes(tmp_path, "serve", SLACK_BOT_TOKEN="abc", SLACK_API_URL="slack.com")
    assert refused(done) == [
        BAD_TOKEN_LINE,
        BAD_API_URL_LINE,
        SECRET_LINE,
        NO_DATABASE_LINE.format(tmp_path / "mentor_minutes.db"),
    ]


def test_serve_with_a_relative_sqlite_url_says_how_to_write_it(tmp_path: Path) -> None:
    done = mentor_minutes(tmp_path, "serve", DATABASE_URL="sqlite://relative.db", **SLACK)
    assert refused(done) == [RELATIVE_LINE]


def test_serve_on_a_database_behind_the_migrations_says_to_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0012_standards_coverage")
    done = mentor_minutes(tmp_path, "serve", DATABASE_URL=url, **SLACK)
    assert refused(done) == [BEHIND_LINE.format(url, head_revision())]


def test_serve_without_a_program_refuses_before_the_scheduler_starts(
    tmp_path: Path, db_url: str
) -> None:
    done = mentor_minutes(tmp_path, "serve", DATABASE_URL=db_url, **SLACK)
    assert refused(done) == [NO_PROGRAM_LINE]  # no "scheduler started", no tick's traceback


def test_serve_in_socket_mode_needs_no_signing_secret(tmp_path: Path, db_url: str) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1-test"}
    assert refused(mentor_minutes(tmp_path, "serve", DATABASE_URL=db_url, **env)) == [
        NO_PROGRAM_LINE
    ]


def test_a_set_up_program_passes_every_check(loaded: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SLACK.items():
        monkeypatch.setenv(name, value)
    assert serve_problems(load_settings()) == []


@pytest.mark.parametrize(
    "argv",
    [("db", "upgrade"), ("db", "current"), ("program", "show"), ("roster", "import", "r.csv"), ("year", "list"), ("assign", "a@x.org", "b@x.org"),
     ("event", "list"), ("partnership", "list"), ("console",), ("demo",), ("jobs", "run", "deliver"), ("jobs", "review"), ("export", "logs"),
     ("export", "pay", "--month", "2026-10"), ("export", "record", "a@x.org"), ("report", "annual"), ("survey", "list"), ("ledger", "verify")],
)  # fmt: skip
def test_every_command_reads_a_malformed_database_url_in_one_line(
    fresh_cli: Cli, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite://relative.db")
    result = fresh_cli(*argv)
    assert (result.code, result.out, result.err) == (2, "", RELATIVE_LINE + "\n")
    assert list(fresh_cli.workdir.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "line"),
    [("sqlite:relative.db", "DATABASE_URL: sqlite:relative.db is not a SQLite URL: a file takes three slashes, e.g. sqlite:///relative.db (relative to the working directory) or sqlite:////srv/mentor-minutes/relative.db (absolute)"),
     ("postgresql://mm:s3cret@db:port/mm", "DATABASE_URL: not a database URL SQLAlchemy can read; e.g. postgresql://user:password@db.example.org/mentor_minutes or sqlite:///mentor_minutes.db")],
)  # fmt: skip
def test_other_malformed_database_urls_are_one_line_without_the_password(
    tmp_path: Path, url: str, line: str
) -> None:
    done = mentor_minutes(tmp_path, "program", "show", DATABASE_URL=url)
    assert refused(done) == [f"mentor-minutes: configuration error: {line}"]
