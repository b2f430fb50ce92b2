"""One educator's induction record (`export record EMAIL`): the induction year and years 2–3 —
mentors with their dates, pair time by year and kind, observations, milestones with dates,
sign-off — as Markdown with a signature block for the central office, CSV or JSON (pure).
Hours and counts only: never notes. Every cell the roster typed goes through `bot.domain.cells`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.cells import csv_text, md_cell
from bot.domain.formatting import format_minutes

RECORD_YEARS = 3  # the induction year and the two after it (the 50 hours: years 2 and 3)


@dataclass(frozen=True)
class KindLine:
    """One kind of entry in one year: how many, and the pair time they gave."""

    kind: str
    entries: int
    minutes: int  # pair time (a mentee's `observed` visits give none)
    visit_minutes: int = 0  # the mentee's own time observing a teacher


@dataclass(frozen=True)
class RecordYear:
    """One program year of the record."""

    label: str
    number: int  # 1: the induction year
    minutes: int  # pair time with every mentor
    observations: int
    visits: int
    kinds: tuple[KindLine, ...]


@dataclass(frozen=True)
class RecordMentor:
    """A mentor the educator had, with the assignment's dates."""

    name: str
    email: str
    started_on: date
    ended_on: date | None
    end_reason: str | None


@dataclass(frozen=True)
class RecordMilestone:
    """A milestone marked done, and whether a coordinator confirmed it."""

    key: str
    title: str
    school_year: str
    done_on: date
    confirmed: bool


@dataclass(frozen=True)
class InductionRecord:
    """What `export record` hands to the central office."""

    program: str
    name: str
    email: str
    school: str
    educator_type: str
    license: str
    hire_date: date | None
    induction_year: str  # the school year that was the induction year
    induction_inferred: bool  # from the hire date: the roster never said
    generated_on: date
    years: tuple[RecordYear, ...]
    mentors: tuple[RecordMentor, ...]
    milestones: tuple[RecordMilestone, ...]
    beyond_minutes: int  # pair time after the induction year (years 2 and 3)
    beyond_target: int  # minutes: the policy's 50 hours
    sign_off: str

    @property
    def beyond_met(self) -> bool:
        """True when the hours beyond the induction year reach the target."""
        return self.beyond_minutes >= self.beyond_target > 0


