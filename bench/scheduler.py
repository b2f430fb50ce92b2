"""Scheduler benchmark: one tick over a state-scale program (see bench/scheduler_data.py).

    .venv/bin/python -m bench.scheduler                 # SQLite (seeded once, then cached)
    .venv/bin/python -m bench.scheduler --pg URL        # also PostgreSQL (or MM_BENCH_PG_URL)
    .venv/bin/python -m bench.scheduler --profile       # plus a cProfile of one tick
    .venv/bin/python -m bench.scheduler --json out.json # also merge the results into a file

At Monday 3 May 2027, 07:45 New York — a send day after the 07:30 digest time, so the deadline
sweep, the weekly digest (1,000 lead mentors) and the contact nudges all produce (a scheduler
started or caught up at 07:45 runs all three in one tick) — it measures, as medians of RUNS
runs after a warm-up, each at its own instant a few microseconds apart (as real ticks are):

- `tick_s`: the three producers (`NudgeService.deadline_sweep`, `weekly_digest`,
  `contact_nudges`) in a row, inside the product's tick scope when it has one
  (`NudgeService.shared_reads`, which `jobs.tick` opens) — the tick's compute.
  `<job>_s`: each producer alone (its own reads). `tick_claim_s`: the three through
  `jobs.produce`, also claimed into an empty outbox (the tick less delivery, which is paced I/O).
  Baseline: the hand-written SQL for the same totals (last contact per pair, last week's minutes
  per pair, minutes per mentee) through the same engine (`raw_*_s`); ratio = ours / raw.
- `aggregates_s`: time the tick spends in the ledger's reads (`last_contacts`,
  `pairs_between`, `mentee_years`, as the jobs call them) beside that raw SQL;
  `snapshot_s`: time in `load_snapshot` (people, roles, pairs, milestones, teams). The
  snapshot is kept between ticks while the store's fingerprint of it is unchanged, so `tick_s`
  is a steady tick; `tick_cold_s` is the same tick with the snapshot read afresh (the first
  tick after a start, or the first after a roster or assignment change).
- `<job>_queries`: SQL statements per job in one tick (a `before_cursor_execute` listener on the
  store's engine; BEGIN not counted) — constant in the number of people means no per-person
  loop; `<job>_claim_queries` through `jobs.produce` (the outbox claim included).
- `tick_peak_tracemalloc_mb` (Python allocations) and `tick_maxrss_delta_mb` (how much the
  first tick grew the process's resident high-water mark, SQLite's own memory included), in a
  fresh process forked by a small probe server (ru_maxrss is inherited across fork and exec);
  baseline: the 300 MB target, ratio = value / target.
- `*_cpu_s`: CPU time of the same runs (steadier than wall time on a busy machine; on
  PostgreSQL it leaves out the server's work, so there it has no baseline).

- `ledger_rebuild_s`: `services.ledger.rebuild()` after the bulk seed (when the product has a
  ledger; for the cached SQLite world, the time of the seeding that built the cache).

Targets (issues 4 and 7), on SQLite and PostgreSQL: tick ≤ 1 s compute, ≤ 300 MB. Names are
prefixed `scheduler.`; PostgreSQL figures carry a `_postgres` suffix
(`scheduler.tick_s_postgres`). `--json FILE` replaces the `scheduler.` entries of FILE and
keeps the others (`make bench` writes both benchmarks into bench/results/latest.json).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import itertools
import json
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Date, bindparam, delete, event, text

import bot.services.ledger as ledger_module
import bot.services.snapshot as nudges_module  # where the jobs find load_snapshot
from bench import ledger
from bench import scheduler_data as data
from bot.bootstrap import Services, build_services
from bot.clock import FixedClock
from bot.store.models.core import OutboxMessage
from schedules.jobs import PRODUCERS, produce

Results = dict[str, dict[str, object]]
RUNS = 3
TICK_TARGET_S = 1.0
MEMORY_TARGET_MB = 300.0
JOBS = tuple(PRODUCERS)  # deadline-sweep, weekly-digest, contact-nudges
NOW = data.NOW
AGGREGATES = ("last_contacts", "pairs_between", "mentee_years")  # the ledger's reads
WATCHED = ("load_snapshot", *AGGREGATES)  # timed where bot.services.nudges finds them

# The plain aggregates (every pair; the jobs look the active ones up in them).
RAW_LAST_CONTACT = """
SELECT mentor_id, mentee_id, MAX(occurred_on)
FROM log_entries
WHERE program_id = :program AND deleted_at IS NULL AND occurred_on <= :today
GROUP BY mentor_id, mentee_id
"""
RAW_WEEK_TOTALS = """
SELECT mentor_id, mentee_id, SUM(minutes),
       SUM(CASE WHEN kind = 'observation' THEN 1 ELSE 0 END)
