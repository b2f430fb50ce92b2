"""Migration 0018: programs get a team; Slack ids become unique per program; outbox rows and
milestone marks get their program (backfilled). On SQLite `people` is rebuilt, and the rows
that reference it (roles, marks) must survive that."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from bot.store.db import alembic_config

BEFORE = "0017_kept_figures"
NOW = datetime(2026, 10, 20, 13, 0, tzinfo=UTC)


def _program(conn: object, program_id: int) -> None:
    conn.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO programs (id, name, timezone, policy, school_year_start, "
            "school_year_end, config_toml, created_at, updated_at, ledger_generation) VALUES "
            "(:id, 'P', 'America/New_York', 'ma', '2026-08-31', '2027-06-18', '', :now, :now, 0)"
        ),
        {"id": program_id, "now": NOW},
    )


def test_the_migration_backfills_programs_and_keeps_every_reference(db_url: str) -> None:
    config = alembic_config(db_url)
    command.downgrade(config, BEFORE)
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            _program(conn, 1)
            _program(conn, 2)
            for pid, program, slack_id in ((1, 1, "U0A"), (2, 2, "U0B")):
                conn.execute(
                    text(
                        "INSERT INTO people (id, program_id, email, name, slack_user_id, active, "
                        "notify, created_at, updated_at) VALUES (:id, :program, :email, 'N', "
                        ":slack, true, 'slack', :now, :now)"
                    ),
                    {"id": pid, "program": program, "email": f"p{pid}@x.example",
                     "slack": slack_id, "now": NOW},
                )  # fmt: skip
                conn.execute(
                    text(
                        "INSERT INTO person_roles (id, person_id, role, school_year) "
                        "VALUES (:id, :id, 'mentor', '2026-27')"
                    ),
                    {"id": pid},
                )
            for mid, person, marker in ((1, 2, 2), (2, None, 2), (3, None, None)):
                conn.execute(
                    text(
                        "INSERT INTO milestones_done (id, person_id, milestone, school_year, "
                        "done_on, marked_by_id, created_at, confirmed) VALUES (:id, :person, "
                        "'orientation', '2026-27', '2026-10-01', :marker, :now, true)"
                    ),
                    {"id": mid, "person": person, "marker": marker, "now": NOW},
                )
            for oid, recipient in ((1, "U0B"), (2, "P2@X.example"), (3, "nobody@else.example")):
                conn.execute(
                    text(
                        "INSERT INTO outbox (id, rule, recipient, subject, period, via, status, "
                        "payload, attempts, created_at) VALUES (:id, 'r', :recipient, 's', "
                        "'2026-10', 'slack', 'sent', '{}', 0, :now)"
                    ),
                    {"id": oid, "recipient": recipient, "now": NOW},
                )

        command.upgrade(config, "head")

        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM person_roles")).scalar_one() == 2
            marks = conn.execute(
                text("SELECT id, program_id FROM milestones_done ORDER BY id")
            ).all()
            assert [tuple(m) for m in marks] == [(1, 2), (2, 2), (3, 1)]
            outbox = conn.execute(text("SELECT id, program_id FROM outbox ORDER BY id")).all()
            assert [tuple(o) for o in outbox] == [(1, 2), (2, 2), (3, 1)]
        columns = {c["name"] for c in inspect(engine).get_columns("programs")}
        assert {"team_id", "enterprise_id", "uninstalled_at"} <= columns

        insert = text(
            "INSERT INTO people (id, program_id, email, name, slack_user_id, active, notify, "
            "created_at, updated_at) VALUES (:id, :program, :email, 'N', 'U0A', true, 'slack', "
            ":now, :now)"
        )
        with engine.begin() as conn:  # another program: the same Slack id is someone else
            conn.execute(insert, {"id": 3, "program": 2, "email": "p3@x.example", "now": NOW})
        with pytest.raises(IntegrityError), engine.begin() as conn:  # the same program: refused
            conn.execute(insert, {"id": 4, "program": 1, "email": "p4@x.example", "now": NOW})
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM people WHERE id = 3"))

        command.downgrade(config, BEFORE)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM person_roles")).scalar_one() == 2
            assert conn.execute(text("SELECT count(*) FROM outbox")).scalar_one() == 3
    finally:
        engine.dispose()
        command.upgrade(config, "head")
