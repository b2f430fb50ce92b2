"""`mentor-minutes`: the command line of the contract (docs/contract.md)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bot.cli.log_setup import configure_logging
from bot.config import (
    Settings,
    SettingsError,
    demo_settings,
    load_settings,
    load_settings_but,
)
from bot.domain.calendar import EARLIEST_DAY, LATEST_DAY, in_calendar_range
from bot.domain.months import NUMERIC_MONTH, Month, month_span, read_month

log = logging.getLogger(__name__)

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
NO_DATABASE_COMMANDS = {("jobs", "list")}
# Commands about the deployment, not one program: no --team.
WHOLE_DEPLOYMENT = {"db", "serve", "demo", "teams", "jobs list"}

# The one --team every program command takes (many workspaces on one database).
TEAM_PARENT = argparse.ArgumentParser(add_help=False)
TEAM_PARENT.add_argument(
    "--team",
    metavar="TEAM_ID",
    help="the workspace whose program this is (required when the database holds several)",
)


def _date(text: str) -> date:
    """A date argument: ISO, within the calendar's range (else argparse's usage error)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date like 2026-09-14") from None
    if not in_calendar_range(day):
        raise argparse.ArgumentTypeError(
            f"{text} is outside the dates the program works with ({EARLIEST_DAY} to "
            f"{LATEST_DAY}); give one like 2026-09-14"
        )
    return day


def _month(text: str) -> Month:
    """A month argument, YYYY-MM (else argparse's usage error)."""
    ref = read_month(text)
    if ref is None or ref.year is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-10 (YYYY-MM)")
    month = month_span(ref.year, ref.month)
    if not in_calendar_range(month.first):
        raise argparse.ArgumentTypeError(
            f"{text} is outside the dates the program works with ({EARLIEST_DAY} to "
            f"{LATEST_DAY}); give one like 2026-10"
        )
    return month


def _first_day(text: str) -> date:
    """A first day: ISO, or a month (YYYY-MM) for its first day."""
    return _month(text).first if NUMERIC_MONTH.match(text) else _date(text)


def _last_day(text: str) -> date:
    """A last day: ISO, or a month (YYYY-MM) for its last day."""
    return _month(text).last if NUMERIC_MONTH.match(text) else _date(text)


