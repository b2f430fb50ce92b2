"""Locks two transactions take when the database must order them: PostgreSQL advisory locks,
held to the end of the transaction. SQLite needs none: its writers already queue (BEGIN
IMMEDIATE and one writer at a time, bot/store/db.py).

Keys are (id, kind) pairs; the ledger's per-mentor lock is (mentor id, 0) in
`bot/store/rollups.py`, the scheduler's leader lock a single bigint (another key space)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

SIGN_OFF = 1  # (program id, SIGN_OFF): log writes share it, a sign-off holds it alone


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_for_log_write(session: Session, program_id: int) -> None:
    """Take before a write that adds, moves or removes a log entry (or reviews one): it waits
    for a sign-off being written in the program, then sees its lock. Log writes don't wait for
    each other. Take it before any other lock of the transaction."""
    if _postgresql(session):
        session.execute(
            text("SELECT pg_advisory_xact_lock_shared(:program, :kind)"),
            {"program": program_id, "kind": SIGN_OFF},
        )


def lock_for_sign_off(session: Session, program_id: int) -> None:
    """Take before a sign-off counts its period: it waits for the log writes in progress and
    holds new ones back until it commits, so every entry is either counted or refused."""
    if _postgresql(session):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:program, :kind)"),
            {"program": program_id, "kind": SIGN_OFF},
        )


def lock_for_pair_end(session: Session, program_id: int) -> None:
    """Take before ending an assignment (a reassignment, an unassignment): like a sign-off, it
    waits for the log writes in progress and holds new ones back until it commits, so the
    entries it finds after the new end day are all there are, and a log that waited sees the
    pair ended (a log racing a reassignment can't land outside its pair)."""
    lock_for_sign_off(session, program_id)
