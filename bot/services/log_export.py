"""`export logs`: every live entry of a program year, one row each; notes only for coordinators."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.ledger import ProgramYear
from bot.services.errors import NotAllowed
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models.core import LogEntry, Person


@dataclass
class ExportRow:
    """One log entry as exported."""

    id: int
    date: str
    mentor_email: str
    mentee_email: str
    kind: str
    minutes: int
    logged_by_email: str
    source: str
    created_at: str
    notes: str | None = field(default=None)


class LogExport:
    """Reads the log for export; the program year decides which rows belong."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def rows(
        self, *, year: str | None, include_notes: bool, as_email: str | None
    ) -> list[ExportRow]:
        """Every live entry of a program year (default: the program's), in date order."""
        program = self.programs.current()
        period = program.year_named(year)
        with self.store.read() as session:
            if include_notes:
                if not as_email:
                    raise NotAllowed("--include-notes needs --as COORDINATOR_EMAIL.")
                actor = self.people.get(session, program, as_email)
                if not actor.is_coordinator:
                    raise NotAllowed(
                        f"{actor.name} is not a coordinator: notes are confidential to the pair."
                    )
            return _rows(session, program, period, include_notes=include_notes)

    def hand_back(self, program: ProgramInfo) -> list[tuple[ProgramYear, list[ExportRow]]]:
        """Every live entry with its notes, by program year (each year that holds an entry,
        oldest first): what `export all` hands the district back, the program's own data."""
        with self.store.read() as session:
            first, last = session.execute(
                select(func.min(LogEntry.occurred_on), func.max(LogEntry.occurred_on)).where(
                    LogEntry.program_id == program.id, LogEntry.deleted_at.is_(None)
                )
            ).one()
            found: list[tuple[ProgramYear, list[ExportRow]]] = []
            if first is None or last is None:
                return found
            period = program.year_of(first)
            emails = _emails(session, program)
            while period.first <= last:
                rows = _rows(session, program, period, include_notes=True, emails=emails)
                if rows:
                    found.append((period, rows))
                period = period.following()
            return found


def _emails(session: Session, program: ProgramInfo) -> dict[int, str]:
    """Everyone's email in the program, by person id (the export names people by email)."""
    return {
        person_id: email
        for person_id, email in session.execute(
            select(Person.id, Person.email).where(Person.program_id == program.id)
        )
    }


def _rows(
    session: Session,
    program: ProgramInfo,
    period: ProgramYear,
    *,
    include_notes: bool,
    emails: dict[int, str] | None = None,
) -> list[ExportRow]:
    """The live entries of one program year as exported, in date order (`emails`: already
    read, for several years in a row)."""
    emails = emails if emails is not None else _emails(session, program)
    entries = session.scalars(
        select(LogEntry)
        .where(
            LogEntry.program_id == program.id,
            LogEntry.deleted_at.is_(None),
            LogEntry.occurred_on.between(period.first, period.last),
        )
        .order_by(LogEntry.occurred_on, LogEntry.id)
    )
    return [
        ExportRow(
            id=e.id,
            date=e.occurred_on.isoformat(),
            mentor_email=emails[e.mentor_id],
            mentee_email=emails[e.mentee_id],
            kind=e.kind,
            minutes=e.minutes,
            logged_by_email=emails[e.logged_by_id],
            source=e.source,
            created_at=e.created_at.isoformat(),
            notes=e.notes if include_notes else None,
        )
        for e in entries
    ]
