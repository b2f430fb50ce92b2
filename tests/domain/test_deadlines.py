"""The pure deadline rules (bot/domain/deadlines.py) over the school calendar, with the MA/CA presets:
due dates, reminder lead days, escalations, carrying over weekends and holidays (every point once,
none lost), DST weeks, send days outside the school year, and school_days_since."""

# Table tests keep one case per line, even when a case is long.

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest

from bot.domain.calendar import OutsideSchoolYearError, SchoolCalendar
from bot.domain.deadlines import (
    PROGRESS_RULES,
    REMINDER_LEAD_DAYS,
    Subject,
    applies,
    due_date,
    escalation_points,
    is_send_day,
    items_for_day,
    previous_send_day,
    school_days_since,
    upcoming_within,
)
from bot.domain.policy import PRESETS, DeadlineRule, Policy

MA, CA = PRESETS["ma"], PRESETS["ca"]
START, END = date(2026, 8, 31), date(2027, 6, 18)
HOLIDAYS = frozenset({date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11)})
CAL = SchoolCalendar(START, END, HOLIDAYS)  # the contract's example program
BREAKS = frozenset(
    [date(2026, 11, 26), date(2026, 11, 27), date(2027, 1, 18)]
    + [date(2026, 12, 24) + timedelta(days=i) for i in range(9)]  # winter break
    + [date(2027, 2, 15) + timedelta(days=i) for i in range(5)]  # February vacation
)
CAL_WITH_BREAKS = SchoolCalendar(START, END, HOLIDAYS | BREAKS)


def d(text: str) -> date:
    """A date from ISO text, to keep the tables short."""
    return date.fromisoformat(text)


