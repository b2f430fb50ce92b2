"""The annual report as Markdown, JSON (the contract's shape) or CSV (pure).

Every cell a person or the roster typed goes through `bot.domain.cells`; the three forms carry the
same figures, all taken from the report's ledger totals."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.assignments import CautionedAssignment
from bot.domain.cells import csv_text, md_cell
from bot.domain.formatting import format_minutes
from bot.domain.report import ReportItem, hours_of
from bot.services.report import AnnualReport, EducatorLine, MentorLine, ProgramReport

STANDARDS_TITLE = "Log entries per standard (educators served)"
WITHOUT_MENTEES_TITLE = "Mentors with no teacher or administrator mentee this year"
NO_STANDARDS = "the program's policy lists no standards"


def _caution_reasons(row: CautionedAssignment) -> str:
    """Why an assignment's mentor may not have met the mentor rules, in a few words."""
    caution = row.caution
    reasons = ["untrained"] if caution.untrained else []
    if caution.licence is not None:
        reasons.append(f"licence {caution.licence}")
    if caution.years is not None:
        reasons.append(f"hired {caution.years} full years before")
    if caution.caseload is not None:
        reasons.append(f"over the caseload cap ({caution.caseload} mentees, cap {caution.cap})")
    return ", ".join(reasons)


def _cautioned_row(row: CautionedAssignment) -> dict[str, Any]:
    return {
        "mentor": row.mentor.email,
        "mentee": row.mentee.email,
        "started_on": row.started_on.isoformat(),
        "untrained": row.caution.untrained,
        "licence": row.caution.licence,
        "years_since_hire": row.caution.years,
        "caseload": row.caution.caseload,
    }


def _educator_row(line: EducatorLine) -> dict[str, Any]:
    return {
        "email": line.email,
        "name": line.name,
        "school": line.school,
        "educator_type": line.educator_type,
        "mentors": [m.email for m in line.mentors],
        "minutes": line.minutes,
        "observations": line.observations,
    }


def _entered(item: ReportItem) -> dict[str, Any]:
    """An item beside the ledger's in the contract's JSON shape."""
    shaped: dict[str, Any] = {"value": item.value, "source": item.source}
    if item.reason is not None:
        shaped["reason"] = item.reason
    return shaped | {"rows": [dict(row) for row in item.rows]} | dict(item.extra)


def _mentor_row(m: MentorLine) -> dict[str, Any]:
    return {
        "email": m.email,
        "name": m.name,
        "school": m.school,
        "trained": m.trained,
        "mentees": m.mentees,
        "minutes": m.minutes,
    }


def report_items(part: ProgramReport) -> dict[str, dict[str, Any]]:
    """The items of one report — the teachers' (a)–(h), the administrators' (a)–(i) — as the
    contract's JSON shapes them."""
    items: dict[str, dict[str, Any]] = {key: _entered(item) for key, item in part.items.items()}
    items["b"] = {
        "value": len(part.served),
        "source": "counted",
        "rows": [_educator_row(line) for line in part.served],
        "beyond_induction_year": [
            _educator_row(line) | {"minutes_toward_50_hours": line.beyond_minutes}
            for line in part.beyond_induction
        ],
    }
    items["c"] = {
        "value": len(part.trained_mentors),
        "source": "counted",
        "mentors": len(part.mentors),
        "rows": [_mentor_row(m) for m in part.mentors],
        "cautioned_assignments": [_cautioned_row(row) for row in part.cautioned],
    }
    items["d"] = {"value": part.observations, "source": "counted", "rows": []}
    items["e"] = {
        "value": hours_of(part.minutes_together),
        "minutes": part.minutes_together,
        "source": "counted",
        "rows": [],
    }
    return dict(sorted(items.items()))


