"""Values Slack hands back to us — a button's value, a form's private_metadata and fields — read
strictly, never trusted (pure: no store).

Everything here was drawn by our own views, so anything else was crafted or is from a build we
no longer speak: the readers raise `BadValue`, which a listener turns into a polite refusal and
one log line naming the place, never the value. An id is ASCII digits (a JSON integer) within
the column it points into, so "²" (which passes `str.isdigit`) or a 30-digit number never
reaches `int()` or the database; a day is `YYYY-MM-DD` within the calendar's range; a period
runs forwards and is at most a year; text is text, of bounded length, without control
characters (PostgreSQL refuses NUL in a string)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from bot.domain.calendar import in_calendar_range
from bot.domain.once import QUESTION, VIEW, Once
from bot.domain.signoff import Period

MAX_ID = 2**31 - 1  # an INTEGER key (people, pairs, requests, surveys)
MAX_WIDE_ID = 2**63 - 1  # a BIGINT key (log entries)
MAX_PERIOD_DAYS = 366  # a month or a pay period: never more than a year
MAX_JSON_VALUE = 2000  # Slack's cap on a button's value
MAX_SCHOOL = 100
MAX_FIELD = 3000  # Slack's longest plain-text input: what a person can type into a form
SLACK_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_WORD = 100  # a duration, a kind, a list of standards as a form sends them
DIGITS = re.compile(r"[0-9]{1,19}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
BATCH = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline are text


class BadValue(ValueError):
    """A value that our views never drew. `place` names where it was (for the log line and the
    refusal); the value itself is never kept."""

    def __init__(self, place: str) -> None:
        super().__init__(place)
        self.place = place


def _in_column(number: int, place: str, wide: bool) -> int:
    if not 1 <= number <= (MAX_WIDE_ID if wide else MAX_ID):
        raise BadValue(place)
    return number


def row_id(raw: object, place: str, *, wide: bool = False) -> int:
    """A row's id as text (a button's value, metadata, an option): ASCII digits, 1..the
    column's maximum."""
    if not isinstance(raw, str) or not DIGITS.fullmatch(raw):
        raise BadValue(place)
    return _in_column(int(raw), place, wide)


def optional_row_id(raw: object, place: str, *, wide: bool = False) -> int | None:
    """A row's id as text, or None when the value is empty ("")."""
    return None if raw == "" else row_id(raw, place, wide=wide)


def json_id(raw: object, place: str, *, wide: bool = False) -> int:
    """A row's id inside a button's JSON value: an integer (not a bool, not a string)."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise BadValue(place)
    return _in_column(raw, place, wide)


def day(raw: object, place: str) -> date:
    """A `YYYY-MM-DD` day that exists, within the calendar's range."""
    if not isinstance(raw, str) or not DAY.fullmatch(raw):
        raise BadValue(place)
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        raise BadValue(place) from None
    if not in_calendar_range(parsed):
        raise BadValue(place)
    return parsed


def optional_day(raw: object, place: str) -> date | None:
    """A day, or None when none was picked."""
    return None if raw is None or raw == "" else day(raw, place)


def period(first: object, last: object, place: str) -> Period:
    """A period as a Sign off button carries it: first <= last, at most a year long."""
    start, end = day(first, place), day(last, place)
    if end < start or (end - start).days >= MAX_PERIOD_DAYS:
        raise BadValue(place)
    return Period(start, end)


def json_object(raw: object, place: str) -> dict[str, Any]:
    """A button's JSON value, which must be an object."""
    if not isinstance(raw, str) or len(raw) > MAX_JSON_VALUE:
        raise BadValue(place)
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise BadValue(place) from None
    if not isinstance(parsed, dict):
        raise BadValue(place)
    return parsed


def text(raw: object, place: str, *, limit: int) -> str:
    """Text of at most `limit` characters, without control characters."""
    if not isinstance(raw, str) or len(raw) > limit or CONTROL.search(raw):
        raise BadValue(place)
    return raw


def optional_text(raw: object, place: str, *, limit: int) -> str | None:
    """Text, or None when the field was left empty."""
    return None if raw is None else text(raw, place, limit=limit)


def free_text(raw: object, place: str, *, limit: int = MAX_FIELD) -> str | None:
    """What a person typed into a form (None when left empty): a control character pasted in
    (a word processor's line break) becomes a space; longer than a form allows is crafted."""
    if raw is None:
        return None
    if not isinstance(raw, str) or len(raw) > limit:
        raise BadValue(place)
    return CONTROL.sub(" ", raw)


def batch_id(raw: object, place: str) -> str:
    """A log batch's id (a UUID as the store writes it)."""
    if not isinstance(raw, str) or not BATCH.fullmatch(raw):
        raise BadValue(place)
    return raw


def school(raw: object, place: str) -> str | None:
    """A school's name as a Sign off button carries it, or None (the whole program)."""
    if raw is None:
        return None
    return text(raw, place, limit=MAX_SCHOOL)


def action_value(body: dict[str, Any]) -> object:
    """The pressed button's value as sent (anything: the readers above check it)."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise BadValue("button")
    return actions[0].get("value", "")


def input_text(view: dict[str, Any], block_id: str, action_id: str, place: str) -> str | None:
    """A plain-text input's value from a submitted form (None when left empty)."""
    state = view.get("state")
    blocks = state.get("values") if isinstance(state, dict) else None
    fields = blocks.get(block_id) if isinstance(blocks, dict) else None
    element = fields.get(action_id) if isinstance(fields, dict) else None
    if element is None:
        return None
    if not isinstance(element, dict):
        raise BadValue(place)
    return free_text(element.get("value"), place)


def metadata(view: dict[str, Any]) -> object:
    """A submitted form's private_metadata as sent."""
    return view.get("private_metadata", "")


def view_once(body: dict[str, Any], view: dict[str, Any]) -> Once:
    """A form's submission as Slack identifies it: its team, view id and hash (a retried
    submission carries the same; a form redrawn by views.update gets a new hash)."""
    team = (body.get("team") or {}).get("id") if isinstance(body.get("team"), dict) else None
    parts = [team or "", view.get("id"), view.get("hash") or ""]
    if not all(isinstance(p, str) and (p == "" or SLACK_ID.fullmatch(p)) for p in parts):
        raise BadValue("form")
    if not parts[1]:
        raise BadValue("form")
    return Once(VIEW, ":".join(str(p) for p in parts))


def question_once(choice: dict[str, Any], place: str) -> Once:
    """The question a choice button answers (its "q", shared by the question's choices)."""
    question = choice.get("q")
    if not isinstance(question, str) or not SLACK_ID.fullmatch(question):
        raise BadValue(place)
    return Once(QUESTION, question)
