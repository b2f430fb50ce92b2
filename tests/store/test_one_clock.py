"""The clock is one: every write reads the injected clock (bot/clock.py), never the wall clock.

The main write paths run with a frozen clock weeks away from today; then every timestamp column
of every table (found from the metadata, so a new table is covered without touching this test)
is read back, and no value may fall on the real day. A source scan forbids reading the wall
clock anywhere but bot/clock.py."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import DateTime, select
from sqlalchemy.exc import StatementError

from bot.bootstrap import Services
from bot.clock import FixedClock, SystemClock
from bot.domain.policy import parse_program_toml
from bot.domain.signoff import Period
from bot.slack import request_views
from bot.store.base import Base, ClockMissing, UTCDateTime
from bot.store.db import Store
from bot.store.models.core import Program
from bot.store.models.surveys import Survey
from tests.support.hillside import BEA, BO, IKE, LEE, MAX, MIA, NIA, PROGRAM_TOML, ROSTER_CSV
from tests.support.scheduler import Ticker, at
from tests.support.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]
SURVEY_TOML = (
    PROGRAM_TOML
    + """
[[surveys]]
name = "midyear"
title = "Mid-year check-in"
audience = "both"
send_on = [2026-11-21]
close_after_school_days = 10
questions = ["My mentor meetings help my teaching."]
comment = true
"""
)
# The frozen days the writes happen on; the test refuses to run within a week of one of them.
DAYS = ("2026-10-05", "2026-10-06", "2026-10-07", "2026-11-02", "2026-11-23")
WALL_CLOCK = re.compile(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|\butcnow\(\)")


def timestamp_columns() -> list[tuple[str, str]]:
    """(table, column) of every date-time column in the metadata."""
    return [
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, DateTime | UTCDateTime)
    ]


def test_every_timestamp_written_reads_the_injected_clock(
    services: Services, slack_api: FakeSlackApi, clock: FixedClock
) -> None:
    real_day = SystemClock().now().date()
    assert all(abs(date.fromisoformat(d) - real_day) > timedelta(days=7) for d in DAYS)

    def moment(day: str, hour: int = 10) -> datetime:
        clock.set(at(day, hour))
        return clock.now()

    moment(DAYS[0], 8)
    services.programs.load(parse_program_toml(SURVEY_TOML))
    assert services.roster.import_csv(ROSTER_CSV).ok
    coordinator = services.assignments.coordinator("U0CORA")
    for mentor, mentee in ((LEE, BEA), (MIA, IKE), (MAX, BO)):
        services.assignments.assign(coordinator, mentor, mentee, date(2026, 9, 2), clock.now())
    with services.store.read() as session:
        ids = {
            m.email: m.id for m in services.people.all_members(session, services.programs.current())
        }

    now = moment(DAYS[0])
    logged = services.logs.log_text("U0LEE", "45m observation lesson plan", now)
    kept = services.logs.log_text("U0MIA", "30m meeting", now)
    assert logged.ok and kept.ok
    now = moment(DAYS[0], 11)
    services.logs.edit(
        "U0LEE", logged.entries[0].id, now, duration_text="50m", kind="observation",
        on=date.fromisoformat(DAYS[0]), notes="changed",
    )  # fmt: skip
    assert logged.batch_id is not None
    services.logs.undo("U0LEE", logged.batch_id, moment(DAYS[0], 12))
    services.milestones.mark_done("U0CORA", "orientation", ids[NIA], None, moment(DAYS[1]))
    services.milestones.mark_done("U0LEE", "mentor_training", ids[LEE], None, moment(DAYS[1], 11))
    services.signoff.sign(
        "U0CORA", Period(date(2026, 9, 1), date(2026, 9, 30)), None, moment(DAYS[1], 12)
    )
    services.assignments.assign(coordinator, MAX, NIA, None, moment(DAYS[2]))
    services.assignments.assign(coordinator, MIA, BO, None, moment(DAYS[2], 11))
    asked = services.requests.ask(
        "U0BEA", moment(DAYS[2], 12), request_views.render_notice, reason="schedules clash"
    )
    services.requests.reassign(
        "U0CORA", asked.id, ids[MAX], moment(DAYS[2], 13), request_views.render_notice
    )
    services.assignments.unassign(coordinator, IKE, "moved school", None, moment(DAYS[3]))
    changed = ROSTER_CSV.replace("Nia New", "Nia Newer")
    assert services.roster.import_csv(changed).ok
    Ticker(services, slack_api).tick(at(DAYS[4], 8))  # the survey opens, the outbox sends
    with services.store.read() as session:
        survey_id = session.scalar(select(Survey.id))
    assert survey_id is not None
    services.surveys.answer("U0BEA", survey_id, {1: 4}, "helpful", moment(DAYS[4], 12))

    stamped, wrong = 0, []
    with services.store.read() as session:
        for table, column in timestamp_columns():
            values = session.execute(
                select(Base.metadata.tables[table].c[column]).where(
                    Base.metadata.tables[table].c[column].is_not(None)
                )
            ).scalars()
            for value in values:
                stamped += 1
                if abs(value.date() - real_day) <= timedelta(days=1):
                    wrong.append(f"{table}.{column} = {value.isoformat()}")
    assert not wrong, "timestamps from the wall clock:\n" + "\n".join(wrong)
    written = {(t, c) for t, c in timestamp_columns()}
    assert {("log_entries", "created_at"), ("milestones_done", "created_at")} <= written
    assert stamped > 40


def test_a_row_written_without_the_stores_clock_is_refused(db_url: str) -> None:
    """A default never falls back to the wall clock: an engine without the clock fails loudly."""
    store = Store(db_url)
    try:
        bare = store.engine  # the engine beneath, without the Store's clock option
        with pytest.raises(StatementError) as raised, bare.begin() as conn:
            conn.execute(
                Program.__table__.insert().values(
                    name="x", timezone="UTC", policy="ma", school_year_start=date(2026, 9, 1),
                    school_year_end=date(2027, 6, 1), config_toml="",
                )
            )  # fmt: skip
        assert isinstance(raised.value.orig, ClockMissing)
    finally:
        store.dispose()


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("bot", "handlers", "schedules")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "bot" / "clock.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if WALL_CLOCK.search(line)
    ]
    assert not found, "read the injected clock (bot/clock.py) instead:\n" + "\n".join(found)
