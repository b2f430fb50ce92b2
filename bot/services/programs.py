"""The program: its TOML config, policy and school calendar, as stored."""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.calendar import SchoolCalendar, local_date, week_target
from bot.ledger import (
    DEFAULT_YEAR_START_MONTH,
    Periods,
    ProgramYear,
    program_year_by_label,
    program_year_of,
)
from bot.policy import Policy, ProgramConfig, parse_program_toml, program_to_toml
from bot.services.errors import NoProgram, Refusal
from bot.store import rollups
from bot.store.db import Store
from bot.store.models import Program

CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class ProgramInfo:
    """The loaded program with its effective policy and calendar."""

    id: int
    config: ProgramConfig
    policy: Policy
    calendar: SchoolCalendar

    @property
    def name(self) -> str:
        """The district's program name."""
        return self.config.name

    @property
    def tz(self) -> ZoneInfo:
        """The program timezone."""
        return ZoneInfo(self.config.timezone)

    @property
    def school_year(self) -> str:
        """The school-year label, e.g. "2026-27"."""
        return self.config.school_year_label

    def today(self, now: datetime) -> date:
        """The local date in the program timezone at an instant."""
        return local_date(now, self.tz)

    @property
    def year_start_month(self) -> int:
        """The month program years begin in (7: July to June)."""
        return self.config.program_year_start_month

    @property
    def year(self) -> ProgramYear:
        """The program year that holds the loaded school year."""
        return self.config.program_year

    def year_of(self, day: date) -> ProgramYear:
        """The program year a day belongs to (every day belongs to exactly one)."""
        return program_year_of(day, self.year_start_month)

    def year_named(self, label: str | None) -> ProgramYear:
        """The program year a label such as "2026-27" names (None: the loaded one)."""
        if label is None:
            return self.year
        try:
            return program_year_by_label(label, self.year_start_month)
        except ValueError as exc:
            raise Refusal(f"{exc} (this program's year is {self.year.label}).") from None

    def weekly_target(self, day: date) -> int:
        """The week's target for the week of `day`: the policy's, prorated by its school days."""
        return week_target(self.calendar, self.policy.weekly_target_minutes, day)

    def periods(self, now: datetime) -> Periods:
        """Today's week, month and program year in the program timezone."""
        return Periods.on(self.today(now), self.year_start_month)


@lru_cache(maxsize=32)
def _parse(program_id: int, toml_text: str) -> ProgramInfo:
    config = parse_program_toml(toml_text)
    return ProgramInfo(
        id=program_id,
        config=config,
        policy=config.effective_policy(),
        calendar=SchoolCalendar.from_config(config),
    )


class ProgramService:
    """Create, update and read the program (one per database).

    The program is read on every request, so it is kept for a few seconds; `program load` in
    another process is seen within CACHE_SECONDS."""

    def __init__(self, store: Store, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, ProgramInfo] | None = None

    def load(self, config: ProgramConfig) -> tuple[ProgramInfo, bool]:
        """Create or update the program from a validated config; True when created."""
        toml_text = program_to_toml(config)
        with self.store.write() as session:
            program = session.scalars(select(Program).order_by(Program.id).limit(1)).first()
            created = program is None
            rebuild = False
            if program is None:
                program = Program()
                session.add(program)
            else:
                stored = tomllib.loads(program.config_toml or "")
                previous = stored.get("program_year_start_month", DEFAULT_YEAR_START_MONTH)
                rebuild = previous != config.program_year_start_month
            program.name = config.name
            program.timezone = config.timezone
            program.policy = config.policy
            program.school_year_start = config.school_year_start
            program.school_year_end = config.school_year_end
            program.config_toml = toml_text
            session.flush()
            program_id = program.id
            if rebuild:  # the program years moved: their totals are counted anew
                rollups.rebuild(session, program_id, config.program_year_start_month)
        self._cached = None
        return _parse(program_id, toml_text), created

    def find(self) -> ProgramInfo | None:
        """The program, or None before one is loaded."""
        cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        with self.store.read() as session:
            row = session.execute(
                select(Program.id, Program.config_toml).order_by(Program.id).limit(1)
            ).first()
        if row is None:
            return None
        info = _parse(row.id, row.config_toml)
        self._cached = (time.monotonic(), info)
        return info

    def current(self) -> ProgramInfo:
        """The program; raises NoProgram before one is loaded."""
        program = self.find()
        if program is None:
            raise NoProgram()
        return program
