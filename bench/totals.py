"""`/hours` totals: `services.hours.report(...)` beside one hand-written SQL aggregate."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, bindparam, text

from bench.queries import Captured, QueryLog
from bot.bootstrap import Services
from bot.services.hours import HoursReport

# The same totals as `/hours` shows, written by hand over the log rows (docs/domain.md, "What
# counts": pair time is every entry but `observed` visits): week, month, program year, since
# the start, observations this program year, last contact — per (mentor, mentee).
RAW_TOTALS = """
SELECT l.mentor_id, l.mentee_id,
       SUM(CASE WHEN l.occurred_on >= :week_from AND l.kind <> 'observed'
                THEN l.minutes ELSE 0 END),
       SUM(CASE WHEN l.occurred_on >= :month_from AND l.kind <> 'observed'
                THEN l.minutes ELSE 0 END),
       SUM(CASE WHEN l.occurred_on >= :year_from AND l.kind <> 'observed'
                THEN l.minutes ELSE 0 END),
       SUM(CASE WHEN l.kind <> 'observed' THEN l.minutes ELSE 0 END),
       SUM(CASE WHEN l.kind = 'observation' AND l.occurred_on >= :year_from THEN 1 ELSE 0 END),
       MAX(CASE WHEN l.kind <> 'observed' THEN l.occurred_on END)
FROM log_entries l
WHERE l.program_id = :program_id AND l.deleted_at IS NULL AND l.occurred_on <= :today
{scope}
GROUP BY l.mentor_id, l.mentee_id
"""
SCOPES = {
    "mentor": "AND l.mentor_id = :person_id",
    "school": "AND l.mentee_id IN (SELECT p.id FROM people p WHERE p.school = :school)",
    "all": "",
}

Row = tuple[int, int, int, int, int, int, int, str | None]


@dataclass(frozen=True)
class Timing:
    """Median milliseconds over `runs` calls."""

    median_ms: float
    runs: int


def timed(
    call: Callable[[], Any], *, runs: int, budget_s: float, first: float | None = None
) -> Timing:
    """Median of up to `runs` calls after one warm-up (or a given warm-up time): fewer, at
    least 3, when they are slow; when one call takes over half the budget, the warm-up call
    itself is the figure (runs = 1)."""
    if first is None:
        started = time.perf_counter()
        call()
        first = time.perf_counter() - started
    if first > budget_s / 2:
        return Timing(first * 1000, 1)
    runs = max(3, min(runs, int(budget_s / max(first, 1e-6))))
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return Timing(statistics.median(samples) * 1000, runs)


def raw_totals(
    services: Services,
    scope: str,
    *,
    person_id: int | None = None,
    school: str | None = None,
    year_from: date | None = None,
) -> list[Row]:
    """The hand-written aggregate through the same engine (a connection of its own, like a
    session would take); `year_from`: the first day of the program year (default: the school
    year's first day)."""
    program = services.programs.current()
    today = program.today(services.clock.now())
    statement = text(RAW_TOTALS.format(scope=SCOPES[scope])).bindparams(
        bindparam("week_from", type_=Date),
        bindparam("month_from", type_=Date),
        bindparam("year_from", type_=Date),
        bindparam("today", type_=Date),
        bindparam("program_id", type_=Integer),
    )
    params: dict[str, Any] = {
        "week_from": today - timedelta(days=today.weekday()),
        "month_from": today.replace(day=1),
        "year_from": year_from or program.config.school_year_start,
        "today": today,
        "program_id": program.id,
    }
    if person_id is not None:
        params["person_id"] = person_id
    if school is not None:
        params["school"] = school
    with services.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(statement, params)]  # type: ignore[misc]


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _minutes(value: Any) -> int:
    """Minutes from a `Totals` (`.minutes`) or a plain number."""
    return int(getattr(value, "minutes", value))


def _scope_sums(report: HoursReport) -> list[int]:
    """The scope's week, month, year minutes and this year's observations."""
    summary: Any = report.summary
    observations = getattr(summary, "observations", None)
    if observations is None:
        observations = getattr(report, "observations", None)
    if observations is None:
        observations = summary.year.observations
    return [_minutes(summary.week), _minutes(summary.month), _minutes(summary.year), observations]


def year_start(report: HoursReport) -> date | None:
    """The first day of the program year the report counts in, when it says."""
    first = getattr(getattr(report, "year", None), "first", None)
    return first if isinstance(first, date) else None


def same_totals(report: HoursReport, rows: list[Row]) -> bool:
    """True when the pairs the report details, and its scope totals, match the raw aggregate
    (the report details at most MAX_PAIRS_SHOWN pairs; its totals cover every pair)."""
    shown = {
        (p.mentor.id, p.mentee.id): (
            p.week,
            p.month,
            p.year,
            p.since_start,
            p.observations,
            p.last_contact,
        )
        for p in report.pairs
    }
    raw = {(r[0], r[1]): (*(int(v or 0) for v in r[2:7]), _day(r[7])) for r in rows}
    if any(raw.get(key, (0, 0, 0, 0, 0, None)) != value for key, value in shown.items()):
        return False
    sums = [sum(values[i] for values in raw.values()) for i in (0, 1, 2, 4)]
    return sums == _scope_sums(report) and report.pair_count >= len(raw)


@dataclass(frozen=True)
class Comparison:
    """One viewer's `/hours` totals against the raw aggregate."""

    name: str
    pairs: int
    service: Timing
    raw: Timing
    same: bool
    captured: Captured | None = None


def compare(
    services: Services,
    name: str,
    viewer_slack_id: str,
    scope: str,
    *,
    runs: int,
    budget_s: float,
    person_id: int | None = None,
    school: str | None = None,
    log: QueryLog | None = None,
) -> Comparison:
    """Time the report and the raw aggregate for one viewer; check they agree."""
    now = services.clock.now()
    started = time.perf_counter()
    with captured_by(log) as captured:
        report = services.hours.report(viewer_slack_id, now)
    first_report = time.perf_counter() - started
    year_from = year_start(report)
    started = time.perf_counter()
    rows = raw_totals(services, scope, person_id=person_id, school=school, year_from=year_from)
    first_raw = time.perf_counter() - started
    service = timed(
        lambda: services.hours.report(viewer_slack_id, now),
        runs=runs,
        budget_s=budget_s,
        first=first_report,
    )
    raw = timed(
        lambda: raw_totals(
            services, scope, person_id=person_id, school=school, year_from=year_from
        ),
        runs=runs,
        budget_s=budget_s,
        first=first_raw,
    )
    return Comparison(name, len(report.pairs), service, raw, same_totals(report, rows), captured)


@contextmanager
def captured_by(log: QueryLog | None) -> Iterator[Captured | None]:
    """The log's capture, or nothing."""
    if log is None:
        yield None
        return
    with log.capture() as captured:
        yield captured
