"""Scale, checked for behaviour at a few hundred rows (speed is measured by bench/edges_scale.py):
`/induction status` lists a first page and counts everyone, and the bulk roster import writes
exactly what the row-by-row one did — all rows or none."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.bootstrap import Services
from bot.domain.members import Member
from bot.services.assignments import STATUS_MENTORS, STATUS_PAGE
from bot.services.programs import ProgramInfo
from bot.slack import views
from bot.slack.blocks import MAX_BLOCKS
from bot.store.models.core import Assignment, Person, PersonRole
from tests.support.hillside import NOW, ROSTER_CSV

HEADER = "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id"
MENTEES = 300
MENTORS = 100


def big_roster(*, moved: bool = False) -> str:
    """The test roster plus 300 mentees (beginning and incoming, hired over the autumn) and
    100 mentors; `moved`: everyone in another school and every fifth mentor a lead too."""
    lines = ROSTER_CSV.strip().splitlines()
    for i in range(MENTEES):
        kind = "beginning_teacher" if i % 3 else "incoming_teacher"
        hired = date(2026, 8, 20) + timedelta(days=i % 90)
        school = f"School {(i + moved) % 7}"
        lines.append(f"m{i:03d}@hillside.example,Mentee {i:03d},mentee,{school},Math,4,{kind},Initial,{hired},U1M{i:03d}")  # fmt: skip
    for i in range(MENTORS):
        roles = "mentor;lead_mentor" if moved and i % 5 == 0 else "mentor"
        lines.append(f"t{i:03d}@hillside.example,Teacher {i:03d},{roles},School {(i + moved) % 7},Math,4,,Professional,2015-08-24,U1T{i:03d}")  # fmt: skip
    return "\n".join(lines) + "\n"


def people_and_roles(services: Services, program: ProgramInfo) -> dict[str, tuple[object, ...]]:
    """Everyone as stored: fields, Slack id and this year's roles, by email."""
    with services.store.read() as session:
        return {
            m.email: (m.name, m.school, m.educator_type, m.hire_date, m.slack_user_id, m.roles)
            for m in services.people.all_members(session, program)
        }


@pytest.fixture
def crowd(services: Services, program: ProgramInfo) -> ProgramInfo:
    """The big roster imported; two mentees in three assigned, one of them from next week."""
    report = services.roster.import_csv(big_roster())
    assert report.ok and len(report.created) == 9 + MENTEES + MENTORS
    with services.store.write() as session:
        ids = {email: pid for email, pid in session.execute(select(Person.email, Person.id)).all()}
        rows = [
            {"program_id": program.id, "started_on": date(2026, 9, 1)}
            | {"mentor_id": ids[f"t{i % MENTORS:03d}@hillside.example"]}
            | {"mentee_id": ids[f"m{i:03d}@hillside.example"]}
            for i in range(MENTEES)
            if i % 3 and i != 1
        ]
        session.execute(insert(Assignment), rows)
    services.assignments.assign(None, "t099@hillside.example", "m001@hillside.example", date(2026, 11, 25), NOW)  # fmt: skip
    return program


# ---- /induction status -----------------------------------------------------------------------


