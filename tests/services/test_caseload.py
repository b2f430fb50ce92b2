"""Caseload caps at assignment (issue 12, item 3): the policy's cap refuses a mentor past it
unless the coordinator confirms with `override`, the assignment is then listed in the report,
and the overdue alert's suggestions leave capped mentors out — on both databases."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.bootstrap import Services
from bot.cli.report_format import report_json
from bot.domain.policy import ProgramConfigError, parse_program_toml
from bot.services.errors import Refusal
from bot.services.nudges import NudgeService
from bot.store.models.core import Assignment
from tests.support.hillside import NOW, PROGRAM_TOML

CAPPED = PROGRAM_TOML + "\n[overrides]\ncaseload_cap = 2\n"


@pytest.fixture
def capped(services: Services, roster: dict[str, int]) -> Services:
    """Cap 2; Lee mentors Bea and Ike from 31 Aug."""
    services.programs.load(parse_program_toml(CAPPED))
    for mentee in ("bea", "ike"):
        services.assignments.assign(None, "lee@hillside.example", f"{mentee}@hillside.example", date(2026, 8, 31), NOW)  # fmt: skip
    return services


def assignments(services: Services) -> int:
    with services.store.read() as session:
        return session.query(Assignment).count()


def test_a_third_mentee_past_the_cap_is_refused_and_nothing_is_stored(capped: Services) -> None:
    with pytest.raises(Refusal, match="Lee Lead would mentor 3 on Mon 31 Aug 2026: the program's caseload cap is 2"):  # fmt: skip
        capped.assignments.assign(None, "lee@hillside.example", "bo@hillside.example", date(2026, 8, 31), NOW)  # fmt: skip
    assert assignments(capped) == 2


def test_override_assigns_and_the_report_lists_it(capped: Services) -> None:
    result = capped.assignments.assign(None, "lee@hillside.example", "bo@hillside.example", date(2026, 8, 31), NOW, over_cap=True)  # fmt: skip
    assert result.caution is not None and (result.caution.caseload, result.caution.cap) == (3, 2)
    report = json.loads(report_json(capped.reports.annual(None, NOW)))
    cautioned = report["teachers"]["c"]["cautioned_assignments"]
    assert [(c["mentee"], c["caseload"]) for c in cautioned if c["caseload"]] == [
        ("bo@hillside.example", 3)
    ]


def test_a_pair_that_ended_frees_its_place(capped: Services) -> None:
    capped.assignments.unassign(None, "ike@hillside.example", "moved", date(2026, 9, 30), NOW)
    capped.assignments.assign(None, "lee@hillside.example", "bo@hillside.example", date(2026, 10, 1), NOW)  # fmt: skip
    assert assignments(capped) == 3


def test_suggestions_leave_out_mentors_at_the_cap(capped: Services) -> None:
    with capped.store.read() as session:
        program = capped.programs.current()
        members = {m.email: m for m in capped.people.all_members(session, program)}
    lee, mia = members["lee@hillside.example"], members["mia@hillside.example"]
    pool = ([lee, mia], {lee.id: 2, mia.id: 0}, set())
    offered = [m.email for m, _ in NudgeService.suggest(members["nia@hillside.example"], pool, 2)]
    assert "lee@hillside.example" not in offered and "mia@hillside.example" in offered
    uncapped = [m.email for m, _ in NudgeService.suggest(members["nia@hillside.example"], pool)]
    assert "lee@hillside.example" in uncapped


def test_a_cap_of_zero_is_refused_by_the_program_file() -> None:
    with pytest.raises(ProgramConfigError, match="caseload_cap"):
        parse_program_toml(PROGRAM_TOML + "\n[overrides]\ncaseload_cap = 0\n")
