"""Many districts on one database (issue 21): programs by workspace, Slack ids unique per
program (the database refuses a second in one program, on PostgreSQL with threads), and an
uninstalled program's rows erased after its retention."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import Services
from bot.services.errors import Refusal
from bot.store.db import is_unique_violation
from bot.store.models.core import LogAudit, LogEntry, Person, Program
from tests.support.hillside import LEE_ID, NOW
from tests.support.tenants import TEAM_A, TEAM_B, two_districts


def _people(services: Services, program_id: int) -> int:
    with services.store.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Person).where(Person.program_id == program_id)
            )
            or 0
        )


def test_each_team_has_its_program_and_the_same_slack_id_is_two_people(
    services: Services,
) -> None:
    world = two_districts(services)
    a = world.tenants.for_team(None, TEAM_A)
    b = world.tenants.for_team(None, TEAM_B)
    assert a is world.hillside and b is world.riverside  # built once, kept
    assert world.tenants.for_team(None, "TNOBODY") is None
    hill = world.hillside.programs.current()
    river = world.riverside.programs.current()
    assert (hill.name, river.name) == ("Hillside Public Schools", "Riverside Public Schools")
    with services.store.read() as session:
        lee_a = world.hillside.people.caller(session, hill, LEE_ID)
        lee_b = world.riverside.people.caller(session, river, LEE_ID)
    assert lee_a.id != lee_b.id
    assert (lee_a.name, lee_b.name) == ("Lee Lead", "Lee Lead Rivers")
    assert _people(services, hill.id) == _people(services, river.id) == 9


def test_an_unbound_program_service_reads_the_first_program(services: Services) -> None:
    world = two_districts(services, pairs=False)
    assert services.programs.current().id == world.hillside.programs.current().id


def test_mark_uninstalled_stops_routing_and_keeps_the_first_date(services: Services) -> None:
    world = two_districts(services, pairs=False)
    tenant = world.tenants.directory.mark_uninstalled(None, TEAM_B, NOW)
    assert tenant is not None and tenant.uninstalled_at == NOW
    assert world.tenants.for_team(None, TEAM_B) is None  # the kept map was forgotten
    again = world.tenants.directory.mark_uninstalled(None, TEAM_B, NOW + timedelta(days=3))
    assert again is not None and again.uninstalled_at == NOW
    assert [t.team_id for t in world.tenants.all() if t.active] == [TEAM_A]
    assert world.tenants.directory.mark_uninstalled(None, "TNOBODY", NOW) is None


def test_an_uninstalled_program_is_erased_after_its_retention_and_only_it(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    world = two_districts(services)
    river_id = world.riverside.programs.current().id
    hill_id = world.hillside.programs.current().id
    world.tenants.directory.mark_uninstalled(None, TEAM_B, NOW)
    assert world.tenants.erase_expired(NOW + timedelta(days=29, hours=23)) == []
    assert _people(services, river_id) == 9
    caplog.set_level("INFO", logger="bot.services.tenants")  # whatever a CLI test left set
    erased = world.tenants.erase_expired(NOW + timedelta(days=30))
    assert [t.program_id for t in erased] == [river_id]
    assert _people(services, river_id) == 0
    assert _people(services, hill_id) == 9
    with services.store.read() as session:
        assert session.get(Program, river_id) is None
        assert session.get(Program, hill_id) is not None
    line = next(r.getMessage() for r in caplog.records if "erased the program" in r.getMessage())
    assert TEAM_B in line and "Rivers" not in line and "people 9" in line
    assert [t.team_id for t in world.tenants.all()] == [TEAM_A]
    assert world.hillside.programs.current().name == "Hillside Public Schools"


@pytest.mark.parametrize("same_program", [False, True])
def test_the_database_keeps_slack_ids_unique_per_program(
    services: Services, db_url: str, same_program: bool
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("threads writing at once: PostgreSQL")
    world = two_districts(services, pairs=False)
    programs = [world.hillside.programs.current().id, world.riverside.programs.current().id]
    targets = [programs[0], programs[0]] if same_program else programs
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(program_id: int, n: int) -> None:
        barrier.wait()
        try:
            with services.store.write() as session:
                session.add(
                    Person(
                        program_id=program_id,
                        email=f"new{n}@x.example",
                        name=f"New {n}",
                        slack_user_id="U0SAME",
                    )
                )
            outcomes.append("stored")
        except IntegrityError as exc:
            assert is_unique_violation(exc)
            outcomes.append("refused")

    threads = [threading.Thread(target=add, args=(p, n)) for n, p in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = ["refused", "stored"] if same_program else ["stored", "stored"]
    assert sorted(outcomes) == expected
    with services.store.read() as session:
        stored = session.scalar(
            select(func.count()).select_from(Person).where(Person.slack_user_id == "U0SAME")
        )
    assert stored == (1 if same_program else 2)


def test_an_org_wide_install_is_found_by_its_enterprise(services: Services) -> None:
    world = two_districts(services, pairs=False)
    river = world.riverside.programs.current().id
    world.tenants.bind(river, None, "E0GRID")
    assert world.tenants.for_team("E0GRID", "T0ANYWORKSPACE") is world.riverside
    assert world.tenants.for_team("E0GRID", None) is world.riverside
    assert world.tenants.for_team(None, TEAM_B) is None  # the team id is no longer its
    assert world.tenants.for_team("E0OTHER", "T0ANYWORKSPACE") is None


def test_a_team_has_one_program(services: Services) -> None:
    world = two_districts(services, pairs=False)
    hill = world.hillside.programs.current().id
    with pytest.raises(Refusal, match=f"Workspace {TEAM_B} already has a program"):
        world.tenants.bind(hill, TEAM_B, None)
    assert world.tenants.for_team(None, TEAM_A) is world.hillside


def test_erasing_a_program_takes_its_audit_rows_with_no_actor(services: Services) -> None:
    """A move at the command line is audited with no actor (`assign --move-entries`): the
    program's audit rows are found through their entry, and the erase goes through."""
    world = two_districts(services)
    river_id = world.riverside.programs.current().id
    assert world.riverside.logs.log_text("U0LEE", "45m meeting", NOW).ok
    with services.store.write() as session:
        entry_id = session.scalar(select(LogEntry.id).where(LogEntry.program_id == river_id))
        session.add(LogAudit(log_entry_id=entry_id, actor_id=None, action="move", at=NOW))
    world.tenants.directory.mark_uninstalled(None, TEAM_B, NOW)
    assert [t.program_id for t in world.tenants.erase_expired(NOW + timedelta(days=30))] == [
        river_id
    ]
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(LogAudit)) == 0
        assert session.get(Program, river_id) is None
