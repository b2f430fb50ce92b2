"""reassignment requests: a mentor's or mentee's hold-harmless request for a change of
pairing (coordinators only), and its audit: asked, reassigned, declined, withdrawn — who, when, what

Revision ID: 0005_requests
Revises: 0004_milestone_reports
Create Date: 2026-11-29 11:05:45.576958
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_requests'
down_revision: str | None = '0004_milestone_reports'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reassignment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('new_assignment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open','reassigned','declined','withdrawn')", name=op.f('ck_reassignment_requests_status')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['people.id'], name=op.f('fk_reassignment_requests_answered_by_id_people')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_reassignment_requests_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['new_assignment_id'], ['assignments.id'], name=op.f('fk_reassignment_requests_new_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_reassignment_requests_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_id'], ['people.id'], name=op.f('fk_reassignment_requests_requester_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reassignment_requests'))
    )
    with op.batch_alter_table('reassignment_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reassignment_requests_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reassignment_requests_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reassignment_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('uq_reassignment_requests_open', ['requester_id', 'assignment_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('reassignment_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.CheckConstraint("action IN ('asked','reassigned','declined','withdrawn')", name=op.f('ck_reassignment_audit_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_reassignment_audit_actor_id_people')),
    sa.ForeignKeyConstraint(['request_id'], ['reassignment_requests.id'], name=op.f('fk_reassignment_audit_request_id_reassignment_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reassignment_audit'))
    )
    with op.batch_alter_table('reassignment_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reassignment_audit_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reassignment_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reassignment_audit_request_id'))

    op.drop_table('reassignment_audit')
    with op.batch_alter_table('reassignment_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_reassignment_requests_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_reassignment_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_reassignment_requests_program_id'))
        batch_op.drop_index(batch_op.f('ix_reassignment_requests_assignment_id'))

    op.drop_table('reassignment_requests')
