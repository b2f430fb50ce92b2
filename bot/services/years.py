"""The program year as a lifecycle: start the next year from its program file and roster
(preview, then apply), close the old year's assignments on its last day, carry educators into
their year 2 or 3, and remind coordinators in June to prepare the next year.

A started year is kept beside the old one (`program_years`); the year holding today is the
current one, so a year started in June takes over on its first day, when the deadline sweep
closes the old year (`roll_over`). The old year stays readable: `/hours year 2026-27`,
`export logs --year`, `report annual --year`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.ledger import induction_year_number, induction_year_of
from bot.domain.members import Member
from bot.domain.notices import NextYearReminder, Nudge
from bot.domain.policy import ProgramConfig, program_to_toml
from bot.services.errors import Refusal
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService, keep_year, parse_program
from bot.services.roster import RosterCheck, RosterService, SlackDirectory
from bot.store.db import Store
from bot.store.locks import lock_for_pair_end
from bot.store.models.core import Assignment, LogEntry, Person, PersonRole, ProgramYearConfig

CARRIED_YEARS = (2, 3)  # beyond the induction year, toward the 50 hours (603 CMR 7.04)
REMIND_DAYS_BEFORE_END = 30  # June, when program years end on 30 June


@dataclass(frozen=True)
class Carried:
    """An educator of the old year moving into the new one without a roster row."""

    name: str
    email: str
    year: int  # their year of induction in the new program year
    inferred: bool  # from the hire date: the roster never gave their induction year


@dataclass(frozen=True)
class Ending:
    """An assignment of the old year that ends on its last day."""

    mentor: str
    mentee: str
    started_on: date


@dataclass
class YearStart:
    """What starting the next year does (or, in a dry run, would do)."""

    old: str
    new: str
    new_first: date
    ends_on: date  # the old year's last day: its open assignments end then
    roster: RosterCheck
    ending: list[Ending] = field(default_factory=list)
    carried: list[Carried] = field(default_factory=list)
    completed: list[Carried] = field(default_factory=list)  # past year 3: not carried
    applied: bool = False
    closed_now: bool = False  # the new year has begun: the old one was closed at once


class YearService:
    """Starts program years and closes the old one."""

    def __init__(
        self, store: Store, programs: ProgramService, people: PeopleService, roster: RosterService
    ) -> None:
        self.store = store
        self.programs = programs
        self.people = people
        self.roster = roster

    def start(
        self,
        config: ProgramConfig,
        roster_text: str,
        now: datetime,
        *,
        dry_run: bool = False,
        directory: SlackDirectory | None = None,
    ) -> YearStart:
        """Check the next year's program and roster; unless a dry run (or the roster has bad
        rows), keep the year, import its roster, carry year-2/3 educators forward, and close the
        old year now if the new one has already begun. Nothing is stored on any refusal."""
        kept = self.programs.kept()
        if kept is None:
            raise Refusal("There is no program yet: load one with `mentor-minutes program load`.")
        old = kept.latest
        self._check_next(config, old, [info.school_year for info in kept.years])
        new = parse_program(old.id, program_to_toml(config))
        checked = self.roster.check(roster_text, new, dry_run=True, directory=directory)
        plan = YearStart(old.school_year, new.school_year, new.year.first, old.year.last, checked)
        listed = {row.email for row in checked.rows}
        with self.store.read() as session:
            plan.ending = _open_assignments(session, old)
            self._carry(session, old, new, listed, plan)
        if dry_run or not checked.report.ok:
            return plan
        checked.report.dry_run = False
        checked.report.created.clear()
        checked.report.updated.clear()
        checked.report.unchanged.clear()
        checked.report.inferred.clear()
        with self.store.write() as session:
            keep_year(session, old.id, config)
            RosterService.write(session.connection(), new, checked)
            emails = {c.email for c in plan.carried}
            ids = session.scalars(
                select(Person.id).where(Person.program_id == old.id, Person.email.in_(emails))
            ).all()
            session.add_all(
                PersonRole(person_id=pid, role="mentee", school_year=new.school_year) for pid in ids
            )
        self.programs.forget()
        plan.applied = True
        plan.closed_now = self.roll_over(now) is not None
        return plan

    @staticmethod
    def _check_next(config: ProgramConfig, old: ProgramInfo, kept: list[str]) -> None:
        label = config.school_year_label
        if label in kept:
            raise Refusal(
                f"{label} is already started. To change its settings, use "
                f"`mentor-minutes program load FILE.toml`; its roster: "
                f"`mentor-minutes roster import FILE.csv --year {label}`."
            )
        following = old.year.following()
        if config.program_year != following:
            raise Refusal(
                f"The year after {old.year.label} is {following.label} ({following.first} to "
                f"{following.last}); this file's school year {label} "
                f"({config.school_year_start} to {config.school_year_end}) is not in it."
            )

    def _carry(
        self,
        session: Session,
        old: ProgramInfo,
        new: ProgramInfo,
        listed: set[str],
        plan: YearStart,
    ) -> None:
        """Mentees of the old year the new roster does not list: into year 2 or 3, or done."""
        for member in self.people.all_members(session, old):
            if "mentee" not in member.roles or not member.active or member.email in listed:
                continue
            year = new_year_of(member, new)
            carried = Carried(member.name, member.email, year, member.induction_school_year is None)
            (plan.carried if year in CARRIED_YEARS else plan.completed).append(carried)

    def roll_over(self, now: datetime) -> int | None:
        """Once the current year has begun, end the previous year's open assignments on its
        last day (once: the first call claims it). The number ended, or None when there was
        nothing to close (first year kept, or closed already)."""
        kept = self.programs.kept()
        if kept is None:
            return None
        current = kept.on(kept.latest.today(now))
        index = kept.years.index(current)
        if index == 0 or current.school_year in kept.rolled_over:
            return None
        previous = kept.years[index - 1]
        # A pair that logged in the new year before this ran ends on its last entry's day, so
        # no entry is left outside its pair.
        last_entry = (
            select(func.max(LogEntry.occurred_on))
            .where(
                LogEntry.mentor_id == Assignment.mentor_id,
                LogEntry.mentee_id == Assignment.mentee_id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on > previous.year.last,
            )
            .scalar_subquery()
        )
        with self.store.write() as session:
            lock_for_pair_end(session, current.id)  # the log writes in progress finish first
            claimed = session.execute(  # type: ignore[attr-defined]
                update(ProgramYearConfig)
                .where(
                    ProgramYearConfig.program_id == current.id,
                    ProgramYearConfig.label == current.school_year,
                    ProgramYearConfig.rolled_over_at.is_(None),
                )
                .values(rolled_over_at=now)
            ).rowcount
            if not claimed:
                return None
            ended = session.execute(  # type: ignore[attr-defined]
                update(Assignment)
                .where(
                    Assignment.program_id == current.id,
                    Assignment.ended_on.is_(None),
                    Assignment.started_on <= previous.year.last,
                )
                .values(
                    ended_on=func.coalesce(last_entry, previous.year.last),
                    end_reason=f"the program year {previous.year.label} ended",
                )
            ).rowcount
        self.programs.forget()
        return int(ended)

    def reminders(self, now: datetime) -> list[Nudge]:
        """In the old year's last REMIND_DAYS_BEFORE_END days, while the next year is not
        started: a weekly reminder to each coordinator to prepare its program and roster."""
        kept = self.programs.kept()
        if kept is None:
            return []
        program = self.programs.current(now)
        today = program.today(now)
        if kept.latest is not program or (program.year.last - today).days >= REMIND_DAYS_BEFORE_END:
            return []
        following = program.year.following()
        week = today.isocalendar()
        with self.store.read() as session:
            coordinators = [
                m
                for m in self.people.all_members(session, program)
                if m.is_coordinator and m.slack_user_id and m.active
            ]
        return [
            Nudge(
                "next_year",
                coordinator.slack_user_id or "",
                f"year-{following.label}",
                f"{week.year}-W{week.week:02d}",
                NextYearReminder(
                    coordinator, program.year.label, following.label, program.year.last
                ),
            )
            for coordinator in coordinators
        ]


def new_year_of(member: Member, new: ProgramInfo) -> int:
    """An educator's year of induction in a program year (1: their induction year)."""
    found = induction_year_of(
        member.hire_date,
        new.config.school_year_start,
        new.year_start_month,
        member.induction_school_year,
    )
    return induction_year_number(new.year, found)


def _open_assignments(session: Session, old: ProgramInfo) -> list[Ending]:
    """The old year's assignments still open: they end on its last day."""
    rows = session.execute(
        select(Assignment.mentor_id, Assignment.mentee_id, Assignment.started_on)
        .where(
            Assignment.program_id == old.id,
            Assignment.ended_on.is_(None),
            Assignment.started_on <= old.year.last,
        )
        .order_by(Assignment.started_on, Assignment.id)
    ).all()
    names = dict(
        session.execute(
            select(Person.id, Person.name).where(
                Person.id.in_({r.mentor_id for r in rows} | {r.mentee_id for r in rows})
            )
        ).all()
    )
    return [Ending(names[r.mentor_id], names[r.mentee_id], r.started_on) for r in rows]
