"""`ledger verify` and `ledger rebuild`: the kept totals (per pair, per mentor, per school and for
the program) against a recount from the log rows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.domain.ledger import EntryRow, MentorTime, Rollups, Totals, recompute_rows
from bot.domain.standards import CoverageKey, StandardCount, count_coverage
from bot.services.programs import ProgramService
from bot.store import rollups
from bot.store.db import Store


@dataclass(frozen=True)
class Difference:
    """A rollup row that disagrees with the log rows."""

    table: str
    key: tuple[Any, ...]
    stored: Any
    counted: Any

    def __str__(self) -> str:
        key = " ".join(str(part) for part in self.key)
        return (
            f"{self.table} [{key}]: stored {_describe(self.stored)}; "
            f"log rows say {_describe(self.counted)}"
        )


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, MentorTime):
        return f"{value.minutes} min in {value.sessions} sessions"
    if isinstance(value, StandardCount):
        return f"{value.entries} entries, last {value.last}"
    assert isinstance(value, Totals)
    return (
        f"{value.minutes} min, {value.observations} observations, {value.visits} visits "
        f"({value.visit_minutes} min), {value.contacts} contacts, last {value.last_contact}"
    )


def differences(stored: Rollups, counted: Rollups) -> list[Difference]:
    """Every row where the stored rollups and a recomputation disagree (zero rows = absent)."""
    found: list[Difference] = []
    left, right = stored.without_zeros(), counted.without_zeros()
    tables: list[tuple[str, dict[Any, Any], dict[Any, Any]]] = [
        ("ledger_pair_buckets", left.pair_buckets, right.pair_buckets),
        ("ledger_pair_years", left.pair_years, right.pair_years),
        ("ledger_mentor_buckets", left.mentor_buckets, right.mentor_buckets),
        ("ledger_scope_totals", left.scopes, right.scopes),
    ]
    for name, kept, fresh in tables:
        for key in sorted(kept.keys() | fresh.keys()):
            if kept.get(key) != fresh.get(key):
                found.append(Difference(name, key, kept.get(key), fresh.get(key)))
    return found


def coverage_differences(
    stored: dict[CoverageKey, StandardCount], counted: dict[CoverageKey, StandardCount]
) -> list[Difference]:
    """Every kept standards-coverage row that a recount from the log rows disagrees with."""
    return [
        Difference("ledger_pair_standards", key, stored.get(key), counted.get(key))
        for key in sorted(stored.keys() | counted.keys())
        if stored.get(key) != counted.get(key)
    ]


@dataclass(frozen=True)
class Verification:
    """What `ledger verify` found."""

    entries: int
    rows: int
    differences: tuple[Difference, ...]
    seconds: float


class LedgerService:
    """Checks and rebuilds the totals kept at write time."""

    def __init__(self, store: Store, programs: ProgramService) -> None:
        self.store = store
        self.programs = programs

    def verify(self) -> Verification:
        """Recompute every total from the log rows and compare with the stored rollups."""
        program = self.programs.current()
        began = time.perf_counter()
        entries = 0

        def counted_rows() -> Iterator[EntryRow]:
            nonlocal entries
            for row in rollups.live_rows(session, program.id):
                entries += 1
                yield row

        with self.store.read() as session:
            counted = recompute_rows(counted_rows(), program.year_start_month).with_scopes(
                rollups.schools_of(session)
            )
            kept = rollups.stored(session, program.id)
            covered = count_coverage(
                rollups.live_tagged_rows(session, program.id), program.year_start_month
            )
            kept_coverage = rollups.stored_coverage(session, program.id)
        found = differences(kept, counted) + coverage_differences(kept_coverage, covered)
        rows = (
            len(kept.pair_buckets)
            + len(kept.pair_years)
            + len(kept.mentor_buckets)
            + len(kept.scopes)
            + len(kept_coverage)
        )
        return Verification(entries, rows, tuple(found), time.perf_counter() - began)

    def rebuild(self) -> Rollups:
        """Replace the stored rollups (standards coverage too) with a recomputation from the
        log rows."""
        program = self.programs.current()
        with self.store.write() as session:
            return rollups.rebuild_all(session, program.id, program.year_start_month)
