"""`mentor-minutes forget` and `export all` (issue 21, Must 5 and the hand-back): after a forget
no surface — /hours, Home, /induction status, the digest, the exports, the report, the console —
shows the person's name, email or notes, and the report's figures are the same; `export all`
writes the existing exports to files with a manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from bot.bootstrap import Services
from bot.config import Settings
from bot.devtools.console import run_console
from bot.domain.erasure import tombstone_email, tombstone_name
from bot.domain.policy import parse_program_toml
from bot.store.models.core import Person
from tests.support.cli import Cli
from tests.support.hillside import BEA, CORA, LEE, PROGRAM_TOML
from tests.support.home import NOTE_BEA_VISIT, NOTE_LEE_BEA, NOTE_MAX_BO, NOTES

PAID = PROGRAM_TOML + "[overrides]\nhourly_rate_cents = 3000\nlead_stipend_cents = 120000\n"
BEA_TRACES = ("Bea Beginner", BEA, "U0BEA", NOTE_LEE_BEA, NOTE_BEA_VISIT)
CONSOLE = "/hours\n/hours @bea\n:home\n:as cora\n/induction status\n/hours month\n"
JOBS = ":time 2026-11-23T08:00:00-05:00\n:as lee\n:run weekly-digest\n:run deadline-sweep\n"


def figures(report_text: str) -> dict[str, Any]:
    """The teachers' report figures, names and emails left out."""
    teachers = json.loads(report_text)["teachers"]
    return {
        "values": {key: item.get("value") for key, item in teachers.items()},
        "served": sorted((r["minutes"], r["observations"]) for r in teachers["b"]["rows"]),
        "e_minutes": teachers["e"].get("minutes"),
    }


def surfaces(
    cli: Cli, settings: Settings, services: Services, tombstone: str, *, jobs: bool = False
) -> dict[str, str]:
    """What each surface shows: the console's replies and Home (and with `jobs`, the digest and
    the sweep's DMs, sent once: after the forget); every export."""
    out = io.StringIO()
    script = CONSOLE + (JOBS if jobs else "")
    assert run_console(settings, services, io.StringIO(script), out, as_email=LEE) == 0
    shown = {"console": out.getvalue()}
    for name, argv in {
        "export logs": ("export", "logs", "--include-notes", "--as", CORA),
        "export pay": ("export", "pay", "--from", "2026-11-01", "--to", "2026-11-30"),
        "export record": ("export", "record", tombstone),
        "report md": ("report", "annual", "--format", "md"),
        "report csv": ("report", "annual", "--format", "csv"),
        "report json": ("report", "annual", "--format", "json"),
    }.items():
        result = cli(*argv)
        assert result.code == 0, (name, result.err)
        shown[name] = result.out + result.err
    return shown


def test_after_forget_no_surface_shows_them_and_the_report_is_the_same(
    cli: Cli, settings: Settings, services: Services, week: Services
) -> None:
    services.programs.load(parse_program_toml(PAID))
    before = surfaces(cli, settings, services, BEA)
    assert all(any(t in text for text in before.values()) for t in BEA_TRACES if t != "U0BEA")

    refused = cli("forget", BEA)
    dry = cli("forget", BEA, "--dry-run")
    done = cli("forget", BEA, "--yes")

    bea = cli.scalar(Person.__table__.select().with_only_columns(Person.id).where(
        Person.name == tombstone_name(5)))  # fmt: skip
    assert bea == 5
    assert refused.code == 1 and "November 2026 (3)" in refused.err and "--yes" in refused.err
    assert dry.code == 0 and "Dry run: nothing was changed" in dry.out
    assert "  2 log entry notes\n" in dry.out and "Would need --yes" in dry.out
    assert (
        done.code == 0 and "Forgot person #5, shown from now on as Forgotten person #5" in done.out
    )
    for result in (refused, dry, done):  # counts and the id only: never the email, never text
        assert not any(t in result.out + result.err for t in BEA_TRACES)
    after = surfaces(cli, settings, services, tombstone_email(5), jobs=True)
    for name, text in after.items():
        for trace in BEA_TRACES:
            assert trace not in text, (name, trace)
    assert "Weekly digest · Lincoln" in after["console"]
    assert "Forgotten person #5" in after["console"] and "Forgotten person #5" in after["report md"]
    assert NOTE_MAX_BO in after["export logs"]  # the others' notes stay
    assert figures(after["report json"]) == figures(before["report json"])
    assert after["export pay"] == before["export pay"]  # mentors are paid: no row names her
    assert cli("ledger", "verify").out.count("0 differences") == 1


def test_export_all_hands_back_every_export_with_a_manifest(
    cli: Cli, services: Services, week: Services
) -> None:
    services.programs.load(parse_program_toml(PAID))

    result = cli("export", "all", "--out", "handback")

    folder = Path(cli.workdir) / "handback"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    names = [f["name"] for f in manifest["files"]]
    assert result.code == 0, result.err
    assert names == [
        "people.csv", "logs-2026-27.csv", "report-2026-27.json", "report-2026-27.csv",
        "report-2026-27.md", "pay-2026-27.csv",
    ]  # fmt: skip
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, "manifest.json"])
    for listed in manifest["files"]:
        body = (folder / listed["name"]).read_bytes()
        assert (listed["bytes"], listed["sha256"]) == (len(body), hashlib.sha256(body).hexdigest())
    logs = list(csv.DictReader(io.StringIO((folder / "logs-2026-27.csv").read_text())))
    assert sorted(row["notes"] for row in logs if row["notes"]) == sorted(NOTES)
    assert len(logs) == 6 == manifest["files"][1]["rows"]
    people = list(csv.DictReader(io.StringIO((folder / "people.csv").read_text())))
    assert len(people) == 9 and {"bea@hillside.example", "cora@hillside.example"} <= {
        p["email"] for p in people
    }
    assert next(p for p in people if p["email"] == BEA)["roles_by_year"] == "2026-27:mentee"
    # the same functions as the single exports: the same bytes
    single = {
        "report-2026-27.json": ("report", "annual", "--format", "json"),
        "report-2026-27.md": ("report", "annual", "--format", "md"),
        "pay-2026-27.csv": ("export", "pay", "--from", "2026-07-01", "--to", "2027-06-30"),
    }
    for name, argv in single.items():
        assert (folder / name).read_text(encoding="utf-8") == cli(*argv).out, name
    with_notes = cli("export", "logs", "--include-notes", "--as", CORA).out
    assert (folder / "logs-2026-27.csv").read_text(encoding="utf-8") == with_notes

    again = cli("export", "all", "--out", "handback")
    assert again.code == 1 and "is not an empty directory" in again.err
    assert json.loads((folder / "manifest.json").read_text()) == manifest
