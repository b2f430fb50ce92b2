"""Migration 0010: the unique keys of issue 16 are built over a database the old races left
behind — duplicate sign-offs, a lock left in force after its duplicate was reopened, a blank
school, a mentee with two open assignments — and each entry keeps its mentee's school."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from bot.store.db import alembic_config
from tests.support.raw_rows import insert_program

BEFORE = "0008_activities"
T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_the_migration_repairs_what_the_old_races_left_then_holds(db_url: str) -> None:
    config = alembic_config(db_url)
    command.downgrade(config, BEFORE)
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            insert_program(conn, T0)
            people = ((1, "Cora", None), (2, "Bea", "Lincoln"), (3, "Lee", "Lincoln"),
                      (4, "Mia", "Lincoln"))  # fmt: skip
            for pid, name, school in people:
                conn.execute(
                    text(
                        "INSERT INTO people (id, program_id, email, name, school, active, "
                        "created_at, updated_at) VALUES (:id, 1, :email, :name, :school, true, "
                        ":now, :now)"
                    ),
                    {"id": pid, "email": f"{name.lower()}@x.example", "name": name,
                     "school": school, "now": T0},
                )  # fmt: skip
            signed = [  # id, first day, school, signed, reopened
                (1, date(2026, 10, 1), None, at(0), None),  # two presses at once: kept
                (2, date(2026, 10, 1), None, at(1), None),  # ... its duplicate: closed
                (3, date(2026, 9, 1), "Lincoln", at(0), at(10)),  # reopened by the coordinator
                (4, date(2026, 9, 1), "Lincoln", at(1), None),  # its duplicate: reopened too
                (5, date(2026, 9, 1), "Lincoln", at(20), None),  # signed again after: kept
                (6, date(2026, 8, 1), "", at(0), None),  # a crafted blank school: closed
            ]
            for sid, first, school, signed_at, reopened_at in signed:
                last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                conn.execute(
                    text(
                        "INSERT INTO signed_periods (id, program_id, first_day, last_day, school, "
                        "signed_by_id, signed_at, reopened_by_id, reopened_at, reopen_reason) "
                        "VALUES (:id, 1, :first, :last, :school, 1, :signed, :by, :reopened, "
                        ":reason)"
                    ),
                    {"id": sid, "first": first, "last": last, "school": school, "signed": signed_at,
                     "by": 1 if reopened_at else None, "reopened": reopened_at,
                     "reason": "a late entry" if reopened_at else None},
                )  # fmt: skip
            for aid, mentor, start in ((1, 3, date(2026, 9, 1)), (2, 4, date(2026, 9, 10))):
                conn.execute(
                    text(
                        "INSERT INTO assignments (id, program_id, mentor_id, mentee_id, "
                        "started_on, created_at) VALUES (:id, 1, :mentor, 2, :start, :now)"
                    ),
                    {"id": aid, "mentor": mentor, "start": start, "now": T0},
                )
            conn.execute(
                text(
                    "INSERT INTO log_entries (id, program_id, mentor_id, mentee_id, logged_by_id, "
                    "occurred_on, minutes, kind, source, created_at, updated_at) VALUES (1, 1, 3, "
                    "2, 3, '2026-09-08', 45, 'meeting', 'slack', :now, :now)"
                ),
                {"now": T0},
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, school, scope, reopened_at IS NULL, reopen_reason "
                    "FROM signed_periods ORDER BY id"
                )
            ).all()
            assert [(i, school, scope, bool(open_)) for i, school, scope, open_, _ in rows] == [
                (1, None, "", True),
                (2, None, "", False),
                (3, "Lincoln", "Lincoln", False),
                (4, "Lincoln", "Lincoln", False),
                (5, "Lincoln", "Lincoln", True),
                (6, None, "", False),
            ]
            reasons = {i: reason for i, *_, reason in rows}
            assert "duplicate of sign-off 1" in reasons[2]
            assert reasons[4] == "a late entry"  # the coordinator's reopening, as it was meant
            assert "blank school" in reasons[6]
            assignments = conn.execute(
                text("SELECT id, mentor_id, ended_on FROM assignments ORDER BY id")
            ).all()
            assert [(i, m, str(e) if e else None) for i, m, e in assignments] == [
                (1, 3, "2026-09-09"),
                (2, 4, None),
            ]
            assert conn.execute(text("SELECT school FROM log_entries")).scalar_one() == "Lincoln"

        # The keys hold from now on, on both databases.
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO signed_periods (program_id, first_day, last_day, school, scope, "
                    "signed_by_id, signed_at) VALUES (1, '2026-10-01', '2026-10-31', NULL, '', "
                    "1, :now)"
                ),
                {"now": T0},
            )
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO assignments (program_id, mentor_id, mentee_id, started_on, "
                    "created_at) VALUES (1, 3, 2, '2026-11-02', :now)"
                ),
                {"now": T0},
            )
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO signed_periods (program_id, first_day, last_day, school, scope, "
                    "signed_by_id, signed_at) VALUES (1, '2026-11-01', '2026-11-30', '', '', 1, "
                    ":now)"
                ),
                {"now": T0},
            )
        command.downgrade(config, BEFORE)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM signed_periods")).scalar_one() == 6
    finally:
        engine.dispose()
        command.upgrade(config, "head")
