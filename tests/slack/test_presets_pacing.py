"""State presets as data (issue 12, item 2): tx, il, ny and ok beside ma and ca, their deadlines
and caps, and pacing — "on track" / "behind by 2 h 15 for this semester" in school days — on
/hours and in the digest, against hand-computed figures (holidays included)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.domain.calendar import SchoolCalendar
from bot.domain.formatting import format_minutes
from bot.domain.ledger import program_year_of
from bot.domain.pacing import pace_of, paced_period
from bot.domain.policy import PRESETS, parse_program_toml
from bot.services.assignments import assignment_due
from bot.slack import views
from handlers.home import home_payload
from tests.support.blockkit import valid_view
from tests.support.hillside import PROGRAM_TOML

HOLIDAYS = {date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11)}
START, END = date(2026, 8, 31), date(2027, 6, 18)


def school_days(first: date, last: date) -> list[date]:
    """Weekdays that are not holidays, by hand (not with the calendar module)."""
    days, day = [], first
    while day <= last:
        if day.weekday() < 5 and day not in HOLIDAYS and START <= day <= END:
            days.append(day)
        day += timedelta(days=1)
    return days


def calendar() -> SchoolCalendar:
    return SchoolCalendar(START, END, frozenset(HOLIDAYS))


@pytest.mark.parametrize(
    ("preset", "window", "paced", "period", "cap", "years"),
    [
        ("ma", 14, None, "week", None, 1),
        ("ca", 30, 60, "week", None, 1),
        ("tx", 30, 12 * 60, "semester", 2, 2),
        ("il", 30, 90, "week", None, 2),
        ("ny", 30, 40 * 60, "school_year", None, 1),
        ("ok", 14, 72 * 60, "year", None, 1),
    ],
)  # fmt: skip
def test_each_preset_is_data_with_its_deadlines_and_minimums(
    preset: str, window: int, paced: int | None, period: str, cap: int | None, years: int
) -> None:
    policy = PRESETS[preset]
    assert (policy.paced_minutes, policy.paced_period, policy.caseload_cap, policy.mentoring_years) == (paced, period, cap, years)  # fmt: skip
    rule = policy.deadline("mentor_assigned")
    assert rule is not None
    if preset == "ok":  # ten teaching days: Labor Day (7 Sep) does not count
        assert calendar().deadline_due(rule) == school_days(START, END)[10] == date(2026, 9, 15)
    else:
        assert calendar().deadline_due(rule) == START + timedelta(days=window)
    if preset == "il":
        assert (policy.observation_minimum, policy.observation_years) == (3, 2)


def test_a_preset_value_can_be_overridden_like_any_other() -> None:
    config = parse_program_toml(
        PROGRAM_TOML.replace('policy = "ma"', 'policy = "tx"') + "[overrides]\ncaseload_cap = 4\n"
    )
    assert config.effective_policy().caseload_cap == 4
    assert config.effective_policy().paced_minutes == 12 * 60


def test_the_semester_splits_the_school_days_on_a_monday() -> None:
    days = school_days(START, END)
    middle = days[len(days) // 2]
    split = middle - timedelta(days=middle.weekday())
    year = program_year_of(START)
    first = paced_period("semester", calendar(), year, date(2026, 11, 18))
    assert (first.first, first.last) == (date(2026, 7, 1), split - timedelta(days=1))
    second = paced_period("semester", calendar(), year, split)
    assert (second.first, second.last, second.school_last) == (split, date(2027, 6, 30), END)


def test_the_pace_is_prorated_by_school_days_gone() -> None:
    today = date(2026, 11, 18)
    year = program_year_of(START)
    period = paced_period("semester", calendar(), year, today)
    total = len(school_days(START, period.last))
    gone = len(school_days(START, today))
    expected = math.ceil(720 * gone / total)
    pace = pace_of(720, period, calendar(), today, 90)
    assert (pace.expected, pace.behind, pace.on_track) == (expected, expected - 90, False)
    assert pace.text() == (
        f"behind by {format_minutes(expected - 90)} for this semester "
        f"(1 h 30 of 12 h; {format_minutes(expected)} expected by now)"
    )
    assert pace_of(720, period, calendar(), today, expected).on_track


@pytest.fixture
def texas(services: Services, pairs: None, clock: FixedClock) -> Services:
    """The test district under the Texas preset, Lee→Bea 90 min on Mon 16 Nov."""
    services.programs.load(
        parse_program_toml(PROGRAM_TOML.replace('policy = "ma"', 'policy = "tx"'))
    )
    clock.set(datetime(2026, 11, 16, 15, 0, tzinfo=UTC))
    assert services.logs.log_text("U0LEE", "90m meeting", clock.now()).ok
    clock.set(datetime(2026, 11, 18, 15, 0, tzinfo=UTC))
    return services


def test_hours_says_behind_for_this_semester(texas: Services) -> None:
    report = texas.hours.report("U0MAX", texas.clock.now())
    [pair] = report.pairs
    pace = report.paces[(pair.mentor.id, pair.mentee.id)]
    assert pace.done == 0 and not pace.on_track
    lee = texas.hours.report("U0LEE", texas.clock.now())
    bea = next(p for p in lee.pairs if p.mentee.email.startswith("bea"))
    lee_pace = lee.paces[(bea.mentor.id, bea.mentee.id)]
    assert lee_pace.done == 90
    text = json.dumps(views.hours_report(lee))
    assert f"Paced minimum: {lee_pace.text()}" in text


def test_the_digest_carries_each_pairs_pace(texas: Services) -> None:
    nudges = texas.nudges.weekly_digest(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    assert nudges
    [digest] = [n.content for n in nudges if n.recipient == "U0LEE"]
    paces = {p.mentee.email: p.pace for p in digest.pairs}  # type: ignore[union-attr]
    assert paces["bea@hillside.example"] is not None
    assert paces["bea@hillside.example"].done == 90  # type: ignore[union-attr]


def test_an_oklahoma_assignment_is_due_ten_teaching_days_after_a_late_hire(
    services: Services, roster: dict[str, int]
) -> None:
    services.programs.load(parse_program_toml(PROGRAM_TOML.replace('policy = "ma"', 'policy = "ok"')))  # fmt: skip
    program = services.programs.current()
    with services.store.read() as session:
        nia = services.people.get(session, program, "nia@hillside.example")  # hired Mon 19 Oct
    hired_days = school_days(date(2026, 10, 19), END)
    assert assignment_due(nia, program) == hired_days[10] == date(2026, 11, 2)


def test_home_says_the_pace_too(texas: Services) -> None:
    view = home_payload(texas, "U0LEE")
    valid_view(view)
    assert "Paced minimum: behind by" in json.dumps(view)


def test_illinois_counts_formal_observations_toward_three_over_two_years(
    services: Services, pairs: None, clock: FixedClock
) -> None:
    services.programs.load(parse_program_toml(PROGRAM_TOML.replace('policy = "ma"', 'policy = "il"')))  # fmt: skip
    clock.set(datetime(2026, 11, 16, 15, 0, tzinfo=UTC))
    assert services.logs.log_text("U0LEE", "45m observation", clock.now()).ok
    assert services.logs.log_text("U0LEE", "30m meeting", clock.now()).ok
    report = services.hours.report("U0LEE", clock.now())
    bea = next(p for p in report.pairs if p.mentee.email.startswith("bea"))
    assert report.observed[bea.mentee.id] == (1, 3, 2)
    assert "Formal observations: 1 of 3 over 2 years" in json.dumps(views.hours_report(report))
    ma = services.programs.load(parse_program_toml(PROGRAM_TOML))[0]
    assert ma.policy.observation_minimum is None
    assert services.hours.report("U0LEE", clock.now()).observed == {}
