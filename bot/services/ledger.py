"""The one place totals are read: every surface asks here, never sums log rows itself.

The rollup tables (`bot/store/rollups.py`) hold what `bot/domain/ledger.py` counts, kept at write
time; these functions only pick and add rows. `bot/services/ledger_check.py` recounts
everything from the log rows and lists each difference (`mentor-minutes ledger verify`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from bot.domain.ledger import (
    BUCKET,
    NO_PAIR_TIME,
    PROGRAM_SCOPE,
    YEAR,
    ZERO,
    Entry,
    MentorTime,
    PairSummary,
    Periods,
    ProgramYear,
    ScopeSummary,
    Totals,
    bucket_last,
    bucket_of,
    induction_year_number,
    induction_year_of,
    minutes_beyond_induction,
    school_scope,
    sessions,
    totals_by_kind,
)
from bot.domain.members import Member
from bot.domain.pacing import Pace, pace_of, paced_period
from bot.domain.standards import StandardCount
from bot.services.programs import ProgramInfo
from bot.store import rollups
from bot.store.db import shared_memo
from bot.store.models.core import Assignment, LogEntry, Person

PAIR_BUCKETS = rollups.PAIR_BUCKETS
PAIR_YEARS = rollups.PAIR_YEARS
MENTOR_BUCKETS = rollups.MENTOR_BUCKETS
SCOPE_TOTALS = rollups.SCOPE_TOTALS
Pair = tuple[int, int]  # mentor, mentee
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PairFilter:
    """Which pairs a reader counts: everyone, or those involving some people or a school —
    and, when `involving` is set, only those among them that involve that person."""

    people: tuple[int, ...] = ()  # pairs where any of these is the mentor or the mentee
    school: str | None = None  # pairs whose mentee is in this school
    everyone: bool = False
    involving: int | None = None

    @property
    def shape(self) -> tuple[bool, bool, bool, bool]:
        """What the filter's SQL looks like (its values are bound): statements are built once
        per shape."""
        return (
            self.everyone,
            bool(self.people),
            self.school is not None,
            self.involving is not None,
        )

    def params(self) -> dict[str, Any]:
        """The values `where` binds."""
        return {
            "scope_people": list(self.people),
            "scope_school": self.school,
            "scope_involving": self.involving,
        }

    def where(self, table: Any) -> ColumnElement[bool]:
        """The filter as a SQL condition on any table with mentor_id and mentee_id, its values
        bound by `params()`."""
        everyone, has_people, has_school, has_involving = self.shape
        parts: list[ColumnElement[bool]] = []
        if has_people:
            people: BindParameter[Any] = bindparam("scope_people", expanding=True)
            parts += [table.c.mentor_id.in_(people), table.c.mentee_id.in_(people)]
        if has_school:
            in_school = select(Person.id).where(Person.school == bindparam("scope_school"))
            parts.append(table.c.mentee_id.in_(in_school))
        scope = true() if everyone else (or_(*parts) if parts else false())
        if not has_involving:
            return scope
        person: BindParameter[Any] = bindparam("scope_involving")
        return and_(scope, or_(table.c.mentor_id == person, table.c.mentee_id == person))


def _sums(table: Any, when: ColumnElement[bool] | None = None) -> list[ColumnElement[Any]]:
    def pick(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column if when is None else case((when, column), else_=None)

    return [
        func.coalesce(func.sum(pick(table.c.minutes)), 0),
        func.coalesce(func.sum(pick(table.c.observations)), 0),
        func.coalesce(func.sum(pick(table.c.visits)), 0),
        func.coalesce(func.sum(pick(table.c.visit_minutes)), 0),
        func.coalesce(func.sum(pick(table.c.contacts)), 0),
        func.max(pick(table.c.last_contact)),
    ]


def _counts(table: Any, when: ColumnElement[bool] | None = None) -> list[ColumnElement[Any]]:
    """Minutes, observations and visits only: what a scope's totals show (fewer sums over
    thousands of rows)."""

    def pick(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column if when is None else case((when, column), else_=None)

    return [
        func.coalesce(func.sum(pick(table.c.minutes)), 0),
        func.coalesce(func.sum(pick(table.c.observations)), 0),
        func.coalesce(func.sum(pick(table.c.visits)), 0),
    ]


def _counted(values: Any) -> Totals:
    minutes, observations, visits = values
    return Totals(minutes=int(minutes), observations=int(observations), visits=int(visits))


def _totals(values: Iterable[Any]) -> Totals:
    minutes, observations, visits, visit_minutes, contacts, last = values
    return Totals(
        int(minutes), int(observations), int(visits), int(visit_minutes), int(contacts), last
    )


def _row_totals(row: Any) -> Totals:
    return Totals(
        row.minutes, row.observations, row.visits, row.visit_minutes, row.contacts, row.last_contact
    )


_PAIR_BUCKET_ROWS: Select[Any] = select(PAIR_BUCKETS).where(
    PAIR_BUCKETS.c.mentor_id.in_(bindparam("mentors", expanding=True)),
    PAIR_BUCKETS.c.mentee_id.in_(bindparam("mentees", expanding=True)),
    PAIR_BUCKETS.c.bucket_start.between(bindparam("first"), bindparam("last")),
)
_PAIR_YEAR_ROWS: Select[Any] = select(PAIR_YEARS).where(
    PAIR_YEARS.c.mentor_id.in_(bindparam("mentors", expanding=True)),
    PAIR_YEARS.c.mentee_id.in_(bindparam("mentees", expanding=True)),
)


def pair_summaries(
    session: Session, program: ProgramInfo, pairs: Iterable[Pair], periods: Periods
) -> dict[Pair, PairSummary]:
    """Week, month, program year and all-time totals for each pair (one statement, built once:
    the pairs' bucket rows of the week and month and their year rows, summed per pair)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    keys = {"mentors": sorted({m for m, _ in wanted}), "mentees": sorted({e for _, e in wanted})}
    params = keys | period_params(periods)
    found: dict[Pair, PairSummary] = {}
    for row in session.connection().execute(_PAIR_SUMMARIES, params):
        pair = (row[0], row[1])
        if pair in wanted:
            found[pair] = summary_of(row[2:26])
    return {pair: found.get(pair, NO_PAIR_TIME) for pair in wanted}


def _pair_summaries_statement() -> Select[Any]:
    """The rows of `pair_summaries`: bucket rows and year rows of the pairs, side by side in one
    union (a grain column tells them apart), summed per pair with a CASE per period."""
    mentors: BindParameter[Any] = bindparam("mentors", expanding=True)
    mentees: BindParameter[Any] = bindparam("mentees", expanding=True)
    counts = ("minutes", "observations", "visits", "visit_minutes", "contacts", "last_contact")
    buckets = select(
        PAIR_BUCKETS.c.mentor_id,
        PAIR_BUCKETS.c.mentee_id,
        literal(BUCKET).label("grain"),
        PAIR_BUCKETS.c.bucket_start.label("start"),
        *(PAIR_BUCKETS.c[name] for name in counts),
    ).where(
        PAIR_BUCKETS.c.mentor_id.in_(mentors),
        PAIR_BUCKETS.c.mentee_id.in_(mentees),
        PAIR_BUCKETS.c.bucket_start.between(bindparam("first"), bindparam("last")),
    )
    years = select(
        PAIR_YEARS.c.mentor_id,
        PAIR_YEARS.c.mentee_id,
        literal(YEAR).label("grain"),
        PAIR_YEARS.c.year_start.label("start"),
        *(PAIR_YEARS.c[name] for name in counts),
    ).where(PAIR_YEARS.c.mentor_id.in_(mentors), PAIR_YEARS.c.mentee_id.in_(mentees))
    rows = union_all(buckets, years).subquery()
    bucket = rows.c.grain == BUCKET
    in_week = bucket & rows.c.start.between(bindparam("week_first"), bindparam("week_last"))
    in_month = bucket & rows.c.start.between(bindparam("month_first"), bindparam("month_last"))
    in_year = (rows.c.grain == YEAR) & (rows.c.start == bindparam("year_start"))
    return select(
        rows.c.mentor_id,
        rows.c.mentee_id,
        *_sums(rows, in_week),
        *_sums(rows, in_month),
        *_sums(rows, in_year),
        *_sums(rows, rows.c.grain == YEAR),
    ).group_by(rows.c.mentor_id, rows.c.mentee_id)


_PAIR_SUMMARIES = _pair_summaries_statement()


def pair_summary_with(
    session: Session,
    program: ProgramInfo,
    pair: Pair,
    periods: Periods,
    extras: tuple[ColumnElement[Any], ...] = (),
    params: dict[str, Any] | None = None,
) -> tuple[PairSummary, tuple[Any, ...]]:
    """One pair's summary as `pair_summaries` reads it, and the values of `extras` (scalar
    subqueries bound by `params`, module constants: the statement is built once per tuple), in
    one statement: a write's checks ride along with the totals it echoes."""
    values = (params or {}) | summary_params(pair, periods)
    row = session.connection().execute(_summary_with_statement(extras), values).one()
    return summary_of(row[:24]), tuple(row[24:])


@cache
def _summary_with_statement(extras: tuple[ColumnElement[Any], ...]) -> Select[Any]:
    start = PAIR_BUCKETS.c.bucket_start
    in_week = start.between(bindparam("week_first"), bindparam("week_last"))
    in_month = start.between(bindparam("month_first"), bindparam("month_last"))
    buckets = (
        select(*_labelled("w", _sums(PAIR_BUCKETS, in_week)))
        .add_columns(*_labelled("m", _sums(PAIR_BUCKETS, in_month)))
        .where(
            PAIR_BUCKETS.c.mentor_id == bindparam("pair_mentor"),
            PAIR_BUCKETS.c.mentee_id == bindparam("pair_mentee"),
            start.between(bindparam("first"), bindparam("last")),
        )
        .subquery()
    )
    in_year = PAIR_YEARS.c.year_start == bindparam("year_start")
    years = (
        select(*_labelled("y", _sums(PAIR_YEARS, in_year)))
        .add_columns(*_labelled("s", _sums(PAIR_YEARS)))
        .where(
            PAIR_YEARS.c.mentor_id == bindparam("pair_mentor"),
            PAIR_YEARS.c.mentee_id == bindparam("pair_mentee"),
        )
        .subquery()
    )
    extra = [column.label(f"extra_{i}") for i, column in enumerate(extras)]
    both = buckets.join(years, true())  # one row each: the two sums side by side
    return select(buckets, years, *extra).select_from(both)


def period_params(periods: Periods) -> dict[str, Any]:
    """The week, month and program year a pair's or a scope's sums cover, as the statements
    bind them (`first`/`last`: the bucket span holding both week and month)."""
    (week_first, week_last), (month_first, month_last) = periods.week, periods.month
    return {
        "week_first": week_first,
        "week_last": week_last,
        "month_first": month_first,
        "month_last": month_last,
        "first": min(week_first, month_first),
        "last": max(week_last, month_last),
        "year_start": periods.year.first,
    }


def summary_params(pair: Pair, periods: Periods) -> dict[str, Any]:
    """The parameters `summary_columns` (and `pair_summary_with`) are bound by."""
    mentor, mentee = pair
    return {"pair_mentor": mentor, "pair_mentee": mentee} | period_params(periods)


@cache
def summary_columns() -> tuple[ColumnElement[Any], ...]:
    """One pair's summary as `pair_summary_with` reads it (week, month, program year, since:
    six totals each), as scalar subqueries bound by `summary_params`: they ride along another
    statement (a log's guarded insert returns them: `bot/services/logs.py`)."""
    pair = (PAIR_BUCKETS.c.mentor_id == bindparam("pair_mentor")) & (
        PAIR_BUCKETS.c.mentee_id == bindparam("pair_mentee")
    )
    pair_years = (PAIR_YEARS.c.mentor_id == bindparam("pair_mentor")) & (
        PAIR_YEARS.c.mentee_id == bindparam("pair_mentee")
    )
    start = PAIR_BUCKETS.c.bucket_start
    periods = (
        (PAIR_BUCKETS, pair & start.between(bindparam("week_first"), bindparam("week_last"))),
        (PAIR_BUCKETS, pair & start.between(bindparam("month_first"), bindparam("month_last"))),
        (PAIR_YEARS, pair_years & (PAIR_YEARS.c.year_start == bindparam("year_start"))),
        (PAIR_YEARS, pair_years),
    )
    return tuple(
        select(column).where(where).scalar_subquery().label(f"summary_{n}_{i}")
        for n, (table, where) in enumerate(periods)
        for i, column in enumerate(_sums(table))
    )


def _scope_of(values: Sequence[Any]) -> ScopeSummary:
    """A ScopeSummary from nine sums: week, month and program year, three each."""
    return ScopeSummary(_counted(values[0:3]), _counted(values[3:6]), _counted(values[6:9]))


def summary_of(values: Sequence[Any]) -> PairSummary:
    """A PairSummary from the 24 values of `summary_columns`, in order."""
    week, month, year, since = (_totals(values[i : i + 6]) for i in range(0, 24, 6))
    return PairSummary(week, month, year, since)


def _labelled(prefix: str, columns: list[ColumnElement[Any]]) -> list[ColumnElement[Any]]:
    return [column.label(f"{prefix}_{i}") for i, column in enumerate(columns)]


def pair_time_between(
    session: Session, program: ProgramInfo, pairs: Iterable[Pair], first: date, last: date
) -> dict[Pair, Totals]:
    """Each pair's totals over the buckets that begin from `first` to `last` (both bucket
    boundaries: a week, a month, a semester split on a Monday)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    keys = {"mentors": sorted({m for m, _ in wanted}), "mentees": sorted({e for _, e in wanted})}
    found: dict[Pair, Totals] = defaultdict(Totals)
    for row in session.connection().execute(
        _PAIR_BUCKET_ROWS, keys | {"first": first, "last": last}
    ):
        pair = (row.mentor_id, row.mentee_id)
        if pair in wanted:
            found[pair] += _row_totals(row)
    return {pair: found.get(pair, ZERO) for pair in wanted}


def paces(
    session: Session, program: ProgramInfo, summaries: dict[Pair, PairSummary], today: date
) -> dict[Pair, Pace]:
    """Each pair against the policy's paced minimum (none when the policy sets none)."""
    required = program.policy.paced_minutes
    if not required or not summaries:
        return {}
    period = paced_period(program.policy.paced_period, program.calendar, program.year, today)
    if period.name == "week":
        done = {pair: s.week.minutes for pair, s in summaries.items()}
    elif period.name == "semester":
        got = pair_time_between(session, program, summaries, period.first, period.last)
        done = {pair: t.minutes for pair, t in got.items()}
    else:
        done = {pair: s.year.minutes for pair, s in summaries.items()}
    return {
        pair: pace_of(required, period, program.calendar, today, minutes)
        for pair, minutes in done.items()
    }


def program_pace(program: ProgramInfo, today: date) -> Pace | None:
    """The pace every pair of the program is held to today, with nothing done yet: the
    policy's paced minimum over its period, else its weekly target (prorated by the week's
    school days, as `/hours` shows it) paced by the week; None when it sets neither, or
    nothing is owed (a week without school)."""
    required = program.policy.paced_minutes
    name = program.policy.paced_period
    if not required:
        required, name = program.weekly_target(today), "week"
    if not required:
        return None
    period = paced_period(name, program.calendar, program.year, today)
    return pace_of(required, period, program.calendar, today, 0)


@dataclass(frozen=True)
class Behind:
    """The pairs behind the program's pace today, furthest behind first."""

    pace: Pace  # the pace, with nothing done: its period, required and expected minutes
    pairs: tuple[tuple[Pair, Pace], ...]  # the first `limit`
    count: int  # every pair behind
    active: int  # every pair assigned today


def behind_pace(session: Session, program: ProgramInfo, today: date, limit: int) -> Behind | None:
    """The active pairs behind the pace (`program_pace`), from the kept pair totals of the
    paced period (one statement: today's assignments beside their done minutes); the same
    figures as `paces` gives `/hours` for a paced minimum. None when there is no pace."""
    base = program_pace(program, today)
    if base is None:
        return None
    period = base.period
    grain = YEAR if period.name in ("school_year", "year") else BUCKET
    params = {
        "program_id": program.id,
        "today": today,
        "first": period.first,
        "last": period.last,
        "year_start": program.year.first,
    }
    rows = session.connection().execute(_behind_statement(grain), params).all()
    behind = sorted(
        (
            ((mentor, mentee), Pace(base.period, base.required, base.expected, int(done)))
            for mentor, mentee, done in rows
            if int(done) < base.expected
        ),
        key=lambda found: (-found[1].behind, found[0][1], found[0][0]),
    )
    return Behind(base, tuple(behind[:limit]), len(behind), len(rows))


@cache
def _behind_statement(grain: str) -> Select[Any]:
    """Today's assignments with their pair time over the paced period (bucket rows from
    `first` to `last`, or the program year's row)."""
    table: Any
    when: ColumnElement[bool]
    if grain == BUCKET:
        table = PAIR_BUCKETS
        when = PAIR_BUCKETS.c.bucket_start.between(bindparam("first"), bindparam("last"))
    else:
        table, when = PAIR_YEARS, PAIR_YEARS.c.year_start == bindparam("year_start")
    done = (
        select(table.c.mentor_id, table.c.mentee_id, func.sum(table.c.minutes).label("minutes"))
        .where(table.c.program_id == bindparam("program_id"), when)
        .group_by(table.c.mentor_id, table.c.mentee_id)
        .subquery()
    )
    statement: Any = (
        select(Assignment.mentor_id, Assignment.mentee_id, func.coalesce(done.c.minutes, 0))
        .outerjoin(
            done,
            (done.c.mentor_id == Assignment.mentor_id) & (done.c.mentee_id == Assignment.mentee_id),
        )
        .where(
            Assignment.program_id == bindparam("program_id"),
            Assignment.started_on <= bindparam("today"),
            (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= bindparam("today")),
        )
        .distinct()
    )
    found: Select[Any] = statement
    return found


def scope_summary(
    session: Session, program: ProgramInfo, scope: PairFilter, periods: Periods
) -> ScopeSummary:
    """Week, month and program-year pair time, observations and visits over every pair a
    filter lets through (contacts and the latest day are per pair, not per scope). A school or
    the whole program: one statement over the kept scope totals (a lead mentor's own pairs
    outside their school added from the pair totals); else two over the pair totals."""
    everyone, _, has_school, has_involving = scope.shape
    if not has_involving and (everyone or has_school):
        return _kept_scope_summary(session, program, scope, periods)
    params = _scope_params(program, scope, periods)
    row = session.connection().execute(_scope_statement(scope.shape), params).one()
    return _scope_of(row)


def pair_and_scope_summaries(
    session: Session,
    program: ProgramInfo,
    pairs: Iterable[Pair],
    scope: PairFilter,
    periods: Periods,
) -> tuple[dict[Pair, PairSummary], ScopeSummary]:
    """`pair_summaries` and `scope_summary` in one statement (one round trip): the two reads
    side by side in a UNION ALL, a part column telling their rows apart. The same figures."""
    wanted = set(pairs)
    if not wanted:
        return {}, scope_summary(session, program, scope, periods)
    everyone, _, has_school, has_involving = scope.shape
    kept = not has_involving and (everyone or has_school)
    params = _scope_params(program, scope, periods) | {
        "mentors": sorted({m for m, _ in wanted}),
        "mentees": sorted({e for _, e in wanted}),
    }
    if kept:
        key = PROGRAM_SCOPE if scope.everyone else school_scope(scope.school)
        params["scope_key"] = key
    found: dict[Pair, PairSummary] = {}
    summary = None
    for part, mentor, mentee, *values in session.connection().execute(
        _pairs_and_scope_statement(scope.shape, kept), params
    ):
        if part == 1:
            summary = _scope_of(values[_PAIR_VALUES:])
        elif (mentor, mentee) in wanted:
            found[(mentor, mentee)] = summary_of(values[:24])
    assert summary is not None  # the scope's part is one row of sums, always there
    return {pair: found.get(pair, NO_PAIR_TIME) for pair in wanted}, summary


_PAIR_VALUES = 24  # the sums of `pair_summaries` after the pair: week, month, year, since


@cache
def _pairs_and_scope_statement(shape: tuple[bool, bool, bool, bool], kept: bool) -> Any:
    """`_PAIR_SUMMARIES`'s rows (part 0) and the scope's one row of sums (part 1) in a UNION
    ALL, each padded with NULLs where the other's columns are."""
    scope = (_kept_scope_statement(shape) if kept else _scope_statement(shape)).subquery()
    pairs = _PAIR_SUMMARIES.subquery()
    pair_columns, scope_columns = list(pairs.c), list(scope.c)
    assert len(pair_columns) == 2 + _PAIR_VALUES
    return union_all(
        select(
            literal_column("0").label("part"),
            *pair_columns,
            *(null().label(f"scope_{i}") for i in range(len(scope_columns))),
        ),
        select(
            literal_column("1").label("part"),
            *(null().label(f"pair_{i}") for i in range(len(pair_columns))),
            *scope_columns,
        ),
    )


def _kept_scope_summary(
    session: Session, program: ProgramInfo, scope: PairFilter, periods: Periods
) -> ScopeSummary:
    key = PROGRAM_SCOPE if scope.everyone else school_scope(scope.school)
    params = _scope_params(program, scope, periods) | {"scope_key": key}
    row = session.connection().execute(_kept_scope_statement(scope.shape), params).one()
    return _scope_of(row)


def _scope_params(program: ProgramInfo, scope: PairFilter, periods: Periods) -> dict[str, Any]:
    """A scope's filter and the week, month and program year its sums cover."""
    return scope.params() | {"program_id": program.id} | period_params(periods)


@cache
def _kept_scope_statement(shape: tuple[bool, bool, bool, bool]) -> Select[Any]:
    """Week, month and year sums of a scope's kept totals; with people as well as a school (a
    lead mentor), their own pairs whose mentee is outside the school added from pair totals."""
    table = SCOPE_TOTALS
    bucket = table.c.grain == BUCKET
    in_span = table.c.period_start.between(bindparam("first"), bindparam("last"))
    year = (table.c.grain == YEAR) & (table.c.period_start == bindparam("year_start"))
    parts: list[Select[Any]] = [
        select(
            table.c.grain,
            table.c.period_start,
            table.c.minutes,
            table.c.observations,
            table.c.visits,
        ).where(
            table.c.program_id == bindparam("program_id"),
            table.c.scope == bindparam("scope_key"),
            or_(bucket & in_span, year),
        )
    ]
    if shape[1] and shape[2]:
        people: BindParameter[Any] = bindparam("scope_people", expanding=True)
        in_school = select(Person.id).where(Person.school == bindparam("scope_school"))
        for rollup, grain, start, when in (
            (
                PAIR_BUCKETS,
                BUCKET,
                PAIR_BUCKETS.c.bucket_start,
                PAIR_BUCKETS.c.bucket_start.between(bindparam("first"), bindparam("last")),
            ),
            (
                PAIR_YEARS,
                YEAR,
                PAIR_YEARS.c.year_start,
                PAIR_YEARS.c.year_start == bindparam("year_start"),
            ),
        ):
            parts.append(
                select(
                    literal(grain).label("grain"),
                    start.label("period_start"),
                    rollup.c.minutes,
                    rollup.c.observations,
                    rollup.c.visits,
                ).where(
                    rollup.c.program_id == bindparam("program_id"),
                    or_(rollup.c.mentor_id.in_(people), rollup.c.mentee_id.in_(people)),
                    rollup.c.mentee_id.not_in(in_school),
                    when,
                )
            )
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    begins = rows.c.period_start
    in_week = (rows.c.grain == BUCKET) & begins.between(
        bindparam("week_first"), bindparam("week_last")
    )
    in_month = (rows.c.grain == BUCKET) & begins.between(
        bindparam("month_first"), bindparam("month_last")
    )
    in_year = rows.c.grain == YEAR
    return select(*_counts(rows, in_week), *_counts(rows, in_month), *_counts(rows, in_year))


@cache
def _scope_statement(shape: tuple[bool, bool, bool, bool]) -> Select[Any]:
    """The week's and month's sums over the pair buckets and the year's over the pair years,
    side by side in one row (each sum a row of its own, joined on nothing)."""
    in_buckets, in_year = _scope_statements(shape)
    buckets, year = in_buckets.subquery(), in_year.subquery()
    both = buckets.join(year, true())
    return select(buckets, year).select_from(both)


@cache
def _scope_statements(shape: tuple[bool, bool, bool, bool]) -> tuple[Select[Any], Select[Any]]:
    scope = PairFilter(
        people=(0,) if shape[1] else (),
        school="" if shape[2] else None,
        everyone=shape[0],
        involving=0 if shape[3] else None,
    )
    start = PAIR_BUCKETS.c.bucket_start
    in_week = start.between(bindparam("week_first"), bindparam("week_last"))
    in_month = start.between(bindparam("month_first"), bindparam("month_last"))
    in_buckets = select(*_counts(PAIR_BUCKETS, in_week), *_counts(PAIR_BUCKETS, in_month)).where(
        PAIR_BUCKETS.c.program_id == bindparam("program_id"),
        start.between(bindparam("first"), bindparam("last")),
        scope.where(PAIR_BUCKETS),
    )
    in_year = select(*_counts(PAIR_YEARS)).where(
        PAIR_YEARS.c.program_id == bindparam("program_id"),
        PAIR_YEARS.c.year_start == bindparam("year_start"),
        scope.where(PAIR_YEARS),
    )
    return in_buckets, in_year


def pairs_between(
    session: Session,
    program: ProgramInfo,
    first: date,
    last: date,
    mentees: Collection[int] | None = None,
) -> dict[Pair, Totals]:
    """Each pair's totals over whole buckets from `first` to `last` (a week, a month…): of
    every pair, or of those of some mentees."""
    statement = _grouped(PAIR_BUCKETS).where(
        PAIR_BUCKETS.c.program_id == program.id,
        PAIR_BUCKETS.c.bucket_start.between(first, last),
    )
    if mentees is not None:
        statement = statement.where(PAIR_BUCKETS.c.mentee_id.in_(sorted(mentees)))
    return {
        (mentor, mentee): _totals(values) for mentor, mentee, *values in session.execute(statement)
    }


def scope_buckets(
    session: Session, program: ProgramInfo, first: date, last: date
) -> dict[tuple[str, date], Totals]:
    """Every scope's kept totals (the program, each school) per bucket beginning from `first`
    to `last`: one statement over the scope totals, whatever the number of pairs."""
    table = SCOPE_TOTALS
    rows = session.execute(
        select(
            table.c.scope,
            table.c.period_start,
            table.c.minutes,
            table.c.observations,
            table.c.visits,
        ).where(
            table.c.program_id == program.id,
            table.c.grain == BUCKET,
            table.c.period_start.between(first, last),
        )
    )
    return {(scope, start): _counted(values) for scope, start, *values in rows}


def pairs_in_year(session: Session, program: ProgramInfo, year: ProgramYear) -> dict[Pair, Totals]:
    """Each pair's totals over one program year."""
    return {
        (mentor, mentee): _totals(values)
        for mentor, mentee, *values in session.execute(
            _grouped(PAIR_YEARS).where(
                PAIR_YEARS.c.program_id == program.id, PAIR_YEARS.c.year_start == year.first
            )
        )
    }


def _grouped(table: Any) -> Select[Any]:
    return select(table.c.mentor_id, table.c.mentee_id, *_sums(table)).group_by(
        table.c.mentor_id, table.c.mentee_id
    )


def last_contacts(
    session: Session, program: ProgramInfo, mentees: Collection[int] | None = None
) -> dict[Pair, date]:
    """The latest day each pair logged time together (any program year): of every pair, or
    of those of some mentees."""
    statement = (
        select(PAIR_YEARS.c.mentor_id, PAIR_YEARS.c.mentee_id, func.max(PAIR_YEARS.c.last_contact))
        .where(PAIR_YEARS.c.program_id == program.id)
        .group_by(PAIR_YEARS.c.mentor_id, PAIR_YEARS.c.mentee_id)
    )
    if mentees is not None:
        statement = statement.where(PAIR_YEARS.c.mentee_id.in_(sorted(mentees)))
    return {
        (mentor, mentee): last
        for mentor, mentee, last in session.execute(statement)
        if last is not None
    }


def mentee_years(
    session: Session, program: ProgramInfo, mentee_ids: Iterable[int]
) -> dict[int, dict[date, Totals]]:
    """Each mentee's totals (with every mentor) per program year, keyed by the year's first day."""
    ids = sorted(set(mentee_ids))
    if not ids:
        return {}

    def read() -> dict[int, dict[date, Totals]]:
        result: dict[int, dict[date, Totals]] = defaultdict(dict)
        for mentee, year_start, *values in session.execute(
            select(PAIR_YEARS.c.mentee_id, PAIR_YEARS.c.year_start, *_sums(PAIR_YEARS))
            .where(PAIR_YEARS.c.mentee_id.in_(ids))
            .group_by(PAIR_YEARS.c.mentee_id, PAIR_YEARS.c.year_start)
        ):
            result[mentee][year_start] = _totals(values)
        return dict(result)

    return _read_once(session, ("mentee_years",), frozenset(ids), lambda mentee: mentee, read)


def needs_years(program: ProgramInfo, mentees: Iterable[Member]) -> bool:
    """Whether `observations_toward_minimum` or `beyond_induction` reads these mentees' years
    (a reader of both reads them once, with `mentee_years`, and hands them to each)."""
    if program.policy.observation_minimum:
        return True
    return any(
        induction_year_number(program.year, induction_of(member, program)) >= 2
        for member in mentees
    )


def beyond_induction(
    session: Session,
    program: ProgramInfo,
    mentees: Iterable[Member],
    years: dict[int, dict[date, Totals]] | None = None,
) -> dict[int, tuple[int, int]]:
    """Each of these mentees past their induction year in the program's year: (their year of
    induction, pair time toward the 50 hours across years 2 and 3, with every mentor, up to the
    end of that program year — an old year's figures stay what they were)."""
    beyond: dict[int, tuple[int, ProgramYear]] = {}
    for member in mentees:
        induction = induction_of(member, program)
        year = induction_year_number(program.year, induction)
        if year >= 2 and induction is not None:
            beyond[member.id] = (year, induction)
    totals = mentee_years(session, program, beyond) if years is None else years
    return {
        mentee: (
            year,
            minutes_beyond_induction(
                {y: t for y, t in totals.get(mentee, {}).items() if y <= program.year.first},
                induction,
                program.year_start_month,
            ),
        )
        for mentee, (year, induction) in beyond.items()
    }


def observations_toward_minimum(
    session: Session,
    program: ProgramInfo,
    mentees: Iterable[Member],
    years: dict[int, dict[date, Totals]] | None = None,
) -> dict[int, tuple[int, int, int]]:
    """Each mentee's observations over the policy's `observation_years` (this program year and
    those before it, from their induction year on), against `observation_minimum`."""
    minimum = program.policy.observation_minimum
    if not minimum:
        return {}
    span = program.policy.observation_years
    listed = list(mentees)
    totals = mentee_years(session, program, [m.id for m in listed]) if years is None else years
    found = {}
    for member in listed:
        induction = induction_of(member, program)
        first = program.year.first.replace(year=program.year.first.year - (span - 1))
        if induction is not None:
            first = max(first, induction.first)
        done = sum(
            t.observations
            for start, t in totals.get(member.id, {}).items()
            if first <= start <= program.year.first
        )
        found[member.id] = (done, minimum, span)
    return found


def induction_of(member: Member, program: ProgramInfo) -> ProgramYear | None:
    """The program year that was an educator's induction year (the roster's, else from the
    hire date; None when neither is known)."""
    return induction_year_of(
        member.hire_date,
        program.config.school_year_start,
        program.year_start_month,
        member.induction_school_year,
    )


def mentee_kinds(
    session: Session, program: ProgramInfo, mentee_id: int
) -> dict[tuple[date, str], Totals]:
    """One educator's totals per program year and kind, from their live entries (the
    breakdown of `mentee_years`, by the same rule)."""
    rows = session.execute(
        select(*rollups.ENTRY_COLUMNS).where(
            LogEntry.program_id == program.id,
            LogEntry.mentee_id == mentee_id,
            LogEntry.deleted_at.is_(None),
        )
    )
    return totals_by_kind((rollups.entry_from_row(row) for row in rows), program.year_start_month)


def mentor_time(
    session: Session, program: ProgramInfo, first: date, last: date
) -> dict[int, MentorTime]:
    """Each mentor's time (each batch once) over whole buckets from `first` to `last`."""
    return {
        mentor: MentorTime(int(minutes), int(count))
        for mentor, minutes, count in session.execute(
            select(
                MENTOR_BUCKETS.c.mentor_id,
                func.sum(MENTOR_BUCKETS.c.minutes),
                func.sum(MENTOR_BUCKETS.c.sessions),
            )
            .where(
                MENTOR_BUCKETS.c.program_id == program.id,
                MENTOR_BUCKETS.c.bucket_start.between(first, last),
            )
            .group_by(MENTOR_BUCKETS.c.mentor_id)
        )
    }


def mentor_time_by(
    session: Session,
    program: ProgramInfo,
    year: ProgramYear,
    population: Mapping[int, str],
    pairs: Iterable[Pair],
) -> dict[str, dict[int, MentorTime]]:
    """Each mentor's time over a program year, split by the population of the mentees (a
    mentee id → its population; a mentee in none counts in none): the time of the entries with
    one population's mentees, each log batch once (`ledger.sessions`). `pairs` are the year's
    pairs (`pairs_in_year`): a mentor whose pairs are all in one population has the kept total;
    one with pairs in several (or in none) is recounted from their log rows by the same rule —
    a batch naming mentees of two populations counts once in each."""
    populations: dict[int, set[str | None]] = defaultdict(set)
    for mentor, mentee in pairs:
        populations[mentor].add(population.get(mentee))
    mixed = sorted(m for m, found in populations.items() if len(found) > 1)
    result: dict[str, dict[int, MentorTime]] = defaultdict(dict)
    for mentor, spent in mentor_time(session, program, year.first, year.last).items():
        found = populations.get(mentor, set())
        if len(found) == 1 and (only := next(iter(found))) is not None:
            result[only][mentor] = spent
    if mixed:
        rows = session.connection().execute(
            select(*rollups.ENTRY_COLUMNS).where(
                LogEntry.program_id == program.id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on.between(year.first, year.last),
                LogEntry.mentor_id.in_(mixed),
            )
        )
        grouped: dict[str, list[Entry]] = defaultdict(list)
        for entry in map(rollups.entry_from_row, rows):
            if (found_in := population.get(entry.mentee_id)) is not None:
                grouped[found_in].append(entry)
        for name, entries in grouped.items():
            for (mentor, _, _), minutes in sessions(entries).items():
                result[name][mentor] = result[name].get(mentor, MentorTime()) + MentorTime(
                    minutes, 1
                )
    return dict(result)


def mentor_time_of(
    session: Session,
    program: ProgramInfo,
    first: date,
    last: date,
    keep: Callable[[Entry], bool],
) -> dict[int, MentorTime]:
    """Each mentor's time from `first` to `last` over only the entries `keep` accepts (signed
    off, confirmed), recounted from the log rows by the same rule (`ledger.sessions`)."""
    rows = session.connection().execute(
        select(*rollups.ENTRY_COLUMNS).where(
            LogEntry.program_id == program.id,
            LogEntry.deleted_at.is_(None),
            LogEntry.occurred_on.between(first, last),
        )
    )
    kept = (e for e in map(rollups.entry_from_row, rows) if keep(e))
    result: dict[int, MentorTime] = defaultdict(MentorTime)
    for (mentor, _, _), minutes in sessions(kept).items():
        result[mentor] += MentorTime(minutes, 1)
    return dict(result)


def mentor_time_between(
    session: Session, program: ProgramInfo, first: date, last: date
) -> dict[int, MentorTime]:
    """Each mentor's time over any days from `first` to `last`, exact to the day: whole buckets
    from the rollups, the days of a bucket cut by either end recounted from their log rows by
    the same rule (`ledger.sessions`)."""
    if last < first:
        return {}
    whole_first = first if bucket_of(first) == first else bucket_last(bucket_of(first)) + ONE_DAY
    whole_last = bucket_of(last) - ONE_DAY if bucket_last(bucket_of(last)) != last else last
    cut = whole_last < last and whole_first <= bucket_of(last)
    if cut and _nothing_after(session, program, last):
        whole_last = bucket_last(bucket_of(last))  # its bucket's days after `last` hold no time
    result: dict[int, MentorTime] = defaultdict(MentorTime)
    edges: list[tuple[date, date]] = []
    if whole_first > whole_last:  # no whole bucket: one cut bucket, or two
        edges.append((first, last))
    else:
        for mentor, time_ in mentor_time(session, program, whole_first, whole_last).items():
            result[mentor] += time_
        if first < whole_first:
            edges.append((first, whole_first - ONE_DAY))
        if whole_last < last:
            edges.append((whole_last + ONE_DAY, last))
    for edge_first, edge_last in edges:
        rows = session.connection().execute(
            select(*rollups.ENTRY_COLUMNS).where(
                LogEntry.program_id == program.id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on.between(edge_first, edge_last),
            )
        )
        for (mentor, _, _), minutes in sessions(map(rollups.entry_from_row, rows)).items():
            result[mentor] += MentorTime(minutes, 1)
    return dict(result)


def _nothing_after(session: Session, program: ProgramInfo, day: date) -> bool:
    """True when no pair has time in the days of `day`'s bucket after it (the kept latest
    contact day of each pair's bucket: mentor time counts the same entries as contacts), so
    the bucket's kept mentor time is exactly its time up to `day` — "this month so far"."""
    latest = (
        session.connection()
        .execute(_BUCKET_LATEST, {"program_id": program.id, "start": bucket_of(day)})
        .scalar()
    )
    return latest is None or latest <= day


_BUCKET_LATEST = select(func.max(PAIR_BUCKETS.c.last_contact)).where(
    PAIR_BUCKETS.c.program_id == bindparam("program_id"),
    PAIR_BUCKETS.c.bucket_start == bindparam("start"),
)


# ---- standards coverage ------------------------------------------------------------------

_KEPT = select(
    rollups.PAIR_STANDARDS.c.mentor_id,
    rollups.PAIR_STANDARDS.c.mentee_id,
    rollups.PAIR_STANDARDS.c.standard,
    rollups.PAIR_STANDARDS.c.entries,
    rollups.PAIR_STANDARDS.c.last_on,
).where(
    rollups.PAIR_STANDARDS.c.program_id == bindparam("program_id"),
    rollups.PAIR_STANDARDS.c.year_start == bindparam("year_start"),
    rollups.PAIR_STANDARDS.c.entries > 0,
)
_KEPT_OF = _KEPT.where(rollups.PAIR_STANDARDS.c.mentee_id.in_(bindparam("mentees", expanding=True)))


def kept_counts(
    session: Session,
    program: ProgramInfo,
    year: ProgramYear,
    mentee_ids: Collection[int] | None = None,
) -> dict[Pair, dict[str, StandardCount]]:
    """The coverage kept at write time for a program year, by pair (code → entries and last
    day): of some mentees, or (None) of the whole program — one statement either way."""
    params: dict[str, Any] = {"program_id": program.id, "year_start": year.first}
    if mentee_ids is not None:
        if not mentee_ids:
            return {}
        statement, params = _KEPT_OF, params | {"mentees": sorted(set(mentee_ids))}
    else:
        statement = _KEPT

    def read() -> dict[Pair, dict[str, StandardCount]]:
        found: dict[Pair, dict[str, StandardCount]] = defaultdict(dict)
        for mentor_id, mentee_id, code, entries, last in session.connection().execute(
            statement, params
        ):
            found[(mentor_id, mentee_id)][code] = StandardCount(entries, last)
        return dict(found)

    if mentee_ids is None:
        return read()
    key = ("kept_counts", program.id, year.first)
    return _read_once(session, key, frozenset(mentee_ids), lambda pair: pair[1], read)


_K = TypeVar("_K")
_V = TypeVar("_V")


def _read_once(
    session: Session,
    key: tuple[Any, ...],
    ids: frozenset[int],
    owner: Callable[[_K], int],
    read: Callable[[], dict[_K, _V]],
) -> dict[_K, _V]:
    """`read()`'s rows for these people (`owner`: whose a row is), answered inside one shared
    read transaction (Home) from an earlier read of the same figure for them or more people:
    the same rows, one statement fewer. Outside a shared read: `read()`."""
    memo = shared_memo(session)
    if memo is None:
        return read()
    for (kind, have), found in memo.items():
        if kind == key and ids <= have:
            return {k: v for k, v in found.items() if owner(k) in ids}
    found = memo[(key, ids)] = read()
    return found