FROM log_entries
WHERE program_id = :program AND deleted_at IS NULL
  AND occurred_on BETWEEN :first AND :last
GROUP BY mentor_id, mentee_id
"""
RAW_MENTEE_TOTALS = """
SELECT mentee_id, SUM(minutes)
FROM log_entries
WHERE program_id = :program AND deleted_at IS NULL
GROUP BY mentee_id
"""
RAW_QUERIES = {
    "last_contact": text(RAW_LAST_CONTACT).bindparams(bindparam("today", type_=Date)),
    "week_totals": text(RAW_WEEK_TOTALS).bindparams(
        bindparam("first", type_=Date), bindparam("last", type_=Date)
    ),
    "mentee_totals": text(RAW_MENTEE_TOTALS),
}
# The raw totals under each job's data (its floor); the tick needs each of them once.
RAW_FOR_JOB = {
    "deadline-sweep": ("mentee_totals",),
    "weekly-digest": ("week_totals", "last_contact", "mentee_totals"),
    "contact-nudges": ("last_contact",),
}

_instants = itertools.count(1)


def instant() -> datetime:
    """NOW plus a few microseconds: every run is a tick of its own (no memo carries over)."""
    return NOW + timedelta(microseconds=next(_instants))


def say(message: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


def _key(job: str) -> str:
    return job.replace("-", "_")


class Clocks:
    """Wall (perf_counter) and CPU (process_time) samples of repeated runs, by part."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)

    @contextmanager
    def timing(self, part: str) -> Iterator[None]:
        """Time a block as one sample of `part`."""
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.cpu[part].append(time.process_time() - cpu)
        self.wall[part].append(time.perf_counter() - wall)

    def add(self, part: str, wall: float, cpu: float) -> None:
        """Record a sample measured elsewhere."""
        self.wall[part].append(wall)
        self.cpu[part].append(cpu)

    def median(self, part: str, *, cpu: bool = False) -> float:
        """The median sample of a part."""
        return statistics.median((self.cpu if cpu else self.wall)[part])


@contextmanager
def watching() -> Iterator[dict[str, list[float]]]:
    """Time the data functions where the jobs call them: name → [wall, cpu, calls]."""
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    homes = {n: ledger_module if n in AGGREGATES else nudges_module for n in WATCHED}
    originals = {n: getattr(homes[n], n) for n in WATCHED if hasattr(homes[n], n)}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                entry = spent[name]
                entry[0] += time.perf_counter() - wall
                entry[1] += time.process_time() - cpu
                entry[2] += 1

        return wrapper

    for name, fn in originals.items():
        setattr(homes[name], name, timed(name, fn))
    try:
        yield spent
    finally:
        for name, fn in originals.items():
            setattr(homes[name], name, fn)


class QueryCounter:
    """Counts the statements an engine sends (BEGIN excluded), by a short label."""

    LABEL = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)

    def __init__(self) -> None:
        self.labels: Counter[str] = Counter()

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            return
        table = self.LABEL.search(statement)
        self.labels[f"{head} {table.group(1) if table else '?'}"] += 1

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        """Count the statements of a block into a fresh counter (nothing counted after it)."""
        seen: Counter[str] = Counter()
        self.labels = seen
        try:
            yield seen
        finally:
            self.labels = Counter()


def make_services(url: str) -> Services:
    """The product's services over the bench database, the clock frozen at NOW."""
    return build_services(data.make_settings(url), clock=FixedClock(NOW))


def tick_scope(services: Services) -> AbstractContextManager[Any]:
    """The scope `jobs.tick` runs its producers in (reads shared by one tick), if any."""
    shared = getattr(services.nudges, "shared_reads", None)
    return shared() if callable(shared) else nullcontext()


