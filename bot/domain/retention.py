"""Hiring and retention (the teachers' report item f; the administrators' f, first-year
administrators, and g, teachers by school, 603 CMR 7.13), pure.

- **Hires** of a program year: educators whose `hire_date` lies in it.
- **Retention**: of the educators in their induction year in year N (the cohort), how many are
  still employed when the school year of N+1 begins (and of N+2): no `exit_date`, or one on or
  after that first school day. A successor year that is not kept yet, or whose school year has
  not begun, has no figure: it says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.ledger import ProgramYear, induction_year_number
from bot.domain.report import ReportItem, ReportSource

HORIZONS = (1, 2)  # years after the induction year: N+1, N+2
NO_SCHOOL = "(no school)"


@dataclass(frozen=True)
class Employee:
    """An educator as hiring and retention count them."""

    id: int
    school: str | None
    educator_type: str | None
    hire_date: date | None
    exit_date: date | None
    induction: ProgramYear | None  # their induction year (the roster's, else by hire date)
    mentee_in_year: bool  # held the mentee role in the year counted

    def employed_on(self, day: date) -> bool:
        """Still employed on a day: no exit, or an exit on or after it."""
        return self.exit_date is None or self.exit_date >= day


@dataclass(frozen=True)
class Successor:
    """A year after the counted one: its label, and its first school day once it has begun."""

    label: str
    school_start: date | None  # None: not kept, or not begun
    reason: str | None = None  # why there is no figure yet


@dataclass(frozen=True)
class Rate:
    """Retained over cohort; no rate when the cohort is empty."""

    retained: int
    cohort: int

    @property
    def value(self) -> float | None:
        """The rate as a fraction (four decimals), or None for an empty cohort."""
        return round(self.retained / self.cohort, 4) if self.cohort else None

    @property
    def percent(self) -> str:
        """ "83.3 %" or "—"."""
        return "—" if self.value is None else f"{self.value * 100:.1f} %"


@dataclass(frozen=True)
class RetentionLine:
    """Retention into one successor year, overall and by school."""

    horizon: int  # 1: into N+1, 2: into N+2
    year: str  # the successor year's label
    rate: Rate | None  # None: no successor year yet (see `reason`)
    by_school: tuple[tuple[str, Rate], ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class Hires:
    """Educators hired in the program year, by educator type and by school."""

    total: int
    by_type: tuple[tuple[str, int], ...]
    by_school: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class RetentionSummary:
    """Report item (f) for a program year."""

    year: str
    educator_types: tuple[str, ...]
    cohort: int  # educators of these types in their induction year in `year`
    hires: Hires
    retention: tuple[RetentionLine, ...]
    source: ReportSource
    cohort_by_school: tuple[tuple[str, int], ...] = ()


def cohort_of(employees: Iterable[Employee], year: ProgramYear) -> list[Employee]:
    """Mentees of the year who were in their induction year in it."""
    return [
        e for e in employees if e.mentee_in_year and induction_year_number(year, e.induction) == 1
    ]


def hires_in(employees: Iterable[Employee], year: ProgramYear) -> Hires:
    """The year's hires (by `hire_date`)."""
    hired = [e for e in employees if e.hire_date is not None and year.contains(e.hire_date)]
    types = Counter(e.educator_type or "other" for e in hired)
    schools = Counter(e.school or NO_SCHOOL for e in hired)
    return Hires(len(hired), tuple(sorted(types.items())), tuple(sorted(schools.items())))


def retention_line(horizon: int, cohort: Sequence[Employee], successor: Successor) -> RetentionLine:
    """The cohort's retention into one successor year (overall and by school)."""
    start = successor.school_start
    if start is None:
        return RetentionLine(horizon, successor.label, None, reason=successor.reason)
    schools: dict[str, list[Employee]] = defaultdict(list)
    for employee in cohort:
        schools[employee.school or NO_SCHOOL].append(employee)

    def rate(group: Sequence[Employee]) -> Rate:
        return Rate(sum(1 for e in group if e.employed_on(start)), len(group))

    return RetentionLine(
        horizon,
        successor.label,
        rate(cohort),
        tuple((school, rate(group)) for school, group in sorted(schools.items())),
    )


def retention_summary(
    year: ProgramYear,
    educator_types: tuple[str, ...],
    employees: Sequence[Employee],
    successors: Sequence[Successor],
) -> RetentionSummary:
    """Hires and retention of the year's educators of these types."""
    mine = [e for e in employees if e.educator_type in educator_types]
    cohort = cohort_of(mine, year)
    hires = hires_in(mine, year)
    lines = tuple(
        retention_line(horizon, cohort, successor)
        for horizon, successor in zip(HORIZONS, successors, strict=True)
    )
    if cohort or hires.total:
        source = ReportSource("counted")
    else:
        source = ReportSource(
            "none",
            f"no {' or '.join(t.replace('_', ' ') for t in educator_types)} hired in or in "
            f"their induction year in {year.label} (the roster's hire_date and roles)",
        )
    schools = Counter(e.school or NO_SCHOOL for e in cohort)
    return RetentionSummary(
        year.label,
        educator_types,
        len(cohort),
        hires,
        lines,
        source,
        tuple(sorted(schools.items())),
    )


