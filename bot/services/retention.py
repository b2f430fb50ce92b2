"""Hiring and retention (report item f): the roster's hire and exit dates across the kept
program years, counted by the rules of `bot/domain/retention.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from bot.domain.formatting import format_day
from bot.domain.ledger import ProgramYear, induction_year_of
from bot.domain.retention import HORIZONS, Employee, RetentionSummary, Successor, retention_summary
from bot.services.programs import KeptYears, ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models.core import Person, PersonRole

BEGINNING_TEACHERS = ("beginning_teacher",)
BEGINNING_ADMINISTRATORS = ("beginning_administrator",)


class RetentionService:
    """Hires per program year and retention of beginning educators into the next years."""

    def __init__(self, store: Store, programs: ProgramService) -> None:
        self.store = store
        self.programs = programs

    def summary(
        self,
        year: str | None,
        now: datetime,
        educator_types: tuple[str, ...] = BEGINNING_TEACHERS,
    ) -> RetentionSummary:
        """Report item (f) for a program year (None: the current one): hires of these educator
        types, and retention of those in their induction year into N+1 and N+2, by school too."""
        return self.summaries(year, now, (educator_types,))[0]

    def summaries(
        self, year: str | None, now: datetime, groups: Sequence[tuple[str, ...]]
    ) -> tuple[RetentionSummary, ...]:
        """`summary` for several groups of educator types, from one read of the roster."""
        program = self.programs.for_year(year, now)
        kept = self.programs.kept()
        assert kept is not None  # for_year raised otherwise
        with self.store.read() as session:
            mentees = set(
                session.scalars(
                    select(PersonRole.person_id).where(
                        PersonRole.role == "mentee", PersonRole.school_year == program.school_year
                    )
                )
            )
            people = session.execute(
                select(
                    Person.id,
                    Person.school,
                    Person.educator_type,
                    Person.hire_date,
                    Person.exit_date,
                    Person.induction_school_year,
                ).where(Person.program_id == program.id)
            ).all()
        employees = [
            Employee(
                id=row.id,
                school=row.school,
                educator_type=row.educator_type,
                hire_date=row.hire_date,
                exit_date=row.exit_date,
                induction=induction_year_of(
                    row.hire_date,
                    program.config.school_year_start,
                    program.year_start_month,
                    row.induction_school_year,
                ),
                mentee_in_year=row.id in mentees,
            )
            for row in people
        ]
        successors = self._successors(program, kept, now)
        return tuple(
            retention_summary(program.year, types, employees, successors) for types in groups
        )

    @staticmethod
    def _successors(program: ProgramInfo, kept: KeptYears, now: datetime) -> list[Successor]:
        """The years after the counted one, each with its first school day once begun."""
        found: list[Successor] = []
        year: ProgramYear = program.year
        today = program.today(now)
        for _ in HORIZONS:
            year = year.following()
            info = kept.named(year)
            if info is None:
                found.append(
                    Successor(
                        year.label,
                        None,
                        f"no successor year yet: {year.label} "
                        "is not started (mentor-minutes year start)",
                    )
                )
                continue
            start = info.config.school_year_start
            if today < start:
                found.append(
                    Successor(
                        year.label,
                        None,
                        f"no successor year yet: {year.label}'s school year begins "
                        f"{format_day(start)}",
                    )
                )
                continue
            found.append(Successor(year.label, start))
        return found