def _run_job(services: Services, job: str, now: datetime) -> int:
    notes = PRODUCERS[job][1](services, now)
    if notes is None:
        raise RuntimeError(f"{job} did not run at {now}: not its time")
    return len(notes)


def _tick(services: Services, clocks: Clocks | None = None) -> dict[str, int]:
    """The three producers in a row at one instant, as `jobs.tick` runs them; messages per job."""
    clocks = clocks or Clocks()
    now = instant()
    produced = {}
    with clocks.timing("tick"), tick_scope(services):
        for job in JOBS:
            with clocks.timing(f"{job}_in_tick"):
                produced[job] = _run_job(services, job, now)
    return produced


def _clear_outbox(services: Services) -> None:
    with services.store.write() as session:
        session.execute(delete(OutboxMessage))


def _tick_with_claim(services: Services, clocks: Clocks) -> dict[str, tuple[int, int]]:
    """The three jobs through `jobs.produce` (compute + outbox claim) into an empty outbox."""
    _clear_outbox(services)
    now = instant()
    counts = {}
    with clocks.timing("tick_claim"), tick_scope(services):
        for job in JOBS:
            result = produce(services, job, now)
            assert result is not None
            counts[job] = result
    return counts


def raw_params(services: Services) -> dict[str, Any]:
    """The raw queries' parameters: the program, today and the digest's week."""
    program = services.programs.current()
    today = program.today(NOW)
    first, last = program.calendar.previous_school_week(today)
    return {"program": program.id, "today": today, "first": first, "last": last}


def _raw(services: Services, name: str, params: dict[str, Any]) -> int:
    """One hand-written SQL aggregate through the store's engine, its rows into a dict."""
    statement = RAW_QUERIES[name]
    wanted = {p: params[p] for p in statement.compile().params}
    result: dict[Any, Any] = {}
    with services.store.engine.connect() as conn:
        for row in conn.execute(statement, wanted):
            result[tuple(row[:-1])] = row[-1]
    return len(result)


# ---- memory: a fresh process, so the first tick's high-water mark is the tick's own ----------
def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def memory_probe(url: str) -> dict[str, float]:
    """In this (fresh) process: maxrss grown by one tick, then tracemalloc peaks."""
    services = make_services(url)
    try:
        services.programs.current()
        gc.collect()
        before = _maxrss_mb()
        _tick(services)
        after = _maxrss_mb()
        gc.collect()
        tracemalloc.start()
        peaks = {}
        for job in JOBS:
            tracemalloc.reset_peak()
            _run_job(services, job, instant())
            peaks[job] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.reset_peak()
        _tick(services)
        tick_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    finally:
        services.close()
    return {
        "maxrss_before_mb": before,
        "maxrss_after_mb": after,
        "maxrss_delta_mb": after - before,
        "tick_peak_mb": tick_peak,
        **{f"{_key(job)}_peak_mb": peak for job, peak in peaks.items()},
    }


class ProbeServer:
    """A small process, started before anything big, that forks one child per memory probe.

    A child inherits its parent's resident high-water mark (ru_maxrss survives fork and exec
    on Linux), so probes forked by this small server start from its ~60 MB of imports, not
    from the benchmark's own (larger, later) footprint."""

    def __init__(self) -> None:
        root = Path(__file__).resolve().parents[1]
        path = os.environ.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.scheduler", "--probe-server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (path, str(root))))},
            cwd=root,
        )

    def probe(self, url: str) -> dict[str, float]:
        """memory_probe(url) in a fresh child of the server."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(url + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(
            self.proc.stdout.readline() or '{"error": "probe server died"}'
        )
        if "error" in answer:
            raise RuntimeError(f"memory probe failed: {answer['error']}")
        return answer

    def close(self) -> None:
        """Stop the server."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def serve_probes() -> None:
    """`--probe-server`: for each URL on stdin, fork, probe in the child, print its JSON."""
    for line in sys.stdin:
        url = line.strip()
        if not url:
            continue
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: probe, report, leave without running any cleanup
            os.close(read_end)
            try:
                out = json.dumps(memory_probe(url))
            except BaseException as exc:
                out = json.dumps({"error": repr(exc)})
            os.write(write_end, out.encode())
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            answer = pipe.read().decode() or '{"error": "probe child died"}'
        os.waitpid(pid, 0)
        print(answer, flush=True)


