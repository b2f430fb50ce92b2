"""Hours and counts per pair: week, month, school year, since the start — never notes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Literal

from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.services.errors import NotAllowed
from bot.services.people import Member, PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models import Assignment, LogEntry, Person

Period = Literal["week", "month", "year"]
PERIODS: tuple[Period, ...] = ("week", "month", "year")
OBSERVATION = "observation"
MAX_PAIRS_SHOWN = 40  # pairs listed in detail; the totals always cover the whole scope


@dataclass(frozen=True)
class PairTotals:
    """Minutes and counts for one mentor ↔ mentee pair."""

    mentor: Member
    mentee: Member
    started_on: date
    ended_on: date | None
    week: int
    month: int
    year: int
    since_start: int
    observations: int
    last_contact: date | None

    def minutes(self, period: Period) -> int:
        """Minutes in the chosen period."""
        return {"week": self.week, "month": self.month, "year": self.year}[period]


@dataclass(frozen=True)
class ScopeTotals:
    """Minutes and observations over every pair in a viewer's scope."""

    week: int
    month: int
    year: int
    observations: int


@dataclass(frozen=True)
class HoursReport:
    """What `/hours` shows one viewer: the scope's totals and its first pairs in detail."""

    viewer: Member
    scope: str
    period: Period
    period_start: date
    today: date
    weekly_target: int
    pairs: tuple[PairTotals, ...]  # at most MAX_PAIRS_SHOWN, in display order
    pair_count: int
    summary: ScopeTotals

    def total(self, period: Period) -> int:
        """Minutes over every pair in scope in a period."""
        return {"week": self.summary.week, "month": self.summary.month, "year": self.summary.year}[
            period
        ]

    @property
    def observations(self) -> int:
        """Observations this school year over every pair in scope."""
        return self.summary.observations


def week_start(day: date) -> date:
    """The Monday of the week containing a day."""
    return day - timedelta(days=day.weekday())


def period_start(period: Period, today: date, school_year_start: date) -> date:
    """First day of the week, month or school year containing today."""
    if period == "week":
        return week_start(today)
    if period == "month":
        return today.replace(day=1)
    return school_year_start


def visible_scope(viewer: Member) -> tuple[str, str | None]:
    """What a viewer may see: ("all"|"school"|"own", school)."""
    if viewer.is_coordinator:
        return "all", None
    if viewer.has("lead_mentor", "evaluator"):
        return ("school", viewer.school) if viewer.school else ("all", None)
    return "own", None


class HoursService:
    """Totals from the store, filtered by who is asking."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def report(
        self,
        viewer_slack_id: str,
        now: datetime,
        *,
        period: Period = "week",
        person_ref: str | None = None,
    ) -> HoursReport:
        """Totals for the pairs the viewer may see, optionally only those of one person."""
        program = self.programs.current()
        today = program.today(now)
        year_start = program.config.school_year_start
        with self.store.read() as session:
            viewer = self.people.caller(session, program, viewer_slack_id)
            target = self.people.get(session, program, person_ref) if person_ref else None
            pairs = self._pairs(session, program, viewer, target, year_start)
            if target is not None and not pairs:
                raise NotAllowed(_not_visible(viewer, target))
            ids = {a.mentor_id for a in pairs} | {a.mentee_id for a in pairs}
            members = {m.id: m for m in self.people.members(session, program, ids)}
            pairs.sort(
                key=lambda a: (
                    a.ended_on is not None,
                    members[a.mentee_id].name,
                    members[a.mentor_id].name,
                )
            )
            shown = pairs[:MAX_PAIRS_SHOWN]
            totals = self.totals_for_pairs(
                session, program, [(a.mentor_id, a.mentee_id) for a in shown], today
            )
            if len(pairs) > len(shown):
                summary = self._scope_totals(session, program, viewer, target, today)
            else:
                summary = _sum_totals(totals.values())
        rows = []
        for a in shown:
            t = totals.get((a.mentor_id, a.mentee_id), _ZERO)
            rows.append(
                PairTotals(
                    mentor=members[a.mentor_id],
                    mentee=members[a.mentee_id],
                    started_on=a.started_on,
                    ended_on=a.ended_on,
                    week=t[0],
                    month=t[1],
                    year=t[2],
                    since_start=t[3],
                    observations=t[4],
                    last_contact=t[5],
                )
            )
        return HoursReport(
            viewer=viewer,
            scope=_scope_title(viewer, target),
            period=period,
            period_start=period_start(period, today, year_start),
            today=today,
            weekly_target=program.policy.weekly_target_minutes,
            pairs=tuple(rows),
            pair_count=len(pairs),
            summary=summary,
        )

    def _pairs(
        self,
        session: Session,
        program: ProgramInfo,
        viewer: Member,
        target: Member | None,
        year_start: date,
    ) -> list[PairRow]:
        """Assignments of this school year the viewer may see (one query, plain rows)."""
        mentee = aliased(Person)
        query = (
            select(
                Assignment.mentor_id,
                Assignment.mentee_id,
                Assignment.started_on,
                Assignment.ended_on,
            )
            .join(mentee, mentee.id == Assignment.mentee_id)
            .where(
                Assignment.program_id == program.id,
                or_(Assignment.ended_on.is_(None), Assignment.ended_on >= year_start),
            )
        )
        scope, school = visible_scope(viewer)
        own = or_(Assignment.mentor_id == viewer.id, Assignment.mentee_id == viewer.id)
        if scope == "school":
            query = query.where(or_(own, mentee.school == school))
        elif scope == "own":
            query = query.where(own)
        if target is not None:
            query = query.where(
                or_(Assignment.mentor_id == target.id, Assignment.mentee_id == target.id)
            )
        return [PairRow(*row) for row in session.execute(query.order_by(Assignment.id))]

    def _scope_totals(
        self,
        session: Session,
        program: ProgramInfo,
        viewer: Member,
        target: Member | None,
        today: date,
    ) -> ScopeTotals:
        """Week, month, year and observations over every log in the viewer's scope (one query)."""
        year_start = program.config.school_year_start
        week_from, month_from = week_start(today), today.replace(day=1)

        def minutes_since(start: date) -> ColumnElement[int]:
            return func.coalesce(
                func.sum(case((LogEntry.occurred_on >= start, LogEntry.minutes), else_=0)), 0
            )

        observations = func.coalesce(func.sum(case((LogEntry.kind == OBSERVATION, 1), else_=0)), 0)
        query = select(
            minutes_since(week_from),
            minutes_since(month_from),
            func.coalesce(func.sum(LogEntry.minutes), 0),
            observations,
        ).where(
            LogEntry.program_id == program.id,
            LogEntry.deleted_at.is_(None),
            LogEntry.occurred_on >= year_start,
            LogEntry.occurred_on <= today,
        )
        scope, school = visible_scope(viewer)
        own = or_(LogEntry.mentor_id == viewer.id, LogEntry.mentee_id == viewer.id)
        if scope == "school":
            in_school = select(Person.id).where(
                Person.program_id == program.id, Person.school == school
            )
            query = query.where(or_(own, LogEntry.mentee_id.in_(in_school)))
        elif scope == "own":
            query = query.where(own)
        if target is not None:
            query = query.where(
                or_(LogEntry.mentor_id == target.id, LogEntry.mentee_id == target.id)
            )
        week, month, year, observed = session.execute(query).one()
        return ScopeTotals(int(week), int(month), int(year), int(observed))

    def totals_for_pairs(
        self,
        session: Session,
        program: ProgramInfo,
        pairs: list[tuple[int, int]],
        today: date,
    ) -> dict[tuple[int, int], Totals]:
        """(week, month, year, since start, observations, last contact) per (mentor, mentee)."""
        if not pairs:
            return {}
        mentee_ids = sorted({mentee for _, mentee in pairs})
        filtered = len(mentee_ids) <= MAX_IN_LIST
        params: dict[str, object] = {
            "program_id": program.id,
            "week_from": week_start(today),
            "month_from": today.replace(day=1),
            "year_from": program.config.school_year_start,
            "today": today,
        }
        if filtered:
            params["mentee_ids"] = mentee_ids
        query = _pair_totals_query(filtered)
        wanted = set(pairs)
        return {
            (r[0], r[1]): (int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), r[7])
            for r in session.execute(query, params)
            if (r[0], r[1]) in wanted
        }


