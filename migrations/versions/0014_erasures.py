"""erasures: `people.forgotten_at` (a person forgotten: tombstone name and email) and the
`erasures` audit (forget and notes retention: who ran it, when, counts; never the text)

Revision ID: 0014_erasures
Revises: 0013_scope_totals
Create Date: 2026-12-07 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014_erasures'
down_revision: str | None = '0013_scope_totals'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('people', sa.Column('forgotten_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'erasures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('before', sa.Date(), nullable=True),
        sa.Column('ran_by', sa.String(length=200), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('forget', 'notes_retention')", name=op.f('ck_erasures_kind')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_erasures_person_id_people')),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_erasures_program_id_programs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasures')),
    )
    op.create_index('ix_erasures_program_at', 'erasures', ['program_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_erasures_program_at', table_name='erasures')
    op.drop_table('erasures')
    # SQLite (3.35+) drops a plain column in place: a batch copy of `people` would break the
    # foreign keys that point at it.
    op.execute('ALTER TABLE people DROP COLUMN forgotten_at')
