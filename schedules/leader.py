"""One scheduler per deployment: a PostgreSQL advisory lock, or a file lock beside SQLite."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store.db import Store

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x4D4D5343  # "MMSC"


class Leadership(Protocol):
    """Whether this process may tick."""

    def acquire(self) -> bool:
        """True while this process is the leader (tries to become it when not)."""
        ...

    def release(self) -> None:
        """Step down."""
        ...


class PostgresLeader:
    """Holds `pg_try_advisory_lock` on a dedicated connection for as long as it lives."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._connection: Any = None

    def acquire(self) -> bool:
        """Keep or take the advisory lock."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("lost the scheduler lock's connection; trying again")
                self.release()
        connection = self.store.engine.connect()
        connection.detach()  # closing it must really end the session (and release the lock)
        try:
            held = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            connection.commit()
        except Exception:
            connection.close()
            raise
        if not held:
            connection.close()
            return False
        self._connection = connection
        log.info("this process is the scheduler leader")
        return True

    def release(self) -> None:
        """Unlock, and close the connection (the end of its session releases the lock too)."""
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                self._connection.commit()
            except Exception:
                log.warning("could not unlock the scheduler lock; closing its connection")
            finally:
                self._connection.close()
                self._connection = None


class FileLeader:
    """An exclusive, non-blocking flock on a file beside the SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        """Keep or take the lock."""
        if self._handle is not None:
            return True
        handle = self.path.open("a")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        """Unlock."""
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def leadership_for(store: Store) -> Leadership:
    """The leader election that fits the database."""
    if store.is_sqlite:
        database = make_url(store.url).database or "memory"
        return FileLeader(Path(f"{database}.scheduler.lock"))
    return PostgresLeader(store)
