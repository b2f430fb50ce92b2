"""What each `mentor-minutes` command does (argument parsing lives in bot/cli/main.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.bootstrap import Services, Tenants, build_services
from bot.cli import activity as activity_command
from bot.cli import export as export_command
from bot.cli import jobs as jobs_command
from bot.cli import privacy as privacy_command
from bot.cli import survey as survey_command
from bot.cli import year as year_command
from bot.cli.base import (
    UNLINKED_NAMED,
    CommandError,
    open_services,
    open_tenants,
    read_text,
    safe_url,
    slack_directory,
    team_services,
    unlinked_summary,
)
from bot.cli.base import out as _out
from bot.config import Settings
from bot.devtools.console import ConsoleMailer, run_console
from bot.devtools.demo import seed_demo
from bot.domain.formatting import format_day_long, terminal_safe
from bot.domain.policy import ProgramConfig, ProgramConfigError, load_program_toml, program_to_toml
from bot.services.errors import Refusal
from bot.services.installations import installations
from bot.slack.views import mentor_caution_text
from bot.store.db import (
    current_revision,
    head_revision,
    is_up_to_date,
    upgrade,
)
from bot.web.server import serve

# Commands with modules of their own (cli.py finds every `cmd_<command>` here).
cmd_jobs = jobs_command.run
cmd_forget = privacy_command.forget
cmd_report = export_command.report
cmd_ledger = export_command.ledger


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """`export all` (the hand-back) or one of `export logs|pay|record`."""
    if args.action == "all":
        return privacy_command.export_all(args, settings)
    return export_command.export(args, settings)


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
    """`program load FILE.toml [--dry-run] [--yes] [--team T]` / `program show`."""
    config = _program_file(args.file) if args.action == "load" else None
    team = args.team
    services, new_team = (
        _program_for_team(settings, team)
        if config is not None and team is not None
        else (open_services(settings, args), None)
    )
    out = _out()
    try:
        current = services.programs.find() if new_team is None else None  # None: a new one
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
        program, created = services.programs.load(config, team_id=new_team)
        verb = "Created" if created else "Updated"
        print(
            f"{verb} {program.name} ({program.school_year}, policy {program.config.policy}, "
            f"{program.config.timezone})" + (f" for team {team}." if team else "."),
            file=out,
        )
        return 0
    finally:
        services.close()


def _program_file(path: Any) -> ProgramConfig:
    """The program file a command was given; a CommandError lists what is wrong with it."""
    try:
        return load_program_toml(path)
    except ProgramConfigError as exc:
        lines = "\n".join(f"  {p}" for p in exc.problems)
        raise CommandError(f"{path}: nothing changed, because:\n{lines}") from None
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from None


def _program_for_team(settings: Settings, team: str) -> tuple[Services, str | None]:
    """`program load FILE --team T`: T's program's services; when T has none, the services
    that create it (and T, to create it for): the database's one program when it belongs to no
    team yet (a single-workspace deployment now naming its workspace), else a new program."""
    tenants = open_tenants(settings)
    try:
        tenant = tenants.tenant_for(None, team)
        if tenant is not None:
            return tenants.for_program(tenant.program_id), None
        listed = tenants.all()
        if len(listed) == 1 and listed[0].team_id is None:
            tenants.bind(listed[0].program_id, team, None)
            return tenants.single(), None
        return tenants.single(), team
    except BaseException:
        tenants.close()
        raise


def cmd_teams(args: argparse.Namespace, settings: Settings) -> int:
    """`teams`: every workspace's program, installed or not, and since when; and the workspaces
    that installed the app (OAuth) but have no program yet."""
    services = open_services(settings)
    out = _out()
    try:
        listed = services.tenants.all()
        installed = {(i.enterprise_id, i.team_id): i for i in installations(services.store)}
        if not listed and not installed:
            print(
                "No program yet: `mentor-minutes program load FILE.toml [--team TEAM_ID]`.",
                file=out,
            )
            return 0
        print(f"{'TEAM':<14} {'ENTERPRISE':<14} {'STATE':<22} PROGRAM", file=out)
        for tenant in listed:
            found = installed.pop((tenant.enterprise_id, tenant.team_id), None)
            state = (
                f"uninstalled {tenant.uninstalled_at:%Y-%m-%d}"
                if tenant.uninstalled_at is not None
                else f"installed {found.installed_at:%Y-%m-%d}"
                if found is not None
                else "not installed"  # OAuth: the program waits for its workspace's install
                if settings.has_oauth
                else "installed"  # one bot token: every program is the token's
            )
            print(
                terminal_safe(
                    f"{tenant.team_id or '-':<14} {tenant.enterprise_id or '-':<14} {state:<22} "
                    f"{tenant.name}"
                ),
                file=out,
            )
        for found in installed.values():  # installed, waiting for `program load --team`
            print(
                terminal_safe(
                    f"{found.team_id or '-':<14} {found.enterprise_id or '-':<14} "
                    f"{f'installed {found.installed_at:%Y-%m-%d}':<22} "
                    f"{found.team_name or ''} (no program yet: program load FILE.toml --team "
                    f"{found.team_id})"
                ),
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
    text = read_text(args.file)
    services = open_services(settings, args)
    try:
        directory = slack_directory(settings, services)
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
    if report.reach:
        print(f"Reached: {report.reach}.", file=out)
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
    return survey_command.run(args, settings)


def cmd_year(args: argparse.Namespace, settings: Settings) -> int:
    """`year start FILE.toml --roster FILE.csv [--dry-run]` / `year list`."""
    return year_command.run(args, settings)


def cmd_event(args: argparse.Namespace, settings: Settings) -> int:
    """`event add KIND DATE MINUTES --by EMAIL --attendee EMAIL…` / `event list [--year]`."""
    return activity_command.run_event(args, settings)


def cmd_partnership(args: argparse.Namespace, settings: Settings) -> int:
    """`partnership add NAME --kind KIND --supports TEXT` / `partnership list|remove NAME`."""
    return activity_command.run_partnership(args, settings)


def cmd_assign(args: argparse.Namespace, settings: Settings) -> int:
    """`assign MENTOR MENTEE [--on DATE]`."""
    services = open_services(settings, args)
    try:
        result = services.assignments.assign(
            None, args.mentor, args.mentee, args.on, services.clock.now(),
            over_cap=args.override, move_entries=args.move_entries,
        )  # fmt: skip
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
    if result.moved:
        print(f"Moved {result.moved} entries to {result.mentor.name} (audited).", file=_out())
    if result.caution is not None:
        warning = mentor_caution_text(result.mentor, result.caution).split(" ", 1)[1]
        print(f"mentor-minutes: warning: {warning}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """`serve [--port N] [--no-scheduler]`."""
    services = open_services(settings)  # every program: routed per request and per tick
    try:
        return serve(
            settings, services, host=args.host, port=args.port, scheduler=not args.no_scheduler
        )
    finally:
        services.close()


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """`demo [--reset]`: load the demo program, roster and several weeks of logs."""
    summary = seed_demo(settings, reset=args.reset)
    print(summary, file=_out())
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    """`console [--as EMAIL] [--demo]`."""
    if args.demo:
        seed_demo(settings, reset=False)
    if not is_up_to_date(settings.DATABASE_URL):
        upgrade(settings.DATABASE_URL)
    services = build_services(settings, mailer=ConsoleMailer())  # emails are printed
    services = team_services(Tenants(services), args.team)  # several programs: --team says which
    try:
        return run_console(settings, services, sys.stdin, _out(), as_email=args.as_email)
    finally:
        services.close()
