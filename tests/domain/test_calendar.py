"""School days, weeks, deadlines and local time (bot/domain/calendar.py)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import (
    OutsideSchoolYearError,
    SchoolCalendar,
    in_quiet_hours,
    local_date,
    local_datetime,
    next_send_time,
)
from bot.domain.policy import PRESETS, load_program_toml, parse_program_toml
from tests.support.repo import DEMO_TOML

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
CAL = SchoolCalendar.from_config(load_program_toml(DEMO_TOML))  # Maple Valley 2026-27
QUIET = (time(18, 0), time(7, 0))


def d(text: str) -> date:
    """A date from ISO text, to keep the tables short."""
    return date.fromisoformat(text)


def utc(text: str) -> datetime:
    """An aware UTC instant from ISO text without offset."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --------------------------------------------------------------------------- school days


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-08-30", False),  # Sunday before the year
        ("2026-08-31", True),  # first day
        ("2026-09-04", True),  # Friday
        ("2026-09-05", False),  # Saturday
        ("2026-09-06", False),  # Sunday
        ("2026-09-07", False),  # Labor Day
        ("2026-09-08", True),
        ("2026-10-12", False),  # Indigenous Peoples' Day
        ("2026-11-02", True),  # Monday after the DST change
        ("2026-11-11", False),  # Veterans Day
        ("2026-11-26", False),  # Thanksgiving
        ("2026-11-27", False),
        ("2026-12-23", True),
        ("2026-12-24", False),  # winter break starts
        ("2027-01-01", False),  # winter break ends
        ("2027-01-04", True),
        ("2027-01-18", False),  # MLK Day
        ("2027-02-17", False),  # February vacation
        ("2027-03-15", True),  # Monday after the DST change
        ("2027-04-19", False),  # Patriots' Day
        ("2027-04-23", False),
        ("2027-05-31", False),  # Memorial Day
        ("2027-06-18", True),  # last day
        ("2027-06-21", False),  # after the year
    ],
)
def test_is_school_day(day: str, expected: bool) -> None:
    assert CAL.is_school_day(d(day)) is expected


@pytest.mark.parametrize(
    ("day", "include_today", "expected"),
    [
        ("2026-08-01", True, "2026-08-31"),
        ("2026-08-31", True, "2026-08-31"),
        ("2026-08-31", False, "2026-09-01"),
        ("2026-09-04", False, "2026-09-08"),
        ("2026-09-05", True, "2026-09-08"),
        ("2026-12-23", False, "2027-01-04"),
        ("2027-02-12", False, "2027-02-22"),
        ("2026-10-31", True, "2026-11-02"),
        ("2027-06-17", False, "2027-06-18"),
    ],
)
def test_next_school_day(day: str, include_today: bool, expected: str) -> None:
    assert CAL.next_school_day(d(day), include_today=include_today) == d(expected)


@pytest.mark.parametrize(
    ("day", "include_today", "expected"),
    [
        ("2027-07-15", True, "2027-06-18"),
        ("2027-06-18", True, "2027-06-18"),
        ("2027-06-18", False, "2027-06-17"),
        ("2026-09-08", False, "2026-09-04"),
        ("2027-01-04", False, "2026-12-23"),
        ("2027-01-01", True, "2026-12-23"),
        ("2027-04-26", False, "2027-04-16"),
        ("2026-09-01", False, "2026-08-31"),
    ],
)
def test_previous_school_day(day: str, include_today: bool, expected: str) -> None:
    assert CAL.previous_school_day(d(day), include_today=include_today) == d(expected)


