"""Retention of notes (issue 21, Must 6): under `notes_retention_years` the daily deadline sweep
erases the notes of entries and activities dated before the cutoff, in bulk (as many statements
for a thousand entries as for ten), audited by count; the minutes stay and `ledger verify`
finds nothing; without the setting nothing is erased."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.bootstrap import Services
from bot.domain.erasure import retention_cutoff
from bot.domain.policy import ProgramConfigError, parse_program_toml
from bot.store.models.core import Activity, LogEntry, Person
from bot.store.models.erasures import Erasure
from schedules.jobs import PRODUCERS
from tests.schedules.test_tick_budgets import counting
from tests.support.hillside import NOW, PROGRAM_TOML
from tests.support.home import NOTE_BEA_VISIT, NOTE_LEE_BEA, NOTE_MAX_BO, NOTE_MIA_IKE
from tests.support.scheduler import at

KEEP_ONE_YEAR = PROGRAM_TOML + "[overrides]\nnotes_retention_years = 1\n"
A_YEAR_ON = at("2027-11-17", 7, 45)  # a Wednesday: cutoff Tue 17 Nov 2026


def sweep(services: Services, now: datetime) -> Any:
    return PRODUCERS["deadline-sweep"][1](services, now)


def notes(services: Services) -> list[str]:
    with services.store.read() as session:
        return sorted(n for n in session.scalars(select(LogEntry.notes)) if n)


@pytest.mark.parametrize(
    ("today", "years", "cutoff"),
    [
        (date(2027, 11, 17), 1, date(2026, 11, 17)),
        (date(2028, 2, 29), 1, date(2027, 2, 28)),  # no 29 Feb that year
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        (date(2031, 7, 1), 5, date(2026, 7, 1)),
    ],
)  # fmt: skip
def test_the_cutoff_is_the_same_day_years_before(today: date, years: int, cutoff: date) -> None:
    assert retention_cutoff(today, years) == cutoff


@pytest.mark.parametrize(
    ("value", "problem"),
    [("0", "greater than or equal to 1"), ('"3"', "integer"), ("51", "less than or equal to 50")],
)  # fmt: skip
def test_a_bad_retention_is_refused_at_load(value: str, problem: str) -> None:
    with pytest.raises(ProgramConfigError, match=problem):
        parse_program_toml(PROGRAM_TOML + f"[overrides]\nnotes_retention_years = {value}\n")


def test_notes_are_kept_without_a_retention(services: Services, week: Services) -> None:
    assert services.programs.current(NOW).policy.notes_retention_years is None
    sweep(services, A_YEAR_ON + timedelta(days=3650))
    assert len(notes(services)) == 4
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Erasure)) == 0


def test_the_sweep_erases_notes_older_than_the_retention_and_keeps_the_minutes(
    services: Services, week: Services
) -> None:
    services.programs.load(parse_program_toml(KEEP_ONE_YEAR))
    program = services.programs.current(NOW)
    with services.store.write() as session:
        lee = session.scalar(select(Person.id).where(Person.slack_user_id == "U0LEE"))
        session.execute(
            insert(Activity),
            [{"program_id": program.id, "kind": "group", "occurred_on": day, "minutes": 60,
              "facilitator_id": lee, "notes": f"ACTIVITY-{day}", "source": "cli"}
             for day in (date(2026, 11, 3), date(2026, 11, 20))],
        )  # fmt: skip
    minutes_before = services.ledger.verify()

    sweep(services, A_YEAR_ON)

    # 10 and 16 Nov 2026 are past the cutoff (17 Nov); 17 Nov is kept
    assert notes(services) == [NOTE_BEA_VISIT]
    assert services.ledger.verify().differences == ()
    assert services.ledger.verify().entries == minutes_before.entries
    with services.store.read() as session:
        (audit,) = session.scalars(select(Erasure)).all()
        kept = sorted(n for n in session.scalars(select(Activity.notes)) if n)
    assert kept == ["ACTIVITY-2026-11-20"]
    assert (audit.kind, audit.person_id, audit.before, audit.at, audit.ran_by) == (
        "notes_retention", None, date(2026, 11, 17), A_YEAR_ON, "deadline-sweep",
    )  # fmt: skip
    assert audit.counts == {"log_notes": 3, "activity_notes": 1}
    for erased in (NOTE_LEE_BEA, NOTE_MIA_IKE, NOTE_MAX_BO):
        assert erased not in str(audit.counts)

    sweep(services, A_YEAR_ON + timedelta(minutes=1))  # nothing left to erase: no second audit
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Erasure)) == 1


def add_old_notes(services: Services, count: int) -> None:
    """`count` entries of Lee with Bea dated in October 2026, each with notes (bulk insert)."""
    program = services.programs.current(NOW)
    with services.store.write() as session:
        lee, bea = (
            session.scalar(select(Person.id).where(Person.slack_user_id == who))
            for who in ("U0LEE", "U0BEA")
        )
        session.execute(
            insert(LogEntry),
            [{"program_id": program.id, "mentor_id": lee, "mentee_id": bea, "logged_by_id": lee,
              "occurred_on": date(2026, 10, 1) + timedelta(days=i % 28), "minutes": 10,
              "kind": "meeting", "notes": f"OLD-{i}", "source": "test", "batch_id": f"old-{i}",
              "created_at": NOW, "updated_at": NOW}
             for i in range(count)],
        )  # fmt: skip
    services.ledger.rebuild()


def test_the_erase_sends_as_many_statements_for_1000_entries_as_for_10(
    services: Services, pairs: None
) -> None:
    services.programs.load(parse_program_toml(KEEP_ONE_YEAR))
    program = services.programs.current(NOW)
    seen = {}
    for count, day in ((10, A_YEAR_ON), (1000, A_YEAR_ON + timedelta(days=1))):
        add_old_notes(services, count)
        with counting(services) as statements:
            erased = services.erasure.erase_old_notes(program, day)
        assert erased is not None and erased.log_notes == count
        seen[count] = statements
    assert seen[10] == seen[1000]
    assert sum(seen[10].values()) == 3  # the log's notes, the activities' notes, the audit row
    assert services.ledger.verify().differences == ()
