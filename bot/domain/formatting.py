"""How minutes and dates read in messages: "1 h 40", "Tue 17 Nov" (English, whatever the locale)."""

from __future__ import annotations

import re
from datetime import date

# What a terminal would act on rather than show: C0 controls but newline and tab, DEL, C1.
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
DAY_ABBRS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_ABBRS: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def format_minutes(minutes: int) -> str:
    """A duration the way a teacher reads it: 45 → "45 min", 60 → "1 h", 100 → "1 h 40"."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours == 0:
        return f"{sign}{rest} min"
    if rest == 0:
        return f"{sign}{hours} h"
    return f"{sign}{hours} h {rest:02d}"


def format_day(day: date, today: date | None = None) -> str:
    """A day as "Tue 17 Nov"; given `today`, a day of another year carries it: "Thu 1 Jan 2026".

    Without `today` the year is never shown (a caller that cannot know the year in view)."""
    shown = f"{DAY_ABBRS[day.weekday()]} {day.day} {MONTH_ABBRS[day.month - 1]}"
    return shown if today is None or day.year == today.year else f"{shown} {day.year}"


def format_day_long(day: date) -> str:
    """A day with its year: "Tue 17 Nov 2026"."""
    return f"{format_day(day)} {day.year}"


def as_read(day: date) -> str:
    """A date as a refusal echoes it: "2026-09-14 (Mon 14 Sep)", unambiguous at any year."""
    return f"{day.isoformat()} ({format_day(day)})"


def terminal_safe(text: str) -> str:
    """Text for a terminal: each control character a name or note may hold (an escape
    sequence, a carriage return) shown as `\\x1b`, never acted on; newlines and tabs kept."""
    return TERMINAL_CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)