Totals = tuple[int, int, int, int, int, date | None]
_ZERO: Totals = (0, 0, 0, 0, 0, None)
MAX_IN_LIST = 500  # more mentees than this: aggregate the program and keep the wanted pairs


def _minutes_from(name: str) -> ColumnElement[int]:
    return func.coalesce(
        func.sum(case((LogEntry.occurred_on >= bindparam(name), LogEntry.minutes), else_=0)), 0
    )


@cache
def _pair_totals_query(filtered: bool) -> Select[Any]:
    """The per-pair totals statement, built once (its parameters are bound per call)."""
    observed = and_(LogEntry.kind == OBSERVATION, LogEntry.occurred_on >= bindparam("year_from"))
    query = select(
        LogEntry.mentor_id,
        LogEntry.mentee_id,
        _minutes_from("week_from"),
        _minutes_from("month_from"),
        _minutes_from("year_from"),
        func.coalesce(func.sum(LogEntry.minutes), 0),
        func.coalesce(func.sum(case((observed, 1), else_=0)), 0),
        func.max(LogEntry.occurred_on),
    ).where(
        LogEntry.program_id == bindparam("program_id"),
        LogEntry.deleted_at.is_(None),
        LogEntry.occurred_on <= bindparam("today"),
    )
    if filtered:
        query = query.where(LogEntry.mentee_id.in_(bindparam("mentee_ids", expanding=True)))
    return query.group_by(LogEntry.mentor_id, LogEntry.mentee_id)


@dataclass(frozen=True)
class PairRow:
    """An assignment as `/hours` needs it."""

    mentor_id: int
    mentee_id: int
    started_on: date
    ended_on: date | None


def _sum_totals(totals: Iterable[Totals]) -> ScopeTotals:
    rows = list(totals)
    return ScopeTotals(
        week=sum(t[0] for t in rows),
        month=sum(t[1] for t in rows),
        year=sum(t[2] for t in rows),
        observations=sum(t[4] for t in rows),
    )


def _scope_title(viewer: Member, target: Member | None) -> str:
    if target is not None:
        return "Your hours" if target.id == viewer.id else f"Hours for {target.name}"
    scope, school = visible_scope(viewer)
    if scope == "all":
        return "Whole program"
    if scope == "school":
        return f"{school}"
    return "Your mentoring"


def _not_visible(viewer: Member, target: Member) -> str:
    scope, school = visible_scope(viewer)
    if scope == "school":
        return f"{target.name} has no mentoring pair at {school} that you can see."
    if scope == "all":
        return f"{target.name} has no mentoring pair this school year."
    return (
        f"You can see hours for your own mentoring pairs only, and {target.name} "
        "isn't in one of them."
    )
