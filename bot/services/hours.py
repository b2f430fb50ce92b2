"""`/hours`: the pairs a viewer may see, their totals and the scope's — hours and counts only.

One path whatever the scope's size: the totals come from the ledger (`bot/services/ledger.py`),
the first pairs are listed in detail and the scope's totals always cover every pair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from bot.domain.hours import PERIODS, HoursReport, PairTotals, Period
from bot.domain.ledger import Periods, ProgramYear
from bot.domain.members import Member
from bot.domain.months import Month, MonthError, MonthRef, resolve_month
from bot.services import ledger
from bot.services.errors import NotAllowed, Refusal
from bot.services.ledger import PairFilter
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.standards import CoveredPair, pair_coverage
from bot.store.db import Store
from bot.store.models.core import Assignment, Person

__all__ = [
    "MAX_PAIRS_SHOWN",
    "PERIODS",
    "HoursReport",
    "HoursService",
    "PairTotals",
    "Period",
    "visible_scope",
]

MAX_PAIRS_SHOWN = 40  # pairs listed in detail; the totals always cover the whole scope


def visible_scope(viewer: Member) -> tuple[str, str | None]:
    """What a viewer may see: ("all"|"school"|"own", school)."""
    if viewer.is_coordinator:
        return "all", None
    if viewer.has("lead_mentor", "evaluator"):
        return ("school", viewer.school) if viewer.school else ("all", None)
    return "own", None


def pair_filter(viewer: Member, target: Member | None = None) -> PairFilter:
    """The pairs a viewer may see (narrowed to one person's when a target is named)."""
    scope, school = visible_scope(viewer)
    involving = target.id if target is not None else None
    if scope == "all":
        return PairFilter(everyone=True, involving=involving)
    return PairFilter(people=(viewer.id,), school=school, involving=involving)


def period_start(period: Period, periods: Periods) -> date:
    """First day of the chosen period."""
    if period == "week":
        return periods.week[0]
    if period == "month":
        return periods.month[0]
    return periods.year.first


@dataclass(frozen=True)
class ListedPair:
    """An assignment of the year as `/hours` lists it (a pair assigned twice is one)."""

    mentor_id: int
    mentee_id: int
    started_on: date
    ended_on: date | None


class HoursService:
    """Totals from the ledger, filtered by who is asking."""

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
        year: str | None = None,
        own: bool = False,
        month: MonthRef | None = None,
        caller: Member | None = None,
    ) -> HoursReport:
        """Totals for the pairs the viewer may see, optionally only those of one person; of a
        named program year (kept: past, or started ahead) as of its last day (or today); of a
        named past month as of its last day; with `own`, only the viewer's own pairs (a lead
        mentor's or evaluator's school left out); `caller`: the viewer, when the caller (Home)
        has already looked them up."""
        current = self.programs.current(now)
        past = past_month(current, month, now) if month is not None else None
        if past is not None:
            year = current.year_of(past.first).label
        program = self.programs.for_year(year, now)
        periods = program.periods(now)
        if past is not None:
            periods = Periods.on(past.last, program.year_start_month)
        elif program is not current:
            today = min(max(periods.today, program.year.first), program.year.last)
            periods = Periods.on(today, program.year_start_month)
        with self.store.read() as session:
            viewer = caller or self.people.caller(session, current, viewer_slack_id)
            target = self.people.get(session, current, person_ref) if person_ref else None
            scope = PairFilter(people=(viewer.id,)) if own else pair_filter(viewer, target)
            listed, count = _listed_pairs(session, program, scope, periods.year)
            if target is not None and not count:
                raise NotAllowed(_not_visible(viewer, target))
            ids = {p.mentor_id for p in listed} | {p.mentee_id for p in listed}
            members = {m.id: m for m in self.people.members(session, program, ids)}
            totals, summary = ledger.pair_and_scope_summaries(
                session, program, [(p.mentor_id, p.mentee_id) for p in listed], scope, periods
            )
            paces = ledger.paces(session, program, totals, periods.today)
            mentees = [members[e] for e in dict.fromkeys(p.mentee_id for p in listed)]
            years = (  # read once for both
                ledger.mentee_years(session, program, [m.id for m in mentees])
                if ledger.needs_years(program, mentees)
                else {}
            )
            observed = ledger.observations_toward_minimum(session, program, mentees, years)
            beyond = ledger.beyond_induction(session, program, mentees, years)
            own = visible_scope(viewer)[0] == "own" and target in (None, viewer)
            covered = (
                pair_coverage(
                    session,
                    program,
                    [
                        CoveredPair(
                            members[p.mentor_id], members[p.mentee_id], p.started_on, p.ended_on
                        )
                        for p in listed
                    ],
                    periods.today,
                )
                if own
                else []
            )
        rows = tuple(
            PairTotals(
                mentor=members[p.mentor_id],
                mentee=members[p.mentee_id],
                started_on=p.started_on,
                ended_on=p.ended_on,
                totals=totals[(p.mentor_id, p.mentee_id)],
            )
            for p in listed
        )
        return HoursReport(
            viewer=viewer,
            scope="Your mentoring" if own else _scope_title(viewer, target),
            period=period,
            period_start=period_start(period, periods),
            today=periods.today,
            weekly_target=program.weekly_target(periods.today),
            pairs=rows,
            pair_count=count,
            summary=summary,
            year=periods.year,
            beyond=beyond,
            paces=paces,
            observed=observed,
            year2_target=program.policy.year2_target_hours * 60,
            coverage=tuple(covered),
            month=past,
        )


