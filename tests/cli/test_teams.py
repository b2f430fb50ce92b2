"""The CLI with many workspaces (issue 21): --team, its refusals, `teams`, program load --team."""

from __future__ import annotations

from bot.clock import FixedClock
from bot.services.tenants import TenantDirectory
from bot.store.db import Store
from tests.support.cli import Cli
from tests.support.hillside import NOW, PROGRAM_TOML, ROSTER_CSV
from tests.support.tenants import RIVERSIDE_TOML, TEAM_A, TEAM_B, riverside_roster


def _two(cli: Cli) -> None:
    hill = cli.write("hill.toml", PROGRAM_TOML)
    river = cli.write("river.toml", RIVERSIDE_TOML)
    assert cli("program", "load", hill, "--team", TEAM_A).code == 0
    created = cli("program", "load", river, "--team", TEAM_B)
    assert created.code == 0 and "Created Riverside" in created.out, created
    assert cli("roster", "import", cli.write("a.csv", ROSTER_CSV), "--team", TEAM_A).code == 0
    assert (
        cli("roster", "import", cli.write("b.csv", riverside_roster()), "--team", TEAM_B).code == 0
    )


def test_one_program_needs_no_team(loaded: Cli) -> None:
    assert loaded("program", "show").code == 0


def test_program_load_team_binds_the_lone_program_then_creates_the_next(loaded: Cli) -> None:
    _two(loaded)
    assert loaded.people() == 18
    listing = loaded("teams")
    assert listing.code == 0
    lines = listing.out.splitlines()
    assert any(TEAM_A in line and "Hillside" in line and "installed" in line for line in lines)
    assert any(TEAM_B in line and "Riverside" in line for line in lines)


def test_several_programs_need_a_team_and_the_refusal_lists_them(cli: Cli) -> None:
    _two(cli)
    refused = cli("program", "show")
    assert refused.code == 1
    assert "--team" in refused.err and TEAM_A in refused.err and TEAM_B in refused.err
    assert "Riverside Public Schools" in refused.err
    unknown = cli("report", "annual", "--team", "TNOBODY")
    assert unknown.code == 1 and "no program for team TNOBODY" in unknown.err
    assert TEAM_A in unknown.err
    shown = cli("program", "show", "--team", TEAM_B)
    assert shown.code == 0 and "Riverside Public Schools" in shown.out


def test_export_logs_is_the_teams_own(cli: Cli) -> None:
    _two(cli)
    for team in (TEAM_A, TEAM_B):
        exported = cli("export", "logs", "--team", team)
        assert exported.code == 0, exported
    record = cli("export", "record", "bea@hillside.example", "--team", TEAM_B)
    assert record.code == 0 and "Bea Beginner Rivers" in record.out
    record = cli("export", "record", "bea@hillside.example", "--team", TEAM_A)
    assert "Rivers" not in record.out


def _uninstall(cli: Cli, team: str) -> None:
    clock = FixedClock(NOW)
    store = Store(cli.url.replace("postgresql://", "postgresql+psycopg://", 1), clock=clock)
    try:
        assert TenantDirectory(store, clock).mark_uninstalled(None, team, NOW) is not None
    finally:
        store.dispose()


def test_export_all_hands_back_the_teams_own_even_after_uninstall(cli: Cli) -> None:
    _two(cli)
    _uninstall(cli, TEAM_B)
    river = cli("export", "all", "--team", TEAM_B, "--out", "river")
    assert river.code == 0, river
    hill = cli("export", "all", "--team", TEAM_A, "--out", "hill")
    assert hill.code == 0, hill
    river_people = (cli.workdir / "river" / "people.csv").read_text(encoding="utf-8")
    hill_people = (cli.workdir / "hill" / "people.csv").read_text(encoding="utf-8")
    assert "Bea Beginner Rivers" in river_people and "Riverside" not in hill_people
    assert "Rivers" not in hill_people and "bea@hillside.example" in hill_people


def test_an_uninstalled_team_runs_no_job_and_is_listed_so(cli: Cli) -> None:
    _two(cli)
    _uninstall(cli, TEAM_B)
    refused = cli("jobs", "run", "deadline-sweep", "--team", TEAM_B)
    assert refused.code == 1 and "uninstalled" in refused.err
    listing = cli("teams").out
    assert any(TEAM_B in line and "uninstalled 2026-11-18" in line for line in listing.splitlines())


def test_forget_with_a_team_forgets_only_that_teams_person(cli: Cli) -> None:
    _two(cli)
    done = cli("forget", "bea@hillside.example", "--team", TEAM_B, "--yes")
    assert done.code == 0, done
    hill = cli("export", "record", "bea@hillside.example", "--team", TEAM_A)
    assert hill.code == 0 and "Bea Beginner" in hill.out
    river = cli("export", "record", "bea@hillside.example", "--team", TEAM_B)
    assert "Bea Beginner Rivers" not in river.out


def test_jobs_run_with_a_team_sends_that_teams_messages_only(cli: Cli) -> None:
    _two(cli)
    for mentor, mentee in (("lee", "bea"), ("mia", "ike"), ("max", "bo")):
        for team in (TEAM_A, TEAM_B):
            assigned = cli(
                "assign", f"{mentor}@hillside.example", f"{mentee}@hillside.example",
                "--on", "2026-08-31", "--team", team,
            )  # fmt: skip
            assert assigned.code == 0, assigned
    river = cli(
        "jobs", "run", "deadline-sweep", "--at", "2026-11-03T07:45:00-05:00", "--team", TEAM_B
    )
    assert river.code == 0, river
    dms = [line for line in river.out.splitlines() if line.startswith("┌─ DM to")]
    assert dms and all("Rivers" in line for line in dms), river.out
    hill = cli(
        "jobs", "run", "deadline-sweep", "--at", "2026-11-03T07:45:00-05:00", "--team", TEAM_A
    )
    hill_dms = [line for line in hill.out.splitlines() if line.startswith("┌─ DM to")]
    assert hill_dms and not any("Rivers" in line for line in hill_dms), hill.out
    assert cli("jobs", "run", "deadline-sweep").code == 1  # several programs: say which
