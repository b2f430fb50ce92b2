"""The program: its TOML config, policy and school calendar, as stored."""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import Clock, SystemClock
from bot.domain.calendar import SchoolCalendar, local_date, week_target
from bot.domain.ledger import (
    DEFAULT_YEAR_START_MONTH,
    Periods,
    ProgramYear,
    program_year_by_label,
    program_year_of,
)
from bot.domain.policy import Policy, ProgramConfig, parse_program_toml, program_to_toml
from bot.services.errors import NoProgram, Refusal
from bot.store import rollups
from bot.store.db import Store
from bot.store.models.core import Program, ProgramYearConfig

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

    def weekly_target(self, day: date) -> int | None:
        """The week's target for the week of `day`: the policy's, prorated by its school days;
        None when the policy sets no weekly target (its pace is its own period's: `paces`)."""
        weekly = self.policy.weekly_target_minutes
        return week_target(self.calendar, weekly, day) if weekly else None

    def periods(self, now: datetime) -> Periods:
        """Today's week, month and program year in the program timezone."""
        return Periods.on(self.today(now), self.year_start_month)


@lru_cache(maxsize=32)
def parse_program(program_id: int, toml_text: str) -> ProgramInfo:
    config = parse_program_toml(toml_text)
    return ProgramInfo(
        id=program_id,
        config=config,
        policy=config.effective_policy(),
        calendar=SchoolCalendar.from_config(config),
    )


@dataclass(frozen=True)
class KeptYears:
    """Every program year the program keeps, in order; the one holding a day is current."""

    years: tuple[ProgramInfo, ...]
    rolled_over: frozenset[str] = frozenset()  # labels of years whose predecessor was closed

    def on(self, day: date) -> ProgramInfo:
        """The year holding `day`: the latest begun by then (before the first: the first)."""
        begun = [info for info in self.years if info.year.first <= day]
        return begun[-1] if begun else self.years[0]

    def named(self, year: ProgramYear) -> ProgramInfo | None:
        """The kept settings of a program year, or None when it was never loaded."""
        return next((info for info in self.years if info.year == year), None)

    @property
    def latest(self) -> ProgramInfo:
        """The last year loaded (the next one, once it has been started ahead of time)."""
        return self.years[-1]


