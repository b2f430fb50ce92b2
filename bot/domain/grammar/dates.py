"""Reading the day: `yesterday`, `monday`, `9/14`, `Sep 14`, `the 17th`, `2026-09-14`, `3 days ago`.

Numeric dates follow the program's locale (`LogContext.month_first`); a date without a year is
its nearest occurrence, so `11/30` on 18 Nov is a day in the future, not one a year ago.
dateparser sees only the relative phrases it reads best, never a whole message.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser

from bot.domain.grammar.scan import FLAGS, DateOutcome, Reading, Scan, alternation
from bot.domain.grammar.types import LogContext
from bot.domain.months import MONTH_WORDS

log = logging.getLogger(__name__)

WEEKDAY_NAMES: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
# Abbreviations that are everyday English words: a date only after "on", "last" or "this".
WEEKDAY_WORDS_NEEDING_PREFIX = frozenset({"sat", "sun"})
MONTH_NUMBERS: dict[str, int] = MONTH_WORDS  # "october", "oct", "sept" → 10, 10, 9
MONTH_NAMES: tuple[str, ...] = tuple(MONTH_NUMBERS)
NUMBER_WORDS: tuple[str, ...] = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
)  # fmt: skip
DATEPARSER_SETTINGS: dict[str, object] = {
    "PREFER_DATES_FROM": "past",
    "DATE_ORDER": "MDY",
    "PARSERS": ["relative-time", "absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}
MAX_YEARS_BACK = 8  # enough to find the last 29 Feb
# "the 3rd period" is a lesson, not a day of the month.
ORDINAL_NOUNS: tuple[str, ...] = (
    "period", "grade", "year", "block", "hour", "class", "time", "lesson", "unit", "day",
    "week", "floor", "quarter", "semester", "step", "draft", "meeting", "observation",
)  # fmt: skip

_MONTH = rf"(?P<{{name}}>{alternation(MONTH_NAMES)})\.?"
_DAY = r"(?P<{name}>3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![0-9])"
_YEAR = r"(?:(?:,\s*|\s+)(?P<{name}>[0-9]{{4}}))?"
_MD = (
    _MONTH.format(name="mdm")
    + r"\s+(?:the\s+)?"
    + _DAY.format(name="mdd")
    + _YEAR.format(name="mdy")
)
_DM = (
    r"(?:the\s+)?"
    + _DAY.format(name="dmd")
    + r"\s+(?:of\s+)?"
    + _MONTH.format(name="dmm")
    + _YEAR.format(name="dmy")
)
_NOT_A_DAY = rf"(?:{alternation(ORDINAL_NOUNS)})s?\b"
_DATE_RE = re.compile(
    rf"""
    (?<![\w'’/.\-])
    (?P<on>on\s+)?
    (?:
        (?P<rel>today|yesterday|tomorrow)
      | (?P<ago>(?:[0-9]{{1,3}}|an?|{alternation(NUMBER_WORDS)})\s+(?:days?|weeks?)\s+ago)
      | (?P<lastweek>last\s+week)
      | (?:(?P<wdpre>last|this|past)\s+)?(?P<wd>{alternation(WEEKDAY_NAMES)})\.?
      | (?P<iso>(?P<iy>[0-9]{{4}})-(?P<im>[0-9]{{1,2}})-(?P<id>[0-9]{{1,2}}))
      | (?P<num>(?P<na>[0-9]{{1,2}})/(?P<nb>[0-9]{{1,2}})(?:/(?P<ny>[0-9]{{4}}|[0-9]{{2}}))?)
      | (?P<md>{_MD})
      | (?P<dm>{_DM})
      | (?P<ord>the\s+(?P<od>3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)(?!\s+{_NOT_A_DAY}))
    )
    (?![\w'’/]|[:.,][0-9])
    """,
    FLAGS | re.VERBOSE,
)


def read_date(scan: Scan, reading: Reading, ctx: LogContext, today: date) -> None:
    """Use the first date phrase; later ones stay in the notes but lend no number to a duration."""
    chosen: re.Match[str] | None = None
    for match in _DATE_RE.finditer(scan.scan):
        weekday_word = (match.group("wd") or "").lower()
        has_prefix = bool(match.group("on") or match.group("wdpre"))
        if weekday_word in WEEKDAY_WORDS_NEEDING_PREFIX and not has_prefix:
            continue
        if chosen is None:
            chosen = match
        else:
            scan.shield(match.start(), match.end())
    if chosen is None:
        return
    reading.when = _resolve_date(chosen, ctx, today)
    scan.consume(chosen.start(), chosen.end())


def checked(phrase: str, day: date, ctx: LogContext, today: date) -> DateOutcome:
    """The day, or why it can't be logged: in the future, or before the school year."""
    if day > today:
        return DateOutcome(phrase=phrase, error="future_date", shown=day)
    if day < ctx.school_year_start:
        return DateOutcome(phrase=phrase, error="before_school_year", shown=day)
    return DateOutcome(phrase=phrase, day=day)


def _resolve_date(match: re.Match[str], ctx: LogContext, today: date) -> DateOutcome:
    """The day a date phrase means, or why it cannot be used."""
    phrase = match.group(0).strip()
    bare = phrase[len(match.group("on")) :].strip() if match.group("on") else phrase
    if match.group("wd"):
        weekday = WEEKDAY_NAMES[match.group("wd").lower()]
        back = (today.weekday() - weekday) % 7
        if back == 0 and (match.group("wdpre") or "").lower() in {"last", "past"}:
            back = 7
        return checked(phrase, today - timedelta(days=back), ctx, today)
    if match.group("iso"):
        day = _safe_date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        if day is None:
            return DateOutcome(phrase=phrase, error="bad_date")
        return checked(phrase, day, ctx, today)
    if match.group("num"):
        return _resolve_numeric(match, phrase, ctx, today)
    for kind in ("md", "dm"):
        if match.group(kind):
            month = MONTH_NUMBERS[match.group(f"{kind}m").lower()]
            year = match.group(f"{kind}y")
            day_of_month = int(match.group(f"{kind}d"))
            return _resolve_month_day(phrase, month, day_of_month, year, ctx, today)
    if match.group("ord"):
        return _resolve_ordinal(phrase, int(match.group("od")), ctx, today)
    base = ctx.now.astimezone(ctx.timezone).replace(tzinfo=None)
    parsed = dateparser_parse(bare, base)
    if parsed is None:
        return DateOutcome(phrase=phrase, error="bad_date")
    return checked(phrase, parsed.date(), ctx, today)


def _resolve_month_day(
    phrase: str, month: int, day_of_month: int, year: str | None, ctx: LogContext, today: date
) -> DateOutcome:
    day = (
        _nearest(month, day_of_month, today)
        if year is None
        else _safe_date(int(year), month, day_of_month)
    )
    if day is None:
        return DateOutcome(phrase=phrase, error="bad_date")
    return checked(phrase, day, ctx, today)


def _resolve_ordinal(phrase: str, day_of_month: int, ctx: LogContext, today: date) -> DateOutcome:
    """`the 17th`: that day of this month, or of the last month that has it, whichever is nearer."""
    candidates: list[date] = []
    year, month = today.year, today.month
    for _ in range(3):
        day = _safe_date(year, month, day_of_month)
        if day is not None:
            candidates.append(day)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    past = [d for d in candidates if d <= today]
    future = [d for d in candidates if d > today]
    chosen = _nearer(past[0] if past else None, future[0] if future else None, today)
    if chosen is None:
        return DateOutcome(phrase=phrase, error="bad_date")
    return checked(phrase, chosen, ctx, today)


def _resolve_numeric(
    match: re.Match[str], phrase: str, ctx: LogContext, today: date
) -> DateOutcome:
    """M/D(/Y) in a month-first program, D/M(/Y) elsewhere; the other order only when the
    program's cannot be a date at all; both orders loggable and different → ask."""
    first, second = int(match.group("na")), int(match.group("nb"))
    raw_year = match.group("ny")
    year = None if raw_year is None else int(raw_year) + (2000 if len(raw_year) == 2 else 0)
    local, other = ((first, second), (second, first))
    if not ctx.month_first:
        local, other = other, local
    local_day = _numeric_day(*local, year, today)
    other_day = _numeric_day(*other, year, today)
    if local_day is None:
        if other_day is None:
            return DateOutcome(phrase=phrase, error="bad_date")
        return checked(phrase, other_day, ctx, today)
    outcome = checked(phrase, local_day, ctx, today)
    if (
        outcome.error is None
        and other_day is not None
        and other_day != local_day
        and checked(phrase, other_day, ctx, today).error is None
    ):
        return DateOutcome(phrase=phrase, error="ambiguous_date", choices=(local_day, other_day))
    return outcome


def _numeric_day(month: int, day_of_month: int, year: int | None, today: date) -> date | None:
    """The day M/D names: in `year`, or else its nearest occurrence."""
    if year is not None:
        return _safe_date(year, month, day_of_month)
    return _nearest(month, day_of_month, today)


def _nearest(month: int, day_of_month: int, today: date) -> date | None:
    """The occurrence of M/D nearest to today: the last one, or the next when that is nearer."""
    past: date | None = None
    for back in range(MAX_YEARS_BACK + 1):
        day = _safe_date(today.year - back, month, day_of_month)
        if day is not None and day <= today:
            past = day
            break
    future = next(
        (
            d
            for y in range(today.year, today.year + MAX_YEARS_BACK + 1)
            if (d := _safe_date(y, month, day_of_month)) is not None and d > today
        ),
        None,
    )
    return _nearer(past, future, today)


def _nearer(past: date | None, future: date | None, today: date) -> date | None:
    """The nearer of two days around today; the past one on a tie."""
    if past is None or future is None:
        return past or future
    return future if future - today < today - past else past


def _safe_date(year: int, month: int, day_of_month: int) -> date | None:
    try:
        return date(year, month, day_of_month)
    except ValueError:
        return None


def dateparser_parse(phrase: str, base: datetime) -> datetime | None:
    """Parse one short date phrase (never a whole message) relative to a naive local `base`."""
    settings = {**DATEPARSER_SETTINGS, "RELATIVE_BASE": base}
    try:
        parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
    except Exception:  # dateparser has raised on odd input before; refusing beats crashing
        log.warning("dateparser failed on a %d-character phrase", len(phrase), exc_info=True)
        return None
    return parsed if isinstance(parsed, datetime) else None


def warm_up() -> None:
    """Load dateparser's English data now rather than on the first `/logmeeting`."""
    dateparser_parse("today", datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC")).replace(tzinfo=None))
