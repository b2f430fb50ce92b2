"""answered once: a question's choice or a form's submission taken once, by a unique key

Revision ID: 0011_answered_once
Revises: 0010_invariants
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_answered_once"
down_revision: str | None = "0010_invariants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answered_once",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_answered_once")),
    )


def downgrade() -> None:
    op.drop_table("answered_once")
