"""Hours and counts per pair: week, month, school year, since the start — never notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import and_, case, func, or_, select
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
class HoursReport:
    """What `/hours` shows one viewer."""

    viewer: Member
    scope: str
    period: Period
    period_start: date
    today: date
    weekly_target: int
    pairs: tuple[PairTotals, ...]

    def total(self, period: Period) -> int:
        """Minutes over all listed pairs in a period."""
        return sum(p.minutes(period) for p in self.pairs)

    @property
    def observations(self) -> int:
        """Observations this school year over all listed pairs."""
        return sum(p.observations for p in self.pairs)


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
            totals = self.totals_for_pairs(
                session, program, [(a.mentor_id, a.mentee_id) for a in pairs], today
            )
            ids = {a.mentor_id for a in pairs} | {a.mentee_id for a in pairs}
            members = {m.id: m for m in self.people.members(session, program, ids)}
        rows = []
        for a in pairs:
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
        rows.sort(key=lambda r: (r.ended_on is not None, r.mentee.name, r.mentor.name))
        return HoursReport(
            viewer=viewer,
            scope=_scope_title(viewer, target),
            period=period,
            period_start=period_start(period, today, year_start),
            today=today,
            weekly_target=program.policy.weekly_target_minutes,
            pairs=tuple(rows),
        )

    def _pairs(
        self,
        session: Session,
        program: ProgramInfo,
        viewer: Member,
        target: Member | None,
        year_start: date,
    ) -> list[Assignment]:
        """Assignments of this school year the viewer may see (one query)."""
        mentee = aliased(Person)
        query = (
            select(Assignment)
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
        return list(session.scalars(query.order_by(Assignment.id)).unique())

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
        year_start = program.config.school_year_start
        week_from, month_from = week_start(today), today.replace(day=1)

        def minutes_since(start: date) -> ColumnElement[int]:
            return func.coalesce(
                func.sum(case((LogEntry.occurred_on >= start, LogEntry.minutes), else_=0)), 0
            )

        mentee_ids = sorted({mentee for _, mentee in pairs})
        query = select(
            LogEntry.mentor_id,
            LogEntry.mentee_id,
            minutes_since(week_from),
            minutes_since(month_from),
            minutes_since(year_start),
            func.coalesce(func.sum(LogEntry.minutes), 0),
            func.coalesce(
                func.sum(
                    case(
                        (
                            and_(LogEntry.kind == OBSERVATION, LogEntry.occurred_on >= year_start),
                            1,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
            func.max(LogEntry.occurred_on),
        ).where(
            LogEntry.program_id == program.id,
            LogEntry.deleted_at.is_(None),
            LogEntry.occurred_on <= today,
        )
        if len(mentee_ids) <= 500:
            query = query.where(LogEntry.mentee_id.in_(mentee_ids))
        query = query.group_by(LogEntry.mentor_id, LogEntry.mentee_id)
        wanted = set(pairs)
        return {
            (r[0], r[1]): (int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), r[7])
            for r in session.execute(query)
            if (r[0], r[1]) in wanted
        }


Totals = tuple[int, int, int, int, int, date | None]
_ZERO: Totals = (0, 0, 0, 0, 0, None)


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
