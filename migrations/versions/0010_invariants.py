"""invariants in the database: one sign-off in force per (period, scope), one open assignment per
mentee, and each log entry's school kept on the entry

Existing data is repaired first, so the unique keys can be built over a database the old races
left behind:
- a sign-off signed with a blank school (a crafted button) is closed: it named no scope;
- a sign-off left in force after a coordinator reopened its duplicate (one reopen meant to open
  the period) is reopened with that coordinator's reopening;
- of several sign-offs still in force for the same period and scope, the first is kept and the
  others are closed as duplicates of it;
- of several open assignments of one mentee, the newest is kept (a same-day change wins, as
  the log reads it) and the others end the day before it began (or the day they began);
- each log entry's school is backfilled from its mentee's school at migration time.

Revision ID: 0010_invariants
Revises: 0008_activities
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0010_invariants"
down_revision: str | None = "0008_activities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED = sa.table(
    "signed_periods",
    sa.column("id", sa.Integer()),
    sa.column("program_id", sa.Integer()),
    sa.column("first_day", sa.Date()),
    sa.column("last_day", sa.Date()),
    sa.column("school", sa.String()),
    sa.column("scope", sa.String()),
    sa.column("signed_at", sa.DateTime(timezone=True)),
    sa.column("reopened_by_id", sa.Integer()),
    sa.column("reopened_at", sa.DateTime(timezone=True)),
    sa.column("reopen_reason", sa.Text()),
)
ASSIGNMENTS = sa.table(
    "assignments",
    sa.column("id", sa.Integer()),
    sa.column("mentee_id", sa.Integer()),
    sa.column("started_on", sa.Date()),
    sa.column("ended_on", sa.Date()),
    sa.column("end_reason", sa.Text()),
)


def upgrade() -> None:
    op.add_column("log_entries", sa.Column("school", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE log_entries SET school = "
        "(SELECT people.school FROM people WHERE people.id = log_entries.mentee_id)"
    )
    op.add_column("signed_periods", sa.Column("scope", sa.String(length=200), nullable=True))
    _repair_sign_offs()
    _repair_assignments()
    with op.batch_alter_table("signed_periods") as batch:
        batch.alter_column("scope", existing_type=sa.String(length=200), nullable=False)
        batch.create_check_constraint(
            op.f("ck_signed_periods_school_named"), "school IS NULL OR school <> ''"
        )
        batch.create_check_constraint(
            op.f("ck_signed_periods_scope_is_school"), "scope = coalesce(school, '')"
        )
    op.create_index(
        "uq_signed_periods_in_force",
        "signed_periods",
        ["program_id", "first_day", "last_day", "scope"],
        unique=True,
        sqlite_where=sa.text("reopened_at IS NULL"),
        postgresql_where=sa.text("reopened_at IS NULL"),
    )
    op.create_index(
        "uq_assignments_open_mentee",
        "assignments",
        ["mentee_id"],
        unique=True,
        sqlite_where=sa.text("ended_on IS NULL"),
        postgresql_where=sa.text("ended_on IS NULL"),
    )


def _close(row_id: int, reason: str) -> None:
    """Take a sign-off out of force, as of when it was signed, saying why."""
    op.execute(
        SIGNED.update()
        .where(SIGNED.c.id == row_id)
        .values(reopened_at=SIGNED.c.signed_at, reopened_by_id=None, reopen_reason=reason)
    )


def _repair_sign_offs() -> None:
    conn = op.get_bind()
    blank = conn.execute(
        sa.select(SIGNED.c.id).where(SIGNED.c.school == "", SIGNED.c.reopened_at.is_(None))
    ).scalars()
    for row_id in list(blank):
        _close(row_id, "signed with a blank school, which names no scope (closed by migration)")
    op.execute(SIGNED.update().where(SIGNED.c.school == "").values(school=None))
    op.execute(SIGNED.update().values(scope=sa.func.coalesce(SIGNED.c.school, "")))
    # A reopening of one of several identical locks was meant for the period: it covers every
    # lock of the same period and scope that was in force when it happened.
    other = SIGNED.alias("other")
    same_key = sa.and_(
        other.c.program_id == SIGNED.c.program_id,
        other.c.first_day == SIGNED.c.first_day,
        other.c.last_day == SIGNED.c.last_day,
        other.c.scope == SIGNED.c.scope,
    )
    reopened_after = (
        sa.select(other.c.id)
        .where(
            same_key,
            other.c.id != SIGNED.c.id,
            other.c.reopened_at.is_not(None),
            other.c.reopened_at >= SIGNED.c.signed_at,
        )
        .order_by(other.c.reopened_at.desc(), other.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    leftovers = conn.execute(
        sa.select(SIGNED.c.id, reopened_after.label("by")).where(SIGNED.c.reopened_at.is_(None))
    ).all()
    for row_id, source in leftovers:
        if source is None:
            continue
        copied = sa.select(
            other.c.reopened_at, other.c.reopened_by_id, other.c.reopen_reason
        ).where(other.c.id == source)
        reopened_at, by, reason = conn.execute(copied).one()
        op.execute(
            SIGNED.update()
            .where(SIGNED.c.id == row_id)
            .values(reopened_at=reopened_at, reopened_by_id=by, reopen_reason=reason)
        )
    first_in_force = (
        sa.select(sa.func.min(other.c.id))
        .where(same_key, other.c.reopened_at.is_(None))
        .scalar_subquery()
    )
    duplicates = conn.execute(
        sa.select(SIGNED.c.id, first_in_force.label("kept")).where(SIGNED.c.reopened_at.is_(None))
    ).all()
    for row_id, kept in duplicates:
        if kept != row_id:
            _close(row_id, f"a duplicate of sign-off {kept} (closed by migration)")


def _repair_assignments() -> None:
    conn = op.get_bind()
    open_rows = conn.execute(
        sa.select(ASSIGNMENTS.c.id, ASSIGNMENTS.c.mentee_id, ASSIGNMENTS.c.started_on)
        .where(ASSIGNMENTS.c.ended_on.is_(None))
        .order_by(ASSIGNMENTS.c.mentee_id, ASSIGNMENTS.c.started_on, ASSIGNMENTS.c.id)
    ).all()
    by_mentee: dict[int, list[tuple[int, object]]] = {}
    for row_id, mentee_id, started_on in open_rows:
        by_mentee.setdefault(mentee_id, []).append((row_id, started_on))
    for rows in by_mentee.values():
        *older, (newest_id, newest_start) = rows
        for row_id, started_on in older:
            ended_on = max(newest_start - timedelta(days=1), started_on)  # type: ignore[operator]
            op.execute(
                ASSIGNMENTS.update()
                .where(ASSIGNMENTS.c.id == row_id)
                .values(
                    ended_on=ended_on,
                    end_reason=f"a second open assignment; assignment {newest_id} kept "
                    "(closed by migration)",
                )
            )


def downgrade() -> None:
    op.drop_index("uq_assignments_open_mentee", table_name="assignments")
    op.drop_index("uq_signed_periods_in_force", table_name="signed_periods")
    with op.batch_alter_table("signed_periods") as batch:
        batch.drop_constraint(op.f("ck_signed_periods_scope_is_school"), type_="check")
        batch.drop_constraint(op.f("ck_signed_periods_school_named"), type_="check")
        batch.drop_column("scope")
    op.drop_column("log_entries", "school")