RETENTION_COLUMNS = ("year", "school", "retained", "cohort", "rate")
ALL_SCHOOLS = "(all)"


def _retention_notes(summary: RetentionSummary) -> tuple[list[str], list[str]]:
    """The notes both retention items give (the hires, the cohort, each successor year's rate
    or why it has none) and what is still missing (the next year's rate, when it has none)."""
    notes = [
        f"hired in {summary.year}: {summary.hires.total}",
        f"in their induction year in {summary.year}: {summary.cohort}",
    ]
    attention = []
    for line in summary.retention:
        if line.rate is None:
            notes.append(f"retention into {line.year}: {line.reason}")
            if line.horizon == 1:
                attention.append(f"retention into {line.year}: {line.reason}")
            continue
        notes.append(
            f"still employed when {line.year} began: {line.rate.retained} of "
            f"{line.rate.cohort} ({line.rate.percent})"
        )
    return notes, attention


def retention_item(summary: RetentionSummary) -> ReportItem:
    """Report item (f) in the report's shape: the rate into N+1 as the value, a row per
    successor year (by school: `retention_by_school_item`), the hires in `extra`; a successor
    year not begun is said in the notes and as still missing."""
    if summary.source.kind == "none":
        return ReportItem.missing(summary.source.reason or "nothing to count")
    rows: list[dict[str, object]] = []
    notes, attention = _retention_notes(summary)
    for line in summary.retention:
        if line.rate is None:
            continue
        schools = [(ALL_SCHOOLS, line.rate)]
        rows += [
            {
                "year": line.year,
                "school": school,
                "retained": rate.retained,
                "cohort": rate.cohort,
                "rate": rate.value,
            }
            for school, rate in schools
        ]
    first = summary.retention[0].rate if summary.retention else None
    return ReportItem(
        value=first.value if first is not None else None,
        source=summary.source.kind,
        columns=RETENTION_COLUMNS,
        rows=tuple(rows),
        notes=tuple(notes),
        extra={
            "hires": summary.hires.total,
            "hires_by_school": dict(summary.hires.by_school),
            "hires_by_type": dict(summary.hires.by_type),
            "cohort": summary.cohort,
        },
        attention=tuple(attention),
    )


HORIZON_NAMES = {1: "next_year", 2: "year_after"}  # N+1, N+2 in the by-school columns
BY_SCHOOL_COLUMNS = (
    "school",
    "hires",
    "cohort",
    *(f"{kind}_{HORIZON_NAMES[h]}" for h in HORIZONS for kind in ("retained", "rate")),
)


def retention_by_school_item(summary: RetentionSummary) -> ReportItem:
    """Hiring and retention by school (the administrators' (g), 603 CMR 7.13): one row per
    school, the program's first as "(all)" — the year's hires, the cohort in their induction
    year, and for N+1 and N+2 how many were retained and the rate (empty until that year has
    begun: said in the notes and, for N+1, as still missing). The value is the rate into N+1."""
    if summary.source.kind == "none":
        return ReportItem.missing(summary.source.reason or "nothing to count")
    hires = dict(summary.hires.by_school) | {ALL_SCHOOLS: summary.hires.total}
    cohort = dict(summary.cohort_by_school) | {ALL_SCHOOLS: summary.cohort}
    rates: dict[str, dict[str, object]] = defaultdict(dict)
    notes, attention = _retention_notes(summary)
    for line in summary.retention:
        name = HORIZON_NAMES[line.horizon]
        if line.rate is None:
            continue
        for school, rate in [(ALL_SCHOOLS, line.rate), *line.by_school]:
            rates[school] |= {f"retained_{name}": rate.retained, f"rate_{name}": rate.value}
    empty = dict.fromkeys(BY_SCHOOL_COLUMNS[3:])
    rows = tuple(
        {"school": school, "hires": hires.get(school, 0), "cohort": cohort.get(school, 0)}
        | empty
        | rates.get(school, {})
        for school in [ALL_SCHOOLS, *sorted((set(hires) | set(cohort)) - {ALL_SCHOOLS})]
    )
    first = summary.retention[0].rate if summary.retention else None
    return ReportItem(
        value=first.value if first is not None else None,
        source=summary.source.kind,
        columns=BY_SCHOOL_COLUMNS,
        rows=rows,
        notes=tuple(notes),
        extra={
            "educator_types": list(summary.educator_types),
            "years": {HORIZON_NAMES[line.horizon]: line.year for line in summary.retention},
            "hires": summary.hires.total,
            "cohort": summary.cohort,
        },
        attention=tuple(attention),
    )