@pytest.mark.parametrize(
    ("call", "day"),
    [
        ("next", "2027-06-18"),
        ("next", "2027-07-01"),
        ("previous", "2026-08-31"),
        ("previous", "2026-08-01"),
    ],
)
def test_no_school_day_outside_the_year(call: str, day: str) -> None:
    with pytest.raises(OutsideSchoolYearError):
        if call == "next":
            CAL.next_school_day(d(day), include_today=False)
        else:
            CAL.previous_school_day(d(day), include_today=False)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        ("2026-08-31", 0, "2026-08-31"),  # a school day plus 0 is itself
        ("2026-08-29", 0, "2026-08-31"),  # a non-school day plus 0 is the next school day
        ("2026-08-29", 1, "2026-08-31"),
        ("2026-08-31", 1, "2026-09-01"),
        ("2026-09-03", 2, "2026-09-08"),  # across the weekend and Labor Day
        ("2026-09-04", 1, "2026-09-08"),
        ("2026-10-30", 1, "2026-11-02"),  # across the DST weekend (1 Nov 2026)
        ("2026-11-10", 1, "2026-11-12"),  # Veterans Day
        ("2026-11-25", 1, "2026-11-30"),  # Thanksgiving
        ("2026-12-22", 2, "2027-01-04"),  # winter break
        ("2027-02-12", 1, "2027-02-22"),  # February vacation
        ("2027-03-12", 1, "2027-03-15"),  # across the DST weekend (14 Mar 2027)
        ("2027-04-16", 5, "2027-04-30"),  # April vacation
        ("2026-10-01", 5, "2026-10-08"),
        ("2026-09-01", 10, "2026-09-16"),
        ("2027-06-17", 1, "2027-06-18"),
    ],
)
def test_add_school_days(day: str, n: int, expected: str) -> None:
    assert CAL.add_school_days(d(day), n) == d(expected)


def test_add_school_days_past_the_year_raises() -> None:
    with pytest.raises(OutsideSchoolYearError, match="past the end of 2026-27"):
        CAL.add_school_days(d("2027-06-17"), 2)
    with pytest.raises(ValueError, match="n must be >= 0"):
        CAL.add_school_days(d("2026-09-01"), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2026-09-04", "2026-09-08", 1),  # (Fri, Tue]: Labor Day skipped
        ("2026-09-04", "2026-09-04", 0),
        ("2026-09-08", "2026-09-04", 0),  # b before a
        ("2026-08-30", "2026-09-04", 5),  # first week
        ("2026-08-31", "2026-09-04", 4),  # a excluded
        ("2026-12-23", "2027-01-04", 1),  # winter break
        ("2026-12-22", "2027-01-05", 3),
        ("2026-10-30", "2026-11-06", 5),  # DST week
        ("2027-03-12", "2027-03-19", 5),  # DST week
        ("2027-02-12", "2027-02-26", 5),  # February vacation week
        ("2026-01-01", "2027-12-31", 186),  # the whole year
    ],
)
def test_school_days_between(a: str, b: str, expected: int) -> None:
    assert CAL.school_days_between(d(a), d(b)) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("2026-08-31", "2026-09-06", 5),
        ("2026-09-07", "2026-09-13", 4),
        ("2026-11-23", "2026-11-29", 3),
        ("2026-12-28", "2027-01-03", 0),
    ],
)
def test_school_days_in(first: str, last: str, expected: int) -> None:
    assert CAL.school_days_in(d(first), d(last)) == expected


def test_add_and_between_agree() -> None:
    start = d("2026-08-31")
    for n in range(1, 186):
        assert CAL.school_days_between(start, CAL.add_school_days(start, n)) == n


@pytest.mark.parametrize(
    ("day", "monday", "sunday"),
    [
        ("2026-08-31", "2026-08-31", "2026-09-06"),
        ("2026-09-06", "2026-08-31", "2026-09-06"),
        ("2026-11-01", "2026-10-26", "2026-11-01"),
        ("2027-01-01", "2026-12-28", "2027-01-03"),
    ],
)
def test_school_week(day: str, monday: str, sunday: str) -> None:
    assert CAL.school_week(d(day)) == (d(monday), d(sunday))


