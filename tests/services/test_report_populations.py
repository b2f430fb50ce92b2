"""Issue 19: each report counts its own population (docs/domain.md, "The annual report").

The teachers' items count only pairs whose mentee is a teacher, the administrators' only
administrators (the roster's `educator_type`); a mentor of both is in each (c) with that
population's time only, a batch naming mentees of both counted once in each. The
administrators' report has the nine items of 603 CMR 7.13, its (g) teachers' hiring and
retention by school with the school rows in JSON, CSV and Markdown.

The property: any sequence of adds (assignments), edits (logs, Edits, Undos) and removals
(unassignments) of one population's pairs leaves the other report byte for byte as it was — in
JSON, Markdown and CSV. Runs on SQLite and PostgreSQL (the two params of `db_url`); the demo's
tests on its own SQLite file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st

from bot.bootstrap import Services
from bot.cli.report_format import report_csv, report_json, report_markdown
from bot.config import Settings
from bot.devtools.demo import DEMO_NOW
from bot.domain.entries import LogOutcome
from bot.services.errors import Refusal
from bot.services.report import AnnualReport, report_readiness
from tests.support.hillside import NOW, ROSTER_CSV

ADMINS_ROSTER = ROSTER_CSV + (
    "ada@hillside.example,Ada Admin,mentee,Jefferson,,,beginning_administrator,Initial,2026-07-01,U0ADA\n"
    "ari@hillside.example,Ari Assistant,mentee,Lincoln,,,incoming_administrator,Professional,2026-08-10,U0ARI\n"
    "tom@hillside.example,Tom Mentor,mentor,Jefferson,Science,8,,Professional,2018-08-27,U0TOM\n"
)  # fmt: skip
EMAILS = {
    "U0LEE": "lee@hillside.example",
    "U0MIA": "mia@hillside.example",
    "U0MAX": "max@hillside.example",
    "U0TOM": "tom@hillside.example",
    "U0BEA": "bea@hillside.example",
    "U0IKE": "ike@hillside.example",
    "U0BO": "bo@hillside.example",
    "U0NIA": "nia@hillside.example",
    "U0ADA": "ada@hillside.example",
    "U0ARI": "ari@hillside.example",
}
MENTORS = ("U0LEE", "U0MIA", "U0MAX", "U0TOM")
POPULATION = {"teachers": ("U0BEA", "U0IKE", "U0BO", "U0NIA"), "administrators": ("U0ADA", "U0ARI")}
OTHER = {"teachers": "administrators", "administrators": "teachers"}
KINDS = ("meeting", "observation", "planning", "co-teaching", "observed")
FIRST_DAY = date(2026, 9, 1)
DAYS = (NOW.date() - FIRST_DAY).days  # logs and assignments from 1 Sep to today (18 Nov)


@pytest.fixture
def both(services: Services, program: object) -> Services:
    """The test roster with two administrators and Tom; Lee→Bea, Mia→Ike, Max→Bo, Tom→Ada,
    and Lee→Ari (Lee mentors both populations), with a little logged in each."""
    assert services.roster.import_csv(ADMINS_ROSTER).ok
    for mentor, mentee, day in (
        ("U0LEE", "U0BEA", "2026-08-26"),
        ("U0MIA", "U0IKE", "2026-09-02"),
        ("U0MAX", "U0BO", "2026-08-31"),
        ("U0TOM", "U0ADA", "2026-09-01"),
        ("U0LEE", "U0ARI", "2026-09-01"),
    ):
        services.assignments.assign(None, EMAILS[mentor], EMAILS[mentee], date.fromisoformat(day), NOW)  # fmt: skip
    for mentor, text in (
        ("U0LEE", "45m meeting <@U0BEA> 2026-11-02 #I"),
        ("U0LEE", "30m planning <@U0ARI> 2026-11-03 #II"),
        ("U0MIA", "20m observation <@U0IKE> 2026-11-04"),
        ("U0TOM", "50m observation <@U0ADA> 2026-11-05 #I"),
    ):
        assert services.logs.log_text(mentor, text, NOW).ok, text
    return services


def part_of(report: AnnualReport, name: str) -> tuple[str, str, str]:
    """One report's bytes in each form: its JSON (with its standards counts), its Markdown
    section, and its CSV rows."""
    body = json.loads(report_json(report))
    standards = body["standards"].get(name)
    markdown = report_markdown(report)
    heading = "## Teachers (603 CMR 7.12)" if name == "teachers" else "## Administrators (603 CMR 7.13)"  # fmt: skip
    section = markdown[markdown.index(heading) :]
    section = section[: section.index("\n## ", len(heading))]
    rows = "\n".join(
        line for line in report_csv(report).splitlines() if line.startswith(f"{name},")
    )
    return json.dumps([body[name], standards], sort_keys=True), section, rows


@dataclass
class Operator:
    """Adds, edits and removes pairs of one population through the real services."""

    services: Services
    population: str
    batches: list[tuple[str, str]]  # (author, batch id), as logged
    entries: list[tuple[str, int, str]]  # (author, entry id, kind)

    def attempt(self, operation: str, label: str, action: object) -> object:
        note(label)
        try:
            result = action()  # type: ignore[operator]
        except Refusal as refusal:
            note(f"  refused: {refusal.message}")
            return None
        if isinstance(result, LogOutcome) and not result.ok:
            note("  asked back")
            return None
        event(f"{self.population}: {operation} done")
        return result

    def run(self, data: st.DataObject) -> None:
        mentees = POPULATION[self.population]
        day = FIRST_DAY + timedelta(days=data.draw(st.integers(0, DAYS)))
        operation = data.draw(st.sampled_from(("assign", "log", "log", "log", "edit", "undo", "unassign")))  # fmt: skip
        mentee = data.draw(st.sampled_from(mentees))
        mentor = data.draw(st.sampled_from(MENTORS))
        if operation == "assign":
            self.attempt(
                "assign",
                f"assign {mentor} → {mentee} from {day}",
                lambda: self.services.assignments.assign(None, EMAILS[mentor], EMAILS[mentee], day, NOW),
            )  # fmt: skip
        elif operation == "log":
            minutes, kind = data.draw(st.integers(1, 180)), data.draw(st.sampled_from(KINDS))
            text = f"{minutes}m {kind} <@{mentee}> {day.isoformat()}"
            author = data.draw(st.sampled_from((mentor, "U0CORA")))  # the coordinator: any pair
            if kind == "observed":  # the mentee's visit to a mentor's class
                author, text = mentee, f"{minutes}m observed <@{mentor}> {day.isoformat()}"
            outcome = self.attempt(kind, f"{author}: /logmeeting {text}", lambda: self.services.logs.log_text(author, text, NOW))  # fmt: skip
            if isinstance(outcome, LogOutcome) and outcome.batch_id is not None:
                self.batches.append((author, outcome.batch_id))
                self.entries += [(author, e.id, e.kind) for e in outcome.entries]
        elif operation == "edit" and self.entries:
            author, entry_id, kind = data.draw(st.sampled_from(self.entries))
            minutes = data.draw(st.integers(1, 180))
            self.attempt(
                "edit",
                f"{author}: Edit {entry_id} to {minutes} min on {day}",
                lambda: self.services.logs.edit(author, entry_id, NOW, duration_text=f"{minutes}m", kind=kind, on=day, notes=None),
            )  # fmt: skip
        elif operation == "undo" and self.batches:
            author, batch = data.draw(st.sampled_from(self.batches))
            self.attempt("undo", f"{author}: Undo {batch[:8]}", lambda: self.services.logs.undo(author, batch, NOW))  # fmt: skip
        elif operation == "unassign":
            self.attempt(
                "unassign",
                f"unassign {mentee} from {day}",
                lambda: self.services.assignments.unassign(None, EMAILS[mentee], "schedule change", day, NOW),
            )  # fmt: skip


@pytest.mark.parametrize("changed", ["administrators", "teachers"])
@given(data=st.data())
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_one_populations_pairs_never_change_a_byte_of_the_other_report(
    both: Services, changed: str, data: st.DataObject
) -> None:
    """Each example starts from where the one before left off, and compares the other report
    with itself before the example's operations."""
    other = OTHER[changed]
    before = part_of(both.reports.annual(None, NOW), other)
    operator = Operator(both, changed, [], [])
    for _ in range(data.draw(st.integers(1, 6))):
        operator.run(data)
    after = part_of(both.reports.annual(None, NOW), other)
    assert after[0] == before[0], f"the {other}' JSON changed"
    assert after[1] == before[1], f"the {other}' Markdown changed"
    assert after[2] == before[2], f"the {other}' CSV changed"
    assert both.ledger.verify().differences == ()


