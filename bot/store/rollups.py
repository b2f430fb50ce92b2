"""Totals kept at write time: the ledger's deltas applied in the writer's own transaction.

Every write of a log entry (insert, Undo, Edit) calls `lock_mentors` first and `apply` after
flushing, so the rollup rows change in the same transaction as the log rows, on SQLite and
PostgreSQL alike. Increments are atomic upserts (`INSERT … ON CONFLICT DO UPDATE SET x = x +
excluded.x`); the latest contact day, which a removal can lower, is recomputed for the buckets
that lost a contact. The scope totals (per school of the mentee, and for the program) take the
same deltas in one more upsert. `rebuild` recomputes everything from the log rows (`ledger
rebuild`, the benchmarks' bulk-loaded worlds); `rebuild_scopes` the scope totals from the pair
totals (a mentee who changed school takes their pairs' totals along).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, case, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.ledger import (
    VISIT,
    Change,
    Entry,
    EntryRow,
    MentorTime,
    Rollups,
    ScopeKey,
    Totals,
    batch_key,
    bucket_last,
    program_year_of,
    recompute_rows,
    scope_totals,
)
from bot.domain.standards import (
    CoverageChange,
    CoverageKey,
    StandardCount,
    count_coverage,
)
from bot.store.models.core import (
    LogEntry,
    MentorBucket,
    PairBucket,
    PairStandard,
    PairYear,
    Person,
    Program,
    ScopeTotal,
)

PAIR_BUCKETS: Table = PairBucket.__table__  # type: ignore[assignment]
PAIR_YEARS: Table = PairYear.__table__  # type: ignore[assignment]
MENTOR_BUCKETS: Table = MentorBucket.__table__  # type: ignore[assignment]
SCOPE_TOTALS: Table = ScopeTotal.__table__  # type: ignore[assignment]
ROLLUP_TABLES = {
    table.name: table for table in (PAIR_BUCKETS, PAIR_YEARS, MENTOR_BUCKETS, SCOPE_TOTALS)
}
CHUNK = 5_000  # rows per executemany when rebuilding

Executor = Session | Connection


def lock_mentors(db: Executor, mentor_ids: Iterable[int]) -> None:
    """Serialise ledger writes per mentor on PostgreSQL (SQLite writers already queue).

    Taken in id order, so two writers never wait on each other in a cycle. The day cap and
    mentor time (one batch counted once) read then write: the lock keeps them exact."""
    if _dialect(db) != "postgresql":
        return
    for mentor_id in sorted(set(mentor_ids)):
        db.execute(text("SELECT pg_advisory_xact_lock(:mentor, 0)"), {"mentor": mentor_id})


def _dialect(db: Executor) -> str:
    return db.get_bind().dialect.name if isinstance(db, Session) else db.dialect.name


def _upsert(db: Executor, table: Table, rows: list[dict[str, Any]]) -> None:
    """Add each row's counts to the stored row with the same key (created when missing)."""
    if rows:
        conn = db.connection() if isinstance(db, Session) else db
        # one row (a log's usual change): a single execution, not an executemany of one
        conn.execute(
            _upsert_statement(_dialect(db), table.name), rows[0] if len(rows) == 1 else rows
        )


@cache
def _upsert_statement(dialect: str, table_name: str) -> Any:
    """The upsert for a rollup table, built once per dialect: counts add up, the latest contact
    day is the later of the two."""
    table = ROLLUP_TABLES[table_name]
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    excluded = statement.excluded
    keys = [c.name for c in table.primary_key.columns]
    changes: dict[str, ColumnElement[Any]] = {
        c.name: table.c[c.name] + excluded[c.name]
        for c in table.columns
        if c.name not in keys and c.name not in ("program_id", "last_contact")
    }
    if "last_contact" in table.c:
        changes["last_contact"] = _later(table.c.last_contact, excluded.last_contact)
    return statement.on_conflict_do_update(index_elements=keys, set_=changes)