def build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915 (one parser, many commands)
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="mentor-minutes",
        description="Mentor Minutes: mentoring logs, nudges and reports for induction programs.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument(
        "--sql-echo",
        action="store_true",
        help="developers: log every SQL statement (parameters hidden); refused with serve",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser(
        "db", help="`db upgrade` applies migrations / `db current` prints the revision"
    )
    db.add_argument("action", choices=["upgrade", "current"])

    program = sub.add_parser("program", help="`program load FILE.toml` / `program show`")
    program_sub = program.add_subparsers(dest="action", required=True)
    load = program_sub.add_parser("load", help="create or update the program from TOML")
    load.add_argument("file", type=Path)
    load.add_argument(
        "--dry-run", action="store_true", help="show what would change; change nothing"
    )
    load.add_argument(
        "--yes", action="store_true", help="apply a new name, policy, timezone or calendar"
    )
    program_sub.add_parser("show", help="print the program as TOML")

    roster = sub.add_parser("roster", help="`roster import FILE.csv [--dry-run]`")
    roster_sub = roster.add_subparsers(dest="action", required=True)
    imp = roster_sub.add_parser("import", help="upsert people by email; all rows or none")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="validate and report; change nothing")
    imp.add_argument("--year", help="the program year's roster, e.g. 2027-28 (default: current)")

    year = sub.add_parser(
        "year", help="`year start FILE.toml --roster FILE.csv [--dry-run]` / `year list`"
    )
    year_sub = year.add_subparsers(dest="action", required=True)
    start = year_sub.add_parser(
        "start", help="start the next program year from its program file and roster"
    )
    start.add_argument("file", type=Path, help="the next year's program TOML")
    start.add_argument("--roster", type=Path, required=True, help="the next year's roster CSV")
    start.add_argument(
        "--dry-run", action="store_true", help="show what would happen; change nothing"
    )
    year_sub.add_parser("list", help="the program years kept, and which is current")

    assign = sub.add_parser("assign", help="assign MENTOR to MENTEE (emails or Slack ids)")
    assign.add_argument("mentor")
    assign.add_argument("mentee")
    assign.add_argument("--on", type=_date, help="start date (default: today)")
    assign.add_argument(
        "--override", action="store_true", help="assign past the policy's caseload cap"
    )
    assign.add_argument(
        "--move-entries",
        action="store_true",
        help="move the ended pair's entries dated from --on to the new mentor (audited)",
    )

    event = sub.add_parser(
        "event", help="`event add KIND DATE MINUTES --by EMAIL --attendee EMAIL…` / `event list`"
    )
    event_sub = event.add_subparsers(dest="action", required=True)
    add = event_sub.add_parser(
        "add", help="record a program activity (orientation, group, training, support_team)"
    )
    add.add_argument("kind", help="orientation, group, training or support_team")
    add.add_argument("on", type=_date, help="the day it happened, ISO")
    add.add_argument("minutes", help="how long it was: 90 (minutes), 90m, 1h30, 1.5h")
    add.add_argument("--by", required=True, help="who facilitated (email or Slack id)")
    add.add_argument(
        "--attendee", action="append", default=[], help="who attended (repeat it for each)"
    )
    add.add_argument("--notes", help="notes kept with the activity (never in the report)")
    listing = event_sub.add_parser("list", help="the program year's activities (no notes)")
    listing.add_argument("--year", help="school year such as 2026-27 (default: current)")

    partnership = sub.add_parser(
        "partnership",
        help="`partnership add NAME --kind KIND --supports TEXT` / `list` / `remove NAME`",
    )
    partnership_sub = partnership.add_subparsers(dest="action", required=True)
    padd = partnership_sub.add_parser("add", help="enter a partnership (report item h)")
    padd.add_argument("name")
    padd.add_argument(
        "--kind", required=True, help="district, association, higher_education, community, other"
    )
    padd.add_argument("--supports", required=True, help="what the partner supports")
    partnership_sub.add_parser("list", help="every partnership entered")
    premove = partnership_sub.add_parser("remove", help="remove a partnership by name")
    premove.add_argument("name")

    serve = sub.add_parser("serve", help="run the Slack app (HTTP or Socket Mode) and scheduler")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--no-scheduler", action="store_true", help="web worker only")

    console = sub.add_parser("console", help="drive the app from the terminal, no Slack needed")
    console.add_argument("--as", dest="as_email", help="act as this person (email)")
    console.add_argument(
        "--demo",
        action="store_true",
        help="the demo district: its own database (./mentor_minutes_demo.db) and clock (Wed 18 "
        "Nov 2026 10:00) unless DATABASE_URL / MENTOR_MINUTES_NOW are set; loaded on first use",
    )

    demo = sub.add_parser(
        "demo", help="load the demo district (into ./mentor_minutes_demo.db unless DATABASE_URL)"
    )
    demo.add_argument("--reset", action="store_true", help="start the demo database afresh")

    jobs = sub.add_parser(
        "jobs", help="`jobs list` / `jobs run NAME [--at ISO8601]` / `jobs review [resend|drop ID]`"
    )
    jobs_sub = jobs.add_subparsers(dest="action", required=True)
    jobs_sub.add_parser("list", help="list the scheduled jobs")
    run = jobs_sub.add_parser("run", help="run a job now (or as of --at) and deliver")
    run.add_argument("name")
    run.add_argument("--at", help="ISO 8601 instant with offset")
    review = jobs_sub.add_parser(
        "review", help="messages held for review (delivery unknown): list, resend or drop one"
    )
    review.add_argument("resolution", nargs="?", choices=["resend", "drop"])
    review.add_argument("id", nargs="?", type=int, help="the message id the list shows")

    export = sub.add_parser(
        "export",
        help="`export logs [--year]` / `export pay --month YYYY-MM` (or --from DATE --to DATE) / "
        "`export record EMAIL` [--format] / `export all [--out DIR]`",
    )
    export_sub = export.add_subparsers(dest="action", required=True)
    logs = export_sub.add_parser("logs", help="every log entry, one row each")
    logs.add_argument("--year", help="school year such as 2026-27 (default: current)")
    logs.add_argument("--format", choices=["csv", "json"], default="csv")
    logs.add_argument("--include-notes", action="store_true", help="coordinators only")
    logs.add_argument("--as", dest="as_email", help="who is exporting (for --include-notes)")
    pay = export_sub.add_parser(
        "pay",
        help="what to pay for a period: one row per person and basis",
        description="What to pay for a month (--month 2026-10) or from a day to a day (--from "
        "2026-10-01 --to 2026-10-31; a month there means its first or last day).",
    )
    pay.add_argument("--month", type=_month, help="a calendar month, YYYY-MM: 2026-10")
    pay.add_argument(
        "--from", dest="first", type=_first_day, help="first day, ISO (or a month: its first)"
    )
    pay.add_argument(
        "--to", dest="last", type=_last_day, help="last day, ISO (or a month: its last)"
    )
    pay.add_argument("--format", choices=["csv", "json"], default="csv")
    pay.add_argument(
        "--signed-only",
        action="store_true",
        help="count only entries, and stipend school days, in signed-off periods",
    )
    record = export_sub.add_parser(
        "record", help="one educator's induction record across years (no notes)"
    )
    record.add_argument("email", help="the educator's email or Slack id")
    record.add_argument("--format", choices=["md", "csv", "json"], default="md")

    hand_back = export_sub.add_parser(
        "all", help="everything the district owns (logs with notes, people, report, pay)"
    )
    hand_back.add_argument(
        "--out",
        type=Path,
        help="a new or empty directory (default: mentor-minutes-export-YYYY-MM-DD)",
    )

    forget = sub.add_parser(
        "forget", help="erase a person's notes, reasons, comments and identity; keep the minutes"
    )
    forget.add_argument("email", help="the person's email (or Slack id)")
    forget.add_argument(
        "--dry-run", action="store_true", help="print what would be erased (counts); change nothing"
    )
    forget.add_argument(
        "--yes", action="store_true", help="forget them even with periods not signed off"
    )

    report = sub.add_parser("report", help="`report annual [--year] [--format csv|json|md]`")
    report_sub = report.add_subparsers(dest="action", required=True)
    annual = report_sub.add_parser(
        "annual", help="the annual induction report: teachers (a)-(h), administrators (a)-(i)"
    )
    annual.add_argument("--year", help="school year such as 2026-27 (default: current)")
    annual.add_argument("--format", choices=["csv", "json", "md"], default="md")

    survey = sub.add_parser(
        "survey", help="`survey list` / `survey results NAME [--format csv|json]` (anonymised)"
    )
    survey_sub = survey.add_subparsers(dest="action", required=True)
    survey_sub.add_parser("list", help="every survey sent, in aggregate, and those to come")
    results = survey_sub.add_parser(
        "results", help="a survey's answers, anonymised (none below 5 answers)"
    )
    results.add_argument("name", help="the survey's name (exit tickets: exit-ticket-EVENT)")
    results.add_argument("--format", choices=["csv", "json"], default="csv")

    ledger = sub.add_parser("ledger", help="`ledger verify` / `ledger rebuild`: the kept totals")
    ledger_sub = ledger.add_subparsers(dest="action", required=True)
    ledger_sub.add_parser(
        "verify", help="recompute every total from the log rows; print each difference (exit 1)"
    )
    ledger_sub.add_parser("rebuild", help="recompute every kept total from the log rows")

    sub.add_parser("teams", help="the installed workspaces and their programs")
    _take_team(sub)
    return parser


