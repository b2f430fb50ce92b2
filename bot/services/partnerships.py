"""Partnerships (report item h): entered, listed and removed by the coordinator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from bot.domain.partnerships import (
    PartnershipLine,
    PartnershipsSummary,
    clean_partnership,
    partnerships_source,
)
from bot.services.errors import Refusal
from bot.services.programs import ProgramService
from bot.store.db import Store
from bot.store.models.core import Partnership


class PartnershipService:
    """The program's partnerships, as the coordinator entered them."""

    def __init__(self, store: Store, programs: ProgramService) -> None:
        self.store = store
        self.programs = programs

    def add(self, name: str, kind: str, supports: str, now: datetime) -> PartnershipLine:
        """Enter a partnership; a Refusal names every problem (nothing stored)."""
        program = self.programs.current(now)
        cleaned = clean_partnership(name, kind, supports)
        if isinstance(cleaned, list):
            raise Refusal("; ".join(cleaned) + ". Nothing was stored.")
        with self.store.write() as session:
            taken = session.scalar(
                select(Partnership.id).where(
                    Partnership.program_id == program.id,
                    func.lower(Partnership.name) == cleaned.name.lower(),
                )
            )
            if taken is not None:
                raise Refusal(
                    f"{cleaned.name!r} is already entered; remove it first to change it. "
                    "Nothing was stored."
                )
            session.add(
                Partnership(
                    program_id=program.id,
                    name=cleaned.name,
                    kind=cleaned.kind,
                    supports=cleaned.supports,
                    created_at=now,
                )
            )
        return cleaned

    def remove(self, name: str, now: datetime) -> None:
        """Remove a partnership by name (any case); a Refusal when there is none."""
        program = self.programs.current(now)
        with self.store.write() as session:
            removed = session.execute(
                delete(Partnership).where(
                    Partnership.program_id == program.id,
                    func.lower(Partnership.name) == " ".join(name.split()).lower(),
                )
            ).rowcount  # type: ignore[attr-defined]
        if not removed:
            raise Refusal(f"There is no partnership called {name!r}.")

    def summary(self, now: datetime) -> PartnershipsSummary:
        """Report item (h): every partnership, by name."""
        program = self.programs.current(now)
        with self.store.read() as session:
            rows = session.execute(
                select(Partnership.name, Partnership.kind, Partnership.supports)
                .where(Partnership.program_id == program.id)
                .order_by(func.lower(Partnership.name))
            ).all()
        lines = tuple(PartnershipLine(row.name, row.kind, row.supports) for row in rows)
        return PartnershipsSummary(lines, partnerships_source(lines))
