"""`mentor-minutes year start|list`, `roster import --year` and `program load` of another year,
through `main([...])` on both engines (the lifecycle itself: tests/services/test_program_years.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.store.models.core import Assignment, PersonRole, ProgramYearConfig
from tests.support.cli import Cli
from tests.support.years import NEXT_ROSTER, NEXT_TOML


def years(cli: Cli) -> int:
    return int(cli.scalar(select(func.count()).select_from(ProgramYearConfig)) or 0)  # type: ignore[arg-type]


def test_year_start_previews_then_starts_the_next_year(loaded: Cli) -> None:
    toml, roster = loaded.write("2027-28.toml", NEXT_TOML), loaded.write("2027-28.csv", NEXT_ROSTER)
    assert loaded("assign", "lee@hillside.example", "bea@hillside.example", "--on", "2026-08-31").code == 0  # fmt: skip
    preview = loaded("year", "start", toml, "--roster", roster, "--dry-run")
    assert preview.code == 0, preview.err
    assert preview.out.splitlines()[0] == (
        "Dry run, nothing changed. Starting 2027-28 (program year from 2027-07-01) after 2026-27."
    )
    assert "carried into 2027-28 as mentees:" in preview.out
    assert "Ike Incoming <ike@hillside.example> (year 2, inferred from hire date)" in preview.out
    assert "1 assignment of 2026-27 would end on Wed 30 Jun 2027" in preview.out
    assert years(loaded) == 1
    started = loaded("year", "start", toml, "--roster", roster)
    assert started.code == 0, started.err
    assert started.out.startswith("Started 2027-28")
    assert years(loaded) == 2
    roles = select(func.count()).select_from(PersonRole).where(PersonRole.school_year == "2027-28")
    assert int(loaded.scalar(roles) or 0) == 6 + 3  # the roster's six roles and three carried
    assert loaded.scalar(select(func.count()).select_from(Assignment).where(Assignment.ended_on.is_(None))) == 1  # fmt: skip
    listing = loaded("year", "list")
    assert listing.out.splitlines() == [
        "2026-27: 2026-07-01 to 2027-06-30, school 2026-08-31 to 2027-06-18, policy ma (current)",
        "2027-28: 2027-07-01 to 2028-06-30, school 2027-08-30 to 2028-06-16, policy ma",
    ]
    again = loaded("year", "start", toml, "--roster", roster)
    assert again.code == 1
    assert "2027-28 is already started" in again.err


def test_program_load_of_another_year_points_to_year_start(loaded: Cli) -> None:
    result = loaded("program", "load", loaded.write("next.toml", NEXT_TOML), "--yes")
    assert result.code == 1
    assert "it is for 2027-28, and this program keeps 2026-27" in result.err
    assert "mentor-minutes year start next.toml" in result.err
    assert years(loaded) == 1


def test_roster_import_for_a_year_not_loaded_is_refused(loaded: Cli) -> None:
    result = loaded("roster", "import", loaded.write("next.csv", NEXT_ROSTER), "--year", "2027-28")
    assert result.code == 1
    assert "No program is loaded for 2027-28" in result.err


def test_roster_import_for_the_next_year_once_started(loaded: Cli) -> None:
    toml, roster = loaded.write("2027-28.toml", NEXT_TOML), loaded.write("2027-28.csv", NEXT_ROSTER)
    assert loaded("year", "start", toml, "--roster", roster).code == 0
    updated = NEXT_ROSTER.replace("Zoe Zero,mentee", "Zoe Zero-Smith,mentee")
    result = loaded("roster", "import", loaded.write("fix.csv", updated), "--year", "2027-28")
    assert result.code == 0, result.err
    assert result.out.strip() == "Imported 5 people: 0 new, 1 updated, 4 unchanged in 2027-28."


def test_export_record_prints_one_educators_record(loaded: Cli) -> None:
    result = loaded("export", "record", "bea@hillside.example")
    assert result.code == 0, result.err
    assert result.out.startswith("# Induction and mentoring record — Bea Beginner")
    assert "- Induction year: 2026-27 (from the hire date)" in result.out
    as_json = loaded("export", "record", "bea@hillside.example", "--format", "json")
    assert '"induction_year": "2026-27"' in as_json.out
    refused = loaded("export", "record", "mia@hillside.example")
    assert (refused.code, refused.err.strip()) == (
        1,
        "mentor-minutes: Mia Mentor has no induction record: they were never a mentee in "
        "Hillside Public Schools.",
    )