class ProgramService:
    """Create, update and read the program and its program years: the one it is bound to
    (`program_id`: one workspace's), or the database's one program (unbound).

    Each program year keeps its own settings (school calendar, policy); the year holding today
    (the clock's) is the current one, so a year started ahead of time takes over on its first
    day. The years are read on every request, so they are kept for a few seconds; `program load`
    in another process is seen within CACHE_SECONDS."""

    def __init__(
        self,
        store: Store,
        clock: Clock | None = None,
        *,
        cache_seconds: float = CACHE_SECONDS,
        email_on: bool = False,
        program_id: int | None = None,
    ) -> None:
        self.store = store
        # Bound to one program (one workspace's, many on one database); None: the one program
        # (the first, when there are several), as a single-workspace deployment has.
        self.program_id = program_id
        self.clock: Clock = clock or SystemClock()
        self.email_on = email_on  # the deployment sends email: people without Slack get it
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, KeptYears] | None = None

    def load(
        self,
        config: ProgramConfig,
        *,
        team_id: str | None = None,
        enterprise_id: str | None = None,
    ) -> tuple[ProgramInfo, bool]:
        """Create the program, or update the settings of the program year the config names
        (adding that year when it is new); True when the program was created. With `team_id`
        (unbound only): a new program for that workspace."""
        toml_text = program_to_toml(config)
        with self.store.write() as session:
            if team_id is not None:
                program = None
            elif self.program_id is not None:
                program = session.get(Program, self.program_id)
                if program is None:
                    raise NoProgram()
            else:
                program = session.scalars(select(Program).order_by(Program.id).limit(1)).first()
            created = program is None
            rebuild = False
            if program is None:
                program = Program(team_id=team_id, enterprise_id=enterprise_id)
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
            keep_year(session, program_id, config, moved=rebuild)
            if rebuild:  # the program years moved: their totals are counted anew
                rollups.rebuild_all(session, program_id, config.program_year_start_month)
        self._cached = None
        return parse_program(program_id, toml_text), created

    def kept(self) -> KeptYears | None:
        """Every kept program year, or None before a program is loaded."""
        cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        query = (
            select(
                ProgramYearConfig.program_id,
                ProgramYearConfig.label,
                ProgramYearConfig.config_toml,
                ProgramYearConfig.rolled_over_at,
            )
            .join(Program, Program.id == ProgramYearConfig.program_id)
            .order_by(Program.id, ProgramYearConfig.first_day)
        )
        if self.program_id is not None:
            query = query.where(ProgramYearConfig.program_id == self.program_id)
        with self.store.read() as session:
            rows = session.execute(query).all()
        if not rows:
            return None
        first_program = rows[0].program_id
        mine = [row for row in rows if row.program_id == first_program]
        kept = KeptYears(
            tuple(parse_program(row.program_id, row.config_toml) for row in mine),
            frozenset(row.label for row in mine if row.rolled_over_at is not None),
        )
        self._cached = (time.monotonic(), kept)
        return kept

    def current_id(self) -> int:
        """The id of the program this service reads (bound: its own; else the first);
        raises NoProgram before one is loaded."""
        if self.program_id is not None:
            return self.program_id
        return self.current().id

    def forget(self) -> None:
        """Read the years again on the next call (after a change made here)."""
        self._cached = None

    def find(self, now: datetime | None = None) -> ProgramInfo | None:
        """The current program year's settings (as of `now`, default the clock's), or None
        before a program is loaded."""
        kept = self.kept()
        if kept is None:
            return None
        when = now if now is not None else self.clock.now()
        return kept.on(kept.latest.today(when))

    def current(self, now: datetime | None = None) -> ProgramInfo:
        """The current program year's settings; raises NoProgram before one is loaded."""
        program = self.find(now)
        if program is None:
            raise NoProgram()
        return program

    def for_year(self, label: str | None, now: datetime | None = None) -> ProgramInfo:
        """The settings of a named program year ("2026-27"; None: the current one); a Refusal
        names the kept years when that one was never loaded."""
        program = self.current(now)
        if label is None:
            return program
        year = program.year_named(label)
        kept = self.kept()
        found = kept.named(year) if kept is not None else None
        if found is None:
            labels = ", ".join(info.year.label for info in kept.years) if kept else "none"
            raise Refusal(
                f"No program is loaded for {year.label} (this program keeps {labels}). "
                "Start a year with `mentor-minutes year start FILE.toml`."
            )
        return found


def keep_year(
    session: Session, program_id: int, config: ProgramConfig, *, moved: bool = False
) -> None:
    """Insert or update the kept settings of the config's program year (`moved`: the program
    years begin in another month now, so every kept year's first day moves)."""
    toml_text = program_to_toml(config)
    year = config.program_year
    if moved:  # the program years moved: every kept year's first day with them
        for row in session.scalars(
            select(ProgramYearConfig).where(ProgramYearConfig.program_id == program_id)
        ):
            kept_config = parse_program_toml(row.config_toml)
            row.first_day = program_year_of(
                kept_config.school_year_start, config.program_year_start_month
            ).first
    kept = session.scalars(
        select(ProgramYearConfig).where(
            ProgramYearConfig.program_id == program_id,
            ProgramYearConfig.label == config.school_year_label,
        )
    ).first()
    if kept is None:
        kept = ProgramYearConfig(program_id=program_id, label=config.school_year_label)
        session.add(kept)
    row = kept
    row.first_day = year.first
    row.config_toml = toml_text
    session.flush()