def days(first: str, last: str) -> list[date]:
    """Every calendar day from first to last, inclusive."""
    start, end = d(first), d(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def rule(policy: Policy, key: str) -> DeadlineRule:
    found = policy.deadline(key)
    assert found is not None, key
    return found


def teacher(hire: str | None, kind: str = "beginning_teacher", sid: int = 1) -> Subject:
    return Subject(sid, f"Teacher {sid}", kind, d(hire) if hire else None)


MENTOR = Subject(50, "Mia Mentor", is_mentor=True)
PROGRAM = Subject(None, "Hillside Public Schools")


def sends(
    policy: Policy,
    key: str,
    subject: Subject,
    first: str = "2026-06-01",
    last: str = "2027-09-30",
    cal: SchoolCalendar = CAL,
) -> tuple[list[str], list[str]]:
    """(days with an upcoming reminder, days with an escalation) for one rule and subject."""
    upcoming, overdue = [], []
    for day in days(first, last):
        for item in items_for_day(policy, cal, [subject], set(), day):
            if item.rule.key == key:
                (upcoming if item.state == "upcoming" else overdue).append(day.isoformat())
    return upcoming, overdue


# --------------------------------------------------------------------------- due dates


@pytest.mark.parametrize(
    ("policy", "key", "subject", "expected"),
    [
        (MA, "mentor_assigned", teacher(None), "2026-09-14"),  # 14 days after the start
        (MA, "mentor_assigned", teacher("2026-08-24"), "2026-09-14"),  # hired before the start
        (MA, "mentor_assigned", teacher("2026-10-19"), "2026-11-02"),  # Nia: 14 days after hire
        (MA, "mentor_assigned", teacher("2026-10-28"), "2026-11-11"),  # due on Veterans Day
        (MA, "mentor_assigned", teacher("2026-10-24"), "2026-11-07"),  # hired on a Saturday
        (MA, "mentor_assigned", teacher("2027-06-10"), "2027-06-24"),  # past the year's end
        (CA, "mentor_assigned", teacher(None), "2026-09-30"),  # 30 days after the start
        (CA, "mentor_assigned", teacher("2026-10-19"), "2026-11-18"),  # 30 days after hire
        (MA, "orientation", teacher(None), "2026-08-31"),  # at the beginning of the year
        (MA, "orientation", teacher("2026-08-31"), "2026-08-31"),  # hired on day one: not late
        (MA, "orientation", teacher("2026-09-01"), "2026-09-09"),  # 5 school days, Labor Day skipped
        (MA, "orientation", teacher("2026-10-09"), "2026-10-19"),  # 5 school days over Oct 12
        (MA, "orientation", teacher("2026-10-19"), "2026-10-26"),  # Nia: within 5 school days
        (MA, "orientation", teacher("2026-11-11"), "2026-11-18"),  # hired on a holiday
        (MA, "orientation", teacher("2026-10-24"), "2026-10-30"),  # hired on a Saturday
        (MA, "orientation", teacher("2027-06-14"), "2027-06-18"),  # window past the end: the end
        (CA, "orientation", teacher("2026-10-19"), "2026-10-26"),
        (MA, "support_team_meeting", teacher(None), "2026-08-30"),  # before the year starts
        (MA, "support_team_meeting", teacher("2026-10-19"), "2026-11-02"),  # late: 10 school days
        (MA, "mentor_training", MENTOR, "2026-08-30"),
        (CA, "mentor_training", MENTOR, "2026-08-30"),
        (MA, "year2_hours", teacher("2024-08-26"), "2027-06-30"),
        (MA, "annual_report", PROGRAM, "2027-07-31"),
        (CA, "ilp_goals", teacher(None), "2026-10-30"),
        (CA, "ilp_goals", teacher("2026-10-19"), "2026-12-18"),
    ],
)  # fmt: skip
def test_due_date(policy: Policy, key: str, subject: Subject, expected: str) -> None:
    assert due_date(rule(policy, key), subject, CAL) == d(expected)


@pytest.mark.parametrize(
    ("policy", "key", "subject", "expected"),
    [
        (MA, "mentor_assigned", teacher(None, "beginning_teacher"), True),
        (MA, "mentor_assigned", teacher(None, "beginning_administrator"), True),
        (MA, "mentor_assigned", teacher(None, "incoming_teacher"), False),  # only recommended
        (MA, "orientation", teacher(None, "incoming_administrator"), True),
        (MA, "orientation", MENTOR, False),
        (MA, "mentor_training", MENTOR, True),
        (MA, "mentor_training", teacher(None), False),
        (MA, "annual_report", PROGRAM, True),
        (MA, "annual_report", teacher(None), False),
        (CA, "ilp_goals", teacher(None, "incoming_teacher"), False),
        (MA, "orientation", Subject(7, "No type"), False),
    ],
)  # fmt: skip
def test_applies(policy: Policy, key: str, subject: Subject, expected: bool) -> None:
    assert applies(rule(policy, key), subject) is expected


# --------------------------------------------------------------------------- send days


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-08-28", True),  # a Friday before the year: weekdays outside the year send
        ("2026-08-29", False),  # Saturday
        ("2026-08-31", True),  # first school day
        ("2026-09-07", False),  # Labor Day
        ("2026-10-31", False),  # Saturday before the DST change
        ("2026-11-01", False),  # Sunday: the clocks go back
        ("2026-11-02", True),  # Monday after
        ("2026-11-11", False),  # Veterans Day
        ("2027-03-14", False),  # Sunday: the clocks go forward
        ("2027-03-15", True),
        ("2027-06-18", True),  # last school day
        ("2027-06-21", True),  # Monday after the year: the report nudges still go out
        ("2027-07-01", True),
        ("2027-07-31", False),  # report due on a Saturday
        ("2027-08-02", True),
    ],
)  # fmt: skip
def test_is_send_day(day: str, expected: bool) -> None:
    assert is_send_day(CAL, d(day)) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-08-31", "2026-08-28"),  # first school day: the Friday before (outside the year)
        ("2026-09-08", "2026-09-04"),  # over Labor Day weekend
        ("2026-11-02", "2026-10-30"),  # over the DST weekend
        ("2026-11-12", "2026-11-10"),  # over Veterans Day
        ("2027-03-15", "2027-03-12"),
        ("2027-06-21", "2027-06-18"),  # first weekday after the year
    ],
)  # fmt: skip
def test_previous_send_day(day: str, expected: str) -> None:
    assert previous_send_day(CAL, d(day)) == d(expected)


# --------------------------------------------------------------------------- reminders


def test_reminder_lead_days_are_the_documented_ones() -> None:
    assert REMINDER_LEAD_DAYS == (60, 30, 14, 7, 3, 1, 0)


