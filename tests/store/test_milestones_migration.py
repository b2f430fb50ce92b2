"""Migration 0004: marks made before it are confirmed when a coordinator made them (or nobody:
the CLI, the demo) and become reports awaiting confirmation otherwise; it downgrades cleanly."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import create_engine, inspect, text

from bot.store.db import alembic_config
from tests.support.raw_rows import insert_program

BEFORE = "0003_replay_guard"
NOW = datetime(2026, 10, 20, 13, 0, tzinfo=UTC)


def test_the_migration_sorts_existing_marks_into_confirmed_and_reported(db_url: str) -> None:
    config = alembic_config(db_url)
    command.downgrade(config, BEFORE)
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            insert_program(conn, NOW)
            for pid, name in ((1, "Cora"), (2, "Bea"), (3, "Lee")):
                conn.execute(
                    text(
                        "INSERT INTO people (id, program_id, email, name, active, created_at, "
                        "updated_at) VALUES (:id, 1, :email, :name, true, :now, :now)"
                    ),
                    {"id": pid, "email": f"{name.lower()}@x.example", "name": name, "now": NOW},
                )
            for pid, role in ((1, "coordinator"), (2, "mentee"), (3, "mentor")):
                conn.execute(
                    text(
                        "INSERT INTO person_roles (id, person_id, role, school_year) "
                        "VALUES (:id, :id, :role, '2026-27')"
                    ),
                    {"id": pid, "role": role},
                )
            marks = [  # id, person, milestone, marked by
                (1, 2, "orientation", 2),  # by herself: a report
                (2, 3, "mentor_training", 3),  # a mentor's own: a report
                (3, 2, "support_team_meeting", 1),  # by the coordinator: confirmed by her
                (4, None, "annual_report", None),  # by nobody (the CLI): confirmed
            ]
            for mid, person, milestone, marker in marks:
                conn.execute(
                    text(
                        "INSERT INTO milestones_done (id, person_id, milestone, school_year, "
                        "done_on, marked_by_id, created_at) VALUES (:id, :person, :milestone, "
                        "'2026-27', :day, :marker, :now)"
                    ),
                    {"id": mid, "person": person, "milestone": milestone, "marker": marker,
                     "day": date(2026, 10, 19), "now": NOW},
                )  # fmt: skip
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, confirmed, confirmed_by_id, confirmed_at FROM milestones_done "
                    "ORDER BY id"
                )
            ).all()
        stored = [(i, bool(c), by, at is not None) for i, c, by, at in rows]
        assert stored == [
            (1, False, None, False),
            (2, False, None, False),
            (3, True, 1, True),
            (4, True, None, False),
        ]

        command.downgrade(config, BEFORE)
        columns = {c["name"] for c in inspect(engine).get_columns("milestones_done")}
        assert not columns & {"confirmed", "confirmed_by_id", "confirmed_at"}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM milestones_done")).scalar_one() == 4
    finally:
        engine.dispose()
        command.upgrade(config, "head")
