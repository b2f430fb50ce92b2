"""Mentor assignments (bot/services/assignments.py): the pair rules, the policy window, history."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from bot.bootstrap import Services
from bot.cli.report_format import report_csv as annual_csv
from bot.cli.report_format import report_items
from bot.cli.report_format import report_markdown as annual_markdown
from bot.clock import FixedClock
from bot.domain.assignments import MentorCaution, mentor_caution
from bot.domain.calendar import SchoolCalendar
from bot.domain.members import Member
from bot.domain.policy import PRESETS, parse_program_toml
from bot.services.assignments import assignment_due, check_pair
from bot.services.errors import NotAllowed, NotOnRoster, Refusal
from bot.services.programs import ProgramInfo
from bot.store.models.core import Assignment, Person
from tests.support.hillside import BEA, BO, CORA, IKE, LEE, MAX, MIA, NIA, NOW, PAT, PROGRAM_TOML

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # engine-independent


def member(
    pid: int,
    roles: set[str],
    *,
    name: str = "Someone",
    active: bool = True,
    educator_type: str | None = None,
    hire_date: date | None = None,
) -> Member:
    return Member(
        id=pid,
        email=f"p{pid}@hillside.example",
        name=name,
        school="Lincoln",
        subject=None,
        grade=None,
        educator_type=educator_type,
        license=None,
        hire_date=hire_date,
        slack_user_id=f"U0P{pid}",
        active=active,
        roles=frozenset(roles),
    )


MENTOR = member(1, {"mentor"}, name="Mia")
MENTEE = member(2, {"mentee"}, name="Bea", educator_type="beginning_teacher")


# ---- the pair rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mentor", "mentee", "refusal"),
    [
        pytest.param(MENTOR, MENTOR, "can't mentor themselves", id="self"),
        pytest.param(member(3, {"mentee"}, name="Ike"), MENTEE, "Ike is a mentee this year, and a mentee can't mentor", id="mentee-as-mentor"),
        pytest.param(member(3, {"mentee", "mentor"}, name="Ike"), MENTEE, "a mentee can't mentor", id="mentee-holding-mentor-too"),
        pytest.param(member(3, {"coordinator"}, name="Cora"), MENTEE, "Cora doesn't hold the mentor role this year", id="coordinator-not-mentor"),
        pytest.param(member(3, set(), name="Nobody"), MENTEE, "Nobody doesn't hold the mentor role", id="no-role"),
        pytest.param(MENTOR, member(3, {"mentor"}, name="Max"), "Max isn't a mentee this year", id="mentee-not-mentee"),
        pytest.param(MENTOR, member(3, {"evaluator"}, name="Pat"), "Pat isn't a mentee this year", id="evaluator-as-mentee"),
        pytest.param(replace(MENTOR, active=False), MENTEE, "Mia is deactivated in the program", id="mentor-deactivated"),
        pytest.param(MENTOR, replace(MENTEE, active=False), "Bea is deactivated in the program", id="mentee-deactivated"),
    ],
)  # fmt: skip
def test_check_pair_refuses(mentor: Member, mentee: Member, refusal: str) -> None:
    with pytest.raises(Refusal) as caught:
        check_pair(mentor, mentee)
    assert refusal in caught.value.message


@pytest.mark.parametrize(
    "mentor",
    [
        pytest.param(MENTOR, id="mentor"),
        pytest.param(member(3, {"mentor", "lead_mentor"}), id="lead-mentor"),
        pytest.param(member(3, {"mentor", "coordinator", "evaluator"}), id="mentor-and-more"),
    ],
)  # fmt: skip
def test_check_pair_accepts(mentor: Member) -> None:
    check_pair(mentor, MENTEE)  # no refusal


# ---- the policy window ----------------------------------------------------------------------


def program_info(policy: str) -> ProgramInfo:
    config = parse_program_toml(PROGRAM_TOML.replace('policy = "ma"', f'policy = "{policy}"'))
    return ProgramInfo(
        id=1,
        config=config,
        policy=config.effective_policy(),
        calendar=SchoolCalendar.from_config(config),
    )


@pytest.mark.parametrize(
    ("policy", "hire_date", "due"),
    [
        ("ma", None, date(2026, 9, 14)),
        ("ma", date(2026, 8, 24), date(2026, 9, 14)),
        ("ma", date(2026, 8, 31), date(2026, 9, 14)),
        ("ma", date(2026, 9, 1), date(2026, 9, 15)),
        ("ma", date(2026, 10, 19), date(2026, 11, 2)),
        ("ma", date(2027, 2, 22), date(2027, 3, 8)),
        ("ca", None, date(2026, 9, 30)),
        ("ca", date(2026, 8, 24), date(2026, 9, 30)),
        ("ca", date(2026, 10, 19), date(2026, 11, 18)),
    ],
)  # fmt: skip
def test_assignment_due_counts_from_the_later_of_start_and_hire(
    policy: str, hire_date: date | None, due: date
) -> None:
    mentee = replace(MENTEE, hire_date=hire_date)
    assert assignment_due(mentee, program_info(policy)) == due


# ---- the service -----------------------------------------------------------------------------


def rows_for(services: Services, mentee_id: int) -> list[Assignment]:
    with services.store.read() as session:
        query = select(Assignment).where(Assignment.mentee_id == mentee_id).order_by(Assignment.id)
        return list(session.scalars(query))


def as_member(services: Services, email: str) -> Member:
    program = services.programs.current()
    with services.store.read() as session:
        return services.people.get(session, program, email)


def test_assign_records_the_pair(services: Services, roster: dict[str, int]) -> None:
    cora = as_member(services, CORA)
    result = services.assignments.assign(cora, "<@U0MIA>", NIA, date(2026, 11, 16), NOW)
    assert (result.mentor and result.mentor.email, result.mentee.email) == (MIA, NIA)
    assert result.started_on == date(2026, 11, 16)
    assert not result.unchanged and result.ended == ()
    (row,) = rows_for(services, roster[NIA])
    assert (row.mentor_id, row.started_on, row.ended_on) == (roster[MIA], date(2026, 11, 16), None)
    assert row.created_by_id == roster[CORA]


def test_assign_defaults_to_today_in_the_program_timezone(
    services: Services, roster: dict[str, int], clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 19, 3, 30, tzinfo=UTC))  # still Wed 18 Nov in New York
    result = services.assignments.assign(None, MIA, NIA, None, clock.now())
    assert result.started_on == date(2026, 11, 18)


def test_reassign_closes_the_old_assignment_and_keeps_history(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    cora = as_member(services, CORA)
    result = services.assignments.assign(cora, MIA, BEA, date(2026, 11, 2), NOW)
    assert [(m.email, d) for m, d in result.ended] == [(LEE, date(2026, 11, 1))]  # the day before
    old, new = rows_for(services, roster[BEA])
    assert (old.mentor_id, old.started_on, old.ended_on) == (roster[LEE], date(2026, 8, 26), date(2026, 11, 1))  # fmt: skip
    assert old.end_reason == "reassigned to Mia Mentor"
    assert old.ended_by_id == roster[CORA]
    assert (new.mentor_id, new.started_on, new.ended_on) == (roster[MIA], date(2026, 11, 2), None)


def test_reassign_cannot_start_before_the_current_assignment(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    with pytest.raises(Refusal, match="began Wed 26 Aug 2026"):
        services.assignments.assign(None, MIA, BEA, date(2026, 8, 20), NOW)
    (row,) = rows_for(services, roster[BEA])
    assert row.ended_on is None


def test_the_same_pair_again_is_unchanged(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    result = services.assignments.assign(None, "U0LEE", BEA, date(2026, 11, 10), NOW)
    assert result.unchanged
    assert result.started_on == date(2026, 8, 26)
    assert len(rows_for(services, roster[BEA])) == 1


def test_unassign_ends_with_date_and_reason(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    cora = as_member(services, CORA)
    result = services.assignments.unassign(cora, BO, "  schedule conflict  ", date(2026, 11, 16), NOW)  # fmt: skip
    assert result.mentor is None
    assert [(m.email, d) for m, d in result.ended] == [(MAX, date(2026, 11, 16))]
    (row,) = rows_for(services, roster[BO])
    assert (row.ended_on, row.end_reason) == (date(2026, 11, 16), "schedule conflict")
    assert row.ended_by_id == roster[CORA]


def test_unassign_without_a_reason_says_who_ended_it(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    services.assignments.unassign(None, BO, None, None, NOW)
    (row,) = rows_for(services, roster[BO])
    assert (row.ended_on, row.end_reason) == (date(2026, 11, 18), "ended by coordinator")


def test_unassign_without_an_active_assignment_is_refused(services: Services, pairs: None) -> None:
    with pytest.raises(Refusal, match="Nia New has no active mentor assignment"):
        services.assignments.unassign(None, NIA, "x", None, NOW)


@SQLITE_ONLY
def test_unassign_reports_the_end_date_it_stored(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    """An end before the start is refused (nothing changes); a valid end is reported as stored."""
    with pytest.raises(Refusal, match="can't end before that"):
        services.assignments.unassign(None, BO, "never met", date(2026, 8, 1), NOW)
    (row,) = rows_for(services, roster[BO])
    assert row.ended_on is None
    result = services.assignments.unassign(None, BO, "moved", date(2026, 10, 1), NOW)
    (row,) = rows_for(services, roster[BO])
    assert row.ended_on == date(2026, 10, 1)
    assert [d for _, d in result.ended] == [row.ended_on]


@SQLITE_ONLY
@pytest.mark.parametrize("actor_email", [LEE, BEA, PAT])
@pytest.mark.parametrize("operation", ["assign", "unassign", "program_status", "person_status"])
def test_non_coordinators_are_refused(
    services: Services, pairs: None, roster: dict[str, int], actor_email: str, operation: str
) -> None:
    actor = as_member(services, actor_email)
    calls = {
        "assign": lambda: services.assignments.assign(actor, MIA, NIA, None, NOW),
        "unassign": lambda: services.assignments.unassign(actor, BEA, "x", None, NOW),
        "program_status": lambda: services.assignments.program_status(actor, NOW),
        "person_status": lambda: services.assignments.person_status(actor, BEA, NOW),
    }
    with pytest.raises(NotAllowed):
        calls[operation]()
    assert len(rows_for(services, roster[NIA])) == 0
    assert rows_for(services, roster[BEA])[0].ended_on is None


@pytest.mark.parametrize(
    ("slack_id", "error", "message"),
    [
        ("U0LEE", NotAllowed, "`/induction` is for induction coordinators"),
        ("U0NOBODY", NotOnRoster, "not on the Hillside Public Schools roster"),
    ],
)  # fmt: skip
def test_coordinator_lookup_refuses_others(
    services: Services, roster: dict[str, int], slack_id: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        services.assignments.coordinator(slack_id)


def test_coordinator_lookup_finds_the_coordinator(
    services: Services, roster: dict[str, int]
) -> None:
    assert services.assignments.coordinator("U0CORA").email == CORA


@pytest.mark.parametrize(
    ("mentor", "mentee", "message"),
    [
        ("zed@hillside.example", BEA, "zed@hillside.example is not on the Hillside Public Schools roster"),
        (MIA, "@bea", "I can't tell who '@bea' is"),
        (BEA, IKE, "a mentee can't mentor"),
        (PAT, NIA, "doesn't hold the mentor role"),
    ],
)  # fmt: skip
def test_assign_refusals_store_nothing(
    services: Services, roster: dict[str, int], mentor: str, mentee: str, message: str
) -> None:
    with pytest.raises(Refusal, match=message):
        services.assignments.assign(None, mentor, mentee, None, NOW)
    with services.store.read() as session:
        assert session.scalars(select(Assignment)).all() == []


def test_program_status_lists_overdue_beginning_teachers_first(
    services: Services, pairs: None
) -> None:
    status = services.assignments.program_status(None, NOW)
    assert status.today == date(2026, 11, 18)
    first = status.mentees[0]
    assert (first.mentee.email, first.mentor, first.due, first.days_overdue) == (NIA, None, date(2026, 11, 2), 16)  # fmt: skip
    assert [m.mentee.email for m in status.overdue] == [NIA]
    assert [m.mentee.email for m in status.unassigned] == [NIA]
    assert [(m.email, n) for m, n in status.mentors] == [(LEE, 1), (MAX, 1), (MIA, 1)]
    assigned = {m.mentee.email: (m.mentor and m.mentor.email, m.assigned_on) for m in status.mentees[1:]}  # fmt: skip
    assert assigned == {BEA: (LEE, date(2026, 8, 26)), BO: (MAX, date(2026, 8, 31)), IKE: (MIA, date(2026, 9, 2))}  # fmt: skip


def test_program_status_orders_by_days_overdue(services: Services, roster: dict[str, int]) -> None:
    status = services.assignments.program_status(None, NOW)
    assert [(m.mentee.email, m.days_overdue) for m in status.mentees] == [(BEA, 65), (BO, 65), (NIA, 16), (IKE, 0)]  # fmt: skip


@pytest.mark.parametrize(
    ("now", "bea_overdue", "nia_overdue"),
    [
        (datetime(2026, 9, 1, 14, 0, tzinfo=UTC), 0, 0),
        (datetime(2026, 9, 14, 14, 0, tzinfo=UTC), 0, 0),
        (datetime(2026, 9, 15, 2, 0, tzinfo=UTC), 0, 0),  # 14 Sep 22:00 in New York
        (datetime(2026, 9, 15, 14, 0, tzinfo=UTC), 1, 0),
        (datetime(2026, 11, 3, 14, 0, tzinfo=UTC), 50, 1),
        (datetime(2027, 6, 1, 14, 0, tzinfo=UTC), 260, 211),
    ],
)  # fmt: skip
def test_incoming_teachers_are_never_overdue(
    services: Services, roster: dict[str, int], now: datetime, bea_overdue: int, nia_overdue: int
) -> None:
    status = services.assignments.program_status(None, now)
    overdue = {m.mentee.email: m.days_overdue for m in status.mentees}
    assert overdue == {BEA: bea_overdue, BO: bea_overdue, NIA: nia_overdue, IKE: 0}


def test_program_status_leaves_out_deactivated_mentees(
    services: Services, roster: dict[str, int]
) -> None:
    with services.store.write() as session:
        session.execute(update(Person).where(Person.email == BEA).values(active=False))
    status = services.assignments.program_status(None, NOW)
    assert BEA not in {m.mentee.email for m in status.mentees}


def test_person_status_shows_the_history(services: Services, pairs: None) -> None:
    services.assignments.assign(None, MIA, BEA, date(2026, 11, 2), NOW)
    status = services.assignments.person_status(None, "<@U0BEA|bea>", NOW)
    assert status.person.email == BEA
    assert [(p.mentor.email, p.started_on, p.ended_on) for p in status.as_mentee] == [
        (LEE, date(2026, 8, 26), date(2026, 11, 1)),
        (MIA, date(2026, 11, 2), None),
    ]
    assert status.as_mentor == ()
    assert status.due == date(2026, 9, 14)
    lee = services.assignments.person_status(None, LEE, NOW)
    assert [p.mentee.email for p in lee.as_mentor] == [BEA]
    assert lee.due is None


# ---- mentors who may not meet the mentor rules: a warning, and the report's (c) list ---------

QUALIFIED = replace(member(5, {"mentor"}, name="Quinn"), license="Professional", hire_date=date(2016, 8, 29))  # fmt: skip
ON = date(2026, 11, 16)
MA_RULE = PRESETS["ma"].mentor_rule


@pytest.mark.parametrize(
    ("mentor", "trained", "expected"),
    [
        pytest.param(QUALIFIED, True, None, id="qualified"),
        pytest.param(replace(QUALIFIED, license="initial "), True, None, id="initial-any-case"),
        pytest.param(QUALIFIED, False, MentorCaution(True), id="untrained"),
        pytest.param(replace(QUALIFIED, license="Provisional"), True, MentorCaution(False, "Provisional"), id="provisional"),
        pytest.param(replace(QUALIFIED, license=None, hire_date=None), True, None, id="roster-says-nothing"),
        pytest.param(replace(QUALIFIED, license=""), True, None, id="blank-licence"),
        pytest.param(replace(QUALIFIED, hire_date=date(2023, 11, 16)), True, None, id="three-years-to-the-day"),
        pytest.param(replace(QUALIFIED, hire_date=date(2023, 11, 17)), True, MentorCaution(False, years=2), id="a-day-short"),
        pytest.param(replace(QUALIFIED, hire_date=date(2026, 8, 24)), True, MentorCaution(False, years=0), id="hired-this-year"),
        pytest.param(replace(QUALIFIED, license="Temporary", hire_date=date(2025, 1, 1)), False, MentorCaution(True, "Temporary", 1), id="everything"),
    ],
)  # fmt: skip
def test_mentor_caution(mentor: Member, trained: bool, expected: MentorCaution | None) -> None:
    found = mentor_caution(mentor, trained, ON, rule=MA_RULE)
    assert found == (replace(expected, rule=MA_RULE) if expected is not None else None)


def test_assigning_an_untrained_mentor_warns_and_still_assigns(
    services: Services, roster: dict[str, int]
) -> None:
    cora = as_member(services, CORA)
    result = services.assignments.assign(cora, MIA, NIA, ON, NOW)
    assert result.caution == MentorCaution(untrained=True, rule=MA_RULE)
    (row,) = rows_for(services, roster[NIA])
    assert (row.mentor_id, row.ended_on) == (roster[MIA], None)


def test_a_trained_qualified_mentor_carries_no_warning(
    services: Services, roster: dict[str, int]
) -> None:
    cora = as_member(services, CORA)
    services.milestones.mark_done("U0CORA", "mentor_training", roster[MIA], None, NOW)
    assert services.assignments.assign(cora, MIA, NIA, ON, NOW).caution is None


def test_the_roster_licence_and_hire_date_warn(services: Services, roster: dict[str, int]) -> None:
    rows = "\n".join(
        [
            "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id",
            "rae@hillside.example,Rae Recent,mentor,Lincoln,Math,4,,Provisional,2025-08-25,U0RAE",
        ]
    )
    assert services.roster.import_csv(rows).ok
    services.milestones.mark_done("U0CORA", "mentor_training", "rae@hillside.example", None, NOW)
    result = services.assignments.assign(None, "rae@hillside.example", NIA, ON, NOW)
    assert result.caution == MentorCaution(False, "Provisional", 1, rule=MA_RULE)


def test_the_report_lists_cautioned_assignments_in_item_c(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    for email in (LEE, MAX):
        services.milestones.mark_done("U0CORA", "mentor_training", email, None, NOW)
    report = services.reports.annual(None, NOW)
    item_c = report_items(report.teachers)["c"]
    assert item_c["value"] == 2  # the existing keys keep their meaning
    assert item_c["cautioned_assignments"] == [
        {"mentor": MIA, "mentee": IKE, "started_on": "2026-09-02", "untrained": True, "licence": None, "years_since_hire": None, "caseload": None},
    ]  # fmt: skip
    admin_c = report_items(report.administrators)["c"]
    assert admin_c["cautioned_assignments"] == []
    assert "mia@hillside.example" in annual_csv(report) and "untrained" in annual_csv(report)
    assert "Mia Mentor → Ike Incoming, from 2026-09-02: untrained" in annual_markdown(report)
