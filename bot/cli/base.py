"""What every `mentor-minutes` command shares: its error, the services over a migrated
database, files read as text, the Slack directory when a token is set, and rows written out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from slack_sdk import WebClient
from sqlalchemy.engine import make_url

from bot.bootstrap import Services, Tenants
from bot.config import Settings
from bot.domain.cells import csv_text
from bot.domain.formatting import terminal_safe
from bot.domain.roster import RowProblem
from bot.services.installations import TokenRotationLocks
from bot.services.roster import SlackDirectory
from bot.services.tenants import Tenant
from bot.slack.client import make_web_client
from bot.slack.clients import client_source
from bot.slack.directory import WebDirectory
from bot.store.db import database_exists, is_up_to_date, sqlite_path


class CommandError(Exception):
    """A command that could not do what was asked; the message says why."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def out() -> TextIO:
    """Where a command prints (standard output, read at each call: tests capture it)."""
    return sys.stdout


def open_tenants(settings: Settings) -> Tenants:
    """Every program of a database that is migrated to the newest revision (a missing SQLite
    file is reported, not created)."""
    if not database_exists(settings.DATABASE_URL):
        raise CommandError(
            f"there is no database at {sqlite_path(settings.DATABASE_URL)} (DATABASE_URL): "
            "run `mentor-minutes db upgrade` first"
        )
    if not is_up_to_date(settings.DATABASE_URL):
        raise CommandError(
            f"the database ({safe_url(settings.DATABASE_URL)}) is not up to date: "
            "run `mentor-minutes db upgrade` first"
        )
    return Tenants.build(settings)


def open_services(settings: Settings, args: argparse.Namespace | None = None) -> Services:
    """Services over a migrated database (`open_tenants`) for the program of `--team`
    (`args.team`): optional when the database holds one program, required when it holds
    several."""
    tenants = open_tenants(settings)
    if args is None:  # the whole deployment (serve): every program
        return tenants.single()
    return team_services(tenants, getattr(args, "team", None))


def team_services(tenants: Tenants, team: str | None) -> Services:
    """The services of a team's program; without a team, the one program's. A CommandError
    (exit 1) lists the installed teams when the team has no program, or when there are several
    programs and no team was named."""
    listed = tenants.all()
    if team is None:
        if len(listed) <= 1:
            return tenants.single()
        tenants.close()
        raise CommandError(
            f"this database holds {len(listed)} programs: say which with --team TEAM_ID\n"
            + teams_list(tenants_listed=listed)
        )
    tenant = tenants.tenant_for(None, team) or tenants.tenant_for(team, None)
    if tenant is None:
        tenants.close()
        raise CommandError(f"no program for team {team}\n" + teams_list(tenants_listed=listed))
    if len(listed) == 1 and tenant.team_id is None:
        return tenants.single()
    return tenants.for_program(tenant.program_id)


def teams_list(*, tenants_listed: Sequence[Any]) -> str:
    """The installed teams, one a line: team id and program name (`teams` says more)."""
    if not tenants_listed:
        return "  (no program yet: `mentor-minutes program load FILE.toml --team TEAM_ID`)"
    return terminal_safe(
        "\n".join(
            f"  {t.team_id or '(no team)'}  {t.name}" + ("" if t.active else "  (uninstalled)")
            for t in tenants_listed
        )
    )


def safe_url(url: str) -> str:
    """The URL with its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def read_text(path: Path) -> str:
    """A file a command was given, as text (UTF-8, a BOM allowed); a CommandError says why not."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None


def own_tenant(services: Services) -> Tenant | None:
    """The workspace of the command's program (None before a program is loaded)."""
    program = services.programs.find()
    return services.tenants.get(program.id) if program is not None else None


def slack_client(settings: Settings, services: Services) -> WebClient | None:
    """The Web API client that speaks for the command's program: SLACK_BOT_TOKEN's, or with an
    OAuth install its workspace's installation's (its token refreshed first when due); None
    when there is neither."""
    if settings.has_oauth:
        tenant = own_tenant(services)
        return client_source(settings, TokenRotationLocks(services.store)).client_for(tenant)
    return make_web_client(settings) if settings.has_slack else None


def slack_directory(settings: Settings, services: Services) -> SlackDirectory | None:
    """Slack's users.lookupByEmail as the program's workspace answers it (`slack_client`), or
    None without a client."""
    client = slack_client(settings, services)
    return WebDirectory(client) if client is not None else None


def records_text(form: str, columns: tuple[str, ...], records: list[dict[str, Any]]) -> str:
    """Rows as JSON (objects with `columns` as keys) or CSV (`columns` as the header; every
    cell through the one boundary for spreadsheets, `bot.domain.cells`)."""
    picked = [{c: record[c] for c in columns} for record in records]
    if form == "json":
        return json.dumps(picked, indent=2, ensure_ascii=False) + "\n"
    return csv_text(columns, ([record[c] for c in columns] for record in picked))


def write_records(form: str, columns: tuple[str, ...], records: list[dict[str, Any]]) -> None:
    """Rows out on standard output, as `records_text` writes them."""
    out().write(records_text(form, columns, records))


UNLINKED_NAMED = 5  # people named in the "not linked to Slack" summary before "and N more"


def unlinked_summary(unlinked: Sequence[RowProblem]) -> list[str]:
    """One line per reason for the people imported without a Slack account, naming a few."""
    by_reason: dict[str, list[str]] = {}
    for problem in unlinked:
        by_reason.setdefault(problem.reason, []).append(problem.email or f"line {problem.line}")
    lines = []
    for reason, emails in by_reason.items():
        shown = ", ".join(emails[:UNLINKED_NAMED])
        more = f" and {len(emails) - UNLINKED_NAMED} more" if len(emails) > UNLINKED_NAMED else ""
        people = "person" if len(emails) == 1 else "people"
        fix = (
            "add their slack_user_id, or import again with SLACK_BOT_TOKEN set"
            if "token" in reason
            else "add their slack_user_id, or check the email matches their Slack profile"
        )
        lines.append(
            f"{len(emails)} {people} not linked to Slack ({reason}): {shown}{more}. "
            f"They get no Slack messages until linked: {fix}."
        )
    return lines
