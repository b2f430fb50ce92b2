"""The benchmark's world: a program, 2,002 people, 1,000 active pairs and 1,000,000 log rows.

SQLite: seeded once into `bench/.cache/seed-<key>.db` (the key covers the seed parameters, this
file's SEED_VERSION, the migrations and the ledger's code), then copied to a temp directory for
every run so runs never see each other's writes. PostgreSQL: seeded into a fresh `mm_bench`
database each run (COPY, then the indexes, then ANALYZE). Bulk rows bypass the write path that
keeps the ledger's rollups, so after the bulk insert every rollup is rebuilt from the log rows
(`services.ledger.rebuild()`, when the product has a ledger; see bench/ledger.py) before the
file is cached; the rebuild's time is kept beside the cached file.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, insert, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url

from bench import ledger
from bot.bootstrap import Services, build_services
from bot.config import Settings, load_settings
from bot.domain.policy import parse_program_toml
from bot.store.db import MIGRATIONS_DIR, upgrade
from bot.store.models.core import Assignment, LogEntry

SEED_VERSION = 3  # 2: the ledger's rollups rebuilt after the bulk insert; 3: an evaluator
PAIRS = 1_000
LOG_ROWS = 1_000_000
SCHOOLS = 10
RANDOM_SEED = 20260831

# Wed 16 Jun 2027, 10:00 in New York: two days before the school year ends, so the log rows
# span the whole year. Rows are seeded up to yesterday: today starts empty for every pair,
# so the benchmark's own `/logmeeting 45m` never meets the 720-minutes-a-day cap.
NOW = datetime(2027, 6, 16, 14, 0, tzinfo=UTC)
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
COORDINATOR = "UC0001"
EVALUATOR = "UP0001"  # a principal at School 00: hours and counts of the school
PG_DATABASE = "mm_bench"

CACHE_DIR = Path(__file__).resolve().parent / ".cache"

PROGRAM_TOML = """
name = "Bench Valley Public Schools"
timezone = "America/New_York"
policy = "ma"
school_year_start = 2026-08-31
school_year_end = 2027-06-18
non_school_days = [2026-09-07, 2026-10-12, 2026-11-11, 2026-11-26, 2026-11-27, 2027-01-18]
vacations = [
  { start = 2026-12-24, end = 2027-01-01, name = "Winter break" },
  { start = 2027-02-15, end = 2027-02-19, name = "February vacation" },
  { start = 2027-04-19, end = 2027-04-23, name = "April vacation" },
]
"""

ROSTER_HEADER = (
    "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id"
)
KINDS = (("meeting", 50), ("observation", 20), ("planning", 15), ("co-teaching", 10), ("other", 5))
MINUTES = (15, 20, 30, 45, 45, 60, 90)
NOTE = "Went over unit 3 pacing and the exit-ticket routine; next: observe a math block."
LOG_COLUMNS = (
    "program_id",
    "mentor_id",
    "mentee_id",
    "logged_by_id",
    "observed_id",
    "occurred_on",
    "minutes",
    "kind",
    "notes",
    "standards",
    "source",
    "batch_id",
    "created_at",
    "updated_at",
    "deleted_at",
)


def mentor_slack_id(i: int) -> str:
    """Slack id of mentor number i (0-based)."""
    return f"UM{i:04d}"


def mentee_slack_id(i: int) -> str:
    """Slack id of mentee number i (0-based)."""
    return f"UE{i:04d}"


def make_settings(database_url: str, slack_api_url: str = "http://127.0.0.1:9/api/") -> Settings:
    """Settings for the bench: no .env, the frozen clock, the loopback Web API."""
    return load_settings(
        _env_file=None,
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=slack_api_url,
        MENTOR_MINUTES_NOW=NOW,
    )


def roster_csv() -> str:
    """One coordinator, 1,000 mentors (one lead mentor per school), 1,000 mentees and a
    principal (evaluator) at School 00."""
    lines = [
        ROSTER_HEADER,
        f"coord@bench.example,Cora Coordinator,coordinator,,,,,Professional,2015-08-24,"
        f"{COORDINATOR}",
    ]
    for i in range(PAIRS):
        school = f"School {i % SCHOOLS:02d}"
        roles = "mentor;lead_mentor" if i < SCHOOLS else "mentor"
        lines.append(
            f"mentor{i:04d}@bench.example,Mentor {i:04d},{roles},{school},Math,4,,"
            f"Professional,2012-08-27,{mentor_slack_id(i)}"
        )
    for i in range(PAIRS):
        school = f"School {i % SCHOOLS:02d}"
        lines.append(
            f"mentee{i:04d}@bench.example,Mentee {i:04d},mentee,{school},Math,4,"
            f"beginning_teacher,Initial,2026-08-24,{mentee_slack_id(i)}"
        )
    lines.append(
        f"principal@bench.example,Pat Principal,evaluator,School 00,,,,Professional,2010-08-23,"
        f"{EVALUATOR}"
    )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Seeded:
    """Ids the benchmark needs."""

    program_id: int
    mentor_ids: tuple[int, ...]
    mentee_ids: tuple[int, ...]
    coordinator_id: int


def _seed_people(services: Services) -> Seeded:
    """Program, roster (through the real import) and the 1,000 assignments (Core insert)."""
    program, _ = services.programs.load(parse_program_toml(PROGRAM_TOML))
    report = services.roster.import_csv(roster_csv())
    if not report.ok:
        raise RuntimeError(f"roster import failed: {report.problems[:3]}")
    with services.store.read() as session:
        members = {m.slack_user_id: m.id for m in services.people.all_members(session, program)}
    mentors = tuple(members[mentor_slack_id(i)] for i in range(PAIRS))
    mentees = tuple(members[mentee_slack_id(i)] for i in range(PAIRS))
    coordinator = members[COORDINATOR]
    start = program.config.school_year_start - timedelta(days=3)
    with services.store.write() as session:
        session.execute(
            insert(Assignment.__table__),
            [
                {
                    "program_id": program.id,
                    "mentor_id": mentor,
                    "mentee_id": mentee,
                    "started_on": start,
                    "created_by_id": coordinator,
                    "created_at": NOW - timedelta(days=300),
                }
                for mentor, mentee in zip(mentors, mentees, strict=True)
            ],
        )
    return Seeded(program.id, mentors, mentees, coordinator)


def log_rows(seeded: Seeded, services: Services) -> Iterator[tuple[Any, ...]]:
    """1,000,000 entries over the school days before today, in date order (deterministic)."""
    program = services.programs.current()
    today = program.today(NOW)
    days = [d for d in program.calendar.school_days if d < today]
    rng = random.Random(RANDOM_SEED)
    draw = rng.random
    kinds = [k for k, weight in KINDS for _ in range(weight)]
    per_day, extra = divmod(LOG_ROWS, len(days))
    for n, day in enumerate(days):
        created = datetime(day.year, day.month, day.day, 20, 0, tzinfo=UTC)
        deleted = created + timedelta(minutes=5)
        for _ in range(per_day + (1 if n < extra else 0)):
            pair = int(draw() * PAIRS)
            mentor = seeded.mentor_ids[pair]
            roll = draw()
            batch = f"{rng.getrandbits(128):032x}"
            yield (
                seeded.program_id,
                mentor,
                seeded.mentee_ids[pair],
                seeded.coordinator_id if roll < 0.02 else mentor,
                None,
                day,
                MINUTES[int(draw() * len(MINUTES))],
                kinds[int(draw() * len(kinds))],
                NOTE if roll < 0.25 else None,
                None,
                "slack",
                f"{batch[:8]}-{batch[8:12]}-4{batch[13:16]}-{batch[16:20]}-{batch[20:]}",
                created,
                created,
                deleted if roll > 0.99 else None,
            )


def _bulk_sqlite(path: Path, rows: Iterator[tuple[Any, ...]]) -> None:
    """sqlite3 executemany in one transaction, indexes dropped and rebuilt around it."""
    dialect = sqlite.dialect()
    table = LogEntry.__table__
    on_day = table.c.occurred_on.type.dialect_impl(dialect).bind_processor(dialect)
    at = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    memo: dict[Any, Any] = {}

    def day(value: date) -> Any:
        if value not in memo:
            memo[value] = on_day(value) if on_day else value
        return memo[value]

    def instant(value: datetime | None) -> Any:
        if value is None:
            return None
        if value not in memo:
            memo[value] = at(value) if at else value
        return memo[value]

    def converted() -> Iterator[tuple[Any, ...]]:
        for r in rows:
            yield (*r[:5], day(r[5]), *r[6:12], instant(r[12]), instant(r[13]), instant(r[14]))

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-262144")
        indexes = con.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'log_entries' AND sql IS NOT NULL"
        ).fetchall()
        con.execute("BEGIN")
        for name, _ in indexes:
            con.execute(f'DROP INDEX "{name}"')
        marks = ", ".join("?" for _ in LOG_COLUMNS)
        con.executemany(
            f"INSERT INTO log_entries ({', '.join(LOG_COLUMNS)}) VALUES ({marks})", converted()
        )
        for _, sql in indexes:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _bulk_postgres(url: str, rows: Iterator[tuple[Any, ...]]) -> None:
    """COPY with the log indexes dropped and rebuilt around it, FK triggers off; then ANALYZE."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        with conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'log_entries' AND indexname <> 'pk_log_entries'"
            )
            indexes = cur.fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            with cur.copy(f"COPY log_entries ({', '.join(LOG_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            for _, sql in indexes:
                cur.execute(sql)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


@dataclass(frozen=True)
class SeedInfo:
    """What seeding produced: the ids, and the ledger rebuild's seconds (None: no ledger)."""

    seeded: Seeded
    ledger_rebuild_s: float | None


def seed(url: str, *, say: Any = print) -> SeedInfo:
    """Migrate and fill the database at `url` (empty before), then rebuild the ledger."""
    started = time.perf_counter()
    upgrade(url)
    services = build_services(make_settings(url))
    try:
        seeded = _seed_people(services)
        say(f"  people and pairs in {time.perf_counter() - started:.1f} s")
        rows = log_rows(seeded, services)
        if services.store.is_sqlite:
            services.store.dispose()
            _bulk_sqlite(Path(make_url(url).database or ""), rows)
        else:
            _bulk_postgres(url, rows)
    finally:
        services.close()
    say(f"  {LOG_ROWS:,} log rows seeded in {time.perf_counter() - started:.1f} s")
    rebuilt = ledger.rebuild_after_seeding(make_settings(url), say=say)
    return SeedInfo(seeded, rebuilt)


def seed_key() -> str:
    """What the cached SQLite file depends on: seed parameters and the migrations."""
    digest = hashlib.sha256(
        repr((SEED_VERSION, PAIRS, LOG_ROWS, SCHOOLS, RANDOM_SEED, NOW, PROGRAM_TOML)).encode()
    )
    digest.update(ledger.fingerprint().encode())
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_path() -> Path:
    """Where the seeded SQLite file for the current key is cached."""
    return CACHE_DIR / f"seed-{seed_key()}.db"


def sqlite_copy(workdir: Path, *, say: Any = print) -> str:
    """A private copy of the cached seeded SQLite file (seeding it first if needed); its URL."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cached = cached_path()
    if not cached.exists():
        say(f"Seeding SQLite (cached as {cached.relative_to(CACHE_DIR.parent.parent)})")
        for old in CACHE_DIR.glob("seed-*.db*"):
            old.unlink()
        building = CACHE_DIR / f"building-{cached.name}"
        for leftover in CACHE_DIR.glob(f"{building.name}*"):
            leftover.unlink()
        info = seed(f"sqlite:///{building}", say=say)
        ledger.write_meta(
            cached,
            {
                "ledger_rebuild_s": info.ledger_rebuild_s,
                "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        building.rename(cached)
    else:
        say(f"Seeded SQLite from cache ({cached.name})")
    target = workdir / "bench.db"
    shutil.copyfile(cached, target)
    ledger.copy_meta(cached, target)  # how it was seeded: `ledger.seed_meta(url)`
    return f"sqlite:///{target}"


def postgres_database(base_url: str) -> str:
    """A fresh, empty `mm_bench` database on the cluster of `base_url`; its URL."""
    settings_url = make_settings(base_url).DATABASE_URL
    admin = create_engine(settings_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    finally:
        admin.dispose()
    return make_url(settings_url).set(database=PG_DATABASE).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str) -> None:
    """Drop the bench database again."""
    settings_url = make_settings(base_url).DATABASE_URL
    admin = create_engine(settings_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
    finally:
        admin.dispose()


def read_seeded(services: Services) -> Seeded:
    """The ids of a seeded database."""
    program = services.programs.current()
    with services.store.read() as session:
        members = {m.slack_user_id: m.id for m in services.people.all_members(session, program)}
    return Seeded(
        program.id,
        tuple(members[mentor_slack_id(i)] for i in range(PAIRS)),
        tuple(members[mentee_slack_id(i)] for i in range(PAIRS)),
        members[COORDINATOR],
    )
