"""`python -m bench --what-if`: the recommended product changes, tried without changing the product.

Each level adds one change, patched into the bench's own processes only (the server under test
and this process) or, for the index, applied to the bench's private copy of the database:

1. Bolt `process_before_response=True` in the HTTP server (the handlers do all their work
   before `ack()` anyway); the bare baseline gets the same setting.
2. A connection pool for file SQLite (QueuePool) instead of NullPool: no new connection,
   four PRAGMAs and a WAL checkpoint-on-last-close per session, and a warm page cache.
3. One in-process lock around SQLite write transactions: writers queue on a Python lock that
   wakes the next one at once, instead of SQLite's busy handler, which sleeps 1…100 ms
   (skipped when `Store.write` already does this).
4. A covering index for the totals:
   `log_entries (mentee_id, mentor_id, occurred_on, minutes, kind, deleted_at, program_id)`.
5. The program (TOML + policy + calendar) cached in the process instead of one connection
   and query per request.

Nothing here is used by the default run; the figures go to `bench/results/whatif.json`.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from bench import load, totals, world
from bench.load import CLIENTS
from bot.bootstrap import build_services
from bot.services.programs import ProgramService
from bot.store import db
from bot.store.db import Store
from bot.store.models.core import Assignment, LogAudit, LogEntry

LEVELS = {
    1: "process_before_response=True",
    2: "+ SQLite connection pool",
    3: "+ in-process SQLite writer lock",
    4: "+ covering index for totals",
    5: "+ program cached in process",
}
INDEX_LEVEL = 4
COVERING_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_log_entries_pair_totals ON log_entries "
    "(mentee_id, mentor_id, occurred_on, minutes, kind, deleted_at, program_id)"
)
POOL_SIZE = 16
RESULTS = Path(__file__).resolve().parent / "results" / "whatif.json"


def apply(level: int) -> None:
    """Patch this process's product code up to `level` (call before building services)."""
    if level >= 2:
        _pool_sqlite()
    if level >= 3:
        _sqlite_writer_lock()
    if level >= 5:
        _cache_program()


def _pool_sqlite() -> None:
    original = db.make_engine

    def make_engine(url: str, *, echo: bool = False) -> Engine:
        if not url.startswith("sqlite") or url in ("sqlite://", "sqlite:///:memory:"):
            return original(url, echo=echo)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={
                "check_same_thread": False,
                "timeout": db.SQLITE_BUSY_TIMEOUT_MS / 1000,
            },
            poolclass=QueuePool,
            pool_size=POOL_SIZE,
            max_overflow=POOL_SIZE,
        )
        event.listen(engine, "connect", db._sqlite_pragmas)
        event.listen(engine, "begin", db._sqlite_begin)
        return engine

    db.make_engine = make_engine  # type: ignore[assignment]


def product_has_writer_lock() -> bool:
    """True when `Store.write` already queues SQLite writers (commit 7ac11bb added it)."""
    write = getattr(Store.write, "__wrapped__", Store.write)
    return "_writer_turn" in write.__code__.co_names


def _sqlite_writer_lock() -> None:
    if product_has_writer_lock():
        return
    lock = threading.RLock()

    @contextmanager
    def write(self: Store) -> Iterator[Session]:
        if not self.is_sqlite:
            with self._write() as session, session.begin():
                yield session
            return
        with lock, self._write() as session, session.begin():
            yield session

    Store.write = write  # type: ignore[method-assign,assignment]


def _cache_program() -> None:
    original = ProgramService.find
    cached: dict[int, Any] = {}

    def find(self: ProgramService) -> Any:
        found = cached.get(id(self))
        if found is None:
            found = original(self)
            if found is not None:
                cached[id(self)] = found
        return found

    ProgramService.find = find  # type: ignore[method-assign]


