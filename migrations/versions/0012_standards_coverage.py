"""standards coverage kept at write time (per pair, program year and standard: entries and the
last day), backfilled from the log rows; the programs' ledger generation

Revision ID: 0012_standards_coverage
Revises: 0011_answered_once
Create Date: 2026-12-07 02:10:00
"""

import tomllib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.domain.ledger import DEFAULT_YEAR_START_MONTH
from bot.store import rollups


revision: str = '0012_standards_coverage'
down_revision: str | None = '0011_answered_once'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'ledger_pair_standards',
        sa.Column('mentor_id', sa.Integer(), nullable=False),
        sa.Column('mentee_id', sa.Integer(), nullable=False),
        sa.Column('year_start', sa.Date(), nullable=False),
        sa.Column('standard', sa.String(length=20), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('last_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['mentee_id'], ['people.id'], name=op.f('fk_ledger_pair_standards_mentee_id_people')),
        sa.ForeignKeyConstraint(['mentor_id'], ['people.id'], name=op.f('fk_ledger_pair_standards_mentor_id_people')),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_ledger_pair_standards_program_id_programs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('mentor_id', 'mentee_id', 'year_start', 'standard', name=op.f('pk_ledger_pair_standards')),
    )
    op.create_index('ix_ledger_pair_standards_mentee', 'ledger_pair_standards', ['mentee_id', 'year_start'], unique=False)
    op.create_index('ix_ledger_pair_standards_program_year', 'ledger_pair_standards', ['program_id', 'year_start'], unique=False)
    op.add_column('programs', sa.Column('ledger_generation', sa.Integer(), server_default='0', nullable=False))
    _backfill()


def _backfill() -> None:
    """Every program's coverage, counted from its live log rows."""
    bind = op.get_bind()
    for program_id, config_toml in bind.execute(sa.text("SELECT id, config_toml FROM programs")):
        try:
            config = tomllib.loads(config_toml or "")
        except tomllib.TOMLDecodeError:
            config = {}
        month = int(config.get("program_year_start_month", DEFAULT_YEAR_START_MONTH))
        rollups.rebuild_coverage(bind, program_id, month)


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite 3.35+): a batch copy of `programs` would trip the foreign
    # keys of every table that points at it
    op.execute('ALTER TABLE programs DROP COLUMN ledger_generation')
    op.drop_index('ix_ledger_pair_standards_program_year', table_name='ledger_pair_standards')
    op.drop_index('ix_ledger_pair_standards_mentee', table_name='ledger_pair_standards')
    op.drop_table('ledger_pair_standards')
