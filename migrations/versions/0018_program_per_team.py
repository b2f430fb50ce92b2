"""program per team: one program per Slack workspace on one database — programs.team_id (unique),
programs.enterprise_id, programs.uninstalled_at; people.slack_user_id unique per program instead
of globally; outbox.program_id (backfilled), part of the outbox's natural key; and
milestones_done.program_id (backfilled), so a program-wide mark (the annual report filed) is its
program's alone

Revision ID: 0018_program_per_team
Revises: 0017_kept_figures
Create Date: 2026-12-07 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0018_program_per_team'
down_revision: str | None = '0017_kept_figures'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX_KEY = ['rule', 'recipient', 'subject', 'period', 'via']


def _sqlite_foreign_keys(on: bool) -> None:
    """SQLite rebuilds `people` to change its unique keys (a copy, a DROP, a rename): with
    foreign keys on, the DROP would cascade to every table that references people. The pragma
    only takes effect outside a transaction, so the one this migration runs in is ended first
    (SQLite's DDL is not transactional here anyway: alembic runs it statement by statement)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    bind.exec_driver_sql('BEGIN')


def upgrade() -> None:
    # plain ADD COLUMNs and an index: a batch would make SQLite copy `programs`
    op.add_column('programs', sa.Column('team_id', sa.String(length=32), nullable=True))
    op.add_column('programs', sa.Column('enterprise_id', sa.String(length=32), nullable=True))
    op.add_column('programs', sa.Column('uninstalled_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_programs_team_id'), 'programs', ['team_id'], unique=True)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('program_id', sa.Integer(), nullable=True))
    # each row's program: its recipient's (a Slack id or an email on the roster), else the first
    op.execute(
        'UPDATE outbox SET program_id = coalesce('
        '(SELECT min(people.program_id) FROM people WHERE people.slack_user_id = outbox.recipient'
        ' OR lower(people.email) = lower(outbox.recipient)),'
        '(SELECT min(programs.id) FROM programs))'
    )
    op.execute('DELETE FROM outbox WHERE program_id IS NULL')  # no program: nothing to send
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('program_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_program_id_programs'), 'programs', ['program_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.drop_constraint('uq_outbox_rule_recipient_subject_period_via', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_outbox_program_id_rule_recipient_subject_period_via'),
            ['program_id', *OUTBOX_KEY],
        )

    with op.batch_alter_table('milestones_done', schema=None) as batch_op:
        batch_op.add_column(sa.Column('program_id', sa.Integer(), nullable=True))
    # each mark's program: its person's, else its marker's, else the first
    op.execute(
        'UPDATE milestones_done SET program_id = coalesce('
        '(SELECT people.program_id FROM people WHERE people.id = milestones_done.person_id),'
        '(SELECT people.program_id FROM people WHERE people.id = milestones_done.marked_by_id),'
        '(SELECT min(programs.id) FROM programs))'
    )
    with op.batch_alter_table('milestones_done', schema=None) as batch_op:
        batch_op.alter_column('program_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_milestones_done_program_id_programs'), 'programs', ['program_id'],
            ['id'], ondelete='CASCADE',
        )

    _sqlite_foreign_keys(False)
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint('uq_people_slack_user_id', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_people_program_id_slack_user_id'), ['program_id', 'slack_user_id']
        )
    _sqlite_foreign_keys(True)


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint('uq_people_program_id_slack_user_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_people_slack_user_id'), ['slack_user_id'])
    _sqlite_foreign_keys(True)
    with op.batch_alter_table('milestones_done', schema=None) as batch_op:
        batch_op.drop_constraint('fk_milestones_done_program_id_programs', type_='foreignkey')
        batch_op.drop_column('program_id')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(
            'uq_outbox_program_id_rule_recipient_subject_period_via', type_='unique'
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_outbox_rule_recipient_subject_period_via'), OUTBOX_KEY
        )
        batch_op.drop_constraint('fk_outbox_program_id_programs', type_='foreignkey')
        batch_op.drop_column('program_id')
    op.drop_index(op.f('ix_programs_team_id'), table_name='programs')
    op.drop_column('programs', 'uninstalled_at')
    op.drop_column('programs', 'enterprise_id')
    op.drop_column('programs', 'team_id')