def schools_of(db: Executor, mentee_ids: Iterable[int] | None = None) -> dict[int, str | None]:
    """People's schools (of these ids, or everyone's)."""
    statement = select(Person.id, Person.school)
    if mentee_ids is not None:
        wanted = sorted(set(mentee_ids))
        if not wanted:
            return {}
        statement = statement.where(Person.id.in_(wanted))
    return {person: school for person, school in db.execute(statement)}


def _later(stored: ColumnElement[Any], added: ColumnElement[Any]) -> ColumnElement[Any]:
    """The later of two nullable dates, the same on SQLite and PostgreSQL."""
    return case(
        (added.is_(None), stored),
        (stored.is_(None), added),
        (added > stored, added),
        else_=stored,
    )


def table_rows(
    program_id: int, counted: Rollups | Change
) -> Iterator[tuple[Table, Iterator[dict[str, Any]]]]:
    """Each rollup table with its rows (or a change's deltas), as the statements take them."""
    yield (
        PAIR_BUCKETS,
        (
            {"mentor_id": m, "mentee_id": e, "bucket_start": b, "program_id": program_id}
            | _totals_row(t)
            for (m, e, b), t in counted.pair_buckets.items()
        ),
    )
    yield (
        PAIR_YEARS,
        (
            {"mentor_id": m, "mentee_id": e, "year_start": y, "program_id": program_id}
            | _totals_row(t)
            for (m, e, y), t in counted.pair_years.items()
        ),
    )
    yield (
        MENTOR_BUCKETS,
        (
            {"mentor_id": m, "bucket_start": b, "program_id": program_id}
            | {"minutes": t.minutes, "sessions": t.sessions}
            for (m, b), t in counted.mentor_buckets.items()
        ),
    )
    if isinstance(counted, Rollups):
        yield SCOPE_TOTALS, scope_rows(program_id, counted.scopes)


def scope_rows(program_id: int, scopes: dict[ScopeKey, Totals]) -> Iterator[dict[str, Any]]:
    """Scope totals as the scope table's rows."""
    for (scope, grain, start), t in scopes.items():
        yield {
            "program_id": program_id,
            "scope": scope,
            "grain": grain,
            "period_start": start,
            "minutes": t.minutes,
            "observations": t.observations,
            "visits": t.visits,
            "visit_minutes": t.visit_minutes,
            "contacts": t.contacts,
        }


def _totals_row(totals: Totals) -> dict[str, Any]:
    return {
        "minutes": totals.minutes,
        "observations": totals.observations,
        "visits": totals.visits,
        "visit_minutes": totals.visit_minutes,
        "contacts": totals.contacts,
        "last_contact": totals.last_contact,
    }


def apply(
    db: Executor,
    program_id: int,
    change: Change,
    start_month: int,
    schools: dict[int, str | None] | None = None,
) -> None:
    """Apply a write's deltas to the rollups (after the log rows are flushed); `schools`, the
    mentees' schools, when the writer has them (else read here)."""
    for table, rows in table_rows(program_id, change):
        _upsert(db, table, list(rows))
    mentees = {e for _, e, _ in change.pair_buckets} | {e for _, e, _ in change.pair_years}
    if schools is None or not mentees <= schools.keys():
        schools = (schools or {}) | schools_of(db, mentees)
    scoped = scope_totals(change.pair_buckets, change.pair_years, schools)
    _upsert(db, SCOPE_TOTALS, list(scope_rows(program_id, scoped)))
    years: set[tuple[int, int, date]] = set()
    for mentor_id, mentee_id, start in sorted(change.recheck_last):
        db.execute(
            update(PAIR_BUCKETS)
            .where(
                PAIR_BUCKETS.c.mentor_id == mentor_id,
                PAIR_BUCKETS.c.mentee_id == mentee_id,
                PAIR_BUCKETS.c.bucket_start == start,
            )
            .values(last_contact=_last_contact_in(mentor_id, mentee_id, start, bucket_last(start)))
        )
        years.add((mentor_id, mentee_id, program_year_of(start, start_month).first))
    for mentor_id, mentee_id, first in sorted(years):
        last = program_year_of(first, start_month).last
        latest = (
            select(func.max(PAIR_BUCKETS.c.last_contact))
            .where(
                PAIR_BUCKETS.c.mentor_id == mentor_id,
                PAIR_BUCKETS.c.mentee_id == mentee_id,
                PAIR_BUCKETS.c.bucket_start.between(first, last),
            )
            .scalar_subquery()
        )
        db.execute(
            update(PAIR_YEARS)
            .where(
                PAIR_YEARS.c.mentor_id == mentor_id,
                PAIR_YEARS.c.mentee_id == mentee_id,
                PAIR_YEARS.c.year_start == first,
            )
            .values(last_contact=latest)
        )


