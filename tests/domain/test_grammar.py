"""The /logmeeting grammar (bot/domain/grammar.py): one line per utterance."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.domain.grammar import (
    DEFAULT_KIND,
    KINDS,
    MAX_MINUTES,
    MIN_MINUTES,
    LogContext,
    LogRequest,
    MenteeOption,
    ParseError,
    format_day,
    format_minutes,
    local_today,
    parse_log,
)
from bot.domain.policy import MA_PRESET

NY = ZoneInfo("America/New_York")
YEAR_START = date(2026, 8, 31)
BEA = MenteeOption(1, "Bea", "U0BEA")
CARL = MenteeOption(2, "Carl", "U0CARL")


def _ctx(now: datetime, mentees: tuple[MenteeOption, ...] = (BEA,)) -> LogContext:
    return LogContext(
        now=now,
        timezone=NY,
        school_year_start=YEAR_START,
        mentees=mentees,
        standards=MA_PRESET.vocabulary,
    )


WED = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # Wed 18 Nov 2026, 10:00 in New York
CONTEXTS: dict[str, LogContext] = {
    "one": _ctx(WED),
    "two": _ctx(WED, (BEA, CARL)),
    "none": _ctx(WED, ()),
    # 04:30 UTC on 2 Nov is 23:30 EST on Sun 1 Nov (clocks went back that morning)
    "fall": _ctx(datetime(2026, 11, 2, 4, 30, tzinfo=UTC)),
    # 03:30 UTC on 15 Mar is 23:30 EDT on Sun 14 Mar (clocks went forward that morning)
    "spring": _ctx(datetime(2027, 3, 15, 3, 30, tzinfo=UTC)),
    "monday": _ctx(datetime(2026, 11, 16, 15, 0, tzinfo=UTC)),  # Mon 16 Nov 2026
    "january": _ctx(datetime(2027, 1, 5, 15, 0, tzinfo=UTC)),  # Tue 5 Jan 2027
    "uk": LogContext(
        WED, ZoneInfo("Europe/London"), YEAR_START, (BEA,), MA_PRESET.vocabulary
    ),  # day-first locale
}
HANDLE = re.compile(r"@([a-z]+)")


def as_slack_sends(match: re.Match[str]) -> str:
    """A typed @handle as Slack sends it once the person picks them: `<@U0BEA|bea>`."""
    return f"<@U0{match.group(1).upper()}|{match.group(1)}>"


def D(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


# (context, text, expected): expected is (minutes, kind, mentee_ids, date, notes) or a refusal code
CASES: list[tuple[str, str, tuple[int, str, tuple[int, ...], date, str | None] | str]] = [
    # durations
    ("one", "45m", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45min", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45mins", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45 minutes", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45M", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "1h", (60, "meeting", (1,), D(11, 18), None)),
    ("one", "1hr", (60, "meeting", (1,), D(11, 18), None)),
    ("one", "1 hr", (60, "meeting", (1,), D(11, 18), None)),
    ("one", "1 hour", (60, "meeting", (1,), D(11, 18), None)),
    ("one", "2 hours", (120, "meeting", (1,), D(11, 18), None)),
    ("one", "1h30", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "1h30m", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "1h 30m", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "1 h 30 min", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "1 hour and 30 minutes", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "1:30", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "1.5h", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "1,5h", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "45.5m", (46, "meeting", (1,), D(11, 18), None)),
    ("one", "90", (90, "meeting", (1,), D(11, 18), None)),
    ("one", "45-minute check-in", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "1m", (1, "meeting", (1,), D(11, 18), None)),
    ("one", "720", (720, "meeting", (1,), D(11, 18), None)),
    ("one", "12h", (720, "meeting", (1,), D(11, 18), None)),
    ("one", "1h 30", (60, "meeting", (1,), D(11, 18), "30")),
    ("one", "1h30 planning unit 3 pacing", (90, "planning", (1,), D(11, 18), "unit 3 pacing")),
    ("one", "planning unit 3 pacing", (3, "planning", (1,), D(11, 18), "unit pacing")),
    ("one", "90 observation", (90, "observation", (1,), D(11, 18), None)),
    ("one", "observation 2 days ago 30m", (30, "observation", (1,), D(11, 16), None)),
    ("one", "-30m", "duration_out_of_range"),
    ("one", "-30", "duration_out_of_range"),
    ("one", "0m", "duration_out_of_range"),
    ("one", "0", "duration_out_of_range"),
    ("one", "0.4m", "duration_out_of_range"),
    ("one", "13h", "duration_out_of_range"),
    ("one", "721", "duration_out_of_range"),
    ("one", "12:01", "duration_out_of_range"),
    ("one", "99999999999999m", "duration_out_of_range"),
    ("one", "45m 1h", "two_durations"),
    ("one", "45 minutes observation 30m", "two_durations"),
    ("one", "1:30 then the 10:15 block", "two_durations"),
    ("one", "observation", "missing_duration"),
    ("one", "obs 10/3", "missing_duration"),
    ("one", "great lesson yesterday", "missing_duration"),
    ("one", "45m", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "", "empty"),
    ("one", "   \t\n  ", "empty"),
    # kinds
    ("one", "45m meet", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45m mtg", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45m checkin", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45m obs", (45, "observation", (1,), D(11, 18), None)),
    ("one", "45m observe", (45, "observation", (1,), D(11, 18), None)),
    ("one", "45m observing", (45, "observation", (1,), D(11, 18), None)),
    ("one", "45m classroom-visit", (45, "observation", (1,), D(11, 18), None)),
    ("one", "45m Observation", (45, "observation", (1,), D(11, 18), None)),
    ("one", "45m observed", (45, "observed", (1,), D(11, 18), None)),
    ("one", "45m observed-teaching", (45, "observed", (1,), D(11, 18), None)),
    ("one", "45m coteach", (45, "co-teaching", (1,), D(11, 18), None)),
    ("one", "45m co-teach", (45, "co-teaching", (1,), D(11, 18), None)),
    ("one", "45m coteaching", (45, "co-teaching", (1,), D(11, 18), None)),
    ("one", "45m co-taught", (45, "co-teaching", (1,), D(11, 18), None)),
    ("one", "45m CO-TEACHING", (45, "co-teaching", (1,), D(11, 18), None)),
    ("one", "45m plan", (45, "planning", (1,), D(11, 18), None)),
    ("one", "45m planned", (45, "planning", (1,), D(11, 18), None)),
    ("one", "45m group-session", (45, "group", (1,), D(11, 18), None)),
    ("one", "45m peer-group", (45, "group", (1,), D(11, 18), None)),
    ("one", "45m video-analysis", (45, "video", (1,), D(11, 18), None)),
    ("one", "45m other", (45, "other", (1,), D(11, 18), None)),
    ("one", "45m observation then planning", (45, "observation", (1,), D(11, 18), "then planning")),
    ("one", "45m PLANNING!", (45, "planning", (1,), D(11, 18), None)),
    # dates: words, weekdays, relative
    ("one", "45m today", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45m yesterday", (45, "meeting", (1,), D(11, 17), None)),
    ("one", "45m tomorrow", "future_date"),
    ("one", "45m monday", (45, "meeting", (1,), D(11, 16), None)),
    ("one", "45m mon", (45, "meeting", (1,), D(11, 16), None)),
    ("one", "45m last monday", (45, "meeting", (1,), D(11, 16), None)),
    ("one", "45m wednesday", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45m last wednesday", (45, "meeting", (1,), D(11, 11), None)),
    ("one", "45m on Tuesday", (45, "meeting", (1,), D(11, 17), None)),
    ("one", "45m thu", (45, "meeting", (1,), D(11, 12), None)),
    ("one", "45m this friday", (45, "meeting", (1,), D(11, 13), None)),
    ("one", "45m on sat", (45, "meeting", (1,), D(11, 14), None)),
    ("one", "45m sat in on her class", (45, "meeting", (1,), D(11, 18), "sat in on her class")),
    ("one", "45m 2 days ago", (45, "meeting", (1,), D(11, 16), None)),
    ("one", "45m two days ago", (45, "meeting", (1,), D(11, 16), None)),
    ("one", "45m a week ago", (45, "meeting", (1,), D(11, 11), None)),
    ("one", "45m 2 weeks ago", (45, "meeting", (1,), D(11, 4), None)),
    ("one", "45m last week", (45, "meeting", (1,), D(11, 11), None)),
    ("one", "yesterday 45m today", (45, "meeting", (1,), D(11, 17), "today")),
    ("one", "45m today's lesson", (45, "meeting", (1,), D(11, 18), "today's lesson")),
    # dates: numeric
    ("one", "45m 11/5", (45, "meeting", (1,), D(11, 5), None)),
    ("uk", "45m 5/11", (45, "meeting", (1,), D(11, 5), None)),  # day first outside the Americas
    ("one", "45m 5/11", "future_date"),  # a US program: 11 May, nearest to today in 2027
    ("one", "45m 10/3", (45, "meeting", (1,), D(10, 3), None)),
    ("uk", "45m 3/10", (45, "meeting", (1,), D(10, 3), None)),
    ("uk", "obs 3/10 45m", (45, "observation", (1,), D(10, 3), None)),
    ("one", "45m 9/10", "ambiguous_date"),
    ("one", "45m 11/9", "ambiguous_date"),
    ("one", "45m 9/10/2026", "ambiguous_date"),
    ("one", "45m 11/11", (45, "meeting", (1,), D(11, 11), None)),
    ("one", "45m 11/5/26", (45, "meeting", (1,), D(11, 5), None)),
    ("one", "45m 2/30", "bad_date"),
    ("one", "45m 13/13", "bad_date"),
    ("one", "45m 13/5", "future_date"),  # only 13 May can be meant; nearest is 2027
    ("one", "45m 12/25/2026", "future_date"),
    ("one", "45m 2026-11-05", (45, "meeting", (1,), D(11, 5), None)),
    ("one", "45m 2026-02-30", "bad_date"),
    ("one", "45m 2025-11-05", "before_school_year"),
    # dates: month names
    ("one", "45m Sep 11", (45, "meeting", (1,), D(9, 11), None)),
    ("one", "45m 11 Sep", (45, "meeting", (1,), D(9, 11), None)),
    ("one", "45m September 11", (45, "meeting", (1,), D(9, 11), None)),
    ("one", "45m Sept 11, 2026", (45, "meeting", (1,), D(9, 11), None)),
    ("one", "45m on sep. 11th", (45, "meeting", (1,), D(9, 11), None)),
    ("one", "45m 3rd of november", (45, "meeting", (1,), D(11, 3), None)),
    ("one", "45m Dec 25", "future_date"),  # no year: the nearest 25 Dec
    ("one", "45m Nov 19", "future_date"),
    ("one", "45m Jun 1", "before_school_year"),
    ("one", "45m sep 31", "bad_date"),
    ("one", "45m nov 5 2027", "future_date"),
    ("one", "45m we may revisit", (45, "meeting", (1,), D(11, 18), "we may revisit")),
    ("one", "45m march madness", (45, "meeting", (1,), D(11, 18), "march madness")),
    ("one", "45m may", (45, "meeting", (1,), D(11, 18), "may")),
    ("one", "nov 11 45 observation", (45, "observation", (1,), D(11, 11), None)),
    # mentees
    ("two", "45m", "ambiguous_mentee"),
    ("two", "45m with Bea", "ambiguous_mentee"),
    ("none", "45m", "no_mentee"),
    ("two", "45m <@U0BEA|bea>", (45, "meeting", (1,), D(11, 18), None)),
    ("two", "45m <@U0CARL>", (45, "meeting", (2,), D(11, 18), None)),
    ("two", "45m w/ <@U0BEA|bea>", (45, "meeting", (1,), D(11, 18), None)),
    ("two", "45m with <@U0BEA> and <@U0CARL|carl>", (45, "meeting", (1, 2), D(11, 18), None)),
    ("two", "<@U0CARL> <@U0BEA> 45m <@U0CARL>", (45, "meeting", (2, 1), D(11, 18), None)),
    ("one", "45m <@U0ZED|zed>", (45, "meeting", (), D(11, 18), None)),
    ("none", "45m observed <@U0ZED>", (45, "observed", (), D(11, 18), None)),
    ("one", "45m met with <@U0BEA> re pacing", (45, "meeting", (1,), D(11, 18), "met re pacing")),
    ("one", "45m talked with her", (45, "meeting", (1,), D(11, 18), "talked with her")),
    # notes
    ("one", "45m obs, yesterday — good! (p3)", (45, "observation", (1,), D(11, 17), "good! (p3)")),
    ("one", "great lesson, 45m.", (45, "meeting", (1,), D(11, 18), "great lesson.")),
    ("one", "45m Q&amp;A &lt;fractions&gt;", (45, "meeting", (1,), D(11, 18), "Q&A <fractions>")),
    ("one", "45m   lots   of\tspace  ", (45, "meeting", (1,), D(11, 18), "lots of space")),
    ("one", "45m unit #3", (45, "meeting", (1,), D(11, 18), "unit #3")),
    ("one", "45m see <http://a.b/4m>", (45, "meeting", (1,), D(11, 18), "see <http://a.b/4m>")),
    ("one", "45m #II", (45, "meeting", (1,), D(11, 18), None)),
    ("one", "45m #V", "unknown_standard"),
    ("one", "45m std:foo", "unknown_standard"),
    # daylight saving time and "today" at the edge of the local day
    ("fall", "45m", (45, "meeting", (1,), D(11, 1), None)),
    ("fall", "45m yesterday", (45, "meeting", (1,), D(10, 31), None)),
    ("fall", "45m sunday", (45, "meeting", (1,), D(11, 1), None)),
    ("fall", "45m last sunday", (45, "meeting", (1,), D(10, 25), None)),
    ("fall", "45m tomorrow", "future_date"),
    ("fall", "45m 11/2", "future_date"),  # no year: the nearest 2 Nov, tomorrow
    ("fall", "45m 11/2/2026", "future_date"),
    ("spring", "45m", (45, "meeting", (1,), D(3, 14, 2027), None)),
    ("spring", "45m yesterday", (45, "meeting", (1,), D(3, 13, 2027), None)),
    ("spring", "45m saturday", (45, "meeting", (1,), D(3, 13, 2027), None)),
    ("spring", "45m 3/14", (45, "meeting", (1,), D(3, 14, 2027), None)),
    ("spring", "45m 3/12", "ambiguous_date"),
    ("spring", "45m Dec 20", (45, "meeting", (1,), D(12, 20), None)),
    ("monday", "45m monday", (45, "meeting", (1,), D(11, 16), None)),
    ("monday", "45m on monday", (45, "meeting", (1,), D(11, 16), None)),
    ("monday", "45m last monday", (45, "meeting", (1,), D(11, 9), None)),
    ("january", "45m Dec 20", (45, "meeting", (1,), D(12, 20), None)),
    ("january", "45m 12/20", (45, "meeting", (1,), D(12, 20), None)),
    ("january", "45m 1/5", (45, "meeting", (1,), D(1, 5, 2027), None)),
]


@pytest.mark.parametrize(("ctx_name", "text", "expected"), CASES)
def test_utterance(
    ctx_name: str,
    text: str,
    expected: tuple[int, str, tuple[int, ...], date, str | None] | str,
) -> None:
    result = parse_log(text, CONTEXTS[ctx_name])
    if isinstance(expected, str):
        assert isinstance(result, ParseError), result
        assert result.code == expected, result
    else:
        assert isinstance(result, LogRequest), result
        got = (result.minutes, result.kind, result.mentee_ids, result.occurred_on, result.notes)
        assert got == expected


REFUSALS = [(c, t, e) for c, t, e in CASES if isinstance(e, str)]


@pytest.mark.parametrize(("ctx_name", "text", "code"), REFUSALS)
def test_refusal_example_parses_in_the_same_context(ctx_name: str, text: str, code: str) -> None:
    ctx = CONTEXTS[ctx_name]
    refusal = parse_log(text, ctx)
    assert isinstance(refusal, ParseError)
    assert refusal.message.endswith(".")
    assert refusal.example.startswith("/logmeeting ")
    typed = HANDLE.sub(as_slack_sends, refusal.example.removeprefix("/logmeeting "))
    assert isinstance(parse_log(typed, ctx), LogRequest), refusal.example


def test_the_default_example_parses() -> None:
    default = ParseError("empty", "", {}).example
    typed = default.removeprefix("/logmeeting ").replace("@jane", "<@U0JANE|jane>")
    result = parse_log(typed, CONTEXTS["none"])
    assert isinstance(result, LogRequest)
    assert result.mentioned_user_ids == ("U0JANE",)


def test_date_was_given() -> None:
    given = parse_log("45m today", CONTEXTS["one"])
    defaulted = parse_log("45m", CONTEXTS["one"])
    assert isinstance(given, LogRequest) and given.date_was_given
    assert isinstance(defaulted, LogRequest) and not defaulted.date_was_given


def test_unknown_mentions_go_to_mentioned_user_ids() -> None:
    result = parse_log("45m observed with <@U0ZED|zed> and <@U0BEA> <@W0ZED>", CONTEXTS["one"])
    assert isinstance(result, LogRequest)
    assert result.mentee_ids == (1,)
    assert result.mentioned_user_ids == ("U0ZED", "W0ZED")
    assert result.notes is None


@pytest.mark.parametrize(
    ("text", "standards"),
    [
        ("45m #II", ("II",)),
        ("45m std:II", ("II",)),
        ("45m #ii #iv #II", ("II", "IV")),
        ("45m std:iii,IV", ("III", "IV")),
        ("45m #iv #I", ("IV", "I")),
        ("45m unit #3", ()),
    ],
)
def test_standards(text: str, standards: tuple[str, ...]) -> None:
    result = parse_log(text, CONTEXTS["one"])
    assert isinstance(result, LogRequest)
    assert result.standards == standards


def test_ambiguous_date_offers_both_readings_us_first() -> None:
    result = parse_log("45m obs 9/10 <@U0CARL>", CONTEXTS["two"])
    assert isinstance(result, ParseError)
    assert result.choices == (D(9, 10), D(10, 9))
    assert result.understood == {
        "duration": "45 min",
        "kind": "observation",
        "date": "Thu 10 Sep or Fri 9 Oct",
        "mentees": "Carl",
    }
    assert "9/10" in result.message


def test_ambiguous_mentee_offers_every_mentee() -> None:
    result = parse_log("1h30 observation yesterday", CONTEXTS["two"])
    assert isinstance(result, ParseError)
    assert result.choices == (1, 2)
    assert result.understood == {"duration": "1 h 30", "kind": "observation", "date": "Tue 17 Nov"}
    assert "Bea" in result.message and "Carl" in result.message


def test_missing_duration_says_what_was_understood() -> None:
    result = parse_log("observation yesterday great lesson", CONTEXTS["one"])
    assert isinstance(result, ParseError)
    assert result.message == "I couldn't find how long it was."
    assert result.understood == {
        "kind": "observation",
        "date": "Tue 17 Nov",
        "mentees": "Bea",
        "notes": "great lesson",
    }
    assert result.example == "/logmeeting 45m observation Nov 17"


def test_dates_outside_the_year_name_the_day() -> None:
    future = parse_log("45m tomorrow", CONTEXTS["one"])
    before = parse_log("45m Jun 1", CONTEXTS["one"])
    last_year = parse_log("45m 2025-12-25", CONTEXTS["one"])
    assert isinstance(future, ParseError) and "Thu 19 Nov" in future.message
    assert isinstance(before, ParseError) and "Mon 1 Jun" in before.message
    assert isinstance(last_year, ParseError) and "Thu 25 Dec 2025" in last_year.message
    assert "Mon 31 Aug" in before.message


def test_huge_input_is_refused_not_cut() -> None:
    result = parse_log("45m " + "word " * 3000, CONTEXTS["one"])
    assert isinstance(result, ParseError) and result.code == "notes_too_long"
    assert "the limit is 2,000" in result.message and "notes" not in result.understood


def test_control_characters_are_spaces() -> None:
    result = parse_log("45m\x00obs\x07yesterday\u2028notes\x1b", CONTEXTS["one"])
    assert isinstance(result, LogRequest)
    assert (result.kind, result.occurred_on, result.notes) == ("observation", D(11, 17), "notes")


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [(0, "0 min"), (1, "1 min"), (45, "45 min"), (60, "1 h"), (65, "1 h 05"), (100, "1 h 40")],
)
def test_format_minutes(minutes: int, shown: str) -> None:
    assert format_minutes(minutes) == shown


def test_format_day() -> None:
    assert format_day(D(11, 17)) == "Tue 17 Nov"
    assert format_day(D(3, 7, 2027)) == "Sun 7 Mar"


@pytest.mark.parametrize(
    ("now", "today"),
    [
        (datetime(2026, 11, 2, 4, 30, tzinfo=UTC), D(11, 1)),
        (datetime(2026, 11, 2, 5, 30, tzinfo=UTC), D(11, 2)),
        (datetime(2027, 3, 15, 3, 30, tzinfo=UTC), D(3, 14, 2027)),
        (datetime(2027, 3, 15, 4, 30, tzinfo=UTC), D(3, 15, 2027)),
    ],
)
def test_local_today(now: datetime, today: date) -> None:
    assert local_today(now, NY) == today


def test_log_request_validates() -> None:
    fields = {"kind": DEFAULT_KIND, "occurred_on": D(11, 18), "date_was_given": False}
    assert LogRequest(minutes=MIN_MINUTES, **fields).notes is None
    assert LogRequest(minutes=MAX_MINUTES, notes="  ", **fields).notes is None
    for bad in (
        {"minutes": 0},
        {"minutes": MAX_MINUTES + 1},
        {"minutes": 45, "kind": "lunch"},
        {"minutes": 45, "standards": ("not a code",)},
    ):
        with pytest.raises(ValidationError):
            LogRequest(**{**fields, **bad})
    request = LogRequest(minutes=45, **fields)
    with pytest.raises(ValidationError):
        request.minutes = 50  # type: ignore[misc]
    assert "meeting" in KINDS