@pytest.mark.parametrize(
    ("day", "monday", "sunday"),
    [
        ("2026-09-08", "2026-08-31", "2026-09-06"),
        ("2026-09-14", "2026-09-07", "2026-09-13"),
        ("2027-01-04", "2026-12-21", "2026-12-27"),  # skips the winter-break week
        ("2027-02-22", "2027-02-08", "2027-02-14"),  # skips the February vacation week
        ("2027-06-21", "2027-06-14", "2027-06-20"),
    ],
)
def test_previous_school_week(day: str, monday: str, sunday: str) -> None:
    assert CAL.previous_school_week(d(day)) == (d(monday), d(sunday))


def test_no_previous_school_week_in_the_first_week() -> None:
    with pytest.raises(OutsideSchoolYearError):
        CAL.previous_school_week(d("2026-09-02"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2026-08-30", False), ("2026-08-31", True), ("2027-06-18", True), ("2027-06-19", False)],
)
def test_contains(day: str, expected: bool) -> None:
    assert CAL.contains(d(day)) is expected


def test_calendar_basics() -> None:
    assert CAL.school_year_label == "2026-27"
    assert len(CAL.school_days) == 186
    assert CAL.school_days[0] == d("2026-08-31")
    assert CAL.school_days[-1] == d("2027-06-18")


@pytest.mark.parametrize(
    ("weekend", "day", "expected"),
    [
        ((4, 5), "2026-09-04", False),  # Friday off
        ((4, 5), "2026-09-06", True),  # Sunday on
        ((), "2026-09-05", True),
    ],
)
def test_custom_weekend(weekend: tuple[int, ...], day: str, expected: bool) -> None:
    cal = SchoolCalendar(d("2026-08-31"), d("2027-06-18"), frozenset(), weekend=weekend)
    assert cal.is_school_day(d(day)) is expected


@pytest.mark.parametrize(
    ("start", "end", "weekend", "expected"),
    [
        ("2027-06-18", "2026-08-31", (5, 6), "is before its start"),
        ("2026-08-31", "2027-06-18", (7,), "weekend days must be 0..6"),
    ],
)
def test_bad_calendar(start: str, end: str, weekend: tuple[int, ...], expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        SchoolCalendar(d(start), d(end), frozenset(), weekend=weekend)


def test_contract_calendar() -> None:
    cfg = parse_program_toml(
        'name = "Hillside Public Schools"\ntimezone = "America/New_York"\npolicy = "ma"\n'
        "school_year_start = 2026-08-31\nschool_year_end = 2027-06-18\n"
        "non_school_days = [2026-09-07, 2026-10-12, 2026-11-11]\n"
    )
    cal = SchoolCalendar.from_config(cfg)
    assert cal == SchoolCalendar(
        d("2026-08-31"),
        d("2027-06-18"),
        frozenset({d("2026-09-07"), d("2026-10-12"), d("2026-11-11")}),
    )
    assert cal.is_school_day(d("2026-11-26"))  # no Thanksgiving listed here
    assert cal.school_year_label == "2026-27"


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("key", "hire", "expected"),
    [
        ("orientation", None, "2026-08-31"),
        ("orientation", "2026-08-15", "2026-08-31"),
        ("orientation", "2026-08-31", "2026-08-31"),
        ("orientation", "2026-10-01", "2026-10-08"),  # late hire: 5 school days
        ("orientation", "2026-11-24", "2026-12-03"),  # late hire across Thanksgiving
        ("orientation", "2027-06-16", "2027-06-18"),  # late hire near the end: the last day
        ("mentor_assigned", None, "2026-09-14"),
        ("mentor_assigned", "2026-06-30", "2026-09-14"),
        ("mentor_assigned", "2026-11-02", "2026-11-16"),  # 14 days from the hire date
        ("support_team_meeting", None, "2026-08-30"),
        ("support_team_meeting", "2026-12-21", "2027-01-13"),  # late hire: 10 school days
        ("mentor_training", None, "2026-08-30"),
        ("year2_hours", None, "2027-06-30"),
        ("annual_report", None, "2027-07-31"),
        ("annual_report", "2026-12-01", "2027-07-31"),
    ],
)
def test_deadline_due(key: str, hire: str | None, expected: str) -> None:
    rule = PRESETS["ma"].deadline(key)
    assert rule is not None
    assert CAL.deadline_due(rule, d(hire) if hire else None) == d(expected)


@pytest.mark.parametrize(
    ("key", "hire", "expected"),
    [
        ("mentor_assigned", None, "2026-09-30"),
        ("mentor_assigned", "2026-10-05", "2026-11-04"),
        ("ilp_goals", None, "2026-10-30"),
    ],
)
def test_ca_deadline_due(key: str, hire: str | None, expected: str) -> None:
    rule = PRESETS["ca"].deadline(key)
    assert rule is not None
    assert CAL.deadline_due(rule, d(hire) if hire else None) == d(expected)


# --------------------------------------------------------------------------- local time


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        ("2026-11-01T03:59:00", NY, "2026-10-31"),  # 23:59 EDT
        ("2026-11-01T04:00:00", NY, "2026-11-01"),  # 00:00 EDT
        ("2026-11-02T04:59:00", NY, "2026-11-01"),  # 23:59 EST, after the change
        ("2026-11-02T05:00:00", NY, "2026-11-02"),
        ("2027-03-14T04:59:00", NY, "2027-03-13"),  # 23:59 EST
        ("2027-03-14T05:00:00", NY, "2027-03-14"),
        ("2027-03-15T03:59:00", NY, "2027-03-14"),  # 23:59 EDT, after the change
        ("2027-03-15T04:00:00", NY, "2027-03-15"),
        ("2026-09-01T06:30:00", LA, "2026-08-31"),
    ],
)
def test_local_date(instant: str, tz: ZoneInfo, expected: str) -> None:
    assert local_date(utc(instant), tz) == d(expected)


