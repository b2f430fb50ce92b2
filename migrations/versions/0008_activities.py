"""activities: program activities with their attendees and the log batches a group session
wrote; partnerships; the roster's exit date and reason

Revision ID: 0008_activities
Revises: 0007_surveys
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_activities"
# The chain on main: 0006 → 0009_sign_off → 0007_surveys → this (one head).
down_revision: str | None = "0007_surveys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes BETWEEN 1 AND 720", name=op.f("ck_activities_minutes_range")),
        sa.ForeignKeyConstraint(
            ["facilitator_id"], ["people.id"], name=op.f("fk_activities_facilitator_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_activities_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["people.id"], name=op.f("fk_activities_recorded_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index(
        "ix_activities_program_day", "activities", ["program_id", "occurred_on"], unique=False
    )
    op.create_table(
        "activity_attendees",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_attendees_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_activity_attendees_person_id_people")
        ),
        sa.PrimaryKeyConstraint("activity_id", "person_id", name=op.f("pk_activity_attendees")),
    )
    op.create_index(
        op.f("ix_activity_attendees_person_id"), "activity_attendees", ["person_id"], unique=False
    )
    op.create_table(
        "activity_log_batches",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_log_batches_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_activity_log_batches")),
    )
    op.create_index(
        op.f("ix_activity_log_batches_activity_id"),
        "activity_log_batches",
        ["activity_id"],
        unique=False,
    )
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("supports", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_partnerships_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
        sa.UniqueConstraint("program_id", "name", name=op.f("uq_partnerships_program_id_name")),
    )
    # Plain ADD COLUMNs (no table copy: SQLite would refuse to drop a referenced table).
    op.add_column("people", sa.Column("exit_date", sa.Date(), nullable=True))
    op.add_column("people", sa.Column("exit_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("people", "exit_reason")  # plain DROP COLUMNs, as they were added
    op.drop_column("people", "exit_date")
    op.drop_table("partnerships")
    op.drop_index(op.f("ix_activity_log_batches_activity_id"), table_name="activity_log_batches")
    op.drop_table("activity_log_batches")
    op.drop_index(op.f("ix_activity_attendees_person_id"), table_name="activity_attendees")
    op.drop_table("activity_attendees")
    op.drop_index("ix_activities_program_day", table_name="activities")
    op.drop_table("activities")
