"""Scope totals (issue 18): pair time per school (the mentee's) and for the whole program, kept at
write time by the ledger, read by `/hours` for a school or the program — exact against the log
rows (`ledger verify`), mended by `ledger rebuild`, and moved along when a mentee changes school.
On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.bootstrap import Services
from bot.store.models.core import ScopeTotal
from tests.support.hillside import NOW, ROSTER_CSV

LEE, MIA, MAX, CORA, PAT = "U0LEE", "U0MIA", "U0MAX", "U0CORA", "U0PAT"


def week(services: Services, user: str) -> int:
    """The minutes this week over every pair `user`'s /hours covers."""
    return services.hours.report(user, NOW).summary.week.minutes


def differences(services: Services) -> list[str]:
    return [str(d) for d in services.ledger.verify().differences]


@pytest.fixture
def logged(services: Services, pairs: None) -> Services:
    """Lee–Bea 45 min and Mia–Ike 30 min (Lincoln), Max–Bo 20 min (Jefferson), this week."""
    for user, line in ((LEE, "45m observation"), (MIA, "30m meeting"), (MAX, "20m meeting")):
        assert services.logs.log_text(user, line, NOW).ok
    return services


def test_the_program_and_each_school_read_their_kept_totals(logged: Services) -> None:
    assert week(logged, CORA) == 95  # the program
    assert week(logged, PAT) == 75  # Lincoln, for its evaluator
    assert week(logged, LEE) == 75  # Lincoln, for its lead mentor
    assert differences(logged) == []
    undo = logged.logs.log_text(MIA, "15m planning", NOW)
    assert week(logged, CORA) == 110 and week(logged, PAT) == 90
    assert undo.batch_id is not None
    logged.logs.undo(MIA, undo.batch_id, NOW)
    assert week(logged, CORA) == 95 and week(logged, PAT) == 75
    assert differences(logged) == []


def test_a_mentee_who_changes_school_takes_her_pairs_totals_along(logged: Services) -> None:
    moved = ROSTER_CSV.replace(
        "bea@hillside.example,Bea Beginner,mentee,Lincoln,",
        "bea@hillside.example,Bea Beginner,mentee,Jefferson,",
    )
    report = logged.roster.import_csv(moved)
    assert report.ok, report.problems
    assert differences(logged) == []
    assert week(logged, PAT) == 30  # Lincoln: Mia–Ike only now
    assert week(logged, LEE) == 75  # Lincoln's 30, and his own pair with Bea (now Jefferson)
    assert week(logged, CORA) == 95


def test_verify_finds_a_tampered_scope_total_and_rebuild_mends_it(logged: Services) -> None:
    with logged.store.write() as session:
        session.execute(update(ScopeTotal).where(ScopeTotal.scope == "program").values(minutes=1))
    found = differences(logged)
    assert found and all(d.startswith("ledger_scope_totals [program ") for d in found)
    logged.ledger.rebuild()
    assert differences(logged) == []
    assert week(logged, CORA) == 95
