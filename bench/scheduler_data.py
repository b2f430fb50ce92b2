"""The scheduler benchmark's world: a state-scale program, deterministic from a seed.

100,000 educators over 1,000 schools — 12,000 mentees (educator types, hire dates over four
years, late hires through the year), 9,000 mentors of whom 1,000 are lead mentors (two of them
district-wide, without a school: their digest covers every pair and splits), 25 coordinators,
3,000 evaluators and ~76,000 others without a role this year (30 % with last year's) — 10,000
active pairs (plus 500 ended by reassignment), support teams, milestones done, and 1,000,000
log rows over the school days before `NOW` (skewed activity; 5 % of pairs gone quiet lately;
1 % deleted).

Seeding goes through SQLAlchemy Core: the program through `ProgramService.load`, then every
table with executemany in chunks inside one transaction, then ANALYZE; then, since bulk rows
bypass the write path that keeps the ledger's rollups, every rollup is rebuilt from the log rows
(`services.ledger.rebuild()`, when the product has a ledger; see bench/ledger.py). SQLite is
seeded once into `bench/.cache/scheduler-<key>.db` (the key covers SEED_VERSION, the parameters,
the migrations and the ledger's code) and copied to a temp directory for each run (the rebuild's
time is kept beside it); PostgreSQL is seeded into a fresh `mm_bench_scheduler` database each
run.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, create_engine, insert, text
from sqlalchemy.engine import make_url

from bench import ledger
from bot.bootstrap import build_services
from bot.config import Settings, load_settings
from bot.domain.calendar import SchoolCalendar
from bot.domain.policy import parse_program_toml
from bot.store.base import Base
from bot.store.db import MIGRATIONS_DIR, upgrade
from bot.store.models.core import (
    Assignment,
    LogEntry,
    MilestoneDone,
    Person,
    PersonRole,
    SupportTeamMember,
)

SEED_VERSION = 3  # 2: ledger rollups rebuilt after the bulk insert; 3: marks name their program
RANDOM_SEED = 20270503

PEOPLE = 100_000
SCHOOLS = 1_000
MENTEES = 12_000
PAIRS = 10_000
MENTORS = 9_000
LEADS = 1_000  # among the mentors
DISTRICT_WIDE_LEADS = 2  # lead mentors without a school: their cohort is every pair
COORDINATORS = 25
EVALUATORS = 3_000
UNPAIRED_BEGINNING = 400  # beginning educators still without a mentor (the overdue alert)
ENDED_PAIRS = 500  # reassignments during the year: an ended pair before the active one
LOG_ROWS = 1_000_000
QUIET_PAIRS = 0.05  # share of active pairs that stopped logging 6..20 school days ago
SILENT_PAIRS = 0.01  # share of active pairs that never logged
CHUNK = 20_000

# Monday 3 May 2027, 07:45 in New York (EDT): a school day after the 07:30 digest time, the
# day the year-2 50-hour reminders open (60 days before 30 June, carried over the weekend).
NOW = datetime(2027, 5, 3, 11, 45, tzinfo=UTC)
LAST_LOG_DAY = date(2027, 4, 30)  # the Friday before: logs span the school year up to NOW
SCHOOL_YEAR = "2026-27"
LAST_YEAR = "2025-26"
PG_DATABASE = "mm_bench_scheduler"
CACHE_DIR = Path(__file__).resolve().parent / ".cache"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PROGRAM_TOML = """
name = "Commonwealth Induction Program"
timezone = "America/New_York"
policy = "ma"
school_year_start = 2026-08-31
school_year_end = 2027-06-18
non_school_days = [2026-09-07, 2026-10-12, 2026-11-11, 2026-11-26, 2026-11-27, 2027-01-18,
                   2027-05-31]
