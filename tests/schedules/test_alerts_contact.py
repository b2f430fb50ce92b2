"""Counting quiet days and short weeks: "no contact for N school days" counts complete school
days only (a job at 07:45 does not count the day just begun), and the weekly target a week is
measured against is prorated by its school days (`bot.domain.calendar.week_target`). The ledger's
minutes are untouched; only the target the digest compares against changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.bootstrap import Services
from bot.domain.calendar import SchoolCalendar, week_target
from bot.domain.notices import Digest
from schedules import claims
from tests.support.bolt_requests import all_text
from tests.support.scheduler import at

START, END = date(2026, 8, 31), date(2027, 6, 18)
THANKSGIVING = frozenset({date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)})
CAL = SchoolCalendar(START, END, frozenset({date(2026, 11, 11)}) | THANKSGIVING)
WINTER = SchoolCalendar(START, END, frozenset(date(2026, 12, 21) + timedelta(days=i) for i in range(12)))  # fmt: skip


@pytest.mark.parametrize(
    ("cal", "monday", "expected"),
    [
        (CAL, date(2026, 11, 2), 60),  # a full week
        (CAL, date(2026, 11, 9), 48),  # Veterans Day: 4 school days
        (CAL, date(2026, 11, 23), 24),  # Thanksgiving: 2 school days
        (CAL, date(2026, 8, 31), 60),  # the first week
        (CAL, date(2027, 6, 14), 60),  # the last week ends on Friday 18 Jun
        (CAL, date(2027, 6, 21), 0),  # after the year: no school day, no target
        (WINTER, date(2026, 12, 28), 0),  # a vacation week
        (WINTER, date(2026, 12, 21), 0),
        (CAL, date(2026, 11, 11), 48),  # any day of the week names it
    ],
)  # fmt: skip
def test_week_target_is_prorated_by_school_days(cal: SchoolCalendar, monday: date, expected: int) -> None:  # fmt: skip
    assert week_target(cal, 60, monday) == expected


def test_week_target_rounds_to_the_minute() -> None:
    assert week_target(CAL, 45, date(2026, 11, 9)) == 36
    assert week_target(CAL, 50, date(2026, 11, 23)) == 20
    assert week_target(CAL, 1, date(2026, 11, 23)) == 0  # 0.4 min


def digest_of(services: Services, day: str) -> Digest:
    notes = services.nudges.weekly_digest(at(day)) or []
    (lee,) = [n.content for n in notes if n.recipient == "U0LEE"]
    assert isinstance(lee, Digest)
    return lee


def log(services: Services, user: str, text: str, day: str) -> None:
    outcome = services.logs.log_text(user, text, at(day, 16))
    assert outcome.ok, outcome.error


def test_the_digest_measures_a_short_week_against_its_share_of_the_target(
    services: Services, pairs: None
) -> None:
    """Veterans Day week (4 school days): 50 minutes meets the 48-minute share of an hour, 45
    do not; the minutes themselves are the ledger's."""
    log(services, "U0LEE", "50m", "2026-11-10")
    log(services, "U0MIA", "45m", "2026-11-12")
    digest = digest_of(services, "2026-11-16")
    assert digest.week == (date(2026, 11, 9), date(2026, 11, 15))
    assert (digest.weekly_target, digest.met_target, digest.total.minutes) == (48, 1, 95)
    (note,) = [n for n in claims.notifications(services.nudges.weekly_digest(at("2026-11-16")) or []) if n.recipient == "U0LEE"]  # fmt: skip
    assert "1 met the 48 min target (4 school days)" in all_text(note.payload)


def test_a_full_week_keeps_the_whole_target(services: Services, pairs: None) -> None:
    log(services, "U0LEE", "50m", "2026-11-03")
    digest = digest_of(services, "2026-11-09")
    assert (digest.weekly_target, digest.met_target) == (60, 0)


def test_no_contact_counts_complete_school_days_only(services: Services, pairs: None) -> None:
    """Lee met Bea on Mon 2 Nov: at 07:45 on Mon 9 Nov four school days are over (3–6 Nov),
    not five; the nudge goes out on Tue 10 Nov saying 5."""
    log(services, "U0LEE", "30m", "2026-11-02")
    for mentor in ("U0MIA", "U0MAX"):  # their mentees are met every day: no nudge for them
        for day in ("2026-11-05", "2026-11-09"):
            log(services, mentor, "20m", day)

    def about_bea(day: str) -> list[int]:
        notes = services.nudges.contact_nudges(at(day)) or []
        return [n.content.school_days for n in notes if n.recipient == "U0LEE"]  # type: ignore[union-attr]

    assert about_bea("2026-11-09") == []
    assert about_bea("2026-11-10") == [5]
