"""scope totals: pair time per school (of the mentee) and for the whole program, per bucket and
per program year, kept at write time; backfilled from the pair totals

Revision ID: 0013_scope_totals
Revises: 0012_standards_coverage
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013_scope_totals'
down_revision: str | None = '0012_standards_coverage'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = "minutes, observations, visits, visit_minutes, contacts"
SUMS = "SUM(r.minutes), SUM(r.observations), SUM(r.visits), SUM(r.visit_minutes), SUM(r.contacts)"


def upgrade() -> None:
    op.create_table('ledger_scope_totals',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=220), nullable=False),
    sa.Column('grain', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('observations', sa.Integer(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('visit_minutes', sa.Integer(), nullable=False),
    sa.Column('contacts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_ledger_scope_totals_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', 'scope', 'grain', 'period_start', name=op.f('pk_ledger_scope_totals'))
    )
    _backfill()


def _backfill() -> None:
    """The scope totals of every program, summed from its pair totals (bot/domain/ledger.py
    `scope_totals`: the program's, and each school's by the mentee's school)."""
    for grain, table, start in (
        ("bucket", "ledger_pair_buckets", "bucket_start"),
        ("year", "ledger_pair_years", "year_start"),
    ):
        op.execute(
            f"INSERT INTO ledger_scope_totals (program_id, scope, grain, period_start, {COUNTS}) "
            f"SELECT r.program_id, 'program', '{grain}', r.{start}, {SUMS} FROM {table} r "
            f"GROUP BY r.program_id, r.{start}"
        )
        op.execute(
            f"INSERT INTO ledger_scope_totals (program_id, scope, grain, period_start, {COUNTS}) "
            f"SELECT r.program_id, 'school:' || COALESCE(p.school, ''), '{grain}', r.{start}, "
            f"{SUMS} FROM {table} r JOIN people p ON p.id = r.mentee_id "
            f"GROUP BY r.program_id, COALESCE(p.school, ''), r.{start}"
        )


def downgrade() -> None:
    op.drop_table('ledger_scope_totals')
