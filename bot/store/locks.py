"""Locks two transactions take when the database must order them: PostgreSQL advisory locks,
held to the end of the transaction. SQLite needs none: its writers already queue (BEGIN
IMMEDIATE and one writer at a time, bot/store/db.py).

Keys are (id, kind) pairs; the ledger's per-mentor lock is (mentor id, 0) in
`bot/store/rollups.py`, the scheduler's leader lock a single bigint (another key space).

One lock is not a transaction's: refreshing an installation's bot token (`token_rotation_lock`)
spans a call to Slack and slack_sdk's own writes, so it is held on a connection of its own
(PostgreSQL) or on a file beside the database (SQLite, across processes too)."""

from __future__ import annotations

import fcntl
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.store.db import Store, sqlite_path

SIGN_OFF = 1  # (program id, SIGN_OFF): log writes share it, a sign-off holds it alone
TOKEN_ROTATION = 2  # (crc32 of the installation's name, TOKEN_ROTATION): one token refresh
_IN_MEMORY_ROTATION = threading.Lock()  # an in-memory SQLite database is one process's


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


def _signed_32(name: str) -> int:
    return zlib.crc32(name.encode()) - 2**31


@contextmanager
def token_rotation_lock(store: Store, name: str) -> Iterator[None]:
    """Held while one installation's bot token is refreshed and saved (`name`: the installation,
    enterprise and team), by every thread and process on this database: a second refresher
    waits, then finds the fresh token instead of refreshing the one just used up. PostgreSQL:
    an advisory lock in a transaction of its own connection, ended (released) after the block;
    SQLite: an exclusive lock on the file beside the database, `<file>.token-rotation.lock`."""
    if not store.is_sqlite:
        with store.engine.connect() as connection:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key, :kind)"),
                {"key": _signed_32(name), "kind": TOKEN_ROTATION},
            )
            try:
                yield
            finally:
                connection.rollback()
        return
    path = sqlite_path(store.url)
    if path is None:
        with _IN_MEMORY_ROTATION:
            yield
        return
    # Each holder opens the file itself: flock locks an open file, so threads exclude each
    # other as processes do.
    with path.with_name(path.name + ".token-rotation.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