def add_covering_index(database_url: str) -> None:
    """The totals index, on the bench's private copy."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(COVERING_INDEX))
            conn.execute(text("ANALYZE log_entries"))
    finally:
        engine.dispose()


def measure_level(url: str, level: int, plan: Any, mentors: load.Mentors) -> dict[str, Any]:
    """/logmeeting with the changes up to `level` beside bare Bolt (process_before_response)."""
    servers = {
        "bare": load.start_server("bare", "bare", url, process_before_response=True),
        "ours": load.start_server("ours", "ours", url, what_if=level),
    }
    expect = {"bare": b"ok", "ours": b"Logged"}
    try:
        seq = {kind: load.Tally() for kind in servers}
        for kind, server in servers.items():
            load.sequential(server.port, plan.warmup, mentors.body, expect[kind])
        done = 0
        started = time.perf_counter()
        while done < plan.sequential // 2 and time.perf_counter() - started < 60:
            for kind, server in servers.items():
                seq[kind].add(load.sequential(server.port, 100, mentors.body, expect[kind]))
            done += 100
        loaded = {
            kind: load.concurrent(
                server.port,
                CLIENTS,
                mentors.body,
                expect[kind],
                seconds=plan.throughput_s / 2,
                max_requests=plan.throughput_max // 2,
            )
            for kind, server in servers.items()
        }
    finally:
        for server in servers.values():
            server.stop()
    p50 = {k: load.percentile(t.latencies, 50) * 1000 for k, t in seq.items()}
    p99 = {k: load.percentile(t.latencies, 99) * 1000 for k, t in seq.items()}
    rps = {k: len(t.latencies) / wall for k, (t, wall) in loaded.items()}
    lp99 = {k: load.percentile(t.latencies, 99) * 1000 for k, (t, _) in loaded.items()}
    errors = sum(len(t.errors) for t in seq.values()) + sum(
        len(t.errors) for t, _ in loaded.values()
    )
    return {
        "logmeeting_p50_ms": [round(p50["ours"], 2), round(p50["bare"], 2)],
        "logmeeting_p99_ms": [round(p99["ours"], 2), round(p99["bare"], 2)],
        "logmeeting_throughput_rps": [round(rps["ours"], 1), round(rps["bare"], 1)],
        "logmeeting_loaded_p99_ms": [round(lp99["ours"], 2), round(lp99["bare"], 2)],
        "errors": errors,
    }


def run(plan: Any, *, say: Any = print) -> dict[str, dict[str, Any]]:
    """Every level on a private SQLite copy: /logmeeting beside bare Bolt, then /hours."""
    figures: dict[str, dict[str, Any]] = {}
    mentors = load.Mentors()
    with tempfile.TemporaryDirectory(prefix="mm-bench-whatif-") as workdir:
        url = world.sqlite_copy(Path(workdir), say=say)
        for level, change in LEVELS.items():
            if level == INDEX_LEVEL:
                say("  what-if: creating the covering index for totals")
                add_covering_index(url)
            label = change
            if level == 3 and product_has_writer_lock():
                label += " (already in the product: no change)"
            say(f"  what-if {level}: {label}")
            figures[f"{level}. {label}"] = measure_level(url, level, plan, mentors)
        say("  what-if: /hours with every change (this process patched)")
        apply(max(LEVELS))

        services = build_services(world.make_settings(url))
        try:
            seeded = world.read_seeded(services)
            for name, viewer, scope, person, school in (
                ("hours_mentor_ms", world.mentor_slack_id(500), "mentor", 500, None),
                ("hours_lead_mentor_ms", world.mentor_slack_id(3), "school", None, "School 03"),
                ("hours_coordinator_ms", world.COORDINATOR, "all", None, None),
            ):
                compared = totals.compare(
                    services,
                    name,
                    viewer,
                    scope,
                    runs=plan.hours_runs,
                    budget_s=plan.hours_budget_s,
                    person_id=None if person is None else seeded.mentor_ids[person],
                    school=school,
                )
                figures.setdefault("/hours with every change", {})[name] = [
                    round(compared.service.median_ms, 2),
                    round(compared.raw.median_ms, 2),
                ]
            say("  what-if: CPU of log_text() beside a lean Core write path, in process")
            product, lean = lean_write_path(services, seeded)
            figures["CPU per /logmeeting, in process: log_text() / lean Core path"] = {
                "cpu_ms": [round(product, 2), round(lean, 2)]
            }
        finally:
            services.close()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def lean_write_path(services: Any, seeded: world.Seeded, calls: int = 200) -> tuple[float, float]:
    """Median CPU ms of `services.logs.log_text` and of a lean stand-in doing the same writes
    and reads with Core statements on the same engine: the assignment check, the day's cap,
    the entry and its audit row in one IMMEDIATE transaction, then the pair's totals (one
    query). The lean path is an estimate of the floor, not a replacement: it skips parsing,
    authorization rules and the reply."""
    program = services.programs.current()
    now = services.clock.now()
    today = program.today(now)
    entries, audit, assignments = LogEntry.__table__, LogAudit.__table__, Assignment.__table__
    write_engine = services.store.engine.execution_options(sqlite_begin="IMMEDIATE")

    def lean(pair: int) -> None:
        mentor, mentee = seeded.mentor_ids[pair], seeded.mentee_ids[pair]
        with write_engine.begin() as conn:
            conn.execute(
                select(assignments.c.mentor_id).where(
                    assignments.c.mentee_id == mentee,
                    assignments.c.started_on <= today,
                    assignments.c.ended_on.is_(None),
                )
            ).scalar()
            conn.execute(
                select(func.coalesce(func.sum(entries.c.minutes), 0)).where(
                    entries.c.mentor_id == mentor,
                    entries.c.mentee_id == mentee,
                    entries.c.occurred_on == today,
                    entries.c.deleted_at.is_(None),
                )
            ).scalar()
            entry_id = conn.execute(
                insert(entries).values(
                    program_id=program.id,
                    mentor_id=mentor,
                    mentee_id=mentee,
                    logged_by_id=mentor,
                    occurred_on=today,
                    minutes=45,
                    kind="observation",
                    source="slack",
                    batch_id=str(uuid.uuid4()),
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(audit).values(
                    log_entry_id=entry_id, actor_id=mentor, action="create", at=now, after={}
                )
            )
        with services.store.read() as session:
            services.hours.totals_for_pairs(session, program, [(mentor, mentee)], today)

    def product(pair: int) -> None:
        services.logs.log_text(world.mentor_slack_id(pair), "45m observation", now)

    medians = []
    for call in (product, lean):
        for pair in range(10):
            call(pair)
        samples = []
        for n in range(calls):
            started = time.thread_time()
            call(100 + n % 800)
            samples.append(time.thread_time() - started)
        medians.append(statistics.median(samples) * 1000)
    return medians[0], medians[1]


def table(figures: dict[str, dict[str, Any]]) -> str:
    """`ours (baseline)` per metric and level."""
    lines = ["What-if (SQLite; product patched in the bench's processes only): ours / baseline"]
    for level, metrics in figures.items():
        parts = []
        for name, value in metrics.items():
            if isinstance(value, list):
                parts.append(f"{name} {value[0]:,} / {value[1]:,}")
            else:
                parts.append(f"{name} {value}")
        lines.append(f"  {level}: " + "; ".join(parts))
    return "\n".join(lines)
