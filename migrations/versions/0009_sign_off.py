"""sign-off: signed periods (locks on the log, reopened with a reason) and entry reviews
(confirmed or flagged by the other side of the pair)

Revision ID: 0009_sign_off
Revises: 0006_program_years
Create Date: 2026-11-29 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009_sign_off'
down_revision: str | None = '0006_program_years'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'signed_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('school', sa.String(length=200), nullable=True),
        sa.Column('signed_by_id', sa.Integer(), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reopened_by_id', sa.Integer(), nullable=True),
        sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reopen_reason', sa.Text(), nullable=True),
        sa.CheckConstraint('last_day >= first_day', name=op.f('ck_signed_periods_last_after_first')),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_signed_periods_program_id_programs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reopened_by_id'], ['people.id'], name=op.f('fk_signed_periods_reopened_by_id_people')),
        sa.ForeignKeyConstraint(['signed_by_id'], ['people.id'], name=op.f('fk_signed_periods_signed_by_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_periods')),
    )
    op.create_index('ix_signed_periods_program_first', 'signed_periods', ['program_id', 'first_day'], unique=False)
    op.create_table(
        'entry_reviews',
        sa.Column('log_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('verdict', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('confirmed','flagged')", name=op.f('ck_entry_reviews_verdict')),
        sa.ForeignKeyConstraint(['log_entry_id'], ['log_entries.id'], name=op.f('fk_entry_reviews_log_entry_id_log_entries')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['people.id'], name=op.f('fk_entry_reviews_reviewed_by_id_people')),
        sa.PrimaryKeyConstraint('log_entry_id', name=op.f('pk_entry_reviews')),
    )


def downgrade() -> None:
    op.drop_table('entry_reviews')
    op.drop_index('ix_signed_periods_program_first', table_name='signed_periods')
    op.drop_table('signed_periods')
