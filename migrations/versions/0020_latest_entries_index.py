"""latest_entries_index: log entries by mentor and creation time (a mentor's Home lists their
latest entries in index order instead of sorting every entry they logged)

Revision ID: 0020_latest_entries_index
Revises: 0019_slack_installations
Create Date: 2026-12-07 06:40:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0020_latest_entries_index'
down_revision: str | None = '0019_slack_installations'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_log_entries_mentor_created', 'log_entries', ['mentor_id', 'created_at', 'id']
    )


def downgrade() -> None:
    op.drop_index('ix_log_entries_mentor_created', table_name='log_entries')