# ---- the measurement ---------------------------------------------------------------------
def _entry(value: float, unit: str, baseline: float | None) -> dict[str, object]:
    ratio = round(value / baseline, 3) if baseline else None
    rounded = round(value, 4) if isinstance(value, float) else value
    base = round(baseline, 4) if isinstance(baseline, float) else baseline
    return {"value": rounded, "unit": unit, "baseline": base, "ratio": ratio}


def _count_queries(services: Services) -> dict[str, Counter[str]]:
    """Statements per job in one tick (compute only, then through `jobs.produce`)."""
    counter = QueryCounter()
    engine = services.store.engine
    event.listen(engine, "before_cursor_execute", counter)
    queries: dict[str, Counter[str]] = {}
    try:
        now = instant()
        with tick_scope(services):
            for job in JOBS:
                with counter.counting() as seen:
                    PRODUCERS[job][1](services, now)
                queries[job] = seen
        _clear_outbox(services)
        now = instant()
        with tick_scope(services):
            for job in JOBS:
                with counter.counting() as seen:
                    produce(services, job, now)
                queries[f"{job}_claim"] = seen
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return queries


def _timed_runs(services: Services, clocks: Clocks, runs: int) -> dict[str, tuple[int, int]]:
    params = raw_params(services)
    for job in JOBS:
        for _ in range(runs):
            with clocks.timing(job):
                _run_job(services, job, instant())
    for _ in range(runs):
        services.nudges._kept = None  # a first tick, or one after the roster changed
        with clocks.timing("tick_cold"):
            _tick(services)
    for _ in range(runs):
        with watching() as spent:
            _tick(services, clocks)
        clocks.add("snapshot", *spent["load_snapshot"][:2])
        clocks.add(
            "aggregates",
            sum(spent[n][0] for n in AGGREGATES),
            sum(spent[n][1] for n in AGGREGATES),
        )
    for _ in range(runs):
        claimed = _tick_with_claim(services, clocks)
    for _ in range(runs):
        for name in RAW_QUERIES:
            with clocks.timing(f"raw_{name}"):
                _raw(services, name, params)
    _clear_outbox(services)
    return claimed


def measure(
    results: Results, url: str, suffix: str, probes: ProbeServer, runs: int = RUNS
) -> dict[str, Any]:
    """Every figure for one database (names `scheduler.<name><suffix>`); returns details for
    the printed report."""
    prefix = f"scheduler{suffix}"
    say(f"[{prefix}] memory probe (a fresh process)")
    memory = probes.probe(url)
    services = make_services(url)
    clocks = Clocks()
    try:
        program = services.programs.current()
        say(f"[{prefix}] warm-up and query counts")
        produced = _tick(services)
        params = raw_params(services)
        for name in RAW_QUERIES:
            _raw(services, name, params)
        queries = _count_queries(services)
        say(f"[{prefix}] timing ({runs} runs)")
        claimed = _timed_runs(services, clocks, runs)
    finally:
        services.close()

    def put(name: str, value: float, unit: str, baseline: float | None) -> None:
        results[f"scheduler.{name}{suffix}"] = _entry(value, unit, baseline)

    def raw(names: tuple[str, ...], *, cpu: bool = False) -> float:
        return sum(clocks.median(f"raw_{n}", cpu=cpu) for n in names)

    def raw_cpu(names: tuple[str, ...]) -> float | None:
        # A server's work is not in this process's CPU time: no CPU baseline off SQLite.
        return raw(names, cpu=True) if url.startswith("sqlite") else None

    every = tuple(RAW_QUERIES)
    put("tick_s", clocks.median("tick"), "s", raw(every))
    put("tick_cold_s", clocks.median("tick_cold"), "s", raw(every))
    put("tick_cpu_s", clocks.median("tick", cpu=True), "s", raw_cpu(every))
    for job in JOBS:
        floor = RAW_FOR_JOB.get(job, ())  # surveys, entry reviews: nothing to send in this world
        put(f"{_key(job)}_s", clocks.median(job), "s", raw(floor) if floor else None)
        put(
            f"{_key(job)}_cpu_s",
            clocks.median(job, cpu=True),
            "s",
            raw_cpu(floor) if floor else None,
        )
    put("tick_claim_s", clocks.median("tick_claim"), "s", raw(every))
    put("aggregates_s", clocks.median("aggregates"), "s", raw(every))
    put("snapshot_s", clocks.median("snapshot"), "s", None)
    for name in RAW_QUERIES:
        put(f"raw_{name}_s", clocks.median(f"raw_{name}"), "s", None)
    put("tick_queries", sum(sum(queries[j].values()) for j in JOBS), "queries", None)
    for job in JOBS:
        put(f"{_key(job)}_queries", sum(queries[job].values()), "queries", None)
        put(f"{_key(job)}_claim_queries", sum(queries[f"{job}_claim"].values()), "queries", None)
        put(f"{_key(job)}_messages", produced[job], "messages", None)
    put("tick_peak_tracemalloc_mb", memory["tick_peak_mb"], "MB", MEMORY_TARGET_MB)
    put("tick_maxrss_delta_mb", memory["maxrss_delta_mb"], "MB", MEMORY_TARGET_MB)
    put("process_maxrss_mb", memory["maxrss_after_mb"], "MB", None)
    today = program.today(NOW)
    return {
        "when": f"{NOW.astimezone(program.tz):%a %d %b %Y %H:%M %Z}",
        "week": program.calendar.previous_school_week(today),
        "memory": memory,
        "clocks": clocks,
        "queries": queries,
        "produced": produced,
        "claimed": claimed,
        "load": os.getloadavg(),
    }