vacations = [
  { start = 2026-12-24, end = 2027-01-01, name = "Winter break" },
  { start = 2027-02-15, end = 2027-02-19, name = "February vacation" },
  { start = 2027-04-19, end = 2027-04-23, name = "April vacation" },
]
"""

FIRST = _words(
    "Ada Ben Cara Dev Eli Fay Gus Hana Ian Jo Kai Lena Milo Nia Omar Pia Quinn Rosa Sam "
    "Tess Uma Vic Wes Xena Yara Zed Amir Bea Cole Dina Emil Flor Gil Hugo Iris Jun Kira "
    "Leo Mae Ned"
)
LAST = _words(
    "Abbott Baker Chen Diaz Evans Fox Garcia Hughes Ito Jones Khan Lopez Moore Nguyen "
    "Ortiz Patel Quinn Rossi Smith Tran Ueda Vega Walsh Xu Young Zhang Allen Brooks Cruz "
    "Dunn Ellis Flynn Grant Hale Ingram Jensen Kowalski Lund Mendez Novak"
)
SUBJECTS = (
    "Math",
    "English",
    "Science",
    "History",
    "Art",
    "Music",
    "PE",
    "Spanish",
    "Special Education",
    "ESL",
)
GRADES = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
MENTEE_TYPES = (
    ("beginning_teacher", 60),
    ("incoming_teacher", 25),
    ("beginning_administrator", 8),
    ("incoming_administrator", 7),
)
KINDS = (("meeting", 50), ("observation", 20), ("planning", 15), ("co-teaching", 10), ("other", 5))
MINUTES = (15, 20, 30, 45, 45, 60, 90)
NOTE = "Went over unit 3 pacing and the exit-ticket routine; next: observe a math block."


@dataclass(frozen=True)
class Pair:
    """An assignment as seeded (ended_on None: active)."""

    mentor: int
    mentee: int
    started_on: date
    ended_on: date | None


@dataclass
class World:
    """Every row to insert, by table, and the figures the report quotes."""

    people: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    pairs: list[Pair]
    team: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    coordinator: int


def make_settings(database_url: str) -> Settings:
    """Settings for the bench: no .env, no Slack."""
    return load_settings(_env_file=None, DATABASE_URL=database_url)


def calendar() -> SchoolCalendar:
    """The program's school calendar (from the TOML, as the product builds it)."""
    return SchoolCalendar.from_config(parse_program_toml(PROGRAM_TOML))


def _weighted(choices: Iterable[tuple[str, int]]) -> list[str]:
    return [value for value, weight in choices for _ in range(weight)]


