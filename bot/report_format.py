"""The annual report as Markdown, JSON or CSV (pure)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

from bot.formatting import format_minutes
from bot.services.report import AnnualReport


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}"


def report_markdown(report: AnnualReport) -> str:
    """A readable report for the coordinator to complete and file."""
    first, last = report.period
    lines = [
        f"# Annual induction and mentoring report — {report.program}",
        "",
        f"School year {report.school_year} ({first:%Y-%m-%d} to {last:%Y-%m-%d}); "
        f"generated {report.generated_on:%Y-%m-%d}. Due July 31.",
        "",
        "## (a) Program activities",
        report.blanks["a_program_activities"],
        "",
        f"## (b) Beginning educators served: {len(report.beginning)}",
        "",
        "| name | email | school | type | mentor | time together | observations |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {e.name} | {e.email} | {e.school} | {e.educator_type} | {e.mentor} | "
        f"{format_minutes(e.minutes)} | {e.observations} |"
        for e in report.beginning
    ]
    lines += [
        "",
        f"## (c) Trained mentors: {len(report.trained_mentors)} of {len(report.mentors)}",
        "",
        "| name | email | school | trained | mentees | time mentoring |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {m.name} | {m.email} | {m.school} | {'yes' if m.trained else 'no'} | {m.mentees} | "
        f"{format_minutes(m.minutes)} |"
        for m in report.mentors
    ]
    lines += [
        "",
        f"## (d) Classroom observations made by mentors: {report.observations}",
        "",
        f"## (e) Hours mentors and beginning educators spent together: "
        f"{_hours(report.minutes_together)} ({format_minutes(report.minutes_together)})",
        "",
        "## (f) Hiring and retention of beginning educators",
        report.blanks["f_hiring_and_retention"],
        "",
        "## (g) Participant satisfaction",
        report.blanks["g_participant_satisfaction"],
        "",
        "## (h) Partnerships",
        report.blanks["h_partnerships"],
        "",
        "## Milestones marked done",
        "",
    ]
    lines += [f"- {key}: {count}" for key, count in sorted(report.milestones.items())] or ["- none"]
    return "\n".join(lines) + "\n"


def report_json(report: AnnualReport) -> str:
    """The report as JSON (dates ISO)."""
    body = dataclasses.asdict(report)
    body["period"] = [d.isoformat() for d in report.period]
    body["generated_on"] = report.generated_on.isoformat()
    body["trained_mentor_count"] = len(report.trained_mentors)
    body["beginning_count"] = len(report.beginning)
    body["hours_together"] = round(report.minutes_together / 60, 2)
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def report_csv(report: AnnualReport) -> str:
    """The report as `section,item,value` rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "value"])
    writer.writerow(["program", "name", report.program])
    writer.writerow(["program", "school_year", report.school_year])
    writer.writerow(["b_beginning_educators", "count", len(report.beginning)])
    for e in report.beginning:
        writer.writerow(["b_beginning_educators_minutes", e.email, e.minutes])
    writer.writerow(["c_trained_mentors", "count", len(report.trained_mentors)])
    for m in report.trained_mentors:
        writer.writerow(["c_trained_mentors_minutes", m.email, m.minutes])
    writer.writerow(["d_observations", "count", report.observations])
    writer.writerow(["e_hours_together", "hours", _hours(report.minutes_together)])
    writer.writerow(["e_hours_together", "minutes", report.minutes_together])
    for key, text in report.blanks.items():
        writer.writerow([key, "", text])
    return out.getvalue()