@pytest.mark.parametrize(
    ("day", "wall", "expected_utc", "offset_hours"),
    [
        ("2026-10-31", "07:30", "2026-10-31T11:30:00", -4),  # EDT
        ("2026-11-01", "07:30", "2026-11-01T12:30:00", -5),  # EST from 02:00 that day
        ("2026-11-01", "01:30", "2026-11-01T05:30:00", -4),  # ambiguous: first (EDT)
        ("2026-11-02", "07:30", "2026-11-02T12:30:00", -5),
        ("2027-03-13", "07:30", "2027-03-13T12:30:00", -5),
        ("2027-03-14", "07:30", "2027-03-14T11:30:00", -4),  # EDT from 02:00 that day
        ("2027-03-14", "02:30", "2027-03-14T07:30:00", -4),  # missing: moves to 03:30 EDT
        ("2027-03-14", "00:00", "2027-03-14T05:00:00", -5),
        ("2027-03-15", "18:00", "2027-03-15T22:00:00", -4),
    ],
)
def test_local_datetime(day: str, wall: str, expected_utc: str, offset_hours: int) -> None:
    result = local_datetime(d(day), time.fromisoformat(wall), NY)
    assert result.astimezone(UTC) == utc(expected_utc)  # (ambiguous times compare != across zones)
    assert result.tzinfo is NY
    assert result.utcoffset() == timedelta(hours=offset_hours)


def test_local_datetime_is_a_round_trip_of_local_date() -> None:
    day = d("2026-08-31")
    while day <= d("2027-06-18"):
        assert local_date(local_datetime(day, time(7, 30), NY), NY) == day
        day += timedelta(days=1)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime.fromisoformat("2026-11-01T07:30:00")
    with pytest.raises(ValueError, match="aware"):
        local_date(naive, NY)
    with pytest.raises(ValueError, match="aware"):
        in_quiet_hours(naive, NY, QUIET)