def build_world(program_id: int) -> World:  # noqa: PLR0915 - one linear recipe
    """The people, roles, pairs, support teams and milestones (no logs), deterministically."""
    rng = random.Random(RANDOM_SEED)
    cal = calendar()
    start = cal.start
    today = NOW.date()
    created = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
    mentee_types = _weighted(MENTEE_TYPES)

    people: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    next_id = iter(range(1, PEOPLE + 1))

    def person(
        school: str | None,
        hire: date,
        educator_type: str | None = None,
        *,
        active: bool = True,
    ) -> dict[str, Any]:
        pid = next(next_id)
        row = {
            "id": pid,
            "program_id": program_id,
            "email": f"p{pid:06d}@state.example",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {pid:06d}",
            "school": school,
            "subject": rng.choice(SUBJECTS),
            "grade": rng.choice(GRADES),
            "educator_type": educator_type,
            "license": "Initial" if educator_type else "Professional",
            "hire_date": hire,
            "slack_user_id": f"US{pid:07d}" if rng.random() < 0.97 else None,
            "active": active,
            "created_at": created,
            "updated_at": created,
        }
        people.append(row)
        return row

    def school_of() -> str:
        return f"School {rng.randrange(SCHOOLS):04d}"

    def role(pid: int, name: str, year: str = SCHOOL_YEAR) -> None:
        roles.append({"person_id": pid, "role": name, "school_year": year})

    def veteran_hire() -> date:
        return date(rng.randint(1995, 2021), 8, 20) + timedelta(days=rng.randrange(10))

    coordinators = []
    for _ in range(COORDINATORS):
        row = person(None, veteran_hire())
        row["slack_user_id"] = f"US{row['id']:07d}"  # coordinators always have Slack
        role(row["id"], "coordinator")
        coordinators.append(row["id"])

    mentors_by_school: dict[str, list[int]] = {}
    mentor_ids = []
    for i in range(MENTORS):
        school = None if i < DISTRICT_WIDE_LEADS else school_of()
        row = person(school, veteran_hire())
        role(row["id"], "mentor")
        if i < LEADS:
            role(row["id"], "lead_mentor")
            row["slack_user_id"] = f"US{row['id']:07d}"
        mentor_ids.append(row["id"])
        if school is not None:
            mentors_by_school.setdefault(school, []).append(row["id"])

    evaluators_by_school: dict[str, list[int]] = {}
    for _ in range(EVALUATORS):
        school = school_of()
        row = person(school, veteran_hire())
        role(row["id"], "evaluator")
        evaluators_by_school.setdefault(school, []).append(row["id"])

    # Mentees: 20 % in year 2+ (hired 2023–2025), 15 % hired during this year, the rest
    # hired in August for the start.
    late_hire_days = [d for d in cal.school_days if start < d <= LAST_LOG_DAY]
    mentees = []
    for _ in range(MENTEES):
        roll = rng.random()
        if roll < 0.20:
            hire = date(rng.randint(2023, 2025), 8, 1) + timedelta(days=rng.randrange(45))
        elif roll < 0.35:
            hire = rng.choice(late_hire_days)
        else:
            hire = date(2026, 8, 10) + timedelta(days=rng.randrange(21))
        row = person(school_of(), hire, rng.choice(mentee_types))
        role(row["id"], "mentee")
        mentees.append(row)

    for _ in range(PEOPLE - len(people)):
        row = person(school_of(), veteran_hire(), active=rng.random() > 0.02)
        if rng.random() < 0.30:
            role(row["id"], rng.choice(("mentee", "mentor", "evaluator")), LAST_YEAR)

    # Who stays unpaired: the newest hires (not yet due), 400 beginning educators past their
    # deadline (the alert), the rest incoming educators (assignment not required).
    def assign_due(row: dict[str, Any]) -> date:
        hired: date = row["hire_date"]
        return max(start, hired) + timedelta(days=14)

    newest = {m["id"] for m in mentees if m["hire_date"] > today - timedelta(days=14)}
    beginning_overdue = [
        m
        for m in mentees
        if m["educator_type"].startswith("beginning_")
        and assign_due(m) < today
        and m["id"] not in newest
    ]
    incoming = [m for m in mentees if m["educator_type"].startswith("incoming_")]
    unpaired_ids = set(newest)
    unpaired_ids |= {m["id"] for m in rng.sample(beginning_overdue, UNPAIRED_BEGINNING)}
    for m in rng.sample(incoming, len(incoming)):
        if len(unpaired_ids) >= MENTEES - PAIRS:
            break
        unpaired_ids.add(m["id"])
    paired = [m for m in mentees if m["id"] not in unpaired_ids]
    assert len(paired) == PAIRS, len(paired)

    pairs: list[Pair] = []
    team: list[dict[str, Any]] = []
    for n, mentee in enumerate(paired):
        school = mentee["school"]
        local = mentors_by_school.get(school) or mentor_ids[DISTRICT_WIDE_LEADS:]
        mentor = rng.choice(local)
        hire = mentee["hire_date"]
        first = (
            start + timedelta(days=rng.randint(-5, 12))
            if hire <= start
            else min(hire + timedelta(days=rng.randint(0, 14)), LAST_LOG_DAY)
        )
        if n < ENDED_PAIRS and (LAST_LOG_DAY - first).days > 60:
            previous = rng.choice([m for m in local if m != mentor] or mentor_ids[-100:])
            ended = first + timedelta(days=rng.randint(20, (LAST_LOG_DAY - first).days - 20))
            pairs.append(Pair(previous, mentee["id"], first, ended))
            team.append(
                {
                    "mentee_id": mentee["id"],
                    "member_id": previous,
                    "role": "mentor",
                    "added_on": first,
                    "removed_on": ended,
                    "added_by_id": coordinators[0],
                }
            )
            first = ended + timedelta(days=1)
        pairs.append(Pair(mentor, mentee["id"], first, None))
        team.append(
            {
                "mentee_id": mentee["id"],
                "member_id": mentor,
                "role": "mentor",
                "added_on": first,
                "removed_on": None,
                "added_by_id": coordinators[0],
            }
        )
        evaluators = evaluators_by_school.get(school)
        if evaluators:
            team.append(
                {
                    "mentee_id": mentee["id"],
                    "member_id": rng.choice(evaluators),
                    "role": "evaluator",
                    "added_on": first,
                    "removed_on": None,
                    "added_by_id": coordinators[0],
                }
            )

    milestones: list[dict[str, Any]] = []

    def done(pid: int, key: str, on: date, year: str = SCHOOL_YEAR) -> None:
        milestones.append(
            {
                "program_id": program_id,
                "person_id": pid,
                "milestone": key,
                "school_year": year,
                "done_on": on,
                "marked_by_id": coordinators[0],
                "created_at": created,
            }
        )

    for mentee in mentees:
        hire = mentee["hire_date"]
        joined = max(hire, start)
        if joined < today - timedelta(days=10) and rng.random() < 0.92:
            done(mentee["id"], "orientation", joined + timedelta(days=rng.randrange(5)))
        if (
            mentee["educator_type"].startswith("beginning_")
            and joined < today - timedelta(days=20)
            and rng.random() < 0.85
        ):
            done(mentee["id"], "support_team_meeting", joined + timedelta(days=rng.randrange(10)))
        if hire < date(2026, 6, 1):
            done(mentee["id"], "orientation", date(hire.year, 9, 10), LAST_YEAR)
    for mentor in mentor_ids:
        if rng.random() < 0.90:
            done(mentor, "mentor_training", date(2026, 8, 24))
    return World(people, roles, pairs, team, milestones, coordinators[0])


