"""Two districts on one database (issue 21): Hillside for team TA, Riverside for team TB, with
the same Slack user ids and emails; Riverside's people are named with a trailing "Rivers"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.bootstrap import Services, Tenants
from bot.domain.policy import parse_program_toml
from tests.support.hillside import NOW, PAIRS, PROGRAM_TOML, ROSTER_CSV

TEAM_A, TEAM_B = "TA0HILL", "TB0RIVER"
RIVERSIDE_TOML = PROGRAM_TOML.replace("Hillside Public Schools", "Riverside Public Schools")


def riverside_roster() -> str:
    """The test roster with every name changed, and the same emails and Slack ids."""
    lines = ROSTER_CSV.strip().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[1] = f"{cells[1]} Rivers"
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class TwoDistricts:
    """The tenants and each district's services (bound)."""

    tenants: Tenants
    hillside: Services
    riverside: Services


def two_districts(services: Services, *, pairs: bool = True) -> TwoDistricts:
    """Load both programs (each for its team), their rosters and (by default) their pairs."""
    tenants = Tenants(services)
    hill, _ = services.programs.load(parse_program_toml(PROGRAM_TOML), team_id=TEAM_A)
    river, _ = services.programs.load(parse_program_toml(RIVERSIDE_TOML), team_id=TEAM_B)
    tenants.forget()
    a, b = tenants.for_program(hill.id), tenants.for_program(river.id)
    for district, roster in ((a, ROSTER_CSV), (b, riverside_roster())):
        report = district.roster.import_csv(roster)
        assert report.ok, report.problems
        if pairs:
            for mentor, mentee, day in PAIRS:
                district.assignments.assign(None, mentor, mentee, date.fromisoformat(day), NOW)
    return TwoDistricts(tenants, a, b)
