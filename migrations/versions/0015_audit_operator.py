"""audit operator: a log audit row's actor may be empty, for an operator at the command line
(`assign --move-entries` moves entries with no Slack identity behind it)

Revision ID: 0015_audit_operator
Revises: 0014_erasures
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015_audit_operator'
down_revision: str | None = '0014_erasures'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('log_audit', schema=None) as batch_op:
        batch_op.alter_column('actor_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('log_audit', schema=None) as batch_op:
        batch_op.alter_column('actor_id', existing_type=sa.Integer(), nullable=False)
