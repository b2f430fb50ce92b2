"""Engine and sessions: SQLite tuned for one writer at a time, PostgreSQL as is; migrations."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.store.base import CLOCK_OPTION

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_POOL_SIZE = 8
SQLITE_POOL_OVERFLOW = 16
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
CONNECT_TIMEOUT_SECONDS = 5


ClaimState = Literal["pending", "held", "claimed", "replay", "failed"]


@dataclass
class DeferredClaim:
    """A claim to take as the first statement of the next write transaction on this thread (the
    HTTP edge's replay guard, bot/web/ingress.py): the request's claim commits with what the
    request stores, or not at all — one transaction, not two.

    `take` inserts the claim on the transaction's connection: True when it is the first, False
    for a replay. `state`: pending (not taken, or taken and rolled back), held (taken, not yet
    committed), claimed (committed), replay (another delivery holds it), failed (the store
    could not take it)."""

    take: Callable[[Connection], bool]
    state: ClaimState = "pending"


class ClaimStopped(Exception):
    """A write stopped by its request's deferred claim: a replay (another delivery holds the
    claim) or a store that could not take it. Nothing is stored; the HTTP edge answers for it
    (200 empty, or 503), so a listener logs it in one line, without a traceback."""

    reply_quietly = True


class ReplayedRequest(ClaimStopped):
    """The request's deferred claim conflicted: another delivery of it was processed."""


class ClaimFailed(ClaimStopped):
    """The store could not take the request's deferred claim."""


_DEFERRED: ContextVar[DeferredClaim | None] = ContextVar("deferred_claim", default=None)
# The read session of a `Store.shared_read()` block, with its store: reads inside it use it.
_SHARED_READ: ContextVar[tuple[Store, Session] | None] = ContextVar("shared_read", default=None)
_SHARED_MEMO = "shared_read_memo"


def shared_memo(session: Session) -> dict[Any, Any] | None:
    """Inside `Store.shared_read()`, a dict kept for the one read transaction: a figure read
    once (by one service) is answered from it for the others (`bot/services/ledger.py`
    `_read_once`). None in any other session (a writer's figures change under it)."""
    memo: dict[Any, Any] | None = session.info.get(_SHARED_MEMO)
    return memo


@contextmanager
def deferred_claim(claim: DeferredClaim) -> Iterator[DeferredClaim]:
    """Within the block, the first write transaction on this thread takes `claim` first."""
    token = _DEFERRED.set(claim)
    try:
        yield claim
    finally:
        _DEFERRED.reset(token)


class DatabaseUnavailable(Exception):
    """DATABASE_URL names a database that cannot be opened; the message says why, in one line."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for in-memory databases and other engines."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def database_exists(url: str) -> bool:
    """False only for a SQLite file that is not there yet (checked without creating it)."""
    path = sqlite_path(url)
    return path is None or path.exists()


def check_reachable(url: str) -> None:
    """Raise DatabaseUnavailable when the database cannot be opened; never creates a file."""
    path = sqlite_path(url)
    if path is not None:
        folder = path.parent
        if not folder.is_dir():
            what = "is not a directory" if folder.exists() else "does not exist"
            raise DatabaseUnavailable(f"the directory {folder} {what}")
        if path.exists() and not path.is_file():
            raise DatabaseUnavailable(f"{path} is not a file")
        return
    if make_url(url).get_backend_name() == "sqlite":
        return
    engine = create_engine(
        url, hide_parameters=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        raise DatabaseUnavailable(unreachable_reason(exc)) from None
    finally:
        engine.dispose()


def unreachable_reason(exc: BaseException) -> str:
    """The driver's first line of a connection failure, without SQLAlchemy's wrapping."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


WRITE_CONFLICTS = ("23505", "40P01", "40001")  # unique violation, deadlock, serialization


