"""The CLI with many workspaces (issue 21): --team, its refusals, `teams`, program load --team."""

from __future__ import annotations

from tests.support.cli import Cli
from tests.support.hillside import PROGRAM_TOML, ROSTER_CSV
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