def test_a_mentor_of_both_is_in_each_c_with_that_populations_time_only(both: Services) -> None:
    """Lee mentors Bea (a teacher) and Ari (an administrator); one batch naming both counts
    once in each report, and once in Lee's pay."""
    assert both.logs.log_text("U0LEE", "1h meeting <@U0BEA> <@U0ARI> 2026-11-09", NOW).ok
    report = both.reports.annual(None, NOW)
    teachers = {m.email: (m.mentees, m.minutes) for m in report.teachers.mentors}
    administrators = {m.email: (m.mentees, m.minutes) for m in report.administrators.mentors}
    assert teachers == {
        "lee@hillside.example": (1, 45 + 60),
        "mia@hillside.example": (1, 20),
        "max@hillside.example": (1, 0),
    }
    assert administrators == {
        "lee@hillside.example": (1, 30 + 60),
        "tom@hillside.example": (1, 50),
    }
    assert report.without_mentees == []
    year = both.programs.current().year
    pay = {r.email: r.minutes for r in both.pay.period(year.first, year.last).rows}
    assert pay.get("lee@hillside.example") in (None, 45 + 30 + 60)  # one session for the batch
    body = json.loads(report_json(report))
    assert body["teachers"]["e"]["minutes"] == 45 + 60 + 20 and body["administrators"]["e"]["minutes"] == 30 + 60 + 50  # fmt: skip
    mentoring = {p: sum(r["pair_minutes"] for r in body[p]["a"]["mentoring"]) for p in ("teachers", "administrators")}  # fmt: skip
    assert mentoring == {"teachers": 125, "administrators": 140}  # (a) logged = (e) here
    assert both.ledger.verify().differences == ()


