"""The grammar asks instead of guessing (issue 9): kind words inside notes, dates in the program's
locale, spoken durations, near-miss kinds, unresolved @names, two numbers, notes over the limit
and examples that can be typed back. One line per utterance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.grammar import LogContext, LogRequest, MenteeOption, ParseError, parse_log
from bot.domain.policy import MA_PRESET

WED = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # Wed 18 Nov 2026, 10:00 in New York
YEAR_START = date(2026, 8, 31)
ADA = MenteeOption(1, "Ada Admin", "U0ADA")
BO = MenteeOption(2, "Bo Brandt", "U0BO")
MA = MA_PRESET
NY, CHICAGO, LONDON = (ZoneInfo(z) for z in ("America/New_York", "America/Chicago", "Europe/London"))  # fmt: skip
CONTEXTS: dict[str, LogContext] = {
    "us": LogContext(WED, NY, YEAR_START, (ADA,), MA.vocabulary),
    "us2": LogContext(WED, NY, YEAR_START, (ADA, BO), MA.vocabulary),
    "chicago": LogContext(WED, CHICAGO, YEAR_START, (ADA,), MA.vocabulary),
    "uk": LogContext(WED, LONDON, YEAR_START, (ADA,), MA.vocabulary),
    "dec5": LogContext(
        datetime(2026, 12, 5, 15, 0, tzinfo=UTC), NY, YEAR_START, (ADA,), MA.vocabulary
    ),
}


def D(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


# (context, text, expected): (minutes, kind, date, notes) for a request, or a refusal code
CASES: list[tuple[str, str, tuple[int, str, date, str | None] | str]] = [
    # a kind word once the notes have begun is a word of the notes
    ("us", "45 min with <@U0ADA|ada> discussed unit plan", (45, "meeting", D(11, 18), "discussed unit plan")),
    ("us", "45m discussed planning for the observation", (45, "meeting", D(11, 18), "discussed planning for the observation")),
    ("us", "45m great chat, obs next week", (45, "meeting", D(11, 18), "great chat, obs next week")),
    ("us", "45m planning discussed the unit", (45, "planning", D(11, 18), "discussed the unit")),
    ("us", "yesterday <@U0ADA> 45m an observation of math", (45, "observation", D(11, 17), "of math")),
    ("us", "45m with <@U0ADA> , obs", (45, "observation", D(11, 18), None)),
    ("us", "#II 45m obs reading group", (45, "observation", D(11, 18), "reading group")),
    # an ordinal day: this month's, or the nearest
    ("us", "20m the 17th", (20, "meeting", D(11, 17), None)),
    ("us", "20m on the 2nd", (20, "meeting", D(11, 2), None)),
    ("us", "20m the 30th", "future_date"),  # 30 Nov is nearer than 30 Oct
    ("dec5", "20m the 30th", (20, "meeting", D(11, 30), None)),
    ("us", "20m the 31st", (20, "meeting", D(10, 31), None)),  # November has no 31st
    ("us", "20m the 19th", "future_date"),  # tomorrow
    ("us", "20m the 3rd period planning", (20, "meeting", D(11, 18), "the 3rd period planning")),
    ("us", "20m 2nd grade team", (20, "meeting", D(11, 18), "2nd grade team")),
    # numeric dates in the program's locale: month first in the Americas, day first elsewhere
    ("us", "30m <@U0ADA> 12/11", "future_date"),  # 11 Dec, not 12 Nov
    ("chicago", "30m 12/11", "future_date"),
    ("uk", "30m 12/11", (30, "meeting", D(11, 12), None)),
    ("us", "30m 11/12", (30, "meeting", D(11, 12), None)),
    ("uk", "30m 11/12", "future_date"),  # 11 Dec
    ("us", "30m 9/14", (30, "meeting", D(9, 14), None)),  # 14 Sep: the other order can't be a date
    ("uk", "30m 14/9", (30, "meeting", D(9, 14), None)),
    ("uk", "30m 9/14", (30, "meeting", D(9, 14), None)),  # a date only month first
    ("us", "30m 11/10", "ambiguous_date"),  # 10 Nov and 11 Oct: both loggable, ask
    ("uk", "30m 10/11", "ambiguous_date"),
    # a date without a year is its nearest occurrence
    ("us", "30m 11/30", "future_date"),  # Mon 30 Nov, not 30 Nov 2025
    ("us", "30m Nov 30", "future_date"),
    ("us", "30m 6/1", "before_school_year"),  # 1 Jun 2026 is nearer than 1 Jun 2027
    ("dec5", "30m 11/30", (30, "meeting", D(11, 30), None)),
    # a number beside a month name is the day; the other number the duration
    ("us", "90 Sep 14", (90, "meeting", D(9, 14), None)),
    ("us", "Sep 14 90", (90, "meeting", D(9, 14), None)),
    ("us", "90 14 Sep", (90, "meeting", D(9, 14), None)),
    ("us", "45 Nov 2 2026", (45, "meeting", D(11, 2), None)),
    # fractional and spoken durations
    ("us", "1 1/2 hours", (90, "meeting", D(11, 18), None)),
    ("us", "1 1/2 hrs obs", (90, "observation", D(11, 18), None)),
    ("us", "1/2 hour", (30, "meeting", D(11, 18), None)),
    ("us", "2 3/4 h planning", (165, "planning", D(11, 18), None)),
    ("us", "an hour", (60, "meeting", D(11, 18), None)),
    ("us", "one hour observation", (60, "observation", D(11, 18), None)),
    ("us", "half hour", (30, "meeting", D(11, 18), None)),
    ("us", "half an hour obs", (30, "observation", D(11, 18), None)),
    ("us", "a half hour yesterday", (30, "meeting", D(11, 17), None)),
    ("us", "an hour and a half planning", (90, "planning", D(11, 18), None)),
    ("us", "two hours co teaching", (120, "co-teaching", D(11, 18), None)),
    ("us", "forty-five minutes obs", (45, "observation", D(11, 18), None)),
    ("us", "a quarter of an hour", (15, "meeting", D(11, 18), None)),
    ("us", "an hour 45m", "two_durations"),
    # kinds written apart, and near misses asked about
    ("us", "30m co teaching", (30, "co-teaching", D(11, 18), None)),
    ("us", "30m co-teaching", (30, "co-teaching", D(11, 18), None)),
    ("us", "30m check in", (30, "meeting", D(11, 18), None)),
    ("us", "45 minutes obsevation", "unclear_kind"),
    ("us", "45m observaton of reading", "unclear_kind"),
    ("us", "45m planing", "unclear_kind"),
    ("us", "45m meting", "unclear_kind"),
    ("us", "45m coteching", "unclear_kind"),
    ("us", "45m vidoe", "unclear_kind"),
    ("us", "45m plans for the unit", (45, "meeting", D(11, 18), "plans for the unit")),
    ("us", "45m mother called", (45, "meeting", D(11, 18), "mother called")),
    ("us", "45m coaching on questioning", (45, "meeting", D(11, 18), "coaching on questioning")),
    ("us", "45m teaching strategies", (45, "meeting", D(11, 18), "teaching strategies")),
    ("us", "45m groop work", "unclear_kind"),
    ("us", "45m great lesson obsevation", (45, "meeting", D(11, 18), "great lesson obsevation")),
    # an @name Slack did not link is a question, never a note
    ("us", "20m obs @zzz", "unknown_mention"),
    ("us", "20m obs @Ada Admin", "unknown_mention"),
    ("us2", "20m obs @zzz", "unknown_mention"),
    ("us", "20m obs emailed ada@school.org", (20, "observation", D(11, 18), "emailed ada@school.org")),
    # two numbers, like two durations, are asked about
    ("us", "45 45", "two_durations"),
    ("us", "45m 45m", "two_durations"),
    ("us", "45 with 3 students", "two_durations"),
    ("us", "45 obs 3 days ago", (45, "observation", D(11, 15), None)),
    # notes over the limit are refused, never cut
    ("us", "45m " + "x" * 2_000, (45, "meeting", D(11, 18), "x" * 2_000)),
    ("us", "45m " + "x" * 2_001, "notes_too_long"),
]  # fmt: skip


@pytest.mark.parametrize(("ctx_name", "text", "expected"), CASES)
def test_utterance(ctx_name: str, text: str, expected: tuple[int, str, date, str | None] | str) -> None:  # fmt: skip
    result = parse_log(text, CONTEXTS[ctx_name])
    if isinstance(expected, str):
        assert isinstance(result, ParseError), result
        assert result.code == expected, result
    else:
        assert isinstance(result, LogRequest), result
        assert (result.minutes, result.kind, result.occurred_on, result.notes) == expected


# (text, the word asked about, the kinds offered)
NEAR_MISSES = [
    ("45 minutes obsevation", "obsevation", ("observation", "meeting")),
    ("45m planing with <@U0ADA>", "planing", ("planning", "meeting")),
    ("45m meting", "meting", ("meeting",)),
    ("45m coteching", "coteching", ("co-teaching", "meeting")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "word", "kinds"), NEAR_MISSES)
def test_a_near_miss_offers_the_kinds_it_may_mean(text: str, word: str, kinds: tuple[str, ...]) -> None:  # fmt: skip
    result = parse_log(text, CONTEXTS["us"])
    assert isinstance(result, ParseError) and result.code == "unclear_kind"
    assert (result.asked, result.choices) == (word, kinds)
    assert f'"{word}"' in result.message and result.understood["duration"] == "45 min"
    assert "notes" not in result.understood  # the word asked about is not also a note
    assert result.example.startswith(f"/logmeeting 45m {kinds[0]}")


# (context, text, what the message must say)
MESSAGES = [
    ("us", "30m 12/11", "Fri 11 Dec is in the future"),
    ("us", "30m 11/30", "Mon 30 Nov is in the future"),
    ("us", "20m obs @zzz", 'Slack didn\'t link "@zzz" to anyone (your mentee is Ada Admin)'),
    ("us2", "20m @zzz", "your mentees are Ada Admin, Bo Brandt"),
    ("us", "45 45", "I found two numbers (45 and 45); give how long it was with its unit"),
    ("us", "45m 45m", "I found two durations (45 min and 45 min)"),
    ("us", "45m " + "x" * 2_500, "Your notes are 2,500 characters; the limit is 2,000"),
]  # fmt: skip


@pytest.mark.parametrize(("ctx_name", "text", "says"), MESSAGES)
def test_the_refusal_says_what_is_wrong(ctx_name: str, text: str, says: str) -> None:
    result = parse_log(text, CONTEXTS[ctx_name])
    assert isinstance(result, ParseError) and says in result.message, result


# (context, text, the example shown): mentions as typeable one-word handles, never "@Ada Admin"
EXAMPLES = [
    ("us2", "45m obs", "/logmeeting 45m observation with @ada yesterday"),
    ("us", "45m obs <@U0ADA> tomorrow", "/logmeeting 45m observation with @ada yesterday"),
    ("us", "obs <@U0ADA|ada>", "/logmeeting 45m observation with @ada yesterday"),
    ("us2", "45m <@U0ADA> <@U0BO> #XX", "/logmeeting 45m with @ada @bo #I yesterday"),
    ("us", "obs <@U0ZED|zed>", "/logmeeting 45m observation with @zed yesterday"),
]  # fmt: skip


@pytest.mark.parametrize(("ctx_name", "text", "example"), EXAMPLES)
def test_the_example_has_no_space_inside_a_mention(ctx_name: str, text: str, example: str) -> None:  # fmt: skip
    result = parse_log(text, CONTEXTS[ctx_name])
    assert isinstance(result, ParseError) and result.example == example, result
