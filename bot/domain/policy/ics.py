"""All-day events of an ICS calendar: the district's non-school days (RFC 5545, the part needed)."""

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple

from bot.domain.policy.limits import FIRST_SCHOOL_DATE, LAST_SCHOOL_DATE, MAX_ICS_EVENT_DAYS


class IcsEvent(NamedTuple):
    """An all-day VEVENT: inclusive first and last day, and its SUMMARY."""

    start: date
    end: date
    summary: str

    def days(self) -> list[date]:
        """Every date the event covers."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


_ICS_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ICS_DURATION_RE = re.compile(r"^P(?:(\d{1,6})W|(\d{1,6})D)$")


def _unfold_ics(text: str) -> list[tuple[int, str]]:
    """RFC 5545 unfolding: a line starting with a space or tab continues the previous one."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in {" ", "\t"} and lines:
            first, content = lines[-1]
            lines[-1] = (first, content + raw[1:])
        elif raw.strip():
            lines.append((number, raw))
    return lines


def _ics_unescape(value: str) -> str:
    return re.sub(
        r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value
    ).strip()


def parse_ics(text: str) -> list[IcsEvent]:
    """All-day VEVENTs of an ICS text (timed events are ignored: they are not non-school days).

    Handles folded lines, ``DTSTART;VALUE=DATE:20261126``, an exclusive DTEND or a DURATION
    (PnD / PnW); a missing DTEND means one day.  Raises ValueError naming the line on bad input.
    """
    events: list[IcsEvent] = []
    current: dict[str, tuple[int, str, str]] | None = None
    for number, line in _unfold_ics(text):
        name_params, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {number}: expected NAME:VALUE, got {line[:40]!r}")
        name, *params = name_params.split(";")
        name = name.strip().upper()
        if name == "BEGIN" and value.strip().upper() == "VEVENT":
            current = {}
        elif name == "END" and value.strip().upper() == "VEVENT":
            if current is None:
                raise ValueError(f"line {number}: END:VEVENT without BEGIN:VEVENT")
            event = _ics_event(current, number)
            if event is not None:
                events.append(event)
            current = None
        elif current is not None and name in {"DTSTART", "DTEND", "DURATION", "SUMMARY"}:
            current[name] = (number, ";".join(params).upper(), value)
    if current is not None:
        raise ValueError("end of file: VEVENT without END:VEVENT")
    return events


def _ics_event(props: Mapping[str, tuple[int, str, str]], end_line: int) -> IcsEvent | None:
    if "DTSTART" not in props:
        raise ValueError(f"line {end_line}: VEVENT without DTSTART")
    start = _ics_date(*props["DTSTART"], name="DTSTART")
    if start is None:
        return None  # a timed event
    if not FIRST_SCHOOL_DATE <= start <= LAST_SCHOOL_DATE:
        return None  # far outside any school year this app can hold: not a day off of ours
    last = start
    if "DTEND" in props:
        end = _ics_date(*props["DTEND"], name="DTEND")
        if end is None:
            raise ValueError(f"line {props['DTEND'][0]}: DTEND is a date-time but DTSTART a date")
        if end <= start:
            raise ValueError(f"line {props['DTEND'][0]}: DTEND {end} is not after DTSTART {start}")
        if (end - start).days > MAX_ICS_EVENT_DAYS:
            raise ValueError(
                f"line {props['DTEND'][0]}: the event lasts {(end - start).days} days "
                f"(at most {MAX_ICS_EVENT_DAYS})"
            )
        last = end - timedelta(days=1)  # DTEND is exclusive for all-day events
    elif "DURATION" in props:
        number, _, value = props["DURATION"]
        match = _ICS_DURATION_RE.match(value.strip().upper())
        if match is None:
            raise ValueError(
                f"line {number}: unsupported DURATION {value[:40]!r} (expected PnD or PnW)"
            )
        days = int(match.group(1)) * 7 if match.group(1) else int(match.group(2))
        if days > MAX_ICS_EVENT_DAYS:
            raise ValueError(
                f"line {number}: DURATION {value.strip()} is {days} days "
                f"(at most {MAX_ICS_EVENT_DAYS})"
            )
        last = start + timedelta(days=max(days, 1) - 1)
    summary = _ics_unescape(props["SUMMARY"][2]) if "SUMMARY" in props else ""
    return IcsEvent(start, last, summary)


def _ics_date(number: int, params: str, value: str, name: str) -> date | None:
    value = value.strip()
    match = _ICS_DATE_RE.match(value)
    if match is None:
        if "VALUE=DATE" not in params.split(";") and re.match(r"^\d{8}T\d{6}Z?$", value):
            return None
        raise ValueError(f"line {number}: bad {name} value {value[:40]!r} (expected YYYYMMDD)")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(f"line {number}: bad {name} date {value!r}") from None


def ics_days(text: str) -> tuple[date, ...]:
    """Sorted distinct dates covered by the all-day events of an ICS text."""
    return tuple(sorted({day for event in parse_ics(text) for day in event.days()}))