def _last_contact_in(mentor_id: int, mentee_id: int, first: date, last: date) -> Any:
    return (
        select(func.max(LogEntry.occurred_on))
        .where(
            LogEntry.mentee_id == mentee_id,
            LogEntry.mentor_id == mentor_id,
            LogEntry.occurred_on.between(first, last),
            LogEntry.deleted_at.is_(None),
            LogEntry.kind != VISIT,
        )
        .scalar_subquery()
    )


# ---- from the log rows --------------------------------------------------------------------

ENTRY_COLUMNS = (
    LogEntry.id,
    LogEntry.mentor_id,
    LogEntry.mentee_id,
    LogEntry.occurred_on,
    LogEntry.minutes,
    LogEntry.kind,
    LogEntry.batch_id,
)


def entry_from_row(row: Any) -> Entry:
    """A ledger Entry from a row of ENTRY_COLUMNS."""
    entry_id, mentor_id, mentee_id, day, minutes, kind, batch = row
    return Entry(entry_id, mentor_id, mentee_id, day, minutes, kind, batch_key(batch, entry_id))


def live_rows(db: Executor, program_id: int) -> Iterator[EntryRow]:
    """Every live log entry of the program as a plain row, streamed."""
    conn = db.connection() if isinstance(db, Session) else db
    # Streamed by the statement's own option: set on the connection, it would stream (and
    # break) every statement after it in the same transaction.
    result = conn.execute(
        select(*ENTRY_COLUMNS)
        .where(LogEntry.program_id == program_id, LogEntry.deleted_at.is_(None))
        .execution_options(yield_per=CHUNK)
    )
    for entry_id, mentor, mentee, day, minutes, kind, batch in result:
        yield entry_id, mentor, mentee, day, minutes, kind, batch or f"entry-{entry_id}"


def batch_entries(db: Executor, batches: Iterable[str]) -> list[Entry]:
    """The live entries of some batches (what mentor time needs to count a batch once)."""
    wanted = sorted(set(batches))
    if not wanted:
        return []
    rows = db.execute(
        select(*ENTRY_COLUMNS).where(LogEntry.batch_id.in_(wanted), LogEntry.deleted_at.is_(None))
    )
    return [entry_from_row(row) for row in rows]


def stored(db: Executor, program_id: int) -> Rollups:
    """The rollup rows as the surfaces read them."""
    pair_buckets = {
        (r.mentor_id, r.mentee_id, r.bucket_start): _totals(r)
        for r in db.execute(select(PAIR_BUCKETS).where(PAIR_BUCKETS.c.program_id == program_id))
    }
    pair_years = {
        (r.mentor_id, r.mentee_id, r.year_start): _totals(r)
        for r in db.execute(select(PAIR_YEARS).where(PAIR_YEARS.c.program_id == program_id))
    }
    mentor_buckets = {
        (r.mentor_id, r.bucket_start): MentorTime(r.minutes, r.sessions)
        for r in db.execute(select(MENTOR_BUCKETS).where(MENTOR_BUCKETS.c.program_id == program_id))
    }
    scopes = {
        (r.scope, r.grain, r.period_start): Totals(
            r.minutes, r.observations, r.visits, r.visit_minutes, r.contacts
        )
        for r in db.execute(select(SCOPE_TOTALS).where(SCOPE_TOTALS.c.program_id == program_id))
    }
    return Rollups(pair_buckets, pair_years, mentor_buckets, scopes)


