"""How minutes and dates read in messages: "1 h 40", "Tue 17 Nov"."""

from __future__ import annotations

from datetime import date


def format_minutes(minutes: int) -> str:
    """45 → "45 min", 60 → "1 h", 100 → "1 h 40"."""
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if rest == 0 else f"{hours} h {rest:02d}"


def format_day(day: date) -> str:
    """A short weekday date: "Tue 17 Nov"."""
    return f"{day:%a} {day.day} {day:%b}"


def format_day_long(day: date) -> str:
    """A date with the year: "Tue 17 Nov 2026"."""
    return f"{format_day(day)} {day.year}"