@pytest.mark.parametrize(
    ("policy", "key", "subject", "upcoming", "overdue"),
    [
        (MA, "mentor_assigned", teacher(None), ["2026-09-11", "2026-09-14"], ["2026-09-15", "2026-09-18", "2026-09-23"]),  # Sun 13 carried to Mon 14
        (MA, "mentor_assigned", teacher("2026-10-19"), ["2026-10-30", "2026-11-02"], ["2026-11-03", "2026-11-06", "2026-11-12", "2026-11-17", "2026-11-20"]),  # Nia
        (MA, "mentor_assigned", teacher("2026-10-28"), ["2026-11-09", "2026-11-10"], ["2026-11-12", "2026-11-17", "2026-11-20"]),  # due on Veterans Day: alert the next school day
        (CA, "mentor_assigned", teacher("2026-10-19"), ["2026-11-16", "2026-11-17", "2026-11-18"], ["2026-11-19", "2026-11-24", "2026-11-27"]),
        (MA, "orientation", teacher(None), ["2026-08-24", "2026-08-28", "2026-08-31"], ["2026-09-01"]),  # no repeat
        (MA, "orientation", teacher("2026-10-19"), ["2026-10-19", "2026-10-23", "2026-10-26"], ["2026-10-27"]),  # late hire
        (MA, "orientation", teacher("2026-11-11"), ["2026-11-12", "2026-11-16", "2026-11-17", "2026-11-18"], ["2026-11-19"]),  # hired on a holiday
        (MA, "mentor_training", MENTOR, ["2026-08-17", "2026-08-24", "2026-08-27"], ["2026-08-31"]),  # due on a Sunday
        (MA, "year2_hours", teacher("2024-08-26"), ["2027-05-03", "2027-05-31", "2027-06-16", "2027-06-23", "2027-06-28", "2027-06-29", "2027-06-30"], []),  # progress: never escalated
        (MA, "annual_report", PROGRAM, ["2027-06-15", "2027-07-01", "2027-07-19", "2027-07-26", "2027-07-28", "2027-07-30"], ["2027-08-02"]),  # July: weekdays
        (CA, "ilp_goals", teacher(None), ["2026-10-23", "2026-10-27", "2026-10-29", "2026-10-30"], ["2026-11-02"]),
    ],
)  # fmt: skip
def test_reminders_and_escalations(
    policy: Policy, key: str, subject: Subject, upcoming: list[str], overdue: list[str]
) -> None:
    got_upcoming, got_overdue = sends(policy, key, subject)
    assert got_upcoming == upcoming
    assert got_overdue[: len(overdue)] == overdue


def test_no_reminder_window_before_nudge_days_before() -> None:
    """The first reminder is the rule's own window (nudge_days_before), not an earlier lead."""
    first_reminder, _ = sends(MA, "orientation", teacher(None))
    assert first_reminder[0] == "2026-08-24"  # 7 days before, not 14/30/60


def test_the_overdue_assignment_repeats_until_the_end_of_the_school_year() -> None:
    _, overdue = sends(MA, "mentor_assigned", teacher("2026-10-19"))
    assert overdue[-1] == "2027-06-18"
    assert all(CAL.is_school_day(d(day)) for day in overdue)


def test_a_late_hire_at_the_end_of_the_year_is_escalated_once() -> None:
    _, overdue = sends(MA, "mentor_assigned", teacher("2027-06-10"))
    assert overdue == ["2027-06-25"]  # after the year: a weekday, no school days left to repeat


def test_escalations_repeat_every_three_school_days_from_the_first_alert() -> None:
    """The first alert is the first send day after due; the next ones every 3 school days.

    Fails today: escalation_points counts the repeat from the calendar day after due, so when
    that day is a weekend or holiday the second alert comes only 2 school days after the first.
    """
    wrong = []
    for hire in ("2026-10-19", "2026-10-23", "2026-10-27", "2026-10-28"):
        # due Mon 2 Nov / Fri 6 Nov / Tue 10 Nov (Veterans Day next) / Wed 11 Nov (holiday)
        _, overdue = sends(MA, "mentor_assigned", teacher(hire), last="2026-12-31")
        alerts = [d(day) for day in overdue]
        gaps = [CAL.school_days_between(a, b) for a, b in pairwise(alerts)]
        if set(gaps) != {3}:
            wrong.append((hire, overdue[:3], gaps[:3]))
    assert wrong == []


