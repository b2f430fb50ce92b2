"""Standards coverage kept at write time (issue 18): per pair, program year and standard, the
entries that addressed it and the last day — moved by logging, Undo, Edit and group sessions in
the writer's transaction, exact after an Undo of the latest tagged entry, recounted by
`ledger verify`, mended by `ledger rebuild`, backfilled by the migration; and the same coverage
as the pure rule over the entries (`bot/domain/standards.py` `coverage`)."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text, update

from bot.bootstrap import Services
from bot.domain.calendar import SchoolCalendar
from bot.domain.members import Member
from bot.domain.policy import Standard
from bot.domain.standards import (
    TaggedEntry,
    TaggedLog,
    count_coverage,
    coverage,
    coverage_change,
    kept_coverage,
)
from bot.store.db import alembic_config, upgrade
from bot.store.models.core import PairStandard
from tests.support.hillside import NOW

LEE, MIA = "U0LEE", "U0MIA"
D = date
YEAR = D(2026, 7, 1)  # the program year of the test days


def at(day: str, hour: int = 15) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def log(services: Services, user: str, line: str, now: datetime = NOW) -> Any:
    outcome = services.logs.log_text(user, line, now)
    assert outcome.ok, outcome.error
    return outcome


def kept(services: Services) -> dict[tuple[str, str], tuple[int, date | None]]:
    """The kept rows as (mentee's name, code) → (entries, last day)."""
    with services.store.read() as session:
        names = {
            m.id: m.name for m in services.people.all_members(session, services.programs.current())
        }
        return {
            (names[r.mentee_id], r.standard): (r.entries, r.last_on)
            for r in session.scalars(select(PairStandard))
            if r.entries
        }  # fmt: skip


def verified(services: Services) -> None:
    assert services.ledger.verify().differences == ()


# ---- the pure change --------------------------------------------------------------------------


def tagged(entry_id: int, day: date, kind: str = "meeting", *codes: str) -> TaggedLog:
    return TaggedLog(entry_id, 1, 2, day, kind, codes)


@pytest.mark.parametrize(
    ("before", "after", "entries", "added", "recount"),
    [
        ([], [tagged(1, D(2026, 11, 2), "meeting", "I", "II")], {(1, 2, YEAR, "I"): 1, (1, 2, YEAR, "II"): 1}, {(1, 2, YEAR, "I"): D(2026, 11, 2), (1, 2, YEAR, "II"): D(2026, 11, 2)}, set()),
        ([], [tagged(1, D(2026, 11, 2), "observed", "I")], {}, {}, set()),  # a visit: not pair time
        ([], [tagged(1, D(2026, 11, 2))], {}, {}, set()),  # no standard: nothing to keep
        ([tagged(1, D(2026, 11, 2), "meeting", "I")], [], {(1, 2, YEAR, "I"): -1}, {}, {(1, 2, YEAR)}),  # an Undo
        ([tagged(1, D(2026, 11, 2), "meeting", "I")], [tagged(1, D(2026, 11, 2), "meeting", "I")], {}, {}, set()),  # unchanged
        ([tagged(1, D(2026, 11, 2), "meeting", "I")], [tagged(1, D(2026, 10, 2), "meeting", "I")], {}, {(1, 2, YEAR, "I"): D(2026, 10, 2)}, {(1, 2, YEAR)}),  # moved back a month
        ([tagged(1, D(2026, 6, 30), "meeting", "I")], [tagged(1, D(2026, 7, 1), "meeting", "I")], {(1, 2, D(2025, 7, 1), "I"): -1, (1, 2, YEAR, "I"): 1}, {(1, 2, YEAR, "I"): D(2026, 7, 1)}, {(1, 2, D(2025, 7, 1))}),  # into the next year
    ],
)  # fmt: skip
def test_a_writes_coverage_change(
    before: list[TaggedLog], after: list[TaggedLog], entries: dict[Any, int],
    added: dict[Any, date], recount: set[Any],
) -> None:  # fmt: skip
    change = coverage_change(before, after, 7)
    assert (change.entries, change.added_last, set(change.recount)) == (entries, added, recount)


CALENDAR = SchoolCalendar(D(2026, 8, 31), D(2027, 6, 18), frozenset({D(2026, 11, 26)}))
VOCABULARY = (Standard("I", "One"), Standard("II", "Two"), Standard("III", "Three"))
MENTOR = Member(1, "lee@x.example", "Lee", None, None, None, None, None, None, "U1", True, frozenset({"mentor"}))  # fmt: skip
MENTEE = Member(2, "bea@x.example", "Bea", None, None, None, None, None, None, "U2", True, frozenset({"mentee"}))  # fmt: skip
day_in_year = st.dates(D(2026, 8, 31), D(2027, 6, 18))
entry = st.tuples(
    day_in_year,
    st.sampled_from(["meeting", "observation", "observed"]),
    st.lists(st.sampled_from(["I", "II", "III", "CSTP1"]), max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(entry, max_size=12),
    started=day_in_year,
    ended=st.none() | day_in_year,
    today=day_in_year,
)
def test_kept_coverage_is_the_rules_coverage_over_the_entries(
    entries: list[tuple[date, str, list[str]]], started: date, ended: date | None, today: date
) -> None:
    counted = count_coverage(
        ((1, 2, day, kind, ",".join(codes) or None) for day, kind, codes in entries), 7
    )
    mine = {code: found for (_, _, _, code), found in counted.items()}
    expected = coverage(
        MENTOR, MENTEE, started, ended, VOCABULARY,
        [TaggedEntry(day, kind, tuple(dict.fromkeys(codes))) for day, kind, codes in entries],
        CALENDAR, today,
    )  # fmt: skip
    got = kept_coverage(
        MENTOR, MENTEE, started, ended, VOCABULARY, mine, today, CALENDAR.school_weeks_between
    )
    assert got == expected


# ---- the store, on SQLite and PostgreSQL -------------------------------------------------------


def test_an_undo_of_the_latest_tagged_entry_moves_the_last_day_back(
    services: Services, pairs: None
) -> None:
    log(services, LEE, "45m #I #II 2026-11-02")
    latest = log(services, LEE, "30m #II 2026-11-16")
    log(services, LEE, "20m observation 2026-11-17")  # no standard
    assert kept(services) == {("Bea Beginner", "I"): (1, D(2026, 11, 2)), ("Bea Beginner", "II"): (2, D(2026, 11, 16))}  # fmt: skip

    services.logs.undo(LEE, latest.batch_id, NOW)

    assert kept(services) == {("Bea Beginner", "I"): (1, D(2026, 11, 2)), ("Bea Beginner", "II"): (1, D(2026, 11, 2))}  # fmt: skip
    verified(services)


def test_an_edit_that_moves_the_day_moves_the_last_day(services: Services, pairs: None) -> None:
    log(services, LEE, "45m #III 2026-11-02")
    moved = log(services, LEE, "30m #III 2026-11-16")
    entry_id = moved.entries[0].id

    services.logs.edit(LEE, entry_id, NOW, duration_text="30m", kind="meeting", on=D(2026, 10, 5), notes=None)  # fmt: skip
    assert kept(services) == {("Bea Beginner", "III"): (2, D(2026, 11, 2))}
    services.logs.edit(LEE, entry_id, NOW, duration_text="40m", kind="meeting", on=D(2026, 11, 17), notes=None)  # fmt: skip
    assert kept(services) == {("Bea Beginner", "III"): (2, D(2026, 11, 17))}
    verified(services)


def test_a_group_session_and_every_pair_are_kept_apart(services: Services, pairs: None) -> None:
    log(services, LEE, "45m #I 2026-11-02")
    log(services, MIA, "30m #I #IV 2026-11-03")
    log(services, MIA, "30m observed #II 2026-11-04")  # a visit: not coverage
    assert kept(services) == {
        ("Bea Beginner", "I"): (1, D(2026, 11, 2)),
        ("Ike Incoming", "I"): (1, D(2026, 11, 3)),
        ("Ike Incoming", "IV"): (1, D(2026, 11, 3)),
    }
    verified(services)


def test_verify_finds_a_tampered_coverage_row_and_rebuild_mends_it(
    services: Services, pairs: None
) -> None:
    log(services, LEE, "45m #I 2026-11-02")
    log(services, LEE, "45m #I 2026-11-09")
    with services.store.write() as session:
        session.execute(update(PairStandard).values(last_on=D(2026, 11, 3), entries=5))
    (difference,) = services.ledger.verify().differences
    assert difference.table == "ledger_pair_standards"
    assert "stored 5 entries, last 2026-11-03; log rows say 2 entries, last 2026-11-09" in str(difference)  # fmt: skip
    with services.store.read() as session:
        before = session.scalar(text("SELECT ledger_generation FROM programs"))

    services.ledger.rebuild()

    verified(services)
    assert kept(services) == {("Bea Beginner", "I"): (2, D(2026, 11, 9))}
    with services.store.read() as session:  # readers that keep totals between ticks see it
        assert session.scalar(text("SELECT ledger_generation FROM programs")) == before + 1


def test_the_migration_backfills_coverage_from_existing_logs(
    services: Services, pairs: None, db_url: str
) -> None:
    log(services, LEE, "45m #I #II 2026-11-02")
    log(services, MIA, "30m #II 2026-11-03")
    undone = log(services, MIA, "30m #IV 2026-11-04")
    services.logs.undo(MIA, undone.batch_id, NOW)
    expected = kept(services)
    services.close()
    command.downgrade(alembic_config(db_url), "0011_answered_once")
    upgrade(db_url)

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = {(r.standard, r.entries, r.last_on) for r in conn.execute(select(PairStandard))}
    engine.dispose()
    assert rows == {(code, n, last) for (_, code), (n, last) in expected.items()}
    assert len(rows) == 3


def test_a_digest_reads_the_kept_coverage_not_the_log_rows(services: Services, pairs: None) -> None:
    """The kept row is what the digest shows: a coverage row changed by hand shows there."""
    log(services, MIA, "30m #II 2026-10-07")
    now = at("2026-11-18")
    program = services.programs.current(now)
    with services.store.read() as session:
        lee = services.people.caller(session, program, LEE)
    before = services.nudges.cohort_digest(lee, now)
    ((ike,),) = [[c for c in before.coverage if c.mentee.name == "Ike Incoming"]]
    assert [(s.code, s.entries, s.last) for s in ike.standards if s.entries] == [("II", 1, D(2026, 10, 7))]  # fmt: skip
    with services.store.write() as session:
        session.execute(update(PairStandard).values(last_on=D(2026, 11, 16)))
    after = services.nudges.cohort_digest(lee, now)
    ((ike,),) = [[c for c in after.coverage if c.mentee.name == "Ike Incoming"]]
    assert [(s.code, s.last) for s in ike.standards if s.entries] == [("II", D(2026, 11, 16))]
    assert ike.standards[1].quiet_weeks == 0