def record_json(record: InductionRecord) -> str:
    """The record as JSON."""
    body = {
        "program": record.program,
        "educator": {
            "name": record.name,
            "email": record.email,
            "school": record.school,
            "educator_type": record.educator_type,
            "license": record.license,
            "hire_date": record.hire_date.isoformat() if record.hire_date else None,
        },
        "induction_year": record.induction_year,
        "induction_year_inferred": record.induction_inferred,
        "generated_on": record.generated_on.isoformat(),
        "years": [
            {
                "year": y.label,
                "year_of_induction": y.number,
                "minutes": y.minutes,
                "hours": round(y.minutes / 60, 2),
                "observations": y.observations,
                "visits": y.visits,
                "by_kind": [
                    {"kind": k.kind, "entries": k.entries, "minutes": k.minutes} for k in y.kinds
                ],
            }
            for y in record.years
        ],
        "beyond_induction_year": {
            "minutes": record.beyond_minutes,
            "target_minutes": record.beyond_target,
            "met": record.beyond_met,
        },
        "mentors": [
            {
                "name": m.name,
                "email": m.email,
                "started_on": m.started_on.isoformat(),
                "ended_on": m.ended_on.isoformat() if m.ended_on else None,
                "end_reason": m.end_reason,
            }
            for m in record.mentors
        ],
        "milestones": [
            {
                "milestone": m.key,
                "title": m.title,
                "year": m.school_year,
                "done_on": m.done_on.isoformat(),
                "confirmed": m.confirmed,
            }
            for m in record.milestones
        ],
        "sign_off": record.sign_off,
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def record_csv(record: InductionRecord) -> str:
    """The record as `section,year,key,value` rows."""
    rows: list[list[Any]] = [
        ["educator", "", "name", record.name],
        ["educator", "", "email", record.email],
        ["educator", "", "school", record.school],
        ["educator", "", "educator_type", record.educator_type],
        ["educator", "", "license", record.license],
        ["educator", "", "hire_date", record.hire_date.isoformat() if record.hire_date else ""],
        ["educator", "", "induction_year", record.induction_year],
    ]
    for y in record.years:
        rows += [
            ["year", y.label, "year_of_induction", y.number],
            ["year", y.label, "minutes", y.minutes],
            ["year", y.label, "observations", y.observations],
            ["year", y.label, "visits", y.visits],
        ]
        rows += [["year", y.label, f"minutes:{k.kind}", k.minutes] for k in y.kinds]
    rows += [
        ["beyond_induction_year", "", "minutes", record.beyond_minutes],
        ["beyond_induction_year", "", "target_minutes", record.beyond_target],
    ]
    rows += [
        ["mentor", m.started_on.isoformat(), m.email, m.ended_on.isoformat() if m.ended_on else ""]
        for m in record.mentors
    ]
    rows += [["milestone", m.school_year, m.key, m.done_on.isoformat()] for m in record.milestones]
    rows.append(["sign_off", "", "status", record.sign_off])
    return csv_text(["section", "year", "key", "value"], rows)


def record_markdown(record: InductionRecord) -> str:
    """The record to read, print and sign."""
    inferred = " (from the hire date)" if record.induction_inferred else ""
    hired = record.hire_date.isoformat() if record.hire_date else "not on the roster"
    lines = [
        f"# Induction and mentoring record — {md_cell(record.name)}",
        "",
        f"{md_cell(record.program)} · generated {record.generated_on.isoformat()}",
        "",
        f"- Email: {md_cell(record.email)}",
        f"- School: {md_cell(record.school)}",
        f"- Educator type: {md_cell(record.educator_type)}",
        f"- License: {md_cell(record.license)}",
        f"- Hired: {hired}",
        f"- Induction year: {record.induction_year}{inferred}",
        "",
        "## Mentoring by year",
        "",
        "| year | year of induction | time together | observations | visits | by kind |",
        "|---|---|---|---|---|---|",
    ]
    for y in record.years:
        kinds = ", ".join(
            f"{k.kind} {k.entries}× {format_minutes(k.minutes or k.visit_minutes)}" for k in y.kinds
        )
        lines.append(
            f"| {y.label} | {y.number} | {format_minutes(y.minutes)} | {y.observations} | "
            f"{y.visits} | {kinds or 'none'} |"
        )
    met = "met" if record.beyond_met else "not yet met"
    lines += [
        "",
        f"Beyond the induction year (years 2 and 3): {format_minutes(record.beyond_minutes)} "
        f"of {format_minutes(record.beyond_target)} — {met}.",
        "",
        "## Mentors",
        "",
    ]
    lines += [
        f"- {md_cell(m.name)} ({md_cell(m.email)}), {m.started_on.isoformat()} to "
        f"{m.ended_on.isoformat() if m.ended_on else 'now'}"
        + (f" — {md_cell(m.end_reason)}" if m.end_reason else "")
        for m in record.mentors
    ] or ["- none assigned"]
    lines += ["", "## Milestones", ""]
    lines += [
        f"- {md_cell(m.title)} ({m.school_year}): done {m.done_on.isoformat()}"
        + ("" if m.confirmed else " — reported, not yet confirmed by a coordinator")
        for m in record.milestones
    ] or ["- none marked done"]
    lines += [
        "",
        f"Sign-off: {md_cell(record.sign_off)}",
        "",
        "## Central office",
        "",
        "I certify that this record is accurate.",
        "",
        "Signature: ______________________________  Date: ______________",
        "",
        "Name and title: ______________________________",
        "",
    ]
    return "\n".join(lines)
