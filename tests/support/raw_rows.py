"""Rows written with plain SQL under an older schema, for tests of data migrations (the models
describe only the newest one)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text


def insert_program(conn: Connection, now: datetime) -> None:
    """Program 1, Hillside's 2026-27 year under the MA preset, as every schema has kept it."""
    conn.execute(
        text(
            "INSERT INTO programs (id, name, timezone, policy, school_year_start, "
            "school_year_end, config_toml, created_at, updated_at) VALUES (1, 'H', "
            "'America/New_York', 'ma', '2026-08-31', '2027-06-18', '', :now, :now)"
        ),
        {"now": now},
    )