def report_json(report: AnnualReport) -> str:
    """The report as the contract's JSON."""
    body = {
        "program": report.program,
        "year": report.school_year,
        "period": [d.isoformat() for d in report.period],
        "generated_on": report.generated_on.isoformat(),
        **{name: _titled(report_items(part), part.titles) for name, part in report.parts.items()},
        "milestones": report.milestones,
        "standards": standards_json(report),
        "mentors_without_mentees": {
            "title": WITHOUT_MENTEES_TITLE,
            "value": len(report.without_mentees),
            "rows": [_mentor_row(m) for m in report.without_mentees],
        },
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _standard_rows(report: AnnualReport, part: ProgramReport) -> list[dict[str, Any]]:
    return [
        {"code": s.code, "name": s.name, "entries": part.standards.get(s.code, 0)}
        for s in report.vocabulary
    ]


def standards_json(report: AnnualReport) -> dict[str, Any]:
    """Coverage of the standards as counts only: entries per standard over each report's (b)."""
    if not report.vocabulary:
        return {"title": STANDARDS_TITLE, "source": "none", "reason": NO_STANDARDS}
    return {
        "title": STANDARDS_TITLE,
        "source": "counted",
        "teachers": _standard_rows(report, report.teachers),
        "administrators": _standard_rows(report, report.administrators),
    }


def _titled(items: dict[str, dict[str, Any]], titles: dict[str, str]) -> dict[str, Any]:
    return {key: {"title": titles[key], **item} for key, item in items.items()}


def _markdown_part(part: ProgramReport) -> list[str]:
    titles = part.titles
    lines = [
        *_item_md("a", part.items["a"], titles),
        f"### (b) {titles['b']}: {len(part.served)}",
        "",
        "| name | email | school | type | mentors | time together | observations |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_educator_md(line) for line in part.served]
    if part.beyond_induction:
        lines += [
            "",
            f"Beyond the induction year (toward the 50 hours), listed apart: "
            f"{len(part.beyond_induction)}",
            "",
            "| name | email | school | type | mentors | time together | observations "
            "| toward the 50 hours (all years) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"{_educator_md(line)} {format_minutes(line.beyond_minutes or 0)} |"
            for line in part.beyond_induction
        ]
    lines += [
        "",
        f"### (c) {titles['c']}: {len(part.trained_mentors)} of {len(part.mentors)}",
        "",
        "| name | email | school | trained | mentees | time mentoring |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {md_cell(m.name)} | {md_cell(m.email)} | {md_cell(m.school)} | "
        f"{'yes' if m.trained else 'no'} | {m.mentees} | {format_minutes(m.minutes)} |"
        for m in part.mentors
    ]
    if part.cautioned:
        lines += [
            "",
            f"Assignments whose mentor may not have met the mentor rules: {len(part.cautioned)}",
            "",
        ]
        lines += [
            f"- {md_cell(c.mentor.name)} → {md_cell(c.mentee.name)}, from "
            f"{c.started_on.isoformat()}: {md_cell(_caution_reasons(c))}"
            for c in part.cautioned
        ]
    lines += [
        "",
        f"### (d) {titles['d']}: {part.observations}",
        "",
        f"### (e) {titles['e']}: {hours_of(part.minutes_together):.2f} "
        f"({format_minutes(part.minutes_together)})",
        "",
    ]
    for key in sorted(part.items):
        if key != "a":
            lines += _item_md(key, part.items[key], titles)
    return lines


def _value_text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _item_md(key: str, item: ReportItem, titles: dict[str, str]) -> list[str]:
    """An item beside the ledger's: its value and source, its notes, its rows as a table."""
    if item.source == "none":
        return [f"### ({key}) {titles[key]}", f"Not available: {md_cell(item.reason or '')}.", ""]
    value = "" if item.value is None else f": {_value_text(item.value)}"
    lines = [f"### ({key}) {titles[key]}{value}", f"Source: {item.source}.", ""]
    lines += [f"- {md_cell(note)}" for note in item.notes]
    if item.notes:
        lines.append("")
    if item.rows and item.columns:
        lines += [
            "| " + " | ".join(md_cell(c.replace("_", " ")) for c in item.columns) + " |",
            "|" + "---|" * len(item.columns),
        ]
        lines += [
            "| " + " | ".join(md_cell(_value_text(row.get(c, ""))) for c in item.columns) + " |"
            for row in item.rows
        ]
        lines.append("")
    return lines


def _educator_md(line: EducatorLine) -> str:
    return (
        f"| {md_cell(line.name)} | {md_cell(line.email)} | {md_cell(line.school)} | "
        f"{md_cell(line.educator_type)} | {md_cell(line.mentor)} | "
        f"{format_minutes(line.minutes)} | {line.observations} |"
    )


def _without_mentees_md(report: AnnualReport) -> list[str]:
    """The mentors in neither report's (c), as a table (only when there are any)."""
    if not report.without_mentees:
        return []
    return [
        f"## {WITHOUT_MENTEES_TITLE}: {len(report.without_mentees)}",
        "",
        "Listed in neither report's (c).",
        "",
        "| name | email | school | trained |",
        "|---|---|---|---|",
        *(
            f"| {md_cell(m.name)} | {md_cell(m.email)} | {md_cell(m.school)} | "
            f"{'yes' if m.trained else 'no'} |"
            for m in report.without_mentees
        ),
        "",
    ]


def report_markdown(report: AnnualReport) -> str:
    """A readable report for the coordinator to complete and file."""
    first, last = report.period
    lines = [
        f"# Annual induction and mentoring report — {md_cell(report.program)}",
        "",
        f"Program year {report.school_year} ({first:%Y-%m-%d} to {last:%Y-%m-%d}); "
        f"generated {report.generated_on:%Y-%m-%d}. Due July 31.",
        "",
        "## Teachers (603 CMR 7.12)",
        "",
        *_markdown_part(report.teachers),
        "## Administrators (603 CMR 7.13)",
        "",
        *_markdown_part(report.administrators),
        *_without_mentees_md(report),
        "## Milestones marked done",
        "",
    ]
    lines += [f"- {md_cell(k)}: {n}" for k, n in sorted(report.milestones.items())] or ["- none"]
    lines += ["", f"## {STANDARDS_TITLE}", ""]
    if not report.vocabulary:
        lines.append(f"Not available: {NO_STANDARDS}.")
    else:
        lines += ["| standard | name | teachers | administrators |", "|---|---|---|---|"]
        lines += [
            f"| {md_cell(s.code)} | {md_cell(s.name)} | {report.teachers.standards.get(s.code, 0)} "
            f"| {report.administrators.standards.get(s.code, 0)} |"
            for s in report.vocabulary
        ]
    return "\n".join(lines) + "\n"


def _item_csv(name: str, key: str, item: ReportItem) -> list[list[Any]]:
    """`report,item,key,value` rows of an item beside the ledger's: value, source, then each
    row's cells keyed `first-column-value:column`."""
    if item.source == "none":
        return [[name, key, "not_available", item.reason]]
    rows: list[list[Any]] = [[name, key, "value", item.value], [name, key, "source", item.source]]
    if item.columns:
        first, *rest = item.columns
        for row in item.rows:
            rows += [
                [name, key, f"{row.get(first, '')}:{column}", row.get(column, "")]
                for column in rest
            ]
    return rows


def report_csv(report: AnnualReport) -> str:
    """The report as `report,item,key,value` rows."""
    rows: list[list[Any]] = [
        ["program", "", "name", report.program],
        ["program", "", "year", report.school_year],
    ]
    for name, part in report.parts.items():
        rows.append([name, "b", "count", len(part.served)])
        rows += [[name, "b", line.email, line.minutes] for line in part.served]
        rows += [
            [name, "b_beyond_induction_year", ln.email, ln.minutes] for ln in part.beyond_induction
        ]
        rows += [
            [name, "b_toward_50_hours", ln.email, ln.beyond_minutes or 0]
            for ln in part.beyond_induction
        ]
        rows.append([name, "c", "count", len(part.trained_mentors)])
        rows += [[name, "c", m.email, m.minutes] for m in part.trained_mentors]
        rows += [
            [
                name,
                "c_cautioned_assignment",
                f"{c.mentor.email} > {c.mentee.email}",
                _caution_reasons(c),
            ]
            for c in part.cautioned
        ]
        rows.append([name, "d", "count", part.observations])
        rows.append([name, "e", "hours", f"{hours_of(part.minutes_together):.2f}"])
        rows.append([name, "e", "minutes", part.minutes_together])
        for key in sorted(part.items):
            rows += _item_csv(name, key, part.items[key])
        rows += [
            [name, "standards", s.code, part.standards.get(s.code, 0)] for s in report.vocabulary
        ]
    rows.append(["mentors_without_mentees", "", "count", len(report.without_mentees)])
    rows += [
        ["mentors_without_mentees", "", m.email, "trained" if m.trained else "untrained"]
        for m in report.without_mentees
    ]
    return csv_text(["report", "item", "key", "value"], rows)
