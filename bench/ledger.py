"""The ledger as the bench sees it: totals kept at write time in rollup tables.

The bench seeds log rows by bulk insert, which bypasses the write path that keeps the rollups,
so after seeding it calls `services.ledger.rebuild()` (every rollup recomputed from the log
rows) and, on each run, `services.ledger.verify()` (the differences between the rollups and the
log rows; empty = consistent). Both are guarded with `hasattr(services, "ledger")`: before the
ledger lands the bench runs without them and says so.

The time of the rebuild is measured when a world is seeded; for the cached SQLite worlds it is
kept beside the cached file (`<cached>.json`) and reported from there.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
import time
import typing
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bot.bootstrap import Services, build_services
from bot.config import Settings

MISSING = "services.ledger is not there yet: no rollup rebuild, no verify"


def available(services: Services) -> bool:
    """True when the product keeps totals in a ledger (`services.ledger`)."""
    return hasattr(services, "ledger")


def _sources(kind: Any) -> list[str]:
    """The file of the module defining `kind` and of every `bot` module it refers to by
    name (its rules and its store: what a rebuild computes with)."""
    module = sys.modules.get(getattr(kind, "__module__", ""))
    if module is None:
        return []
    names = {module.__name__}
    for value in vars(module).values():
        name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
        if isinstance(name, str) and name.split(".")[0] == "bot":
            names.add(name)
    files = {getattr(sys.modules.get(n), "__file__", None) for n in names}
    return sorted(f for f in files if f)


def fingerprint() -> str:
    """What a cached seeded world depends on in the ledger: whether `Services` has a ledger
    and the source of the ledger's module and of the `bot` modules it uses (a changed
    rebuild re-seeds)."""
    names = {f.name for f in fields(Services)}
    if "ledger" not in names and not hasattr(Services, "ledger"):
        return "no-ledger"
    digest = hashlib.sha256(b"ledger")
    try:
        sources = _sources(typing.get_type_hints(Services).get("ledger"))
    except Exception:  # an annotation we cannot resolve: presence alone
        sources = []
    for source in sources:
        digest.update(source.encode())
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


def rebuild(services: Services) -> float | None:
    """`services.ledger.rebuild()`; its wall time in seconds (None without a ledger)."""
    if not available(services):
        return None
    started = time.perf_counter()
    services.ledger.rebuild()  # type: ignore[attr-defined]
    return time.perf_counter() - started


@dataclass(frozen=True)
class Verified:
    """One `services.ledger.verify()`: its time, the differences it found and, when it says,
    how many log entries and rollup rows it compared."""

    seconds: float
    differences: list[Any]
    entries: int | None = None
    rows: int | None = None

    def compared(self) -> str:
        """`1,000,000 entries against 12,345 rollup rows`, as far as verify() says."""
        parts = []
        if self.entries is not None:
            parts.append(f"{self.entries:,} entries")
        if self.rows is not None:
            parts.append(f"{self.rows:,} rollup rows")
        return " against ".join(parts)

    def sample(self, limit: int = 3) -> str:
        """The first few differences, readable."""
        return "; ".join(str(d) for d in self.differences[:limit])


def verify(services: Services) -> Verified | None:
    """`services.ledger.verify()`, timed (None without a ledger)."""
    if not available(services):
        return None
    started = time.perf_counter()
    found = services.ledger.verify()  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    # A list of differences, or a report carrying them (`.differences`, `.entries`, `.rows`).
    differences = list(getattr(found, "differences", found))
    entries, rows = getattr(found, "entries", None), getattr(found, "rows", None)
    return Verified(
        seconds,
        differences,
        entries if isinstance(entries, int) else None,
        rows if isinstance(rows, int) else None,
    )


def rebuild_after_seeding(settings: Settings, *, say: Callable[[str], None]) -> float | None:
    """After a bulk seed: rebuild the rollups (when there is a ledger), then ANALYZE again so
    the planner knows the rollup tables (and, on SQLite, fold the WAL into the file so a copy
    of the file alone is the whole database). The rebuild's seconds, or None."""
    services = build_services(settings)
    try:
        if not available(services):
            say(f"  {MISSING}")
            return None
        say("  rebuilding the ledger's rollups from the log rows")
        seconds = rebuild(services)
    finally:
        services.close()
    assert seconds is not None
    say(f"  ledger rebuilt in {seconds:.1f} s")
    engine = create_engine(settings.DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return seconds


def meta_path(cached: Path) -> Path:
    """The file beside a cached world that records how it was seeded."""
    return cached.with_name(cached.name + ".json")


def write_meta(cached: Path, meta: dict[str, Any]) -> None:
    """Record how a cached world was seeded (e.g. `ledger_rebuild_s`)."""
    meta_path(cached).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def read_meta(cached: Path) -> dict[str, Any]:
    """What `write_meta` recorded ({} when nothing was)."""
    try:
        meta = json.loads(meta_path(cached).read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def copy_meta(cached: Path, copy: Path) -> None:
    """Put the record of how a cached world was seeded beside a copy of it."""
    source = meta_path(cached)
    if source.exists():
        meta_path(copy).write_bytes(source.read_bytes())


def seed_meta(sqlite_url: str) -> dict[str, Any]:
    """How the SQLite world at this URL (a copy of a cached one) was seeded, or {}."""
    database = make_url(sqlite_url).database
    return read_meta(Path(database)) if database else {}
