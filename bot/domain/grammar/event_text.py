"""`/induction event KIND [DATE] DURATION @people… [by @facilitator] [notes]` (pure): the text
after `event` → an ActivityRequest, or a UsageError that says what was understood."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain.activities import ACTIVITY_KINDS, MAX_ACTIVITY_NOTES, ActivityRequest, activity_kind
from bot.domain.formatting import format_minutes
from bot.domain.grammar import MAX_MINUTES, MIN_MINUTES
from bot.domain.grammar.command_text import (
    ISO_DATE,
    OTHER_DATE,
    PERSON,
    UNLINKED_MENTION,
    UsageError,
    split_tokens,
    unlinked_error,
)

EXAMPLE = "/induction event group 2026-10-14 90m @ana @ben @cal monthly check-in"
DURATION = re.compile(
    r"^(?:(?P<h>\d{1,2}(?:[.,]\d{1,2})?)(?:h|hr|hrs|hours?)(?:(?P<hm>\d{1,2})(?:m|min)?)?"
    r"|(?P<m>\d{1,4})(?:m|min|mins|minutes)?"
    r"|(?P<ch>\d{1,2}):(?P<cm>\d{2}))$",
    re.IGNORECASE,
)
RELATIVE_DAYS = {"today": 0, "yesterday": 1}


def duration_minutes(token: str) -> int | None:
    """Minutes a duration token means (`90m`, `90`, `1h30`, `1.5h`, `1:30`), or None."""
    match = DURATION.match(token)
    if match is None:
        return None
    if match.group("m") is not None:
        return int(match.group("m"))
    if match.group("ch") is not None:
        return int(match.group("ch")) * 60 + int(match.group("cm"))
    hours = float(match.group("h").replace(",", "."))
    return round(hours * 60) + int(match.group("hm") or 0)


def _kind(tokens: list[str]) -> str:
    if not tokens:
        raise UsageError(
            f"`event` needs the kind of activity first: one of {', '.join(ACTIVITY_KINDS)}.",
            EXAMPLE,
        )
    kind = activity_kind(tokens[0])
    if kind is None:
        raise UsageError(
            f"I don't know the activity {tokens[0]!r}: say one of {', '.join(ACTIVITY_KINDS)}.",
            EXAMPLE,
        )
    return kind


def parse_event(text: str, today: date) -> ActivityRequest:
    """Read the words after `/induction event`; refuse what does not fit, naming it."""
    tokens = split_tokens(text)
    kind = _kind(tokens)
    minutes: int | None = None
    on: date | None = None
    attendees: list[str] = []
    facilitator: str | None = None
    notes: list[str] = []
    rest = tokens[1:]
    i = 0
    while i < len(rest):
        token, word = rest[i], rest[i].lower()
        i += 1
        if notes:
            if PERSON.match(token) or UNLINKED_MENTION.match(token):
                raise UsageError(
                    f"Put everyone before the notes: {token} comes after {notes[0]!r}.", EXAMPLE
                )
            notes.append(token)
        elif word == "by" and i < len(rest) and PERSON.match(rest[i]):
            if facilitator is not None:
                raise UsageError("Name one facilitator after `by`.", EXAMPLE)
            facilitator = rest[i]
            i += 1
        elif PERSON.match(token):
            if token not in attendees:
                attendees.append(token)
        elif UNLINKED_MENTION.match(token):
            raise unlinked_error(token, EXAMPLE)
        elif ISO_DATE.match(token) or word in RELATIVE_DAYS:
            if on is not None:
                raise UsageError(f"Give one date, not both {on} and {token}.", EXAMPLE)
            on = _day(token, today)
        elif OTHER_DATE.match(token) and not DURATION.match(token):
            raise UsageError(
                f"I couldn't read {token!r} as the date: write it as YYYY-MM-DD.", EXAMPLE
            )
        elif (found := duration_minutes(token)) is not None:
            if minutes is not None:
                raise UsageError(
                    f"Give one duration, not both {format_minutes(minutes)} and {token}.", EXAMPLE
                )
            minutes = found
        else:
            notes.append(token)
    understood = f"a {kind} activity" + (f" on {on}" if on else "")
    if minutes is None:
        raise UsageError(f"I understood {understood}, but not how long it was.", EXAMPLE)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise UsageError(
            f"{minutes} minutes is not a duration I can record: from {MIN_MINUTES} minute to "
            f"{MAX_MINUTES // 60} hours.",
            EXAMPLE,
        )
    if not attendees:
        raise UsageError(
            f"I understood {understood} of {format_minutes(minutes)}, but nobody attended: "
            "mention each attendee with @.",
            EXAMPLE,
        )
    note_text = " ".join(notes) or None
    if note_text is not None and len(note_text) > MAX_ACTIVITY_NOTES:
        raise UsageError(
            f"The notes are longer than {MAX_ACTIVITY_NOTES} characters; shorten them.", EXAMPLE
        )
    return ActivityRequest(kind, minutes, tuple(attendees), on, facilitator, note_text)


def _day(token: str, today: date) -> date:
    if token.lower() in RELATIVE_DAYS:
        return today - timedelta(days=RELATIVE_DAYS[token.lower()])
    try:
        return date.fromisoformat(token)
    except ValueError:
        raise UsageError(f"{token} is not a real date.", EXAMPLE) from None