def test_a_mentor_with_no_teacher_or_administrator_mentee_is_in_neither_c(both: Services) -> None:
    """Zed, a mentor with no mentee this year, is listed apart: in either (c), a first pair of
    the other population would change that report."""
    spare = "zed@hillside.example,Zed Spare,mentor,Lincoln,Art,3,,Professional,2015-08-24,U0ZED\n"
    assert both.roster.import_csv(ADMINS_ROSTER + spare).ok
    report = both.reports.annual(None, NOW)
    assert "zed@hillside.example" not in {m.email for p in report.parts.values() for m in p.mentors}  # fmt: skip
    assert [m.email for m in report.without_mentees] == ["zed@hillside.example"]
    body = json.loads(report_json(report))
    assert body["mentors_without_mentees"]["value"] == 1
    assert "## Mentors with no teacher or administrator mentee this year: 1" in report_markdown(report)  # fmt: skip
    assert "mentors_without_mentees,,zed@hillside.example,untrained" in report_csv(report)


# ---- the demo ---------------------------------------------------------------------------------


def test_the_demos_reports_each_count_their_own_population(demo: tuple[Settings, Services]) -> None:
    """Ada, an administrator hired on 1 July, is mentored by Tom: her 11 h 55 and Tom are in
    the administrators' report only."""
    _, services = demo
    report = services.reports.annual(None, DEMO_NOW)
    body = json.loads(report_json(report))
    teachers, administrators = body["teachers"], body["administrators"]
    assert list(teachers) == list("abcdefgh") and list(administrators) == list("abcdefghi")
    assert [administrators[k]["title"] for k in "abcdefghi"] == [
        "Program activities",
        "Beginning administrators served",
        "Trained mentors",
        "Site-based visits made by mentors",
        "Hours mentors and beginning administrators spent together",
        "Hiring and retention of first-year administrators",
        "Teacher hiring and retention, by school",
        "Participant satisfaction",
        "Partnerships",
    ]
    for part in (teachers, administrators):  # (a)'s logged mentoring is (e)'s population's
        logged = sum(row["pair_minutes"] for row in part["a"]["mentoring"])
        assert logged == part["e"]["minutes"]
    assert teachers["e"]["minutes"] == 50 * 60 + 15
    assert administrators["e"]["minutes"] == 11 * 60 + 55
    assert [r["email"] for r in administrators["b"]["rows"]] == ["ada@maplevalley.example"]
    assert "tom@maplevalley.example" not in {r["email"] for r in teachers["c"]["rows"]}
    assert [(r["email"], r["minutes"]) for r in administrators["c"]["rows"]] == [("tom@maplevalley.example", 715)]  # fmt: skip
    assert sum(r["minutes"] for r in teachers["c"]["rows"]) == teachers["e"]["minutes"]
    assert administrators["f"]["cohort"] == 1  # Ada, a first-year administrator
    g = administrators["g"]
    assert [(r["school"], r["hires"], r["cohort"]) for r in g["rows"]] == [
        ("(all)", 4, 4),
        ("Jefferson Middle", 2, 2),
        ("Lincoln Elementary", 2, 2),
    ]
    markdown = report_markdown(report)
    admins = markdown[markdown.index("## Administrators") :]
    assert "| Jefferson Middle | 2 | 2 | — | — | — | — |" in admins
    assert "### (i) Partnerships: 2" in admins
    assert "- logged planning: 1 entry, 45 min together, 45 min of mentor time" in admins
    assert "administrators,g,Jefferson Middle:hires,2" in report_csv(report).splitlines()
    teachers_md = markdown[: markdown.index("## Administrators")]
    assert "Tom Mentor" not in teachers_md and "Ada Admin" not in teachers_md
    missing = report_readiness(report).missing  # what the weekly draft and Home list
    assert any(m.startswith("Administrators (h) Participant satisfaction: survey answers") for m in missing)  # fmt: skip
    assert any(m.startswith("Administrators (g) retention into 2027-28") for m in missing)