def _rebuild_entry(results: Results, seconds: float | None, suffix: str) -> None:
    if seconds is not None:
        results[f"scheduler.ledger_rebuild_s{suffix}"] = _entry(seconds, "s", None)
    else:
        say(f"  scheduler{suffix}: no ledger rebuild time (services.ledger is not there yet)")


def run(results: Results, *, pg_url: str | None = None, runs: int = RUNS) -> bool:
    """The scheduler benchmark on SQLite and, when a URL is given, on PostgreSQL; False when
    the PostgreSQL part failed (the SQLite figures stand)."""
    probes = ProbeServer()
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="mm-bench-scheduler-") as workdir:
            started = time.perf_counter()
            url = data.sqlite_copy(Path(workdir), say=say)
            say(f"  ready in {time.perf_counter() - started:.1f} s")
            _rebuild_entry(results, ledger.seed_meta(url).get("ledger_rebuild_s"), "")
            report(measure(results, url, "", probes, runs), "SQLite")
        if pg_url:
            try:
                database = data.postgres_database(pg_url)
                say("Seeding the PostgreSQL world")
                try:
                    _rebuild_entry(results, data.seed(database, say=say), "_postgres")
                    report(measure(results, database, "_postgres", probes, runs), "PostgreSQL")
                finally:
                    data.drop_postgres_database(pg_url)
            except Exception as exc:  # reported, and the exit status says so
                say(f"PostgreSQL part FAILED: {exc!r}")
                ok = False
    finally:
        probes.close()
    return ok


# ---- printing ------------------------------------------------------------------------------
def report(details: dict[str, Any], engine: str) -> None:
    """What the table does not show: samples, query breakdown, target verdicts (stderr)."""
    clocks, memory, queries = details["clocks"], details["memory"], details["queries"]

    def samples(part: str) -> str:
        return ", ".join(f"{s:.2f}" for s in clocks.wall[part])

    week = details["week"]
    load = ", ".join(f"{x:.1f}" for x in details["load"])
    say("")
    say(f"{engine} at {details['when']}; digest week {week[0]} – {week[1]}; load avg {load}")
    for job in JOBS:
        labels = ", ".join(f"{k} ×{v}" for k, v in sorted(queries[job].items()))
        claim = queries[f"{job}_claim"]
        produced, claimed = details["claimed"][job]
        say(
            f"  {job}: {details['produced'][job]:,} messages; alone [{samples(job)}] s, "
            f"in the tick {clocks.median(f'{job}_in_tick'):.2f} s; "
            f"{sum(queries[job].values())} queries in the tick ({labels}); through "
            f"jobs.produce {sum(claim.values())} ({claimed:,} of {produced:,} claimed)"
        )
    tick = clocks.median("tick")
    raw_all = sum(clocks.median(f"raw_{n}") for n in RAW_QUERIES)
    say(
        f"  tick: [{samples('tick')}] s, cpu {clocks.median('tick', cpu=True):.2f} s "
        f"(target ≤ {TICK_TARGET_S:.0f} s: {'met' if tick <= TICK_TARGET_S else 'MISSED'}); "
        f"with the outbox claim [{samples('tick_claim')}] s; in load_snapshot "
        f"{clocks.median('snapshot'):.2f} s, in the aggregates {clocks.median('aggregates'):.2f} s;"
        f" raw SQL of the same totals {raw_all:.3f} s ("
        + ", ".join(f"{n} {clocks.median(f'raw_{n}'):.3f}" for n in RAW_QUERIES)
        + ")"
    )
    peak = max(memory["tick_peak_mb"], memory["maxrss_delta_mb"])
    say(
        f"  memory: tracemalloc peak {memory['tick_peak_mb']:.1f} MB, maxrss "
        f"{memory['maxrss_before_mb']:.0f} → {memory['maxrss_after_mb']:.0f} MB "
        f"(+{memory['maxrss_delta_mb']:.1f}) (target ≤ {MEMORY_TARGET_MB:.0f} MB: "
        f"{'met' if peak <= MEMORY_TARGET_MB else 'MISSED'}); tracemalloc, each job alone: "
        + ", ".join(f"{job} {memory[f'{_key(job)}_peak_mb']:.1f}" for job in JOBS)
    )
    say("")


