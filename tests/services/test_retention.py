"""Hiring and retention (report item f) on both databases, across two program years from two
roster imports: exits from the roster's exit_date, "no successor year yet" until the next year
has begun, rates with numerator and denominator, by school; bad exit dates refused whole."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.domain.policy import parse_program_toml
from bot.domain.retention import Rate
from bot.services.programs import ProgramInfo
from bot.store.models.core import Person
from tests.support.cli import Cli, clean_environment
from tests.support.hillside import PROGRAM_TOML, ROSTER_CSV
from tests.support.years import EXITS, NEXT_ROSTER, NEXT_TOML, YAN_ROW, with_exits


@pytest.fixture
def year_with_exits(services: Services, program: ProgramInfo) -> Services:
    """2026-27's roster (and Yan, in year 2), then HR's exit dates through a second import."""
    assert services.roster.import_csv(ROSTER_CSV + YAN_ROW + "\n").ok
    report = services.roster.import_csv(with_exits(ROSTER_CSV + YAN_ROW + "\n", EXITS))
    assert report.ok, report.problems
    return services


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=15, tzinfo=UTC)


def test_retention_waits_for_the_successor_year_then_counts_it(
    year_with_exits: Services, clock: FixedClock
) -> None:
    before = year_with_exits.retention.summary("2026-27", clock.now())
    assert before.source.kind == "counted"
    assert before.cohort == 3  # Bea, Bo, Nia: beginning teachers in their induction year
    assert before.hires.total == 3 and dict(before.hires.by_school) == {"Jefferson": 2, "Lincoln": 1}  # fmt: skip
    first, second = before.retention
    assert (first.year, first.rate) == ("2027-28", None)
    assert first.reason == "no successor year yet: 2027-28 is not started (mentor-minutes year start)"  # fmt: skip
    assert (second.year, second.rate) == ("2028-29", None)

    year_with_exits.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    waiting = year_with_exits.retention.summary("2026-27", clock.now()).retention[0]
    assert waiting.rate is None
    assert waiting.reason == "no successor year yet: 2027-28's school year begins Mon 30 Aug"

    clock.set(at("2027-09-20"))
    after = year_with_exits.retention.summary("2026-27", clock.now())
    into_next = after.retention[0]
    assert into_next.rate == Rate(retained=2, cohort=3)  # Bo left on 30 June
    assert into_next.rate.value == 0.6667 and into_next.rate.percent == "66.7 %"
    assert dict(into_next.by_school) == {"Jefferson": Rate(1, 2), "Lincoln": Rate(1, 1)}
    assert after.retention[1].rate is None and "2028-29" in (after.retention[1].reason or "")

    next_year = year_with_exits.retention.summary("2027-28", clock.now())
    assert next_year.hires.total == 1  # Zoe, hired 2027-08-20
    assert next_year.cohort == 1  # Zoe; Bea (year 2) and the carried year-2 mentees are not
    assert next_year.retention[0].rate is None


def test_hires_per_year_come_from_hire_dates(year_with_exits: Services, clock: FixedClock) -> None:
    summary = year_with_exits.retention.summary(None, clock.now(), ("incoming_teacher",))
    assert summary.hires.total == 1 and summary.hires.by_type == (("incoming_teacher", 1),)
    assert summary.cohort == 1  # Ike


def test_no_beginning_administrators_says_why(year_with_exits: Services, clock: FixedClock) -> None:
    summary = year_with_exits.retention.summary(None, clock.now(), ("beginning_administrator",))
    assert summary.source.kind == "none"
    assert summary.source.reason == (
        "no beginning administrator hired in or in their induction year in 2026-27 "
        "(the roster's hire_date and roles)"
    )
    assert summary.retention[0].rate is None


def test_the_exit_date_and_reason_are_kept(year_with_exits: Services) -> None:
    with year_with_exits.store.read() as session:
        bo = session.scalars(select(Person).where(Person.email == "bo@hillside.example")).one()
    assert (bo.exit_date, bo.exit_reason) == (date(2027, 6, 30), "moved away")


@pytest.mark.parametrize(
    ("exit_values", "says"),
    [
        (("2026-08-01", "too early"), "exit_date 2026-08-01 is before the hire_date 2026-08-24"),
        (("30/06/2027", ""), "exit_date '30/06/2027' is not an ISO date like 2027-06-30"),
        (("", "moved"), "exit_reason is given without an exit_date"),
    ],
)
def test_a_bad_exit_is_a_rejected_row_and_nothing_is_imported(
    services: Services, program: ProgramInfo, exit_values: tuple[str, str], says: str
) -> None:
    report = services.roster.import_csv(
        with_exits(ROSTER_CSV, {"bea@hillside.example": exit_values})
    )
    assert not report.ok
    assert [(p.line, p.email, p.reason) for p in report.problems] == [
        (6, "bea@hillside.example", says)
    ]
    with services.store.read() as session:
        assert session.scalars(select(Person)).first() is None


def test_roster_import_names_the_exit_before_the_hire(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    clean_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    cli = Cli(capsys, tmp_path, db_url)
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    bad = with_exits(ROSTER_CSV, {"bo@hillside.example": ("2025-01-01", "")})
    result = cli("roster", "import", cli.write("roster.csv", bad))
    assert result.code == 1
    assert result.out.splitlines() == [
        "roster.csv:8 (bo@hillside.example): exit_date 2025-01-01 is before the hire_date 2026-08-24",
        "1 row rejected; nothing was imported.",
    ]
    assert cli.people() == 0
