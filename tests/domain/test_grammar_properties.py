"""Properties of the /logmeeting grammar (bot/domain/grammar.py) over arbitrary text and moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.grammar import (
    KINDS,
    MAX_MINUTES,
    MIN_MINUTES,
    LogContext,
    LogRequest,
    MenteeOption,
    ParseError,
    local_today,
    parse_log,
)
from bot.domain.policy import MA_PRESET

ERROR_CODES = {
    "empty",
    "missing_duration",
    "duration_out_of_range",
    "two_durations",
    "future_date",
    "before_school_year",
    "ambiguous_date",
    "no_mentee",
    "ambiguous_mentee",
    "bad_date",
    "unknown_standard",
    "unknown_mention",
    "unclear_kind",
    "notes_too_long",
}
ZONES = [ZoneInfo(name) for name in ("America/New_York", "UTC", "Pacific/Auckland", "Asia/Kolkata")]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TOKENS = (
    "45m", "1h30", "1:30", "90", "-30m", "0m", "13h", "1,5h", "2 hours", "min", "h",
    "obs", "observed", "co-teach", "plan", "group", "video", "other", "meeting",
    "today", "yesterday", "tomorrow", "monday", "last", "on", "sat", "2 days ago", "last week",
    "3/10", "9/10", "2/30", "11/5/26", "2026-11-05", "Sep 11", "11 Sep", "may", "march", "dec 25",
    "<@U0BEA|bea>", "<@U0CARL>", "<@U0ZED>", "with", "w/", "and", "#II", "#V", "std:cstp1",
    "<https://x.org/45m|doc>", "&amp;", "&lt;", ",", ".", "—", "\x00", "\u2028", "\ud800",
)  # fmt: skip

ANY_TEXT = st.text(st.characters(), max_size=300)
GRAMMAR_TEXT = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(st.characters(), max_size=6)), max_size=14
).map(" ".join)
TEXT = st.one_of(ANY_TEXT, GRAMMAR_TEXT)
VALID_DURATIONS = st.sampled_from(("45m", "1h", "1h30", "1h 30m", "1:30", "1.5h", "2 hours"))


@st.composite
def contexts(draw: st.DrawFn) -> LogContext:
    now = draw(
        st.datetimes(
            min_value=datetime(2025, 1, 1),
            max_value=datetime(2030, 12, 31),
            timezones=st.just(UTC),
        )
    )
    zone = draw(st.sampled_from(ZONES))
    today = local_today(now, zone)
    start = today - timedelta(days=draw(st.integers(min_value=-30, max_value=400)))
    count = draw(st.integers(min_value=0, max_value=3))
    mentees = tuple(
        MenteeOption(
            person_id=i + 1,
            name=name,
            slack_user_id=draw(st.sampled_from((slack_id, None))),
        )
        for i, (name, slack_id) in enumerate(
            [("Bea", "U0BEA"), ("Carl", "U0CARL"), ("Dee", "U0DEE")][:count]
        )
    )
    return LogContext(
        now=now,
        timezone=zone,
        school_year_start=start,
        mentees=mentees,
        standards=MA_PRESET.vocabulary,
    )


def _check(result: LogRequest | ParseError, ctx: LogContext) -> None:
    assert isinstance(result, LogRequest | ParseError)
    if isinstance(result, ParseError):
        assert result.code in ERROR_CODES
        assert result.message
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.understood.items())
        assert result.example.startswith("/logmeeting ")
        if result.code == "ambiguous_date":
            assert len(result.choices) == 2
            assert all(isinstance(c, date) for c in result.choices)
        elif result.code in ("ambiguous_mentee", "unknown_mention"):
            assert result.choices == tuple(m.person_id for m in ctx.mentees)
        elif result.code == "unclear_kind":
            assert set(result.choices) <= set(KINDS) and "meeting" in result.choices
        else:
            assert result.choices == ()
        return
    today = local_today(ctx.now, ctx.timezone)
    assert MIN_MINUTES <= result.minutes <= MAX_MINUTES
    assert result.kind in KINDS
    assert ctx.school_year_start <= result.occurred_on <= today
    assert set(result.mentee_ids) <= {m.person_id for m in ctx.mentees}
    assert len(set(result.mentee_ids)) == len(result.mentee_ids)
    assert not set(result.mentioned_user_ids) & {m.slack_user_id for m in ctx.mentees}
    assert result.mentee_ids or result.mentioned_user_ids
    assert result.notes is None or 0 < len(result.notes) <= 2000


@settings(max_examples=300, deadline=None)
@given(text=TEXT, ctx=contexts())
def test_any_text_gives_a_request_or_a_refusal(text: str, ctx: LogContext) -> None:
    _check(parse_log(text, ctx), ctx)


@settings(max_examples=300, deadline=None)
@given(duration=VALID_DURATIONS, text=TEXT, ctx=contexts())
def test_a_valid_duration_is_always_found(duration: str, text: str, ctx: LogContext) -> None:
    result = parse_log(f"{duration} {text}", ctx)
    _check(result, ctx)
    assert not (isinstance(result, ParseError) and result.code in {"empty", "missing_duration"})


@settings(max_examples=100, deadline=None)
@given(text=st.text(st.characters(), min_size=2_500, max_size=6_000), ctx=contexts())
def test_long_text_is_capped(text: str, ctx: LogContext) -> None:
    _check(parse_log("45m " + text, ctx), ctx)


@settings(max_examples=200, deadline=None)
@given(minutes=st.integers(min_value=MIN_MINUTES, max_value=MAX_MINUTES))
def test_every_allowed_duration_reads_back(minutes: int) -> None:
    ctx = LogContext(
        now=datetime(2026, 11, 18, 15, 0, tzinfo=UTC),
        timezone=ZoneInfo("America/New_York"),
        school_year_start=date(2026, 8, 31),
        mentees=(MenteeOption(1, "Bea", "U0BEA"),),
    )
    hours, rest = divmod(minutes, 60)
    for text in (f"{minutes}m", f"{minutes} minutes", str(minutes), f"{hours}:{rest:02d}"):
        result = parse_log(f"{text} obs", ctx)
        assert isinstance(result, LogRequest), text
        assert result.minutes == minutes, text


def _next_such_day_is_nearer(day: date, today: date) -> bool:
    """Whether the same month and day next year (if it exists) is nearer to today than `day`."""
    try:
        following = day.replace(year=day.year + 1)
    except ValueError:  # 29 Feb
        return False
    return following > today and following - today < today - day


@settings(max_examples=200, deadline=None)
@given(ctx=contexts(), back=st.integers(min_value=0, max_value=364))
def test_month_day_names_the_nearest_such_day(ctx: LogContext, back: int) -> None:
    today = local_today(ctx.now, ctx.timezone)
    day = today - timedelta(days=back)
    for phrase in (f"{MONTHS[day.month - 1]} {day.day}", f"{day.day} {MONTHS[day.month - 1]}"):
        result = parse_log(f"45m {phrase} <@U0ZED>", ctx)
        _check(result, ctx)
        if _next_such_day_is_nearer(day, today):
            assert isinstance(result, ParseError) and result.code == "future_date", phrase
        elif day >= ctx.school_year_start:
            assert isinstance(result, LogRequest), phrase
            assert result.occurred_on == day, phrase
        else:
            assert isinstance(result, ParseError) and result.code == "before_school_year"


@settings(max_examples=200, deadline=None)
@given(
    ctx=contexts(),
    back=st.integers(min_value=0, max_value=6),
    prefix=st.sampled_from(("", "on ", "last ")),
)
def test_weekdays_are_the_most_recent(ctx: LogContext, back: int, prefix: str) -> None:
    today = local_today(ctx.now, ctx.timezone)
    day = today - timedelta(days=back)
    name = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    result = parse_log(f"45m {prefix}{name[day.weekday()]} <@U0ZED>", ctx)
    expected = day - timedelta(days=7) if prefix == "last " and back == 0 else day
    if expected >= ctx.school_year_start:
        assert isinstance(result, LogRequest)
        assert result.occurred_on == expected
    else:
        assert isinstance(result, ParseError) and result.code == "before_school_year"


MONTH_FIRST = {"America/New_York": True, "UTC": False, "Pacific/Auckland": False, "Asia/Kolkata": False}  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(ctx=contexts(), back=st.integers(min_value=0, max_value=182))
def test_numeric_dates_follow_the_programs_locale(ctx: LogContext, back: int) -> None:
    """M/D month first in the Americas, D/M elsewhere: that day is logged, or asked about beside
    the other order when both could be logged; never silently the other order."""
    today = local_today(ctx.now, ctx.timezone)
    day = today - timedelta(days=back)
    first, second = (day.month, day.day) if MONTH_FIRST[ctx.timezone.key] else (day.day, day.month)
    result = parse_log(f"45m {first}/{second} <@U0ZED>", ctx)
    _check(result, ctx)
    assert ctx.month_first == MONTH_FIRST[ctx.timezone.key]
    if day < ctx.school_year_start:
        assert isinstance(result, ParseError) and result.code == "before_school_year"
    elif isinstance(result, ParseError):
        assert result.code == "ambiguous_date" and result.choices[0] == day
    else:
        assert result.occurred_on == day