def targets(results: Results) -> str:
    """The targets (printed, not asserted): tick compute ≤ 1 s, memory ≤ 300 MB, per engine."""
    lines = []
    for suffix, engine in (("", "SQLite"), ("_postgres", "PostgreSQL")):
        tick = results.get(f"scheduler.tick_s{suffix}")
        if tick is None:
            continue
        memory = max(
            float(cast(float, results[f"scheduler.{name}{suffix}"]["value"]))
            for name in ("tick_peak_tracemalloc_mb", "tick_maxrss_delta_mb")
        )
        seconds = float(cast(float, tick["value"]))
        lines.append(
            f"Targets, {engine}: tick {seconds:.2f} s (≤ {TICK_TARGET_S:.0f} s: "
            f"{'met' if seconds <= TICK_TARGET_S else 'MISSED'}), memory {memory:.0f} MB "
            f"(≤ {MEMORY_TARGET_MB:.0f} MB: {'met' if memory <= MEMORY_TARGET_MB else 'MISSED'})"
        )
    return "\n".join(lines)


def format_table(results: Results) -> str:
    """The results as an aligned text table."""

    def show(value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.1f}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    rows = [("name", "value", "unit", "baseline", "ratio")]
    rows += [
        (name, show(e["value"]), str(e["unit"]), show(e["baseline"]), show(e["ratio"]))
        for name, e in results.items()
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i in (0, 2) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def profile(url: str, top: int = 30) -> str:
    """cProfile (CPU time) of one tick after a warm-up: top functions by own and total time."""
    services = make_services(url)
    try:
        _tick(services)
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        _tick(services)
        profiler.disable()
    finally:
        services.close()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def _json_default(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def merge_json(path: Path, results: Results) -> None:
    """Replace the `scheduler.` entries of the JSON file at `path` with `results`, keeping
    every other entry (atomically)."""
    merged: dict[str, Any] = {}
    try:
        previous = json.loads(path.read_text())
        if isinstance(previous, dict):
            merged = {k: v for k, v in previous.items() if not k.startswith("scheduler.")}
    except (OSError, ValueError):
        pass
    merged.update(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(merged, indent=2, sort_keys=True, default=_json_default) + "\n")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.scheduler`: run, print the table (and optionally profile, save)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.scheduler",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pg", default=os.environ.get("MM_BENCH_PG_URL"), help="PostgreSQL URL")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs (default {RUNS})")
    parser.add_argument(
        "--json", type=Path, help="also merge the results into this file (other entries kept)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one tick (SQLite)")
    parser.add_argument("--memory-probe", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--probe-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe)))
        return 0
    if args.probe_server:
        serve_probes()
        return 0
    results: Results = {}
    ok = run(results, pg_url=args.pg, runs=args.runs)
    print(format_table(results))
    print(targets(results))
    if args.json:
        merge_json(args.json, results)
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="mm-bench-scheduler-") as workdir:
            print(profile(data.sqlite_copy(Path(workdir), say=say)))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
