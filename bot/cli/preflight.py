"""What a command checks before it starts anything: the database URL it can read, and for
`serve` everything it needs — Slack settings, a reachable database at the newest migration, a
loaded program. Each problem is one line saying what to do; all of them are listed at once."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from bot.bootstrap import clock_from
from bot.cli.base import safe_url
from bot.config import Settings
from bot.services.programs import ProgramService
from bot.store.db import (
    DatabaseUnavailable,
    Store,
    check_reachable,
    current_revision,
    database_exists,
    head_revision,
    sqlite_path,
    unreachable_reason,
)

URL_EXAMPLES = (
    "postgresql://user:password@db.example.org/mentor_minutes or sqlite:///mentor_minutes.db"
)


def database_url_problem(url: str) -> str | None:
    """Why SQLAlchemy cannot read DATABASE_URL (the URL itself is not repeated: it may hold a
    password), or None."""
    try:
        make_url(url)
    except (ArgumentError, ValueError):
        return f"DATABASE_URL: not a database URL SQLAlchemy can read; e.g. {URL_EXAMPLES}"
    return None


def slack_problems(settings: Settings) -> list[str]:
    """What `serve` lacks to talk to Slack: a bot token (one workspace) or the app's client id
    and secret (OAuth install, many workspaces: HTTP mode only), and in HTTP mode the signing
    secret."""
    problems = []
    client_id, client_secret = settings.SLACK_CLIENT_ID, settings.SLACK_CLIENT_SECRET
    if client_id is not None and client_secret is None:
        problems.append(
            "SLACK_CLIENT_SECRET is not set: an OAuth install needs it with SLACK_CLIENT_ID "
            "(the app's Basic Information, App Credentials)"
        )
    elif client_secret is not None and client_id is None:
        problems.append(
            "SLACK_CLIENT_ID is not set: an OAuth install needs it with SLACK_CLIENT_SECRET "
            "(the app's Basic Information, App Credentials)"
        )
    if settings.has_oauth:
        if settings.SLACK_BOT_TOKEN is not None:
            problems.append(
                "SLACK_BOT_TOKEN is set with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: set "
                "SLACK_BOT_TOKEN for one workspace, or the client id and secret to install in "
                "many (docs/operations.md), not both"
            )
        if settings.SLACK_APP_TOKEN is not None:
            problems.append(
                "SLACK_APP_TOKEN is set with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: an OAuth "
                "install is served over HTTP (/slack/install); unset SLACK_APP_TOKEN"
            )
    elif settings.SLACK_BOT_TOKEN is None and client_id is None and client_secret is None:
        problems.append(
            "SLACK_BOT_TOKEN is not set: put the bot token (xoxb-…) in .env "
            "(README, Create the Slack app), or try `mentor-minutes console --demo` without Slack"
        )
    if settings.SLACK_APP_TOKEN is None and settings.SLACK_SIGNING_SECRET is None:
        problems.append(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify Slack's requests "
            "(or set SLACK_APP_TOKEN, xapp-…, for Socket Mode)"
        )
    return problems


def database_problems(settings: Settings) -> list[str]:
    """What `serve` lacks in the store: the database, its migrations, a program (in that order:
    each check needs the one before)."""
    url = settings.DATABASE_URL
    where = f"DATABASE_URL ({safe_url(url)})"
    try:
        check_reachable(url)
    except DatabaseUnavailable as exc:
        return [f"{where}: cannot open the database: {exc}"]
    if not database_exists(url):
        return [
            f"there is no database at {sqlite_path(url)} (DATABASE_URL): "
            "run `mentor-minutes db upgrade` first"
        ]
    try:
        current, head = current_revision(url), head_revision()
        if current != head:
            state = "not migrated" if current is None else f"at revision {current}"
            return [
                f"the database ({safe_url(url)}) is {state}, not at the newest ({head}): "
                "run `mentor-minutes db upgrade` first"
            ]
        store = Store(url)
        try:
            program = ProgramService(store, clock_from(settings)).find()
        finally:
            store.dispose()
    except OperationalError as exc:
        return [f"{where}: {unreachable_reason(exc)}"]
    if program is None and not settings.has_oauth:  # an OAuth install may come before it
        return [
            "there is no program yet: run `mentor-minutes program load FILE.toml` "
            "(docs/program-file.md), then `mentor-minutes roster import FILE.csv`"
        ]
    return []


def serve_problems(settings: Settings, faulty: tuple[str, ...] = ()) -> list[str]:
    """Everything that stops `serve` from starting besides the `faulty` settings (already
    refused, and here at their defaults), one line each; none: it may start."""
    problems = [p for p in slack_problems(settings) if p.split(" ", 1)[0] not in faulty]
    if "DATABASE_URL" in faulty:
        return problems
    unreadable = database_url_problem(settings.DATABASE_URL)
    if unreadable is not None:
        return [*problems, f"configuration error: {unreadable}"]
    return problems + database_problems(settings)