def log_rows(world: World, program_id: int) -> Iterator[dict[str, Any]]:
    """LOG_ROWS entries over each pair's school days up to LAST_LOG_DAY, in date order."""
    rng = random.Random(RANDOM_SEED + 1)
    days = [d for d in calendar().school_days if d <= LAST_LOG_DAY]
    spans: list[tuple[int, int]] = []
    weights: list[float] = []
    for pair in world.pairs:
        first = bisect_left(days, pair.started_on)
        last = bisect_right(days, min(pair.ended_on or LAST_LOG_DAY, LAST_LOG_DAY)) - 1
        if pair.ended_on is None:
            roll = rng.random()
            if roll < SILENT_PAIRS:
                last = -1
            elif roll < SILENT_PAIRS + QUIET_PAIRS:
                last -= rng.randint(6, 20)
        span = max(last - first + 1, 0)
        spans.append((first, last))
        weights.append(rng.lognormvariate(0, 0.7) * span)
    scale = LOG_ROWS / sum(weights)
    counts = [int(w * scale) for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: counts[i] - weights[i] * scale)
    for i in remainders[: LOG_ROWS - sum(counts)]:
        counts[i] += 1
    by_day: list[list[int]] = [[] for _ in days]
    for p, (count, (first, last)) in enumerate(zip(counts, spans, strict=True)):
        for _ in range(count):
            by_day[rng.randint(first, last)].append(p)
    kinds = _weighted(KINDS)
    draw = rng.random
    n = 0
    for day, todays in zip(days, by_day, strict=True):
        at = datetime(day.year, day.month, day.day, 20, 0, tzinfo=UTC)
        deleted_at = at + timedelta(minutes=5)
        for p in todays:
            pair = world.pairs[p]
            roll = draw()
            n += 1
            yield {
                "program_id": program_id,
                "mentor_id": pair.mentor,
                "mentee_id": pair.mentee,
                "logged_by_id": world.coordinator if roll < 0.02 else pair.mentor,
                "observed_id": None,
                "occurred_on": day,
                "minutes": MINUTES[int(draw() * len(MINUTES))],
                "kind": kinds[int(draw() * len(kinds))],
                "notes": NOTE if roll < 0.25 else None,
                "standards": None,
                "source": "slack",
                "batch_id": f"00000000-0000-4000-8000-{n:012x}",
                "created_at": at,
                "updated_at": at,
                "deleted_at": deleted_at if roll > 0.99 else None,
            }


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(conn: Connection, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
    table = cast(Table, model.__table__)
    count = 0
    for chunk in _chunks(rows):
        conn.execute(insert(table), chunk)
        count += len(chunk)
    return count


def seed(url: str, *, say: Callable[[str], None] = print) -> float | None:
    """Migrate the empty database at `url` and fill it (one transaction), then ANALYZE, then
    rebuild the ledger's rollups; the rebuild's seconds (None: the product has no ledger)."""
    started = time.perf_counter()
    upgrade(url)
    services = build_services(make_settings(url))
    try:
        program, _ = services.programs.load(parse_program_toml(PROGRAM_TOML))
    finally:
        services.close()
    world = build_world(program.id)
    say(f"  world built in {time.perf_counter() - started:.1f} s")
    settings_url = make_settings(url).DATABASE_URL
    engine = create_engine(settings_url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.begin() as conn:
            if sqlite:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.exec_driver_sql("PRAGMA cache_size=-262144")
            else:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            _insert(conn, Person, world.people)
            _insert(conn, PersonRole, world.roles)
            _insert(
                conn,
                Assignment,
                (
                    {
                        "program_id": program.id,
                        "mentor_id": p.mentor,
                        "mentee_id": p.mentee,
                        "started_on": p.started_on,
                        "ended_on": p.ended_on,
                        "end_reason": "reassigned" if p.ended_on else None,
                        "created_by_id": world.coordinator,
                        "ended_by_id": world.coordinator if p.ended_on else None,
                        "created_at": datetime(2026, 8, 1, tzinfo=UTC),
                    }
                    for p in world.pairs
                ),
            )
            _insert(conn, SupportTeamMember, world.team)
            _insert(conn, MilestoneDone, world.milestones)
            say(f"  people, roles, pairs in {time.perf_counter() - started:.1f} s")
            _insert(conn, LogEntry, log_rows(world, program.id))
            if not sqlite:
                conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('people', 'id'), "
                    "(SELECT max(id) FROM people))"
                )
        say(f"  {LOG_ROWS:,} log rows in {time.perf_counter() - started:.1f} s")
        if sqlite:
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()
    say(f"  seeded and analyzed in {time.perf_counter() - started:.1f} s")
    return ledger.rebuild_after_seeding(make_settings(url), say=say)


def seed_key() -> str:
    """What the cached SQLite file depends on: this file's parameters and the migrations."""
    params = (
        SEED_VERSION,
        RANDOM_SEED,
        PEOPLE,
        SCHOOLS,
        MENTEES,
        PAIRS,
        MENTORS,
        LEADS,
        DISTRICT_WIDE_LEADS,
        COORDINATORS,
        EVALUATORS,
        UNPAIRED_BEGINNING,
        ENDED_PAIRS,
        LOG_ROWS,
        QUIET_PAIRS,
        SILENT_PAIRS,
        NOW,
        PROGRAM_TOML,
    )
    digest = hashlib.sha256(repr(params).encode())
    digest.update(ledger.fingerprint().encode())
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_path() -> Path:
    """Where the seeded SQLite world for the current key is cached."""
    return CACHE_DIR / f"scheduler-{seed_key()}.db"


def sqlite_copy(workdir: Path, *, say: Callable[[str], None] = print) -> str:
    """A private copy of the cached seeded SQLite file (seeding it first if needed); its URL."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cached = cached_path()
    if cached.exists():
        say(f"SQLite world from cache ({cached.name})")
    else:
        say(f"Seeding the SQLite world (cached as bench/.cache/{cached.name})")
        for old in CACHE_DIR.glob("scheduler-*.db*"):
            old.unlink()
        building = CACHE_DIR / f"building-{cached.name}"
        for leftover in CACHE_DIR.glob(f"{building.name}*"):
            leftover.unlink()
        rebuilt = seed(f"sqlite:///{building}", say=say)
        ledger.write_meta(
            cached,
            {
                "ledger_rebuild_s": rebuilt,
                "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        building.rename(cached)
    target = workdir / "scheduler.db"
    shutil.copyfile(cached, target)
    ledger.copy_meta(cached, target)  # how it was seeded: `ledger.seed_meta(url)`
    return f"sqlite:///{target}"


def postgres_database(base_url: str) -> str:
    """A fresh, empty `mm_bench_scheduler` database on the cluster of `base_url`; its URL."""
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
