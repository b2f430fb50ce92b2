"""The program year as a lifecycle (issue 11, item 2), on both databases: the June reminder,
`year start` previewed then applied, the roster's induction year and what is inferred, the old
year closed on its last day, year-2/3 educators carried forward, the 50 hours summed across
years 2 and 3, and the old year still readable — its report unchanged after the rollover."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.bootstrap import Services
from bot.cli.report_format import report_json
from bot.clock import FixedClock
from bot.domain.ledger import (
    induction_label,
    induction_year_number,
    induction_year_of,
    program_year_of,
)
from bot.domain.policy import parse_program_toml
from bot.services.errors import Refusal
from bot.slack import views
from bot.slack.nudge_views import render
from bot.store.models.core import Assignment, OutboxMessage, PersonRole
from schedules.jobs import produce
from tests.support.hillside import PROGRAM_TOML
from tests.support.years import NEXT_ROSTER, NEXT_TOML, YEAR_AFTER_NEXT, at


def kept_labels(services: Services) -> list[str]:
    kept = services.programs.kept()
    assert kept is not None
    return [info.school_year for info in kept.years]


def open_assignments(services: Services) -> int:
    with services.store.read() as session:
        return len(session.query(Assignment).filter(Assignment.ended_on.is_(None)).all())


# ---- the rules -------------------------------------------------------------------------------


def test_the_year_of_induction_comes_from_the_roster_else_the_hire_date() -> None:
    year = program_year_of(date(2027, 9, 1))
    start = date(2027, 8, 30)
    assert induction_label(year, 2) == "2026-27"
    assert induction_label(year, 1) == "2027-28"
    explicit = induction_year_of(date(2027, 8, 20), start, induction="2025-26")
    assert induction_year_number(year, explicit) == 3  # the roster wins over the hire date
    assert induction_year_number(year, induction_year_of(date(2027, 8, 20), start)) == 1
    assert induction_year_number(year, induction_year_of(date(2026, 8, 24), start)) == 2
    assert induction_year_number(year, induction_year_of(None, start)) == 1


# ---- June: the reminder ----------------------------------------------------------------------


def test_coordinators_are_reminded_in_june_until_the_next_year_is_started(
    year_one: Services, clock: FixedClock
) -> None:
    assert year_one.years.reminders(at("2027-05-10")) == []  # not yet June
    nudges = year_one.years.reminders(at("2027-06-07"))
    assert [(n.rule, n.recipient, n.subject) for n in nudges] == [
        ("next_year", "U0CORA", "year-2027-28")
    ]
    [(_, payload)] = render(nudges[0])
    assert "2027-28 is not started yet" in payload["text"]
    assert "year start 2027-28.toml --roster 2027-28.csv" in json.dumps(payload)
    year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    assert year_one.years.reminders(at("2027-06-14")) == []  # started: nothing to remind


# ---- year start ------------------------------------------------------------------------------


def test_a_dry_run_says_what_starting_the_year_would_do_and_stores_nothing(
    year_one: Services, clock: FixedClock
) -> None:
    plan = year_one.years.start(
        parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now(), dry_run=True
    )
    assert (plan.old, plan.new, plan.applied) == ("2026-27", "2027-28", False)
    assert plan.ends_on == date(2027, 6, 30)
    assert sorted((e.mentor, e.mentee) for e in plan.ending) == [
        ("Lee Lead", "Bea Beginner"),
        ("Max Mentor", "Bo Beginner"),
        ("Mia Mentor", "Ike Incoming"),
        ("Mia Mentor", "Yan Second"),
    ]
    carried = {c.email: (c.year, c.inferred) for c in plan.carried}
    assert carried == {
        "ike@hillside.example": (2, True),
        "bo@hillside.example": (2, True),
        "nia@hillside.example": (2, True),
        "yan@hillside.example": (3, True),
    }
    assert plan.completed == []
    assert sorted(plan.roster.report.created) == ["zoe@hillside.example"]
    assert kept_labels(year_one) == ["2026-27"]
    assert open_assignments(year_one) == 4
    with year_one.store.read() as session:
        assert not session.query(PersonRole).filter(PersonRole.school_year == "2027-28").count()


def test_starting_the_year_keeps_it_and_its_roster_and_the_old_year_runs_to_its_end(
    year_one: Services, clock: FixedClock
) -> None:
    plan = year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    assert plan.applied and not plan.closed_now
    assert kept_labels(year_one) == ["2026-27", "2027-28"]
    assert year_one.programs.current(clock.now()).school_year == "2026-27"  # still June
    assert open_assignments(year_one) == 4  # they end with the year, not before
    with year_one.store.read() as session:
        new = year_one.programs.for_year("2027-28")
        members = {m.email: m for m in year_one.people.all_members(session, new)}
    assert members["bea@hillside.example"].induction_school_year == "2026-27"  # roster's "2"
    assert "mentee" in members["yan@hillside.example"].roles  # carried into year 3
    assert "mentee" in members["zoe@hillside.example"].roles
    assert members["max@hillside.example"].roles == frozenset()  # not on next year's roster


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (YEAR_AFTER_NEXT, "The year after 2026-27 is 2027-28"),
        (PROGRAM_TOML, "2026-27 is already started"),
    ],
)
def test_a_year_that_is_not_the_next_one_is_refused(
    year_one: Services, clock: FixedClock, toml: str, message: str
) -> None:
    with pytest.raises(Refusal, match=message):
        year_one.years.start(parse_program_toml(toml), NEXT_ROSTER, clock.now())
    assert kept_labels(year_one) == ["2026-27"]


def test_a_year_started_twice_is_refused(year_one: Services, clock: FixedClock) -> None:
    year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    with pytest.raises(Refusal, match="2027-28 is already started"):
        year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())


def test_a_bad_roster_row_starts_nothing(year_one: Services, clock: FixedClock) -> None:
    bad = NEXT_ROSTER.replace("U0BEA,2", "U0BEA,second").replace(
        "U0CORA,", "U0CORA,2"
    )  # not a number; and a year of induction for a coordinator
    plan = year_one.years.start(parse_program_toml(NEXT_TOML), bad, clock.now())
    reasons = sorted(p.reason for p in plan.roster.report.problems)
    assert reasons == [
        "induction_year 'second' is not a year of induction like 1, 2 or 3",
        "induction_year is for mentees (their year 1, 2 or 3)",
    ]
    assert not plan.applied
    assert kept_labels(year_one) == ["2026-27"]


def test_a_roster_for_a_year_whose_program_is_not_loaded_is_refused(year_one: Services) -> None:
    with pytest.raises(Refusal, match="No program is loaded for 2027-28"):
        year_one.roster.import_csv(NEXT_ROSTER, year="2027-28")


# ---- 1 July: the old year closes, the new one is current ---------------------------------------


def test_on_the_first_day_the_old_year_closes_once(year_one: Services, clock: FixedClock) -> None:
    year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    assert year_one.years.roll_over(at("2027-06-30")) is None  # the old year still runs
    assert year_one.years.roll_over(at("2027-07-01")) == 4
    assert year_one.years.roll_over(at("2027-07-02")) is None  # once
    with year_one.store.read() as session:
        ends = {(a.ended_on, a.end_reason) for a in session.query(Assignment)}
    assert ends == {(date(2027, 6, 30), "the program year 2026-27 ended")}
    assert year_one.programs.current(at("2027-07-01")).school_year == "2027-28"


def test_a_year_started_after_its_first_day_closes_the_old_one_at_once(
    year_one: Services, clock: FixedClock
) -> None:
    clock.set(at("2027-07-06"))
    plan = year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    assert plan.closed_now
    assert open_assignments(year_one) == 0


# ---- two years: the 50 hours across years 2 and 3, the old year readable ----------------------


def test_two_years_the_50_hours_sum_years_2_and_3_and_the_old_year_is_unchanged(
    year_one: Services, clock: FixedClock
) -> None:
    before = json.loads(report_json(year_one.reports.annual(None, clock.now())))
    year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    clock.set(at("2027-08-30"))
    year_one.years.roll_over(clock.now())
    for mentor, mentee in (("lee", "bea"), ("mia", "yan")):
        year_one.assignments.assign(
            None, f"{mentor}@hillside.example", f"{mentee}@hillside.example", None, clock.now()
        )
    clock.set(at("2027-09-08"))
    assert year_one.logs.log_text("U0LEE", "1h meeting", clock.now()).ok
    assert year_one.logs.log_text("U0MIA", "30m meeting <@U0YAN>", clock.now()).ok

    # Yan: 2 h in year 2 (2026-27) and 30 min in year 3; Bea: her year 2 began this July.
    lee = year_one.hours.report("U0LEE", clock.now(), period="year")
    bea = next(p for p in lee.pairs if p.mentee.email.startswith("bea"))
    assert lee.beyond[bea.mentee.id] == (2, 60)
    mia = year_one.hours.report("U0MIA", clock.now(), period="year")
    yan = next(p for p in mia.pairs if p.mentee.email.startswith("yan"))
    assert mia.beyond[yan.mentee.id] == (3, 150)
    assert "Year 3: 2 h 30 of 50 h logged beyond the induction year" in json.dumps(
        views.hours_report(mia)
    )
    mentee = year_one.hours.report("U0YAN", clock.now())
    assert mentee.beyond[yan.mentee.id] == (3, 150)  # the educator sees it too
    coordinator = year_one.hours.report("U0CORA", clock.now(), period="year")
    assert yan.mentee.id in coordinator.beyond

    # The old year stays readable, and its report is what it was before the rollover — but for
    # the teachers' (f) and the administrators' (g, by school): retention into 2027-28 is known
    # once 2027-28 has begun.
    after = json.loads(report_json(year_one.reports.annual("2026-27", clock.now())))
    retention = {}
    for part, key in (("teachers", "f"), ("administrators", "g")):
        retention[part] = before[part].pop(key), after[part].pop(key)
        assert after[part] == before[part]
    (f_before, f_after), (g_before, g_after) = retention["teachers"], retention["administrators"]
    assert (f_before["value"], f_before["rows"]) == (None, [])
    assert f_after["rows"][0]["year"] == "2027-28"
    assert g_before["value"] is None and g_before["rows"][0]["retained_next_year"] is None
    assert g_after["years"]["next_year"] == "2027-28" and g_after["rows"][0]["retained_next_year"] is not None  # fmt: skip
    old = year_one.hours.report("U0LEE", clock.now(), year="2026-27")
    assert (old.year.label, old.total("year")) == ("2026-27", 90 + 120 + 45)  # Lee's school
    bea_then = next(p for p in old.pairs if p.mentee.email.startswith("bea"))
    assert bea_then.year == 90  # the pair goes on in 2027-28: its span is the whole history
    new = json.loads(report_json(year_one.reports.annual(None, clock.now())))
    assert new["year"] == "2027-28"
    served = {row["email"] for row in new["teachers"]["b"]["rows"]}
    assert served == {"zoe@hillside.example"}  # her induction year; Bea is in year 2 now
    toward = {r["email"]: r["minutes_toward_50_hours"] for r in new["teachers"]["b"]["beyond_induction_year"]}  # fmt: skip
    assert toward["yan@hillside.example"] == 150 and toward["bea@hillside.example"] == 60
    assert year_one.ledger.verify().differences == ()


def test_hours_for_a_year_never_loaded_is_refused(year_one: Services, clock: FixedClock) -> None:
    with pytest.raises(Refusal, match="No program is loaded for 2024-25"):
        year_one.hours.report("U0LEE", clock.now(), year="2024-25")


def test_the_deadline_sweep_reminds_in_june_and_closes_the_year_in_july(
    year_one: Services, clock: FixedClock
) -> None:
    assert produce(year_one, "deadline-sweep", at("2027-06-07")) is not None
    with year_one.store.read() as session:
        rows = session.query(OutboxMessage).filter(OutboxMessage.rule == "next_year").all()
        assert [(r.recipient, r.subject) for r in rows] == [("U0CORA", "year-2027-28")]
    year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    clock.set(at("2027-07-01"))
    produce(year_one, "deadline-sweep", clock.now())
    with year_one.store.read() as session:
        july = session.query(OutboxMessage).filter(OutboxMessage.rule == "next_year").count()
    assert july == 1  # started: no more reminders (the report draft goes on until filed)
    assert open_assignments(year_one) == 0  # but the old year closed