def _totals(row: Any) -> Totals:
    return Totals(
        row.minutes, row.observations, row.visits, row.visit_minutes, row.contacts, row.last_contact
    )


def rebuild(db: Executor, program_id: int, start_month: int) -> Rollups:
    """Replace every rollup of the program with a recomputation from the log rows."""
    fresh = rebuild_pairs(db, program_id, start_month).with_scopes(schools_of(db))
    db.execute(delete(SCOPE_TOTALS).where(SCOPE_TOTALS.c.program_id == program_id))
    _insert_chunks(db, SCOPE_TOTALS, scope_rows(program_id, fresh.scopes))
    return fresh


def rebuild_pairs(db: Executor, program_id: int, start_month: int) -> Rollups:
    """Replace the pair and mentor rollups of the program with a recomputation from the log
    rows (the scope totals left as they are: migration 0002's backfill, before they existed)."""
    fresh = recompute_rows(live_rows(db, program_id), start_month).without_zeros()
    for table in (PAIR_BUCKETS, PAIR_YEARS, MENTOR_BUCKETS):
        db.execute(delete(table).where(table.c.program_id == program_id))
    for table, rows in table_rows(program_id, fresh):
        _insert_chunks(db, table, rows)
    return fresh


def rebuild_scopes(db: Executor, program_id: int) -> None:
    """Recompute the program's scope totals from its pair totals and the mentees' schools now
    (after a roster import moved someone to another school)."""
    kept = stored(db, program_id)
    scopes = scope_totals(kept.pair_buckets, kept.pair_years, schools_of(db))
    db.execute(delete(SCOPE_TOTALS).where(SCOPE_TOTALS.c.program_id == program_id))
    _insert_chunks(db, SCOPE_TOTALS, scope_rows(program_id, scopes))


def _insert_chunks(db: Executor, table: Any, rows: Iterable[dict[str, Any]]) -> None:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            db.execute(insert(table), chunk)
            chunk = []
    if chunk:
        db.execute(insert(table), chunk)


# ---- standards coverage -------------------------------------------------------------------
# Per pair, program year and standard: the entries that addressed it and the last day. Kept by
# the same writers, in the same transaction: a write adds counts and moves `last_on` forward
# by an upsert; a write that removes an entry (Undo, an Edit that moves its day) recounts its
# pair-year from the log rows, so `last_on` moves back exactly.

PAIR_STANDARDS: Table = PairStandard.__table__  # type: ignore[assignment]

TAGGED_COLUMNS = (
    LogEntry.mentor_id,
    LogEntry.mentee_id,
    LogEntry.occurred_on,
    LogEntry.kind,
    LogEntry.standards,
)


def apply_coverage(db: Executor, program_id: int, change: CoverageChange, start_month: int) -> None:
    """Apply a write's coverage change (after the log rows are flushed); no statement when
    the entries it touched name no standard."""
    if change.empty:
        return
    rows = [
        {
            "mentor_id": mentor,
            "mentee_id": mentee,
            "year_start": year,
            "standard": code,
            "program_id": program_id,
            "entries": change.entries.get((mentor, mentee, year, code), 0),
            "last_on": change.added_last.get((mentor, mentee, year, code)),
        }
        for mentor, mentee, year, code in sorted(change.entries.keys() | change.added_last.keys())
        if (mentor, mentee, year) not in change.recount
    ]
    if rows:
        conn = db.connection() if isinstance(db, Session) else db
        conn.execute(_coverage_upsert(_dialect(db)), rows)
    for mentor, mentee, year in sorted(change.recount):
        _recount_pair_year(db, program_id, mentor, mentee, year, start_month)