def is_unique_violation(exc: IntegrityError) -> bool:
    """True when a write broke a unique key (PostgreSQL's SQLSTATE 23505, SQLite's message)."""
    cause = exc.orig
    return getattr(cause, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(cause)


def is_write_conflict(exc: DBAPIError) -> bool:
    """True when a write lost to another at the same moment: a unique key it would break, or
    (PostgreSQL) a deadlock or serialization failure; the transaction was rolled back."""
    if isinstance(exc, IntegrityError) and is_unique_violation(exc):
        return True
    return getattr(exc.orig, "sqlstate", None) in WRITE_CONFLICTS


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can begin IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A deferred read-then-write transaction fails at once under contention: writers take
    # the lock up front and wait on busy_timeout instead.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for the URL, with SQLite pragmas and IMMEDIATE-capable transactions.

    Parameters are hidden from SQLAlchemy's log lines and error messages: they are notes,
    reasons and survey answers (bot/cli/log_setup.py)."""
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        # A small pool keeps connections (and their page cache) warm; a fresh connection per
        # session would cost the pragmas again and a WAL checkpoint on every close.
        pooling: dict[str, Any] = (
            {}
            if in_memory
            else {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW}
        )
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **pooling,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
    )


class Store:
    """Sessions over one database: `read()` for queries, `write()` for a committed change."""

    def __init__(self, url: str, *, clock: Clock | None = None, echo: bool = False) -> None:
        self.url = url
        self.clock = clock or SystemClock()
        self.engine = make_engine(url, echo=echo)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # Every row's timestamp defaults read this clock (bot/store/base.py `utcnow`), never
        # the wall clock: a frozen clock freezes what is stored too.
        clocked = self.engine.execution_options(**{CLOCK_OPTION: self.clock})
        write_engine = (
            clocked.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else clocked
        )
        self._write_engine = write_engine
        self._read = sessionmaker(clocked, expire_on_commit=False)
        self._write = sessionmaker(write_engine, expire_on_commit=False)
        # SQLite has one writer at a time and its busy handler polls, which is unfair under
        # load (a few writers starve for seconds). Queue this process's writers instead.
        self._writer_turn: threading.RLock | None = threading.RLock() if self.is_sqlite else None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; closed (its transaction ended) at the end, objects kept.
        Inside `shared_read()`, the shared session (left open for the rest of the block)."""
        shared = _SHARED_READ.get()
        if shared is not None and shared[0] is self:
            yield shared[1]
            return
        with self._read() as session:
            yield session

    @contextmanager
    def shared_read(self) -> Iterator[Session]:
        """One read transaction for every `read()` inside the block, whichever service opens
        it: a page built from many services' figures (Home) reads one snapshot, with one
        BEGIN and one pooled connection instead of one per section. Writes are not shared."""
        with self.read() as session:
            token = _SHARED_READ.set((self, session))
            session.info[_SHARED_MEMO] = {}
            try:
                yield session
            finally:
                session.info.pop(_SHARED_MEMO, None)
                _SHARED_READ.reset(token)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose changes commit together, or not at all (with the request's deferred
        replay claim, when there is one: `deferred_claim`)."""
        claim = _DEFERRED.get()
        if claim is not None and claim.state != "pending":
            claim = None
        with self._writer_turn or nullcontext(), self._write() as session:
            try:
                with session.begin():
                    if claim is not None:
                        _take(claim, session.connection())
                    yield session
            except BaseException:
                if claim is not None and claim.state == "held":
                    claim.state = "pending"  # rolled back with the rest
                raise
            if claim is not None:
                claim.state = "claimed"

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection whose statements commit together (no ORM session: for the one-
        statement writes on every request, such as the replay guard's claim)."""
        with self._writer_turn or nullcontext(), self._write_engine.begin() as connection:
            yield connection

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _take(claim: DeferredClaim, connection: Connection) -> None:
    claim.state = "held"
    try:
        fresh = claim.take(connection)
    except SQLAlchemyError as exc:
        claim.state = "failed"
        raise ClaimFailed(f"could not claim the request: {type(exc).__name__}") from exc
    if not fresh:
        claim.state = "replay"
        raise ReplayedRequest("this request was already processed")


def alembic_config(url: str) -> Any:
    """An alembic Config pointing at migrations/ and this URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None when never migrated (a missing SQLite file is
    not created)."""
    if not database_exists(url):
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest migration in migrations/versions."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def is_up_to_date(url: str) -> bool:
    """True when the database is migrated to the newest revision."""
    return current_revision(url) == head_revision()