def _take_team(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Give every command that works on one program (each leaf of the tree) the shared
    `--team` of TEAM_PARENT."""
    for name, parser in subparsers.choices.items():
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for leaf_name, leaf in nested[0].choices.items():
                if f"{name} {leaf_name}" not in WHOLE_DEPLOYMENT:
                    leaf._add_container_actions(TEAM_PARENT)
        elif name not in WHOLE_DEPLOYMENT:
            parser._add_container_actions(TEAM_PARENT)


def refuse(problems: list[str], code: int) -> int:
    """Print each problem on a line of its own (standard error); return the exit code."""
    for problem in problems:
        print(f"mentor-minutes: {problem}", file=sys.stderr)
    return code


def _settings_for(
    args: argparse.Namespace,
) -> tuple[Settings | None, tuple[str, ...], list[str]]:
    """The settings for the command, the variables at fault and their refusals. Settings are
    None when the command stops there; `serve` goes on with the faulty ones at their defaults,
    to list every problem; the demo has its own database and clock unless they are set."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        refusals = [f"configuration error: {problem}" for problem in exc.problems]
        if args.command != "serve":
            return None, exc.names, refusals
        return load_settings_but(exc.names), exc.names, refusals
    if args.command == "demo" or (args.command == "console" and args.demo):
        settings = demo_settings(settings)
    return settings, (), []


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return the exit code."""
    args = build_parser().parse_args(argv)
    if args.sql_echo and args.command == "serve":
        print(
            "mentor-minutes: --sql-echo is for development and is refused with serve",
            file=sys.stderr,
        )
        return EXIT_USAGE
    configure_logging(verbose=args.verbose, serving=args.command == "serve", sql_echo=args.sql_echo)
    settings, faulty, refusals = _settings_for(args)
    if settings is None:
        return refuse(refusals, EXIT_USAGE)
    # The commands, the services and SQLAlchemy under them are imported once a command is to run:
    # `--help`, a usage error and a settings error answer in a third of the time (importing
    # bot.cli.main took 0.3 s, bot.cli.commands 0.9 s, on the development machine).
    from sqlalchemy.exc import OperationalError  # noqa: PLC0415

    from bot.cli import base, commands, preflight  # noqa: PLC0415
    from bot.store.db import (  # noqa: PLC0415
        DatabaseUnavailable,
        check_reachable,
        unreachable_reason,
    )

    if args.command == "serve":  # nothing starts, the scheduler included, until all is there
        refusals += preflight.serve_problems(settings, faulty)
        if refusals:
            return refuse(refusals, EXIT_USAGE)
    unreadable = preflight.database_url_problem(settings.DATABASE_URL)
    if unreadable is not None:
        return refuse([f"configuration error: {unreadable}"], EXIT_USAGE)
    where = f"DATABASE_URL ({base.safe_url(settings.DATABASE_URL)})"
    if (args.command, getattr(args, "action", None)) not in NO_DATABASE_COMMANDS:
        try:
            check_reachable(settings.DATABASE_URL)
        except DatabaseUnavailable as exc:
            print(f"mentor-minutes: {where}: cannot open the database: {exc}", file=sys.stderr)
            return EXIT_USAGE
    handler: Callable[[argparse.Namespace, Settings], int] = getattr(
        commands, f"cmd_{args.command}"
    )
    try:
        return handler(args, settings)
    except base.CommandError as exc:
        print(f"mentor-minutes: {exc}", file=sys.stderr)
        return exc.code
    except OperationalError as exc:  # the server went away or the file became unreadable
        log.debug("database error", exc_info=True)
        print(f"mentor-minutes: {where}: {unreachable_reason(exc)}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `mentor-minutes export logs | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