@cache
def _coverage_upsert(dialect: str) -> Any:
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PAIR_STANDARDS)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["mentor_id", "mentee_id", "year_start", "standard"],
        set_={
            "entries": PAIR_STANDARDS.c.entries + excluded.entries,
            "last_on": _later(PAIR_STANDARDS.c.last_on, excluded.last_on),
        },
    )


def _recount_pair_year(
    db: Executor, program_id: int, mentor: int, mentee: int, year: date, start_month: int
) -> None:
    """Replace one pair-year's coverage rows with a recount of its live log rows."""
    last = program_year_of(year, start_month).last
    rows = db.execute(
        select(*TAGGED_COLUMNS).where(
            LogEntry.mentor_id == mentor,
            LogEntry.mentee_id == mentee,
            LogEntry.occurred_on.between(year, last),
            LogEntry.deleted_at.is_(None),
            LogEntry.standards.is_not(None),
        )
    )
    fresh = count_coverage(rows, start_month)
    db.execute(
        delete(PAIR_STANDARDS).where(
            PAIR_STANDARDS.c.mentor_id == mentor,
            PAIR_STANDARDS.c.mentee_id == mentee,
            PAIR_STANDARDS.c.year_start == year,
        )
    )
    if fresh:
        db.execute(insert(PAIR_STANDARDS), list(_coverage_rows(program_id, fresh)))


def _coverage_rows(
    program_id: int, counted: dict[CoverageKey, StandardCount]
) -> Iterator[dict[str, Any]]:
    for (mentor, mentee, year, code), found in counted.items():
        yield {
            "mentor_id": mentor,
            "mentee_id": mentee,
            "year_start": year,
            "standard": code,
            "program_id": program_id,
            "entries": found.entries,
            "last_on": found.last,
        }


def live_tagged_rows(
    db: Executor, program_id: int
) -> Iterator[tuple[int, int, date, str, str | None]]:
    """Every live entry of the program that names a standard, as plain rows, streamed."""
    conn = db.connection() if isinstance(db, Session) else db
    result = conn.execute(
        select(*TAGGED_COLUMNS)
        .where(
            LogEntry.program_id == program_id,
            LogEntry.deleted_at.is_(None),
            LogEntry.standards.is_not(None),
        )
        .execution_options(yield_per=CHUNK)
    )
    rows: Iterator[Any] = iter(result)  # plain rows unpack like tuples
    yield from rows


def stored_coverage(db: Executor, program_id: int) -> dict[CoverageKey, StandardCount]:
    """The kept coverage rows as the surfaces read them (rows that count nothing left out)."""
    return {
        (r.mentor_id, r.mentee_id, r.year_start, r.standard): StandardCount(r.entries, r.last_on)
        for r in db.execute(select(PAIR_STANDARDS).where(PAIR_STANDARDS.c.program_id == program_id))
        if r.entries or r.last_on is not None
    }


def rebuild_coverage(
    db: Executor, program_id: int, start_month: int
) -> dict[CoverageKey, StandardCount]:
    """Replace the program's kept coverage with a recount from the log rows."""
    fresh = count_coverage(live_tagged_rows(db, program_id), start_month)
    db.execute(delete(PAIR_STANDARDS).where(PAIR_STANDARDS.c.program_id == program_id))
    _insert_chunks(db, PAIR_STANDARDS, _coverage_rows(program_id, fresh))
    return fresh


def rebuild_all(db: Executor, program_id: int, start_month: int) -> Rollups:
    """Every kept total of the program recounted from the log rows (`ledger rebuild`, a moved
    program year), and the program's ledger generation bumped so kept reads start afresh."""
    fresh = rebuild(db, program_id, start_month)
    rebuild_coverage(db, program_id, start_month)
    db.execute(
        update(Program)
        .where(Program.id == program_id)
        .values(ledger_generation=Program.ledger_generation + 1)
    )
    return fresh