def test_status_lists_a_first_page_and_counts_everyone(
    services: Services, crowd: ProgramInfo
) -> None:
    status = services.assignments.program_status(None, NOW)
    everyone = 4 + MENTEES  # Bea, Ike, Bo, Nia and the crowd
    assert len(status.mentees) == STATUS_PAGE
    assert (status.mentee_count, status.unassigned_count) == (everyone, 4 + MENTEES // 3 + 1)
    assert status.mentor_count == 3 + MENTORS and len(status.mentors) == STATUS_MENTORS

    payload = views.program_status(status)
    assert len(payload["blocks"]) <= MAX_BLOCKS
    assert len(json.dumps(payload)) < 20_000
    counts = payload["blocks"][1]["elements"][0]["text"]
    assert counts.startswith(f"{everyone} mentees · {status.unassigned_count} without a mentor · {status.overdue_count} overdue")  # fmt: skip
    more = [b for b in payload["blocks"] if b["type"] == "context" and "more mentees" in str(b)]
    assert f"…and {everyone - STATUS_PAGE} more mentees" in str(more)
    assert f"…and {3 + MENTORS - STATUS_MENTORS} more" in str(payload["blocks"][-1])


def test_the_first_page_is_the_most_overdue_as_counted_by_hand(
    services: Services, crowd: ProgramInfo
) -> None:
    program = services.programs.current()
    today = program.today(NOW)
    with services.store.read() as session:
        members = [m for m in services.people.all_members(session, program) if "mentee" in m.roles]
        started = {
            mentee: day
            for mentee, day in session.execute(
                select(Assignment.mentee_id, Assignment.started_on).where(
                    Assignment.ended_on.is_(None)
                )
            ).all()
        }
    window = timedelta(days=program.policy.assignment_window_days)
    start = program.config.school_year_start

    def overdue(m: Member) -> int:
        begun = m.id in started and started[m.id] <= today
        due = max(start, m.hire_date or start) + window
        return max((today - due).days, 0) if not begun and m.is_beginning else 0

    expected = sorted(members, key=lambda m: (-overdue(m), m.id in started and started[m.id] <= today, m.name, m.id))  # fmt: skip
    status = services.assignments.program_status(None, NOW)
    assert [r.mentee.email for r in status.mentees] == [m.email for m in expected[:STATUS_PAGE]]
    assert [r.days_overdue for r in status.mentees] == [overdue(m) for m in expected[:STATUS_PAGE]]
    assert status.overdue_count == sum(1 for m in members if overdue(m) > 0)


def test_a_mentee_whose_assignment_begins_later_stays_overdue(
    services: Services, crowd: ProgramInfo
) -> None:
    """Mentee 001 (beginning, hired 21 Aug) has Teacher 099 from Wed 25 Nov: overdue till then."""
    rows = {r.mentee.email: r for r in services.assignments.program_status(None, NOW, page=500).mentees}  # fmt: skip
    row = rows["m001@hillside.example"]
    assert (row.mentor, row.assigned_on, row.days_overdue) == (None, None, 65)
    assert row.upcoming is not None and row.upcoming[0].email == "t099@hillside.example"
    text = views.program_status(services.assignments.program_status(None, NOW, page=500))["text"]
    assert "Teacher 099 from Wed 25 Nov" in text

    later = services.assignments.program_status(None, NOW + timedelta(days=7), page=500)
    row = next(r for r in later.mentees if r.mentee.email == "m001@hillside.example")
    assert (row.mentor is not None, row.days_overdue, row.upcoming) == (True, 0, None)


# ---- roster import ----------------------------------------------------------------------------


def test_a_big_import_writes_every_person_and_role(
    services: Services, program: ProgramInfo
) -> None:
    report = services.roster.import_csv(big_roster())
    assert (report.ok, report.applied, len(report.created)) == (True, True, 9 + MENTEES + MENTORS)
    stored = people_and_roles(services, program)
    assert len(stored) == 9 + MENTEES + MENTORS
    assert stored["m002@hillside.example"] == ("Mentee 002", "School 2", "beginning_teacher", date(2026, 8, 22), "U1M002", frozenset({"mentee"}))  # fmt: skip
    assert stored["lee@hillside.example"][-1] == frozenset({"mentor", "lead_mentor"})


def test_a_changed_roster_updates_fields_and_roles_and_nothing_else(
    services: Services, program: ProgramInfo
) -> None:
    assert services.roster.import_csv(big_roster()).ok
    with services.store.write() as session:  # a role from another school year stays as it is
        pid = session.scalar(select(Person.id).where(Person.email == "t000@hillside.example"))
        session.add(PersonRole(person_id=pid, role="evaluator", school_year="2025-26"))
    before = people_and_roles(services, program)
    report = services.roster.import_csv(big_roster(moved=True))
    assert report.ok and len(report.created) == 0
    assert len(report.updated) == MENTEES + MENTORS and len(report.unchanged) == 9
    after = people_and_roles(services, program)
    assert after["t000@hillside.example"][1] == "School 1"
    assert after["t000@hillside.example"][-1] == frozenset({"mentor", "lead_mentor"})
    assert after["t001@hillside.example"][-1] == frozenset({"mentor"})
    assert after["bea@hillside.example"] == before["bea@hillside.example"]
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(PersonRole).where(PersonRole.school_year == "2025-26")) == 1  # fmt: skip
    again = services.roster.import_csv(big_roster())  # and back: lead roles removed
    assert len(again.updated) == MENTEES + MENTORS
    assert people_and_roles(services, program) == before


def test_slack_ids_can_change_hands_in_one_import(services: Services, program: ProgramInfo) -> None:
    assert services.roster.import_csv(big_roster()).ok
    swapped = big_roster().replace(",U1T000\n", ",TMP\n").replace(",U1T001\n", ",U1T000\n").replace(",TMP\n", ",U1T001\n")  # fmt: skip
    report = services.roster.import_csv(swapped)
    assert report.ok, report.problems
    stored = people_and_roles(services, program)
    assert (stored["t000@hillside.example"][4], stored["t001@hillside.example"][4]) == ("U1T001", "U1T000")  # fmt: skip


def test_one_bad_row_among_hundreds_imports_nothing_and_names_its_line(
    services: Services, program: ProgramInfo
) -> None:
    lines = big_roster().splitlines()
    lines[200] = lines[200].replace("mentee,", "menteee,", 1)
    lines[350] = lines[350].replace("@hillside.example", "", 1)
    report = services.roster.import_csv("\n".join(lines) + "\n")
    assert not report.ok and not report.applied
    assert sorted({p.line for p in report.problems}) == [201, 351]
    assert people_and_roles(services, program) == {}


def test_a_dry_run_of_hundreds_reports_and_writes_nothing(
    services: Services, program: ProgramInfo
) -> None:
    report = services.roster.import_csv(big_roster(), dry_run=True)
    assert (report.ok, report.applied, len(report.created)) == (True, False, 9 + MENTEES + MENTORS)
    assert people_and_roles(services, program) == {}
    assert services.roster.import_csv(big_roster()).ok
    moved = services.roster.import_csv(big_roster(moved=True), dry_run=True)
    assert len(moved.updated) == MENTEES + MENTORS
    assert people_and_roles(services, program)["t000@hillside.example"][1] == "School 0"
