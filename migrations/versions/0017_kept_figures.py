"""kept_figures: program-wide figures kept with the watermark they were computed at (the
coordinator's Home: the annual report's readiness, this month's pay)

Revision ID: 0017_kept_figures
Revises: 0016_email_channel
Create Date: 2026-12-07 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0017_kept_figures'
down_revision: str | None = '0016_email_channel'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'kept_figures',
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('watermark', sa.Text(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_kept_figures_program_id_programs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('program_id', 'kind', name=op.f('pk_kept_figures')),
    )


def downgrade() -> None:
    op.drop_table('kept_figures')
