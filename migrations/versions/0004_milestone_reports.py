"""milestone reports: a milestone marked by the person it concerns (or their mentor) is
"reported" until a coordinator confirms it; who confirmed and when are kept

Revision ID: 0004_milestone_reports
Revises: 0003_replay_guard
Create Date: 2026-11-29 10:19:37.051906
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004_milestone_reports'
down_revision: str | None = '0003_replay_guard'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MILESTONES = sa.table(
    'milestones_done',
    sa.column('confirmed', sa.Boolean),
    sa.column('confirmed_by_id', sa.Integer),
    sa.column('confirmed_at', sa.DateTime(timezone=True)),
    sa.column('marked_by_id', sa.Integer),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('school_year', sa.String),
)
ROLES = sa.table(
    'person_roles', sa.column('person_id'), sa.column('role'), sa.column('school_year')
)


def upgrade() -> None:
    with op.batch_alter_table('milestones_done', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed', sa.Boolean(), server_default=sa.text('(true)'), nullable=False))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_milestones_done_confirmed_by_id_people'), 'people', ['confirmed_by_id'], ['id'])

    # Marks made before: a coordinator's is confirmed by them, when it was made; anyone else's
    # is a report awaiting confirmation; one with no marker (the CLI, the demo) stays confirmed.
    by_coordinator = sa.exists().where(
        ROLES.c.person_id == MILESTONES.c.marked_by_id,
        ROLES.c.role == 'coordinator',
        ROLES.c.school_year == MILESTONES.c.school_year,
    )
    marked = MILESTONES.c.marked_by_id.is_not(None)
    op.execute(
        MILESTONES.update()
        .where(marked, by_coordinator)
        .values(confirmed_by_id=MILESTONES.c.marked_by_id, confirmed_at=MILESTONES.c.created_at)
    )
    op.execute(MILESTONES.update().where(marked, ~by_coordinator).values(confirmed=False))


def downgrade() -> None:
    with op.batch_alter_table('milestones_done', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_milestones_done_confirmed_by_id_people'), type_='foreignkey')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('confirmed')