@pytest.mark.parametrize(
    ("key", "subject", "done_key"),
    [
        ("orientation", teacher("2026-10-19"), "orientation"),
        ("mentor_assigned", teacher("2026-10-19"), "mentor_assigned"),
        ("annual_report", PROGRAM, "annual_report"),
        ("mentor_training", MENTOR, "mentor_training"),
    ],
)  # fmt: skip
def test_done_items_are_never_due(key: str, subject: Subject, done_key: str) -> None:
    done = {(subject.id, done_key)}
    for day in days("2026-06-01", "2027-09-30"):
        assert not [i for i in items_for_day(MA, CAL, [subject], done, day) if i.rule.key == key], (
            day
        )


# --------------------------------------------------------------------------- nothing lost, nothing twice

SUBJECTS = [
    PROGRAM,
    MENTOR,
    teacher(None, sid=1),
    teacher("2026-08-24", sid=2),
    teacher("2026-10-19", sid=3),  # Nia
    teacher("2026-10-23", "beginning_administrator", sid=4),  # due on a Friday
    teacher("2026-10-24", sid=5),  # hired on a Saturday
    teacher("2026-10-28", sid=6),  # due on Veterans Day
    teacher("2026-11-11", "incoming_teacher", sid=7),  # hired on a holiday
    teacher("2026-12-20", sid=8),  # deadline in the winter break
    teacher("2027-03-01", sid=9),  # deadline across the spring DST change
    teacher("2027-06-10", sid=10),  # window past the end of the year
    teacher("2024-08-26", "incoming_teacher", sid=11),  # year 2+: the 50-hour rule
    teacher("2026-10-16", "incoming_administrator", sid=12),
]


def all_points(
    policy: Policy, cal: SchoolCalendar, subject: Subject, last: date
) -> list[tuple[int | None, str, date]]:
    """Every reminder and escalation point a (subject, rule) has up to `last`."""
    points = []
    for r in policy.deadlines:
        if not applies(r, subject):
            continue
        due = due_date(r, subject, cal)
        if r.nudge:
            leads = {k for k in REMINDER_LEAD_DAYS if k <= r.nudge_days_before}
            leads.add(r.nudge_days_before)
            points += [(subject.id, r.key, due - timedelta(days=k)) for k in leads]
        if r.escalate_to and r.key not in PROGRESS_RULES:  # progress is never escalated
            points += [(subject.id, r.key, p) for p in escalation_points(r, due, cal, last)]
    return points


@pytest.mark.parametrize("policy", [MA, CA], ids=["ma", "ca"])
@pytest.mark.parametrize("cal", [CAL, CAL_WITH_BREAKS], ids=["holidays", "vacations"])
def test_every_point_is_carried_exactly_once(policy: Policy, cal: SchoolCalendar) -> None:
    """Simulate every day: each (subject, rule, point) goes out on exactly one send day (the
    first on or after it) and no day carries an item without a point."""
    first, last = d("2026-06-01"), d("2027-09-30")
    points = {s.id: all_points(policy, cal, s, last) for s in SUBJECTS}
    carried: Counter[tuple[int | None, str, date]] = Counter()
    expected = {
        point
        for mine in points.values()
        for point in mine
        if previous_send_day(cal, first) < point[2] <= last
    }
    for day in days("2026-06-01", "2027-09-30"):
        items = items_for_day(policy, cal, SUBJECTS, set(), day)
        if not is_send_day(cal, day):
            assert items == [], day
            continue
        since = previous_send_day(cal, day)
        seen = set()
        for item in items:
            key = (item.subject.id, item.rule.key)
            assert key not in seen, (day, key)  # one item per (subject, rule) per day
            seen.add(key)
            mine = [
                p for p in points[item.subject.id] if p[1] == item.rule.key and since < p[2] <= day
            ]
            assert mine, (day, key)  # an item only when a point falls to this day
            carried.update(mine)
    assert set(carried) == expected
    assert {point: n for point, n in carried.items() if n != 1} == {}


NIA, MARCH_HIRE = teacher("2026-10-19"), teacher("2027-03-01")
ASSIGN_TEAM = [("mentor_assigned", "upcoming"), ("support_team_meeting", "upcoming")]