# --------------------------------------------------------------------------- quiet hours


@pytest.mark.parametrize(
    ("wall", "quiet", "expected"),
    [
        ("12:00", QUIET, False),
        ("17:59", QUIET, False),
        ("18:00", QUIET, True),
        ("23:59", QUIET, True),
        ("00:00", QUIET, True),
        ("06:59", QUIET, True),
        ("07:00", QUIET, False),
        ("12:30", (time(12, 0), time(13, 0)), True),
        ("13:00", (time(12, 0), time(13, 0)), False),
        ("11:59", (time(12, 0), time(13, 0)), False),
        ("03:00", (time(7, 0), time(7, 0)), False),  # empty window
        ("22:30", (time(22, 0), time(0, 0)), True),
        ("00:00", (time(22, 0), time(0, 0)), False),
    ],
)
def test_in_quiet_hours(wall: str, quiet: tuple[time, time], expected: bool) -> None:
    now = local_datetime(d("2026-10-14"), time.fromisoformat(wall), NY)
    assert in_quiet_hours(now, NY, quiet) is expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-11-01T11:30:00", True),  # 06:30 EST
        ("2026-11-01T11:59:00", True),  # 06:59 EST (would be 07:59 EDT)
        ("2026-11-01T12:00:00", False),  # 07:00 EST
        ("2026-11-01T22:59:00", False),  # 17:59 EST
        ("2026-11-01T23:00:00", True),  # 18:00 EST
        ("2027-03-14T10:59:00", True),  # 06:59 EDT
        ("2027-03-14T11:00:00", False),  # 07:00 EDT (would be 06:00 EST)
        ("2027-03-14T22:00:00", True),  # 18:00 EDT
    ],
)
def test_quiet_hours_on_dst_days(instant: str, expected: bool) -> None:
    assert in_quiet_hours(utc(instant), NY, QUIET) is expected


@pytest.mark.parametrize(
    ("instant", "expected_utc"),
    [
        ("2026-10-14T16:00:00", "2026-10-14T16:00:00"),  # 12:00 EDT: now
        ("2026-10-14T22:30:00", "2026-10-15T11:00:00"),  # 18:30 EDT → 07:00 EDT next day
        ("2026-10-15T09:00:00", "2026-10-15T11:00:00"),  # 05:00 EDT → 07:00 EDT same day
        ("2026-10-31T23:00:00", "2026-11-01T12:00:00"),  # 19:00 EDT → 07:00 EST
        ("2027-03-13T23:30:00", "2027-03-14T11:00:00"),  # 18:30 EST → 07:00 EDT
    ],
)
def test_next_send_time(instant: str, expected_utc: str) -> None:
    result = next_send_time(utc(instant), NY, QUIET)
    assert result == utc(expected_utc)
    assert not in_quiet_hours(result, NY, QUIET)


def test_school_weeks_between_counts_as_walking_the_weeks_does() -> None:
    """The bisect over weeks with school agrees with walking week by week (the reference)."""

    breaks = {date(2026, 11, 26), date(2026, 11, 27)}
    breaks |= {date(2026, 12, 21) + timedelta(days=i) for i in range(14)}  # two weeks off
    calendar = SchoolCalendar(date(2026, 8, 31), date(2027, 6, 18), frozenset(breaks))

    def walked(since: date, today: date) -> int:
        monday = since - timedelta(days=since.weekday()) + timedelta(days=7)
        weeks = 0
        while monday + timedelta(days=6) < today:
            weeks += bool(calendar.school_days_in(monday, monday + timedelta(days=6)))
            monday += timedelta(days=7)
        return weeks

    days = [date(2026, 8, 1) + timedelta(days=i) for i in range(0, 360, 5)]
    for since in days:
        for today in days[::3]:
            assert calendar.school_weeks_between(since, today) == walked(since, today), (
                since,
                today,
            )
