"""The ledger's totals as the scheduler reads them every tick, kept between ticks: a steady tick
reads only what changed since the last one; a cold one (the first, or after a rebuild) reads in
bulk.

What changed is read from the log's audit trail: every write of a log entry (log, Undo, Edit,
group session) adds `log_audit` rows in its transaction, with ids from a sequence. A tick asks
for the rows past its watermark and re-reads the totals of the mentees they name (a handful of
rows) into what it kept. On PostgreSQL a transaction may commit after one that took a later id,
so ids below the watermark that were not there yet are asked for again for `GAP_TICKS` ticks (a
rolled-back insert leaves a gap for good). `ledger rebuild` (and a moved program year) bumps the
program's `ledger_generation`: everything is read afresh. The database stays the truth: nothing
here is written, and a restart starts cold.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.ledger import ProgramYear, Totals
from bot.domain.standards import StandardCount
from bot.services import ledger
from bot.services.programs import ProgramInfo
from bot.store.models.core import LogAudit, LogEntry, Program

Pair = tuple[int, int]  # mentor, mentee
GAP_TICKS = 10  # ticks an id below the watermark is waited for (a transaction still open)
COLD_START_WINDOW = 1_000  # ids below the first watermark checked for transactions still open
MAX_CHANGED = 2_000  # more mentees changed than this: read everything in bulk instead


@dataclass
class _Mark:
    """How far the audit trail has been read."""

    program_id: int
    generation: int
    last_id: int
    gaps: dict[int, int] = field(default_factory=dict)  # missing id → ticks left to wait


class KeptLedgerReads:
    """The scheduler's ledger reads, kept from one tick to the next (one process, one thread:
    the tick; other threads read through `LedgerReads`)."""

    def __init__(self) -> None:
        self._mark: _Mark | None = None
        self._kept: dict[tuple[Any, ...], Any] = {}

    def forget(self) -> None:
        """Start cold: the next tick reads everything in bulk."""
        self._mark, self._kept = None, {}

    def refresh(self, session: Session, program: ProgramInfo) -> frozenset[int] | None:
        """Catch up with the ledger's writes since the last call: the mentees whose totals were
        re-read, or None when everything will be read afresh (cold)."""
        generation = session.scalar(
            select(Program.ledger_generation).where(Program.id == program.id)
        )
        mark = self._mark
        if mark is None or mark.program_id != program.id or mark.generation != generation:
            self._start(session, program.id, int(generation or 0))
            return None
        changed, seen = self._changes_since(session, mark)
        self._advance(mark, seen)
        if len(changed) > MAX_CHANGED:
            self._start(session, program.id, mark.generation)
            return None
        if changed:
            self._reread(session, program, changed)
        return frozenset(changed)

    def _start(self, session: Session, program_id: int, generation: int) -> None:
        last = int(session.scalar(select(func.max(LogAudit.id))) or 0)
        present = set(
            session.scalars(select(LogAudit.id).where(LogAudit.id > last - COLD_START_WINDOW))
        )
        gaps = {i: GAP_TICKS for i in range(max(last - COLD_START_WINDOW, 0) + 1, last + 1)}
        self._mark = _Mark(
            program_id, generation, last, {i: t for i, t in gaps.items() if i not in present}
        )
        self._kept = {}

    @staticmethod
    def _changes_since(session: Session, mark: _Mark) -> tuple[set[int], set[int]]:
        """The mentees named by audit rows past the watermark or in its gaps, and those ids."""
        wanted = LogAudit.id > mark.last_id
        if mark.gaps:
            wanted = wanted | LogAudit.id.in_(sorted(mark.gaps))
        changed: set[int] = set()
        seen: set[int] = set()
        for audit_id, mentee_id in session.execute(
            select(LogAudit.id, LogEntry.mentee_id)
            .join(LogEntry, LogEntry.id == LogAudit.log_entry_id)
            .where(wanted)
        ):
            seen.add(audit_id)
            changed.add(mentee_id)
        return changed, seen

    @staticmethod
    def _advance(mark: _Mark, seen: set[int]) -> None:
        newest = max(seen | {mark.last_id})
        gaps = {i: t - 1 for i, t in mark.gaps.items() if i not in seen and t > 1}
        gaps.update({i: GAP_TICKS for i in range(mark.last_id + 1, newest) if i not in seen})
        mark.gaps, mark.last_id = gaps, newest

    def _reread(self, session: Session, program: ProgramInfo, mentees: set[int]) -> None:
        """Replace what is kept about these mentees with their current totals."""
        for key, value in self._kept.items():
            kind = key[0]
            if kind == "mentee_years":
                for mentee in mentees & value.keys():
                    del value[mentee]
                continue
            for pair in [p for p in value if p[1] in mentees]:
                del value[pair]
            value.update(_READERS[kind](session, program, key[1:], mentees))

    def _get(self, session: Session, program: ProgramInfo, key: tuple[Any, ...]) -> dict[Any, Any]:
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = _READERS[key[0]](session, program, key[1:], None)
        return found

    # ---- the reads ---------------------------------------------------------------------------
    def last_contacts(self, session: Session, program: ProgramInfo) -> dict[Pair, date]:
        """`ledger.last_contacts`, kept."""
        return self._get(session, program, ("last_contacts",))

    def pairs_between(
        self, session: Session, program: ProgramInfo, first: date, last: date
    ) -> dict[Pair, Totals]:
        """`ledger.pairs_between`, kept per span."""
        return self._get(session, program, ("pairs_between", first, last))

    def coverage(
        self, session: Session, program: ProgramInfo, year: ProgramYear
    ) -> dict[Pair, dict[str, StandardCount]]:
        """`ledger.kept_counts` of the whole program for a year, kept per year."""
        return self._get(session, program, ("coverage", year))

    def mentee_years(
        self, session: Session, program: ProgramInfo, mentee_ids: Collection[int]
    ) -> dict[int, dict[date, Totals]]:
        """`ledger.mentee_years`, kept per mentee (only those not kept yet are read)."""
        kept: dict[int, dict[date, Totals]] = self._kept.setdefault(("mentee_years",), {})
        missing = [m for m in mentee_ids if m not in kept]
        if missing:
            found = ledger.mentee_years(session, program, missing)
            for mentee in missing:
                kept[mentee] = found.get(mentee, {})
        return {m: kept[m] for m in mentee_ids if kept[m]}


def _last_contacts(
    session: Session, program: ProgramInfo, _: tuple[Any, ...], mentees: Collection[int] | None
) -> dict[Pair, date]:
    return ledger.last_contacts(session, program, mentees)


def _pairs_between(
    session: Session, program: ProgramInfo, key: tuple[Any, ...], mentees: Collection[int] | None
) -> dict[Pair, Totals]:
    return ledger.pairs_between(session, program, key[0], key[1], mentees)


def _coverage(
    session: Session, program: ProgramInfo, key: tuple[Any, ...], mentees: Collection[int] | None
) -> dict[Pair, dict[str, StandardCount]]:
    return ledger.kept_counts(session, program, key[0], mentees)


_READERS: dict[
    str, Callable[[Session, ProgramInfo, tuple[Any, ...], Collection[int] | None], dict[Any, Any]]
] = {
    "last_contacts": _last_contacts,
    "pairs_between": _pairs_between,
    "coverage": _coverage,
}


class LedgerReads:
    """The same reads straight from the store (outside a tick: Home, `jobs run`)."""

    def last_contacts(self, session: Session, program: ProgramInfo) -> dict[Pair, date]:
        """`ledger.last_contacts`."""
        return ledger.last_contacts(session, program)

    def pairs_between(
        self, session: Session, program: ProgramInfo, first: date, last: date
    ) -> dict[Pair, Totals]:
        """`ledger.pairs_between`."""
        return ledger.pairs_between(session, program, first, last)

    def coverage(
        self, session: Session, program: ProgramInfo, year: ProgramYear
    ) -> dict[Pair, dict[str, StandardCount]]:
        """`ledger.kept_counts` of the whole program for a year."""
        return ledger.kept_counts(session, program, year)

    def mentee_years(
        self, session: Session, program: ProgramInfo, mentee_ids: Collection[int]
    ) -> dict[int, dict[date, Totals]]:
        """`ledger.mentee_years`."""
        return ledger.mentee_years(session, program, mentee_ids)
