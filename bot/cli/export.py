"""`mentor-minutes export logs|pay|record`, `report annual` and `ledger verify|rebuild`: what
leaves the store for spreadsheets, the state and the central office."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from bot.bootstrap import Services
from bot.cli.base import CommandError, open_services, write_records
from bot.cli.base import out as stdout
from bot.cli.report_format import report_csv, report_json, report_markdown
from bot.config import Settings
from bot.domain.formatting import format_day_long, terminal_safe
from bot.domain.record import record_csv, record_json, record_markdown
from bot.services.errors import Refusal

T = TypeVar("T")

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


# Hourly rows fill minutes and rate_cents (per hour), stipend rows the last three; the others
# are empty (docs/contract.md, "Pay export").
PAY_COLUMNS = (
    "email",
    "name",
    "role",
    "basis",
    "minutes",
    "rate_cents",
    "amount_cents",
    "school_days",
    "year_school_days",
    "yearly_rate_cents",
)


def export(args: argparse.Namespace, settings: Settings) -> int:
    """`export logs …` or `export pay --from --to [--format csv|json]`."""
    if args.action == "pay":
        return _export_pay(args, settings)
    if args.action == "record":
        return _export_record(args, settings)
    return _export_logs(args, settings)


def _rendered(
    settings: Settings,
    args: argparse.Namespace,
    fetch: Callable[[Services], T],
    render: Callable[[T], str],
) -> int:
    """Read something through the services, then print it rendered (a Refusal says why not)."""
    services = open_services(settings, args)
    try:
        found = fetch(services)
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    stdout().write(render(found))
    return 0


def _export_record(args: argparse.Namespace, settings: Settings) -> int:
    """`export record EMAIL [--format md|csv|json]`."""
    render = {
        "md": lambda found: terminal_safe(record_markdown(found)),
        "csv": record_csv,
        "json": record_json,
    }[args.format]
    return _rendered(settings, args, lambda s: s.records.of(args.email, s.clock.now()), render)


PAY_PERIOD = (
    "say which period: --month 2026-10, or --from 2026-10-01 --to 2026-10-31 "
    "(a month works there too: --from 2026-09 --to 2026-10)"
)


def _pay_period(args: argparse.Namespace) -> tuple[date, date]:
    """The period `export pay` was given: --month, or --from and --to (a CommandError if not)."""
    if args.month is not None:
        if args.first is not None or args.last is not None:
            raise CommandError(f"--month or --from/--to, not both: {PAY_PERIOD}", code=2)
        return args.month.first, args.month.last
    if args.first is None or args.last is None:
        raise CommandError(PAY_PERIOD, code=2)
    return args.first, args.last


def _export_pay(args: argparse.Namespace, settings: Settings) -> int:
    first, last = _pay_period(args)
    services = open_services(settings, args)
    try:
        period = services.pay.period(first, last, signed_only=args.signed_only)
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    for note in period.notes:
        print(f"mentor-minutes: {note}", file=sys.stderr)
    write_records(args.format, PAY_COLUMNS, [dataclasses.asdict(row) for row in period.rows])
    return 0


def _export_logs(args: argparse.Namespace, settings: Settings) -> int:
    """`export logs [--year] [--format csv|json] [--include-notes --as COORDINATOR]`."""
    services = open_services(settings, args)
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
    write_records(args.format, columns, [dataclasses.asdict(r) for r in rows])
    return 0


def report(args: argparse.Namespace, settings: Settings) -> int:
    """`report annual [--year] [--format csv|json|md]`."""
    render = {
        "md": lambda found: terminal_safe(report_markdown(found)),  # names as typed, shown inert
        "json": report_json,
        "csv": report_csv,
    }[args.format]
    return _rendered(settings, args, lambda s: s.reports.annual(args.year, s.clock.now()), render)


def ledger(args: argparse.Namespace, settings: Settings) -> int:
    """`ledger verify` (exit 1 on any difference) / `ledger rebuild`."""
    services = open_services(settings, args)
    out = stdout()
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
