"""email as a second channel: people.notify (the roster's optional notify column: slack, email
or both) and outbox.via (slack or email), part of the outbox's natural key

Revision ID: 0016_email_channel
Revises: 0015_audit_operator
Create Date: 2026-12-07 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0016_email_channel'
down_revision: str | None = '0015_audit_operator'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch would make SQLite copy `people`, which other tables reference
    op.add_column(
        'people', sa.Column('notify', sa.String(length=8), server_default='slack', nullable=False)
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('via', sa.String(length=8), server_default='slack', nullable=False)
        )
        batch_op.drop_constraint('uq_outbox_rule_recipient_subject_period', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_outbox_rule_recipient_subject_period_via'),
            ['rule', 'recipient', 'subject', 'period', 'via'],
        )
        batch_op.alter_column('recipient', existing_type=sa.String(length=64),
                              type_=sa.String(length=254), existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE via <> 'slack'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=254),
                              type_=sa.String(length=64), existing_nullable=False)
        batch_op.drop_constraint('uq_outbox_rule_recipient_subject_period_via', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_outbox_rule_recipient_subject_period'),
            ['rule', 'recipient', 'subject', 'period'],
        )
        batch_op.drop_column('via')
    op.drop_column('people', 'notify')
