"""What each `mentor-minutes` command does (argument parsing lives in bot/cli.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from bot.config import Settings
from bot.policy import ProgramConfig
from bot.roster import RowProblem
from bot.services.container import Services, build_services
from bot.services.errors import Refusal
from bot.store.db import (
    current_revision,
    database_exists,
    head_revision,
    is_up_to_date,
    sqlite_path,
    upgrade,
)

UNLINKED_NAMED = 5  # people named in the "not linked to Slack" summary before "and N more"


class CommandError(Exception):
    """A command that could not do what was asked; the message says why."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _out() -> TextIO:
    return sys.stdout


def open_services(settings: Settings) -> Services:
    """Services over a database that is migrated to the newest revision (a missing SQLite file
    is reported, not created)."""
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
    return build_services(settings)


def safe_url(url: str) -> str:
    """The URL with its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """`db upgrade` / `db current`."""
    if args.action == "upgrade":
        upgrade(settings.DATABASE_URL)
        print(f"Database at {head_revision()}: {safe_url(settings.DATABASE_URL)}", file=_out())
    else:
        print(current_revision(settings.DATABASE_URL) or "not migrated", file=_out())
    return 0


@dataclass(frozen=True)
class ProgramChange:
    """One difference between the stored program and a file; `weighty` ones need --yes."""

    key: str
    text: str
    weighty: bool


WEIGHTY_KEYS = (
    "name",
    "policy",
    "timezone",
    "school_year_start",
    "school_year_end",
    "program_year_start_month",
)
MAX_LISTED_CHANGES = 8  # days or rows named in one line before "and N more"


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED_CHANGES])
    more = len(items) - MAX_LISTED_CHANGES
    return shown + (f" and {more} more" if more > 0 else "")


def _set_change(key: str, old: Sequence[str], new: Sequence[str]) -> ProgramChange | None:
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    if not added and not removed:
        return None
    parts = ([f"+ {_listed(added)}"] if added else []) + (
        [f"- {_listed(removed)}"] if removed else []
    )
    return ProgramChange(key, f"{key}: {'; '.join(parts)}", weighty=True)


def program_changes(old: ProgramConfig, new: ProgramConfig) -> list[ProgramChange]:
    """What loading `new` over `old` changes: identity and calendar first, then policy values."""
    changes = [
        ProgramChange(key, f"{key}: {getattr(old, key)} → {getattr(new, key)}", weighty=True)
        for key in WEIGHTY_KEYS
        if getattr(old, key) != getattr(new, key)
    ]
    calendars = (
        (
            "non_school_days",
            [d.isoformat() for d in old.non_school_days],
            [d.isoformat() for d in new.non_school_days],
        ),
        (
            "vacations",
            [f"{v.name or 'vacation'} {v.start}–{v.end}" for v in old.vacations],
            [f"{v.name or 'vacation'} {v.start}–{v.end}" for v in new.vacations],
        ),
        (
            "calendar_ics days",
            [d.isoformat() for d in old.calendar_ics_days],
            [d.isoformat() for d in new.calendar_ics_days],
        ),
    )
    for key, old_items, new_items in calendars:
        change = _set_change(key, old_items, new_items)
        if change is not None:
            changes.append(change)
    for key in sorted(set(old.overrides) | set(new.overrides)):
        before, after = old.overrides.get(key), new.overrides.get(key)
        if before != after:
            shown = ["(preset)" if value is None else str(value) for value in (before, after)]
            changes.append(
                ProgramChange(
                    f"overrides.{key}", f"overrides.{key}: {shown[0]} → {shown[1]}", False
                )
            )
    if old.deadlines != new.deadlines:
        changes.append(
            ProgramChange(
                "deadlines",
                f"deadlines: {len(old.deadlines)} rows → {len(new.deadlines)} rows (changed)",
                weighty=False,
            )
        )
    return changes


def cmd_program(args: argparse.Namespace, settings: Settings) -> int:
    """`program load FILE.toml [--dry-run] [--yes]` / `program show`."""
    from bot.policy import ProgramConfigError, load_program_toml, program_to_toml

    config = None
    if args.action == "load":
        try:
            config = load_program_toml(args.file)
        except ProgramConfigError as exc:
            lines = "\n".join(f"  {p}" for p in exc.problems)
            raise CommandError(f"{args.file}: nothing changed, because:\n{lines}") from None
        except OSError as exc:
            raise CommandError(f"{args.file}: {exc.strerror}") from None
    services = open_services(settings)
    out = _out()
    try:
        current = services.programs.find()
        if config is None:
            if current is None:
                raise CommandError("no program yet: run `mentor-minutes program load FILE.toml`")
            print(program_to_toml(current.config), file=out, end="")
            return 0
        if current is not None:
            current = _same_year(services, current, config, args.file)
            changes = program_changes(current.config, config)
            if not changes:
                print(f"{current.name}: the file matches the program; nothing changed.", file=out)
                return 0
            print(f"{args.file} changes {current.name} ({current.school_year}):", file=out)
            for change in changes:
                print(f"  {change.text}", file=out)
            weighty = [c.key for c in changes if c.weighty]
            if args.dry_run:
                print("Dry run, nothing changed.", file=out)
                return 0
            if weighty and not args.yes:
                raise CommandError(
                    f"{args.file}: nothing changed: this replaces the program's "
                    f"{', '.join(dict.fromkeys(k.split(' ')[0] for k in weighty))}. "
                    f"Check the differences above, then run "
                    f"`mentor-minutes program load {args.file} --yes`."
                )
        elif args.dry_run:
            print(
                f"Dry run, nothing changed: would create {config.name} "
                f"({config.school_year_label}, policy {config.policy}, {config.timezone}).",
                file=out,
            )
            return 0
        program, created = services.programs.load(config)
        verb = "Created" if created else "Updated"
        print(
            f"{verb} {program.name} ({program.school_year}, policy {program.config.policy}, "
            f"{program.config.timezone}).",
            file=out,
        )
        return 0
    finally:
        services.close()


def _same_year(services: Services, current: Any, config: ProgramConfig, file: Any) -> Any:
    """The kept year a program file updates (the one of its school year); a file for a year
    not kept is refused: the next year is started with `year start`."""
    kept = services.programs.kept()
    years = kept.years if kept is not None else (current,)
    same = next((info for info in years if info.school_year == config.school_year_label), None)
    if same is None:
        labels = ", ".join(info.school_year for info in years)
        raise CommandError(
            f"{file}: nothing changed: it is for {config.school_year_label}, and this program "
            f"keeps {labels}. Start the next year with "
            f"`mentor-minutes year start {file} --roster ROSTER.csv --dry-run`."
        )
    return same


def cmd_roster(args: argparse.Namespace, settings: Settings) -> int:
    """`roster import FILE.csv [--dry-run]`."""
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"{args.file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{args.file}: not UTF-8 text; save the CSV as UTF-8") from None
    services = open_services(settings)
    directory = None
    if settings.has_slack:
        from bot.slack.client import make_web_client
        from bot.slack.directory import WebDirectory

        directory = WebDirectory(make_web_client(settings))
    try:
        report = services.roster.import_csv(
            text, dry_run=args.dry_run, directory=directory, year=args.year
        )
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    out = _out()
    for problem in report.problems:
        who = f" ({problem.email})" if problem.email else ""
        print(f"{args.file}:{problem.line}{who}: {problem.reason}", file=out)
    if not report.ok:
        rows = len({p.line for p in report.problems})
        print(f"{rows} row{'s' if rows != 1 else ''} rejected; nothing was imported.", file=out)
        return 1
    for line in unlinked_summary(report.unlinked):
        print(line, file=out)
    if report.inferred:
        named = ", ".join(f"{i.email} (year {i.year})" for i in report.inferred[:UNLINKED_NAMED])
        more = len(report.inferred) - UNLINKED_NAMED
        print(
            f"{len(report.inferred)} mentee{'s' if len(report.inferred) != 1 else ''} in year 2 "
            f"or later by the hire date (add an induction_year column to say it): "
            f"{named}{f' and {more} more' if more > 0 else ''}.",
            file=out,
        )
    prefix = "Dry run, nothing changed: would import" if report.dry_run else "Imported"
    total = len(report.created) + len(report.updated) + len(report.unchanged)
    print(
        f"{prefix} {total} people: {len(report.created)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged{f' in {report.school_year}' if args.year else ''}.",
        file=out,
    )
    return 0


def cmd_survey(args: argparse.Namespace, settings: Settings) -> int:
    """`survey list` / `survey results NAME [--format csv|json]`."""
    from bot.survey_command import run

    return run(args, settings)


def cmd_year(args: argparse.Namespace, settings: Settings) -> int:
    """`year start FILE.toml --roster FILE.csv [--dry-run]` / `year list`."""
    from bot.year_command import run

    return run(args, settings)


def cmd_event(args: argparse.Namespace, settings: Settings) -> int:
    """`event add KIND DATE MINUTES --by EMAIL --attendee EMAIL…` / `event list [--year]`."""
    from bot.activity_command import run_event

    return run_event(args, settings)


def cmd_partnership(args: argparse.Namespace, settings: Settings) -> int:
    """`partnership add NAME --kind KIND --supports TEXT` / `partnership list|remove NAME`."""
    from bot.activity_command import run_partnership

    return run_partnership(args, settings)


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


def cmd_assign(args: argparse.Namespace, settings: Settings) -> int:
    """`assign MENTOR MENTEE [--on DATE]`."""
    from bot.formatting import format_day_long

    services = open_services(settings)
    try:
        result = services.assignments.assign(
            None, args.mentor, args.mentee, args.on, services.clock.now(), over_cap=args.override
        )
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    assert result.mentor is not None and result.started_on is not None
    if result.unchanged:
        print(f"{result.mentor.name} already mentors {result.mentee.name}.", file=_out())
        return 0
    for old, ended in result.ended:
        print(f"Ended {old.name} → {result.mentee.name} on {format_day_long(ended)}.", file=_out())
    print(
        f"Assigned {result.mentor.name} → {result.mentee.name} from "
        f"{format_day_long(result.started_on)}.",
        file=_out(),
    )
    if result.caution is not None:
        from bot.slack.views import mentor_caution_text

        warning = mentor_caution_text(result.mentor, result.caution).split(" ", 1)[1]
        print(f"mentor-minutes: warning: {warning}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """`serve [--port N] [--no-scheduler]`."""
    from bot.server import serve

    services = open_services(settings)
    try:
        return serve(
            settings, services, host=args.host, port=args.port, scheduler=not args.no_scheduler
        )
    finally:
        services.close()


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """`demo [--reset]`: load the demo program, roster and several weeks of logs."""
    from bot.demo import seed_demo

    summary = seed_demo(settings, reset=args.reset)
    print(summary, file=_out())
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    """`console [--as EMAIL] [--demo]`."""
    from bot.slack.console import run_console

    if args.demo:
        from bot.demo import seed_demo

        seed_demo(settings, reset=False)
    if not is_up_to_date(settings.DATABASE_URL):
        upgrade(settings.DATABASE_URL)
    services = build_services(settings)
    try:
        return run_console(settings, services, sys.stdin, _out(), as_email=args.as_email)
    finally:
        services.close()


def cmd_jobs(args: argparse.Namespace, settings: Settings) -> int:
    """`jobs list` / `jobs run NAME [--at ISO8601]` (delivers before returning) /
    `jobs review [resend|drop ID]`."""
    from datetime import datetime

    from bot.clock import FixedClock
    from bot.jobs import JOBS, JobError, run_job

    out = _out()
    if args.action == "list":
        for name, about in JOBS.items():
            print(f"{name:<16} {about}", file=out)
        return 0
    if args.action == "review":
        return _review(args, settings, out)
    at = None
    if args.at:
        try:
            at = datetime.fromisoformat(args.at)
        except ValueError:
            raise CommandError(
                f"--at {args.at!r}: expected ISO 8601 such as 2026-11-18T07:30:00-05:00", 2
            ) from None
        if at.tzinfo is None:
            raise CommandError(f"--at {args.at!r}: add an offset, e.g. -05:00", 2)
    services = open_services(settings)
    if at is not None:
        services.clock = FixedClock(at)
    try:
        if settings.has_slack:
            from bot.slack.client import make_web_client

            print(
                run_job(services, args.name, services.clock.now(), make_web_client(settings)),
                file=out,
            )
            return 0
        return _run_job_offline(services, args.name, out)
    except JobError as exc:
        raise CommandError(str(exc), 2) from None
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()


def _review(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """`jobs review`: list the messages held for review; `resend ID` / `drop ID` resolve one."""
    from bot.jobs import review_resolve, review_text
    from bot.services.outbox import ReviewError

    if args.resolution is not None and args.id is None:
        raise CommandError(
            f"jobs review {args.resolution}: which message? e.g. jobs review {args.resolution} 12",
            2,
        )
    services = open_services(settings)
    try:
        now = services.clock.now()
        if args.resolution is None:
            print(review_text(services, now), file=out)
        else:
            print(review_resolve(services, args.resolution, args.id, now), file=out)
        return 0
    except ReviewError as exc:
        raise CommandError(str(exc)) from None
    finally:
        services.close()


def _run_job_offline(services: Services, name: str, out: TextIO) -> int:
    """No Slack token: deliver to the in-process stand-in and print what Slack would show."""
    from slack_sdk import WebClient

    from bot.jobs import run_job
    from bot.slack.render import render_message
    from bot.slack.standin import FakeSlackApi

    program = services.programs.current()
    with services.store.read() as session:
        names = {
            m.slack_user_id: m.name
            for m in services.people.all_members(session, program)
            if m.slack_user_id
        }
    with FakeSlackApi() as standin:
        client = WebClient(token="xoxb-offline", base_url=standin.url)
        print(run_job(services, name, services.clock.now(), client), file=out)
        for call in standin.calls_to("chat.postMessage"):
            channel = str(call.params.get("channel", ""))
            print(
                f"┌─ DM to {names.get(channel, channel)} (no SLACK_BOT_TOKEN: not sent to Slack)",
                file=out,
            )
            for line in render_message(call.params, names, []):
                print(f"│ {line}", file=out)
            print("└─", file=out)
    return 0


EXPORT_COLUMNS = (
    "id",
    "date",
    "mentor_email",
    "mentee_email",
    "kind",
    "minutes",
    "logged_by_email",
    "source",
    "created_at",
)


PAY_COLUMNS = ("email", "name", "role", "basis", "minutes", "rate_cents", "amount_cents")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """`export logs …` or `export pay --from --to [--format csv|json]`."""
    if args.action == "pay":
        return _export_pay(args, settings)
    if args.action == "record":
        return _export_record(args, settings)
    return _export_logs(args, settings)


def _export_record(args: argparse.Namespace, settings: Settings) -> int:
    """`export record EMAIL [--format md|csv|json]`."""
    from bot.record import record_csv, record_json, record_markdown

    services = open_services(settings)
    try:
        record = services.records.of(args.email, services.clock.now())
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    render = {"md": record_markdown, "csv": record_csv, "json": record_json}[args.format]
    _out().write(render(record))
    return 0


def _export_pay(args: argparse.Namespace, settings: Settings) -> int:
    import dataclasses

    services = open_services(settings)
    try:
        period = services.pay.period(args.first, args.last, signed_only=args.signed_only)
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    for note in period.notes:
        print(f"mentor-minutes: {note}", file=sys.stderr)
    _write_records(args.format, PAY_COLUMNS, [dataclasses.asdict(row) for row in period.rows])
    return 0


def _export_logs(args: argparse.Namespace, settings: Settings) -> int:
    """`export logs [--year] [--format csv|json] [--include-notes --as COORDINATOR]`."""
    import dataclasses

    from bot.formatting import format_day_long

    services = open_services(settings)
    try:
        rows = services.log_export.rows(
            year=args.year, include_notes=args.include_notes, as_email=args.as_email
        )
        year = services.programs.current().year_named(args.year)
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    if not rows:
        print(
            f"mentor-minutes: nothing to export: no log entries in {year.label} "
            f"({format_day_long(year.first)} – {format_day_long(year.last)}); "
            "the output has the header only.",
            file=sys.stderr,
        )
    columns = EXPORT_COLUMNS + (("notes",) if args.include_notes else ())
    _write_records(args.format, columns, [dataclasses.asdict(r) for r in rows])
    return 0


def _write_records(form: str, columns: tuple[str, ...], records: list[dict[str, Any]]) -> None:
    """Rows out as JSON (objects with `columns` as keys) or CSV (`columns` as the header; every
    cell through the one boundary for spreadsheets, `bot.cells`)."""
    import json

    from bot.cells import csv_text

    out = _out()
    picked = [{c: record[c] for c in columns} for record in records]
    if form == "json":
        json.dump(picked, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(csv_text(columns, ([record[c] for c in columns] for record in picked)))


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """`report annual [--year] [--format csv|json|md]`."""
    from bot.report_format import report_csv, report_json, report_markdown

    services = open_services(settings)
    try:
        report = services.reports.annual(args.year, services.clock.now())
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    render = {"md": report_markdown, "json": report_json, "csv": report_csv}[args.format]
    _out().write(render(report))
    return 0


def cmd_ledger(args: argparse.Namespace, settings: Settings) -> int:
    """`ledger verify` (exit 1 on any difference) / `ledger rebuild`."""
    services = open_services(settings)
    out = _out()
    try:
        if args.action == "rebuild":
            fresh = services.ledger.rebuild()
            out.write(
                f"Rebuilt the kept totals from the log rows: {len(fresh.pair_buckets)} pair "
                f"buckets, {len(fresh.pair_years)} pair years, "
                f"{len(fresh.mentor_buckets)} mentor buckets.\n"
            )
            return 0
        result = services.ledger.verify()
    finally:
        services.close()
    for difference in result.differences:
        out.write(f"{difference}\n")
    verdict = (
        "0 differences"
        if not result.differences
        else f"{len(result.differences)} difference{'s' if len(result.differences) != 1 else ''}"
    )
    out.write(
        f"ledger verify: {result.entries} log entries, {result.rows} kept totals, {verdict} "
        f"({result.seconds:.2f} s)\n"
    )
    return 1 if result.differences else 0
