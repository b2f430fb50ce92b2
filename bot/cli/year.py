"""`mentor-minutes year start FILE.toml --roster FILE.csv [--dry-run]` and `year list`: what
the program-year lifecycle (bot/services/years.py) did or would do, for a terminal."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TextIO

from bot.cli.base import (
    CommandError,
    open_services,
    read_text,
    slack_directory,
    unlinked_summary,
)
from bot.config import Settings
from bot.domain.formatting import format_day_long
from bot.domain.policy import ProgramConfig, ProgramConfigError, load_program_toml
from bot.services.errors import Refusal
from bot.services.programs import ProgramService
from bot.services.years import Carried, YearStart

LISTED = 20  # people named per list before "and N more"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`year start` / `year list`."""
    services = open_services(settings, args)
    out = sys.stdout
    try:
        if args.action == "list":
            return _list(services.programs, services.clock.now(), out)
        config = _config(args)
        roster_text = read_text(args.roster)
        directory = slack_directory(settings)
        try:
            plan = services.years.start(
                config,
                roster_text,
                services.clock.now(),
                dry_run=args.dry_run,
                directory=directory,
            )
        except Refusal as exc:
            raise CommandError(f"{args.file}: nothing changed: {exc.message}") from None
        return _print_start(plan, args, out)
    finally:
        services.close()


def _config(args: argparse.Namespace) -> ProgramConfig:
    try:
        return load_program_toml(args.file)
    except ProgramConfigError as exc:
        lines = "\n".join(f"  {p}" for p in exc.problems)
        raise CommandError(f"{args.file}: nothing changed, because:\n{lines}") from None
    except OSError as exc:
        raise CommandError(f"{args.file}: {exc.strerror}") from None


def _list(programs: ProgramService, now: datetime, out: TextIO) -> int:
    kept = programs.kept()
    if kept is None:
        print("No program yet: run `mentor-minutes program load FILE.toml`.", file=out)
        return 1
    current = programs.current(now)
    for info in kept.years:
        mark = " (current)" if info is current else ""
        print(
            f"{info.school_year}: {info.year.first} to {info.year.last}, school "
            f"{info.config.school_year_start} to {info.config.school_year_end}, "
            f"policy {info.config.policy}{mark}",
            file=out,
        )
    return 0


def _names(people: list[Carried]) -> str:
    shown = ", ".join(
        f"{p.name} <{p.email}> (year {p.year}{', inferred from hire date' if p.inferred else ''})"
        for p in people[:LISTED]
    )
    more = f" and {len(people) - LISTED} more" if len(people) > LISTED else ""
    return shown + more


def _print_start(plan: YearStart, args: argparse.Namespace, out: TextIO) -> int:
    report = plan.roster.report
    for problem in report.problems:
        who = f" ({problem.email})" if problem.email else ""
        print(f"{args.roster}:{problem.line}{who}: {problem.reason}", file=out)
    if not report.ok:
        rows = len({p.line for p in report.problems})
        print(
            f"{rows} row{'s' if rows != 1 else ''} rejected; nothing changed: {plan.new} is "
            "not started.",
            file=out,
        )
        return 1
    head = "Dry run, nothing changed. Starting" if not plan.applied else "Started"
    print(f"{head} {plan.new} (program year from {plan.new_first}) after {plan.old}.", file=out)
    total = len(report.created) + len(report.updated) + len(report.unchanged)
    print(
        f"  roster {plan.new}: {total} people ({len(report.created)} new, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged)",
        file=out,
    )
    for line in unlinked_summary(report.unlinked):
        print(f"  {line}", file=out)
    if report.inferred:
        named = ", ".join(f"{i.email} (year {i.year})" for i in report.inferred[:LISTED])
        more = f" and {len(report.inferred) - LISTED} more" if len(report.inferred) > LISTED else ""
        print(
            f"  year of induction inferred from the hire date (no induction_year in the roster) "
            f"for {len(report.inferred)}: {named}{more}",
            file=out,
        )
    if plan.carried:
        print(f"  carried into {plan.new} as mentees: {_names(plan.carried)}", file=out)
    if plan.completed:
        print(f"  past year 3, not carried: {_names(plan.completed)}", file=out)
    ends = format_day_long(plan.ends_on)
    count = len(plan.ending)
    if plan.closed_now:
        print(
            f"  {count} assignment{'s' if count != 1 else ''} of {plan.old} ended on {ends}.",
            file=out,
        )
    elif count:
        verb = "end" if plan.applied else "would end"
        print(
            f"  {count} assignment{'s' if count != 1 else ''} of {plan.old} {verb} on {ends} "
            f"(the deadline sweep closes the year on {format_day_long(plan.new_first)}).",
            file=out,
        )
    if not plan.applied:
        print(f"Run again without --dry-run to start {plan.new}.", file=out)
    return 0
