"""`/induction event` text → ActivityRequest or a UsageError naming what is wrong (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.activities import ActivityRequest
from bot.domain.grammar.command_text import UsageError, parse_induction
from bot.domain.grammar.event_text import duration_minutes, parse_event

TODAY = date(2026, 11, 18)
A, B = "<@U0ANA>", "<@U0BEN|ben smith>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"group 2026-10-14 90m {A} {B}", ActivityRequest("group", 90, (A, B), date(2026, 10, 14))),
        (f"group 90m {A}", ActivityRequest("group", 90, (A,))),
        (f"Group yesterday 1h30 {A}", ActivityRequest("group", 90, (A,), date(2026, 11, 17))),
        (f"group today 1.5h {A}", ActivityRequest("group", 90, (A,), TODAY)),
        (
            f"orientation 2026-08-27 2h {A} {A}",
            ActivityRequest("orientation", 120, (A,), date(2026, 8, 27)),
        ),
        (f"training 1:15 {A} by {B}", ActivityRequest("training", 75, (A,), None, B)),
        (f"mentor-training 45 {A}", ActivityRequest("training", 45, (A,))),
        (
            f"support-team 30m {A} first meeting, all good",
            ActivityRequest("support_team", 30, (A,), notes="first meeting, all good"),
        ),
        (f"team 30min ana@d.org {A}", ActivityRequest("support_team", 30, ("ana@d.org", A))),
    ],
)
def test_event_text_is_read(text: str, expected: ActivityRequest) -> None:
    assert parse_event(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "needs the kind of activity first"),
        (f"party 90m {A}", "I don't know the activity 'party'"),
        (f"group 2026-10-14 {A}", "I understood a group activity on 2026-10-14, but not how long"),
        (f"group 90m 1h {A}", "Give one duration, not both 1 h 30 and 1h"),
        (f"group 2026-10-14 2026-10-15 90m {A}", "Give one date"),
        (f"group 2026-02-30 90m {A}", "2026-02-30 is not a real date"),
        (f"group 14/10 90m {A}", "write it as YYYY-MM-DD"),
        (f"group 0m {A}", "0 minutes is not a duration I can record"),
        (f"group 721 {A}", "721 minutes is not a duration"),
        ("group 90m", "but nobody attended"),
        ("group 90m @ana", "nobody in this workspace is called 'ana'"),
        (f"group 90m notes {A}", "Put everyone before the notes"),
        (f"group 90m {A} by {A} by {B}", "Name one facilitator"),
        (f"group 90m {A} " + "x" * 2001, "longer than 2000 characters"),
    ],
)
def test_event_text_refusals_name_the_part(text: str, says: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_event(text, TODAY)
    assert says in refused.value.message
    assert refused.value.example.startswith("/induction event group")


@pytest.mark.parametrize(
    ("token", "minutes"),
    [
        ("90m", 90),
        ("90", 90),
        ("1h", 60),
        ("1h30", 90),
        ("1h30m", 90),
        ("1.5h", 90),
        ("1:30", 90),
        ("2hours", 120),
        ("x", None),
        ("1h90x", None),
    ],
)
def test_durations(token: str, minutes: int | None) -> None:
    assert duration_minutes(token) == minutes


def test_induction_passes_the_words_after_event_on() -> None:
    args = parse_induction(f"event group 90m {B} notes")
    assert (args.verb, args.rest) == ("event", f"group 90m {B} notes")


@pytest.mark.parametrize("text", ["event", "event help", "event ?"])
def test_event_alone_or_with_help_is_the_help(text: str) -> None:
    assert parse_induction(text).verb == "help"