def past_month(program: ProgramInfo, ref: MonthRef, now: datetime) -> Month | None:
    """The past month a command named (None: it named this month); a Refusal for a month not
    begun, with an example to type instead."""
    today = program.today(now)
    try:
        month = resolve_month(ref, today)
    except MonthError as exc:
        raise Refusal(exc.message, example=exc.example) from None
    return None if month.holds(today) else month


def _listed_pairs(
    session: Session, program: ProgramInfo, scope: PairFilter, year: ProgramYear
) -> tuple[list[ListedPair], int]:
    """The first MAX_PAIRS_SHOWN pairs of the year in display order (current first, then by
    mentee and mentor name), and how many there are in all.

    Assignment rows are read in that order and the first distinct pairs kept (a pair assigned
    twice has two rows; its current one puts it among the current pairs); each row carries its
    pair's span over every assignment of the pair, and every row the count of pairs — one
    index-ordered statement, cheaper than grouping every row."""
    conn = session.connection()
    params = scope.params() | {"program_id": program.id, "first": year.first, "last": year.last}
    statement = _listed_statement(scope.shape)
    limit = 2 * MAX_PAIRS_SHOWN
    while True:
        rows = conn.execute(statement, params | {"limit": limit}).all()
        spans = {
            (mentor, mentee): (first, None if still_open else last)
            for mentor, mentee, first, still_open, last, _ in rows
        }
        if len(spans) >= MAX_PAIRS_SHOWN or len(rows) < limit:
            break
        limit *= 4
    listed = list(spans)[:MAX_PAIRS_SHOWN]  # in the rows' order
    count = int(rows[0][5]) if rows else 0
    return [ListedPair(m, e, *spans[(m, e)]) for m, e in listed], count


@cache
def _listed_statement(shape: tuple[bool, bool, bool, bool]) -> Any:
    """The ordered assignment rows of the year a filter lets through, each with its pair's span
    (first start, still open, last end over all the pair's rows) and the count of pairs."""
    scope = PairFilter(
        people=(0,) if shape[1] else (),
        school="" if shape[2] else None,
        everyone=shape[0],
        involving=0 if shape[3] else None,
    )
    in_year = (
        Assignment.program_id == bindparam("program_id"),
        Assignment.started_on <= bindparam("last"),
        (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= bindparam("first")),
        scope.where(Assignment.__table__),
    )
    pairs = select(Assignment.mentor_id, Assignment.mentee_id).where(*in_year).distinct()
    count = select(func.count()).select_from(pairs.subquery()).scalar_subquery()
    other = aliased(Assignment)
    same_pair = (other.mentor_id == Assignment.mentor_id) & (
        other.mentee_id == Assignment.mentee_id
    )
    span = [
        select(column).where(same_pair).correlate(Assignment).scalar_subquery()
        for column in (
            func.min(other.started_on),
            func.count() > func.count(other.ended_on),
            func.max(other.ended_on),
        )
    ]
    mentee, mentor = aliased(Person), aliased(Person)
    return (
        select(Assignment.mentor_id, Assignment.mentee_id, *span, count)
        .join(mentee, mentee.id == Assignment.mentee_id)
        .join(mentor, mentor.id == Assignment.mentor_id)
        .where(*in_year)
        .order_by(
            Assignment.ended_on.is_not(None),
            mentee.name,
            mentor.name,
            Assignment.mentee_id,
            Assignment.mentor_id,
        )
        .limit(bindparam("limit"))
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
        return f"{target.name} has no mentoring pair this program year."
    return (
        f"You can see hours for your own mentoring pairs only, and {target.name} "
        "isn't in one of them."
    )
