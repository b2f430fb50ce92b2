"""program years: each year's settings kept (the year holding today is the current one), and
the roster's induction year of an educator

Revision ID: 0006_program_years
Revises: 0005_requests
Create Date: 2026-11-29 11:40:00
"""

import tomllib
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op


revision: str = "0006_program_years"
down_revision: str | None = "0005_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROGRAMS = sa.table(
    "programs",
    sa.column("id", sa.Integer),
    sa.column("school_year_start", sa.Date),
    sa.column("school_year_end", sa.Date),
    sa.column("config_toml", sa.Text),
)


def _label(start: date, end: date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year % 100:02d}"


def _first_day(start: date, month: int) -> date:
    return date(start.year if start.month >= month else start.year - 1, month, 1)


def upgrade() -> None:
    years = op.create_table(
        "program_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=7), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("config_toml", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rolled_over_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_program_years_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_years")),
        sa.UniqueConstraint("program_id", "label", name=op.f("uq_program_years_program_id_label")),
    )
    # A plain ADD COLUMN (no table copy: SQLite would refuse to drop a referenced table).
    op.add_column("people", sa.Column("induction_school_year", sa.String(length=7), nullable=True))

    # The program's one year so far becomes its first kept year.
    now = datetime.now(UTC)
    rows = []
    for program_id, start, end, config in op.get_bind().execute(
        sa.select(
            PROGRAMS.c.id,
            PROGRAMS.c.school_year_start,
            PROGRAMS.c.school_year_end,
            PROGRAMS.c.config_toml,
        )
    ):
        month = int(tomllib.loads(config or "").get("program_year_start_month", 7))
        rows.append(
            {
                "program_id": program_id,
                "label": _label(start, end),
                "first_day": _first_day(start, month),
                "config_toml": config,
                "loaded_at": now,
                "rolled_over_at": None,
            }
        )
    if rows:
        op.bulk_insert(years, rows)


def downgrade() -> None:
    op.drop_column("people", "induction_school_year")  # plain DROP COLUMN, as it was added
    op.drop_table("program_years")
