"""`mentor-minutes forget EMAIL [--dry-run] [--yes]` and `export all [--out DIR]`: what a
district's data-privacy agreement asks — erase a person on request, hand everything back.

Each command acts on one program (today the only one; `--team` will choose it) and prints
counts, never the erased text and never the email being forgotten (the person id instead)."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.bootstrap import Services
from bot.cli.base import CommandError, open_services, records_text
from bot.cli.base import out as stdout
from bot.cli.export import EXPORT_COLUMNS, PAY_COLUMNS
from bot.cli.report_format import report_csv, report_json, report_markdown
from bot.config import Settings
from bot.services.errors import Refusal
from bot.services.people import PersonRow
from bot.services.programs import ProgramInfo

PEOPLE_COLUMNS = tuple(field.name for field in dataclasses.fields(PersonRow))
LOG_COLUMNS = (*EXPORT_COLUMNS, "notes")
MANIFEST = "manifest.json"


def ran_by() -> str:
    """Who ran a command, for the audit: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in some containers
        return "cli"


def forget(args: argparse.Namespace, settings: Settings) -> int:
    """`forget EMAIL [--dry-run] [--yes]`."""
    services = open_services(settings, args)
    try:
        now = services.clock.now()
        program = services.programs.current(now)
        outcome = services.erasure.forget(
            program, args.email, now, ran_by=ran_by(), dry_run=args.dry_run, yes=args.yes
        )
    except Refusal as exc:
        raise CommandError(f"forget: {exc.message}") from None
    finally:
        services.close()
    out = stdout()
    if outcome.dry_run:
        out.write(f"Dry run: nothing was changed. Forgetting person #{outcome.person_id} would "
                  "erase:\n")  # fmt: skip
    else:
        out.write(f"Forgot person #{outcome.person_id}, shown from now on as "
                  f"{outcome.tombstone}. Erased:\n")  # fmt: skip
    for line in outcome.counts.lines():
        out.write(f"  {line}\n")
    out.write(
        "  and their identity: name and email become a tombstone; Slack id, subject, grade, "
        "licence and exit reason are cleared.\n"
        "Kept under the person id: log entries' dates, minutes and kinds, the totals, pay, "
        "roles, school, educator type, hire and exit dates.\n"
    )
    if outcome.open_months:
        months = ", ".join(f"{m.label} ({m.entries})" for m in outcome.open_months)
        verb = "Would need --yes" if outcome.dry_run else "Forgotten with --yes"
        out.write(f"{verb}: entries in periods not signed off: {months}.\n")
    return 0


@dataclasses.dataclass(frozen=True)
class HandedFile:
    """One file of the hand-back, as the manifest lists it."""

    name: str
    holds: str
    rows: int | None
    bytes: int
    sha256: str


def export_all(args: argparse.Namespace, settings: Settings) -> int:
    """`export all [--out DIR]`: logs with notes, people, reports and pay, and a manifest."""
    services = open_services(settings, args)
    try:
        now = services.clock.now()
        program = services.programs.current(now)
        folder: Path = args.out or Path(f"mentor-minutes-export-{program.today(now).isoformat()}")
        _empty_folder(folder)
        files = hand_back(services, program, now, folder)
    except Refusal as exc:
        raise CommandError(f"export all: {exc.message}") from None
    finally:
        services.close()
    stdout().write(
        f"Wrote {len(files)} files and {MANIFEST} to {folder}: "
        + ", ".join(f.name for f in files)
        + ".\nThey hold the notes of every log entry: hand them over as the district's "
        "agreement says, and delete this copy once it is received.\n"
    )
    return 0


def _empty_folder(folder: Path) -> None:
    """Make the folder; refuse one that holds anything (nothing is overwritten)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CommandError(
            f"export all: {folder} exists and is not an empty directory: nothing was written. "
            "Give a new one with --out DIR."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"export all: {folder}: {exc.strerror}") from None


def hand_back(
    services: Services, program: ProgramInfo, now: datetime, folder: Path
) -> list[HandedFile]:
    """Write everything the program owns into `folder` with the existing exports (one function
    each: the log export, the people, the annual report in its three forms, pay for each
    program year) and a manifest listing the files; the files written."""
    files: list[HandedFile] = []

    def put(name: str, holds: str, text: str, rows: int | None = None) -> None:
        body = text.encode("utf-8")
        (folder / name).write_bytes(body)
        files.append(HandedFile(name, holds, rows, len(body), hashlib.sha256(body).hexdigest()))

    def records(rows: list[Any]) -> list[dict[str, Any]]:
        return [dataclasses.asdict(row) for row in rows]

    people = services.people.hand_back(program)
    put("people.csv", "everyone on the roster, every year's roles",
        records_text("csv", PEOPLE_COLUMNS, records(people)), len(people))  # fmt: skip
    for year, rows in services.log_export.hand_back(program):
        put(f"logs-{year.label}.csv", f"every log entry of {year.label}, with notes",
            records_text("csv", LOG_COLUMNS, records(rows)), len(rows))  # fmt: skip
    kept = services.programs.kept()
    for info in kept.years if kept is not None else ():
        label = info.year.label
        report = services.reports.annual(label, now)
        forms: tuple[tuple[str, Callable[[Any], str]], ...] = (
            ("json", report_json),
            ("csv", report_csv),
            ("md", report_markdown),
        )
        for suffix, render in forms:
            put(f"report-{label}.{suffix}", f"the annual report for {label}", render(report))
        pay = services.pay.period(info.year.first, info.year.last)
        put(f"pay-{label}.csv", f"pay for the program year {label} (hourly and stipends)",
            records_text("csv", PAY_COLUMNS, records(list(pay.rows))), len(pay.rows))  # fmt: skip
    manifest = {
        "program": program.name,
        "generated_at": now.isoformat(),
        "files": [dataclasses.asdict(f) for f in files],
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return files