@pytest.mark.parametrize(
    ("day", "subject", "expected"),
    [
        ("2026-10-30", NIA, ASSIGN_TEAM),  # Friday before the DST change
        ("2026-10-31", NIA, []),  # Saturday
        ("2026-11-01", NIA, []),  # Sunday: DST ends
        ("2026-11-02", NIA, ASSIGN_TEAM),  # Monday carries Sunday's reminders (due today)
        ("2026-11-03", NIA, [("mentor_assigned", "overdue"), ("support_team_meeting", "overdue")]),
        ("2026-11-04", NIA, []),
        ("2027-03-12", MARCH_HIRE, [("mentor_assigned", "upcoming")]),  # due Mon 15 Mar
        ("2027-03-13", MARCH_HIRE, []),
        ("2027-03-14", MARCH_HIRE, []),  # Sunday: DST starts
        ("2027-03-15", MARCH_HIRE, [("mentor_assigned", "upcoming")]),  # carries Sun 14
        ("2027-03-16", MARCH_HIRE, [("mentor_assigned", "overdue")]),
        ("2027-03-17", MARCH_HIRE, []),
    ],
)  # fmt: skip
def test_dst_weeks(day: str, subject: Subject, expected: list[tuple[str, str]]) -> None:
    done = {(subject.id, "orientation")}
    if subject is MARCH_HIRE:
        done.add((subject.id, "support_team_meeting"))
    got = [(i.rule.key, i.state) for i in items_for_day(MA, CAL, [subject], done, d(day))]
    assert sorted(got) == sorted(expected)


def test_upcoming_within_lists_open_items_for_the_digest() -> None:
    nia = teacher("2026-10-19", sid=3)
    overdue, soon = upcoming_within(MA, CAL, [nia], {(3, "orientation")}, d("2026-10-27"), 14)
    assert [i.rule.key for i in overdue] == []
    assert sorted(i.rule.key for i in soon) == ["mentor_assigned", "support_team_meeting"]
    overdue, soon = upcoming_within(MA, CAL, [nia], set(), d("2026-11-03"), 14)
    assert sorted(i.rule.key for i in overdue) == ["mentor_assigned", "orientation", "support_team_meeting"]  # fmt: skip
    late = [i.days_left(d("2026-11-03")) for i in overdue if i.rule.key == "mentor_assigned"]
    assert late == [-1]


# --------------------------------------------------------------------------- school_days_since


@pytest.mark.parametrize(
    ("last", "today", "expected"),
    [
        ("2026-11-18", "2026-11-18", 0),  # today
        ("2026-11-19", "2026-11-18", 0),  # in the future
        ("2026-11-17", "2026-11-18", 0),  # today is not over: not counted
        ("2026-11-16", "2026-11-18", 1),
        ("2026-11-13", "2026-11-17", 1),  # over a weekend
        ("2026-11-13", "2026-11-16", 0),
        ("2026-11-10", "2026-11-13", 1),  # over Veterans Day
        ("2026-10-30", "2026-11-03", 1),  # over the DST weekend
        ("2026-11-02", "2026-11-09", 4),  # Monday 07:45: Tue–Fri are over, Monday is not
        ("2026-11-02", "2026-11-10", 5),
        ("2026-11-06", "2026-11-14", 4),  # today a Saturday
        ("2026-08-26", "2026-09-04", 4),  # before the start: counts from the first school day
        ("2026-08-26", "2026-09-01", 1),
        ("2026-08-26", "2026-08-31", 0),
        ("2026-08-01", "2026-08-28", 0),  # all before the year
        ("2027-06-17", "2027-06-25", 1),  # the last day, 18 Jun; after the end no school days
        ("2026-08-31", "2027-06-18", len(CAL.school_days) - 2),
    ],
)  # fmt: skip
def test_school_days_since(last: str, today: str, expected: int) -> None:
    assert school_days_since(CAL, d(last), d(today)) == expected


def test_escalation_points_stop_at_the_end_of_the_year() -> None:
    r = rule(MA, "mentor_assigned")
    points = escalation_points(r, d("2027-06-10"), CAL, d("2027-12-31"))
    assert points[0] == d("2027-06-11")
    assert points[-1] <= END
    with pytest.raises(OutsideSchoolYearError):
        CAL.add_school_days(points[-1], 3)
