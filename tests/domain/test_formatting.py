"""How days and durations read (bot/domain/formatting.py)."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.formatting import format_day, format_day_long, format_minutes

TODAY = date(2026, 11, 18)


@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        (date(2026, 11, 17), TODAY, "Tue 17 Nov"),
        (date(2026, 1, 1), TODAY, "Thu 1 Jan"),
        (date(2025, 11, 17), TODAY, "Mon 17 Nov 2025"),
        (date(2027, 1, 4), TODAY, "Mon 4 Jan 2027"),
        (date(2026, 12, 31), date(2027, 1, 2), "Thu 31 Dec 2026"),
        (date(2027, 1, 1), date(2027, 1, 2), "Fri 1 Jan"),
        (date(2025, 11, 17), None, "Mon 17 Nov"),
    ],
)  # fmt: skip
def test_format_day_shows_the_year_when_it_is_not_todays(
    day: date, today: date | None, expected: str
) -> None:
    assert format_day(day, today) == expected


def test_format_day_long_always_has_the_year() -> None:
    assert format_day_long(date(2026, 11, 17)) == "Tue 17 Nov 2026"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0, "0 min"), (45, "45 min"), (60, "1 h"), (100, "1 h 40"), (-75, "-1 h 15")],
)  # fmt: skip
def test_format_minutes(minutes: int, expected: str) -> None:
    assert format_minutes(minutes) == expected
