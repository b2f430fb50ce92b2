"""The `/logmeeting` grammar: free text from Slack → a validated LogRequest or a ParseError.

Pure: no Slack, no database. Parts may come in any order: a duration (required), a kind word,
mentee mentions, a date phrase, standards tags; whatever is left is the notes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.formatting import MONTH_ABBRS, format_day, format_minutes
from bot.policy import DEFAULT_KIND, DEFAULT_KINDS

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = DEFAULT_KINDS
MIN_MINUTES, MAX_MINUTES = 1, 720
MAX_INPUT_CHARS = 8_000
MAX_NOTES_CHARS = 2_000
STANDARDS: tuple[str, ...] = ("I", "II", "III", "IV", *(f"CSTP{n}" for n in range(1, 7)))
DEFAULT_EXAMPLE = "/logmeeting 45m observation with @jane yesterday"
COMMAND_PREFIX = "/logmeeting "
ERROR_CODES: tuple[str, ...] = (
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
)

KIND_ALIASES: dict[str, str] = {
    "meeting": "meeting",
    "meet": "meeting",
    "mtg": "meeting",
    "check-in": "meeting",
    "checkin": "meeting",
    "observation": "observation",
    "obs": "observation",
    "observe": "observation",
    "observing": "observation",
    "classroom-visit": "observation",
    "observed": "observed",
    "observed-teaching": "observed",
    "co-teaching": "co-teaching",
    "coteach": "co-teaching",
    "co-teach": "co-teaching",
    "coteaching": "co-teaching",
    "co-taught": "co-teaching",
    "planning": "planning",
    "plan": "planning",
    "planned": "planning",
    "group": "group",
    "group-session": "group",
    "peer-group": "group",
    "video": "video",
    "video-analysis": "video",
    "other": "other",
}

WEEKDAY_NAMES: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
# Abbreviations that are everyday English words: a date only after "on", "last" or "this".
WEEKDAY_WORDS_NEEDING_PREFIX = frozenset({"sat", "sun"})
MONTH_NAMES: tuple[str, ...] = (
    "january",
    "jan",
    "february",
    "feb",
    "march",
    "mar",
    "april",
    "apr",
    "may",
    "june",
    "jun",
    "july",
    "jul",
    "august",
    "aug",
    "september",
    "sept",
    "sep",
    "october",
    "oct",
    "november",
    "nov",
    "december",
    "dec",
)
NUMBER_WORDS: tuple[str, ...] = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)
DATEPARSER_SETTINGS: dict[str, object] = {
    "PREFER_DATES_FROM": "past",
    "DATE_ORDER": "MDY",
    "PARSERS": ["relative-time", "absolute-time"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}
MAX_DIGITS = 7  # longer numbers are certainly out of range; also keeps int() cheap
HUGE_MINUTES = 10**7
MAX_YEARS_BACK = 8  # enough to find the last 29 Feb

MASK = "\x00"  # marks consumed text in the scan copy
SHIELD = "\x01"  # marks text no pattern may read (links, channels, other date phrases)

_FLAGS = re.IGNORECASE | re.ASCII
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]", re.UNICODE)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_MENTION = r"<@(?P<{name}>[UW][A-Z0-9]+)(?:\|[^<>]*)?>"
_MENTION_RE = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|(?P<label>[^<>]*))?>")
_MENTION_GROUP_RE = re.compile(
    r"(?:(?<![\w-])(?i:with|w/)\s*)?"
    + _MENTION.format(name="first")
    + r"(?:\s*(?:,|(?i:and)|&amp;|&|\+)?\s*"
    + _MENTION.format(name="more")
    + r")*"
)
_SHIELD_RE = re.compile(r"<[^<>@\s][^<>]*>")  # links, #channels, !here — kept as notes

_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_HOUR_UNIT = r"(?:hours|hour|hrs|hr|h)"
_MIN_UNIT = r"(?:minutes|minute|mins|min|m)"
_DURATION_RE = re.compile(
    rf"""
    (?<![\w.,:/#'-])
    (?P<neg>-(?=[0-9]))?
    (?:
        (?P<h>{_NUM})(?:\s*|-){_HOUR_UNIT}
        (?:
            (?P<hm_adj>[0-9]{{1,2}})(?:\s*{_MIN_UNIT})?
          | \s+(?:and\s+)?(?P<hm_sp>[0-9]{{1,3}})\s*{_MIN_UNIT}
        )?
      | (?P<m>{_NUM})(?:\s*|-){_MIN_UNIT}
      | (?P<ch>[0-9]{{1,2}}):(?P<cm>[0-9]{{2}})
    )
    (?![\w:]|[.,][0-9])
    """,
    _FLAGS | re.VERBOSE,
)
_BARE_NUMBER_RE = re.compile(r"(?<![^\s(\x00])(?P<n>-?[0-9]+)(?=$|[\s)\x00]|[,;.!?](?![0-9]))")


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of words, longest first so prefixes never win."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_KIND_RE = re.compile(rf"(?<![\w#@/-])(?P<kind>{_alternation(KIND_ALIASES)})(?![\w-])", _FLAGS)
_MONTH = rf"(?:{_alternation(MONTH_NAMES)})\.?"
_DAY = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:,\s*|\s+)[0-9]{4}"
_DATE_RE = re.compile(
    rf"""
    (?<![\w'’/.\-])
    (?P<on>on\s+)?
    (?:
        (?P<rel>today|yesterday|tomorrow)
      | (?P<ago>(?:[0-9]{{1,3}}|an?|{_alternation(NUMBER_WORDS)})\s+(?:days?|weeks?)\s+ago)
      | (?P<lastweek>last\s+week)
      | (?:(?P<wdpre>last|this|past)\s+)?(?P<wd>{_alternation(WEEKDAY_NAMES)})\.?
      | (?P<iso>(?P<iy>[0-9]{{4}})-(?P<im>[0-9]{{1,2}})-(?P<id>[0-9]{{1,2}}))
      | (?P<num>(?P<na>[0-9]{{1,2}})/(?P<nb>[0-9]{{1,2}})(?:/(?P<ny>[0-9]{{4}}|[0-9]{{2}}))?)
      | (?P<md>{_MONTH}\s+{_DAY}(?:{_YEAR})?)
      | (?P<dm>{_DAY}\s+(?:of\s+)?{_MONTH}(?:{_YEAR})?)
    )
    (?![\w'’/]|[:.,][0-9])
    """,
    _FLAGS | re.VERBOSE,
)
_STANDARD_RE = re.compile(
    r"(?<![\w#&<])(?:\#(?P<hash>[ivx]{1,4}|cstp[0-9]{1,2})|std:(?P<std>[a-z0-9]+(?:,[a-z0-9]+)*))"
    r"(?![\w])",
    _FLAGS,
)
_NOTES_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([,;:.!?])")
_NOTES_REPEATED_COMMA_RE = re.compile(r",(?:\s*,)+")
_NOTES_ORPHAN_COMMA_RE = re.compile(r"[,;:]+(?=[.!?])")
_NOTES_EDGE_CHARS = " \t,;:-\u2013\u2014/|"
_NOTES_PUNCTUATION_ONLY = " .,;:!?-\u2013\u2014\u2026"


@dataclass(frozen=True)
class MenteeOption:
    """One of the logger's active mentees."""

    person_id: int
    name: str
    slack_user_id: str | None


@dataclass(frozen=True)
class LogContext:
    """What the grammar needs to know about the moment and the person logging."""

    now: datetime
    timezone: ZoneInfo
    school_year_start: date
    mentees: tuple[MenteeOption, ...] = ()


class LogRequest(BaseModel):
    """A fully understood `/logmeeting`: ready for the service to check rights and store."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    minutes: int = Field(ge=MIN_MINUTES, le=MAX_MINUTES)
    kind: str
    occurred_on: date
    mentee_ids: tuple[int, ...] = ()
    mentioned_user_ids: tuple[str, ...] = ()
    notes: str | None = Field(default=None, max_length=MAX_NOTES_CHARS)
    standards: tuple[str, ...] = ()
    date_was_given: bool

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind {value!r}")
        return value

    @field_validator("notes")
    @classmethod
    def _blank_notes_are_none(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return value.strip() or None

    @field_validator("standards")
    @classmethod
    def _known_standards(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in STANDARDS]
        if unknown:
            raise ValueError(f"unknown standards {unknown!r}")
        return value

    @field_validator("mentioned_user_ids")
    @classmethod
    def _slack_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not re.fullmatch(r"[UW][A-Z0-9]+", v)]
        if bad:
            raise ValueError(f"not Slack user ids: {bad!r}")
        return value


@dataclass(frozen=True)
class ParseError:
    """Why a `/logmeeting` text was refused, what was understood, and an example that works."""

    code: str
    message: str
    understood: dict[str, str]
    example: str = DEFAULT_EXAMPLE
    choices: tuple[date, ...] | tuple[int, ...] = ()


@dataclass
class _Scan:
    """The text being read: `text` keeps the original, `scan` hides what was consumed."""

    text: str
    scan: str
    consumed: list[bool] = field(default_factory=list)

    def consume(self, start: int, end: int) -> None:
        self.scan = self.scan[:start] + MASK * (end - start) + self.scan[end:]
        for i in range(start, end):
            self.consumed[i] = True

    def shield(self, start: int, end: int) -> None:
        self.scan = self.scan[:start] + SHIELD * (end - start) + self.scan[end:]

    def leftover(self) -> str:
        pieces: list[str] = []
        gap = False
        for char, used in zip(self.text, self.consumed, strict=True):
            if used:
                gap = True
                continue
            if gap:
                pieces.append(" ")
                gap = False
            pieces.append(char)
        return "".join(pieces)


@dataclass
class _DateOutcome:
    phrase: str
    day: date | None = None
    error: str | None = None
    shown: date | None = None  # the day the error is about (future / before the year)
    choices: tuple[date, ...] = ()


@dataclass
class _Reading:
    """Everything found in one text, before any refusal is decided."""

    durations: list[int] = field(default_factory=list)
    minutes: int | None = None
    kind: str | None = None
    when: _DateOutcome | None = None
    mention_ids: list[str] = field(default_factory=list)
    mention_labels: dict[str, str] = field(default_factory=dict)
    standards: list[str] = field(default_factory=list)
    unknown_standards: list[str] = field(default_factory=list)
    notes: str | None = None


def local_today(now: datetime, tz: ZoneInfo) -> date:
    """The calendar day `now` falls on in the program timezone."""
    return now.astimezone(tz).date()


def warm_up() -> None:
    """Load dateparser's English data now rather than on the first `/logmeeting`."""
    _dateparser_parse("today", datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC")).replace(tzinfo=None))


def parse_log(text: str, ctx: LogContext) -> LogRequest | ParseError:
    """Read a `/logmeeting` text; never raises on any string."""
    reading_text = _sanitize(text)
    if not reading_text.strip():
        return ParseError(
            code="empty",
            message="Tell me what to log, for example how long it was.",
            understood={},
            example=COMMAND_PREFIX + "45m observation yesterday",
        )
    today = local_today(ctx.now, ctx.timezone)
    reading = _read(reading_text, ctx, today)
    return _decide(reading, ctx, today)


# --- reading -------------------------------------------------------------------------------


def _sanitize(text: str) -> str:
    """Whitespace and control characters → spaces, lone surrogates → U+FFFD, length capped."""
    text = text[:MAX_INPUT_CHARS]
    text = _SURROGATE_RE.sub("\ufffd", text)
    return _CONTROL_RE.sub(" ", text)


def _read(text: str, ctx: LogContext, today: date) -> _Reading:
    """Find every part of the grammar in `text`, in a fixed order, consuming what is used."""
    scan = _Scan(text=text, scan=text, consumed=[False] * len(text))
    reading = _Reading()
    for match in _SHIELD_RE.finditer(scan.scan):
        scan.shield(match.start(), match.end())
    _read_mentions(scan, reading)
    _read_explicit_durations(scan, reading)
    _read_date(scan, reading, ctx, today)
    _read_kind(scan, reading)
    _read_standards(scan, reading)
    if not reading.durations:
        _read_bare_number(scan, reading)
    if len(reading.durations) == 1:
        reading.minutes = reading.durations[0]
    reading.notes = _tidy_notes(scan.leftover())
    return reading


def _read_mentions(scan: _Scan, reading: _Reading) -> None:
    for group in _MENTION_GROUP_RE.finditer(scan.scan):
        for mention in _MENTION_RE.finditer(group.group(0)):
            user_id = mention.group("id")
            if user_id not in reading.mention_ids:
                reading.mention_ids.append(user_id)
            label = (mention.group("label") or "").strip()
            if label and user_id not in reading.mention_labels:
                reading.mention_labels[user_id] = label
        scan.consume(group.start(), group.end())


def _read_explicit_durations(scan: _Scan, reading: _Reading) -> None:
    for match in _DURATION_RE.finditer(scan.scan):
        reading.durations.append(_duration_minutes(match))
        scan.consume(match.start(), match.end())


def _duration_minutes(match: re.Match[str]) -> int:
    """Minutes meant by one explicit duration match, rounded to the nearest minute."""
    sign = -1 if match.group("neg") else 1
    if match.group("ch") is not None:
        total = _number(match.group("ch")) * 60 + _number(match.group("cm"))
    elif match.group("h") is not None:
        extra = match.group("hm_adj") or match.group("hm_sp") or "0"
        total = _number(match.group("h")) * 60 + _number(extra)
    else:
        total = _number(match.group("m"))
    return sign * _round_minutes(total)


def _number(raw: str) -> Decimal:
    """A decimal from "1.5" or "1,5"; absurdly long numbers become one huge value."""
    whole = raw.replace(",", ".").split(".")[0].lstrip("0")
    if len(whole) > MAX_DIGITS:
        return Decimal(HUGE_MINUTES)
    try:
        return Decimal(raw.replace(",", ".")[: MAX_DIGITS * 3])
    except InvalidOperation:
        return Decimal(HUGE_MINUTES)


def _round_minutes(value: Decimal) -> int:
    if value >= HUGE_MINUTES:
        return HUGE_MINUTES
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _read_bare_number(scan: _Scan, reading: _Reading) -> None:
    match = _BARE_NUMBER_RE.search(scan.scan)
    if match is None:
        return
    raw = match.group("n")
    sign = -1 if raw.startswith("-") else 1
    reading.durations.append(sign * _round_minutes(_number(raw.lstrip("-"))))
    scan.consume(match.start(), match.end())


def _read_kind(scan: _Scan, reading: _Reading) -> None:
    match = _KIND_RE.search(scan.scan)
    if match is None:
        return
    reading.kind = KIND_ALIASES[match.group("kind").lower()]
    scan.consume(match.start(), match.end())


def _read_standards(scan: _Scan, reading: _Reading) -> None:
    for match in _STANDARD_RE.finditer(scan.scan):
        tokens = [match.group("hash")] if match.group("hash") else match.group("std").split(",")
        for token in tokens:
            name = token.upper()
            if name in STANDARDS:
                if name not in reading.standards:
                    reading.standards.append(name)
            elif token not in reading.unknown_standards:
                reading.unknown_standards.append(token)
        scan.consume(match.start(), match.end())


def _read_date(scan: _Scan, reading: _Reading, ctx: LogContext, today: date) -> None:
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


def _resolve_date(match: re.Match[str], ctx: LogContext, today: date) -> _DateOutcome:
    """The day a date phrase means, or why it cannot be used."""
    phrase = match.group(0).strip()
    bare = phrase[len(match.group("on")) :].strip() if match.group("on") else phrase
    if match.group("wd"):
        weekday = WEEKDAY_NAMES[match.group("wd").lower()]
        back = (today.weekday() - weekday) % 7
        if back == 0 and (match.group("wdpre") or "").lower() in {"last", "past"}:
            back = 7
        return _checked(phrase, today - timedelta(days=back), ctx, today)
    if match.group("iso"):
        day = _safe_date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        if day is None:
            return _DateOutcome(phrase=phrase, error="bad_date")
        return _checked(phrase, day, ctx, today)
    if match.group("num"):
        return _resolve_numeric(match, phrase, ctx, today)
    base = ctx.now.astimezone(ctx.timezone).replace(tzinfo=None)
    parsed = _dateparser_parse(bare, base)
    if parsed is None:
        return _DateOutcome(phrase=phrase, error="bad_date")
    return _checked(phrase, parsed.date(), ctx, today)


def _resolve_numeric(
    match: re.Match[str], phrase: str, ctx: LogContext, today: date
) -> _DateOutcome:
    """M/D(/Y), US order first; D/M only when M/D cannot be meant; both → ask."""
    first, second = int(match.group("na")), int(match.group("nb"))
    raw_year = match.group("ny")
    year = None if raw_year is None else int(raw_year) + (2000 if len(raw_year) == 2 else 0)
    readings = [(first, second)] + ([(second, first)] if second != first else [])
    days = [_numeric_day(month, day_of_month, year, today) for month, day_of_month in readings]
    fitting = [d for d in days if d is not None and ctx.school_year_start <= d <= today]
    if len(fitting) == 2 and fitting[0] != fitting[1]:
        return _DateOutcome(phrase=phrase, error="ambiguous_date", choices=(fitting[0], fitting[1]))
    if fitting:
        return _DateOutcome(phrase=phrase, day=fitting[0])
    for day in days:
        if day is not None:
            return _checked(phrase, day, ctx, today)
    return _DateOutcome(phrase=phrase, error="bad_date")


def _numeric_day(month: int, day_of_month: int, year: int | None, today: date) -> date | None:
    """The day M/D names: in `year`, or else its most recent occurrence up to today."""
    if year is not None:
        return _safe_date(year, month, day_of_month)
    for back in range(MAX_YEARS_BACK + 1):
        day = _safe_date(today.year - back, month, day_of_month)
        if day is not None and day <= today:
            return day
    return None


def _safe_date(year: int, month: int, day_of_month: int) -> date | None:
    try:
        return date(year, month, day_of_month)
    except ValueError:
        return None


def _checked(phrase: str, day: date, ctx: LogContext, today: date) -> _DateOutcome:
    if day > today:
        return _DateOutcome(phrase=phrase, error="future_date", shown=day)
    if day < ctx.school_year_start:
        return _DateOutcome(phrase=phrase, error="before_school_year", shown=day)
    return _DateOutcome(phrase=phrase, day=day)


def _dateparser_parse(phrase: str, base: datetime) -> datetime | None:
    """Parse one short date phrase (never a whole message) relative to a naive local `base`."""
    import dateparser

    settings = {**DATEPARSER_SETTINGS, "RELATIVE_BASE": base}
    try:
        parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
    except Exception:  # dateparser has raised on odd input before; refusing beats crashing
        log.warning("dateparser failed on %r", phrase, exc_info=True)
        return None
    return parsed if isinstance(parsed, datetime) else None


def _tidy_notes(leftover: str) -> str | None:
    """What is left once every understood part is taken out, readable, HTML escapes undone."""
    notes = " ".join(leftover.split())
    notes = notes.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    notes = _NOTES_SPACE_BEFORE_PUNCT_RE.sub(r"\1", notes)
    notes = _NOTES_REPEATED_COMMA_RE.sub(",", notes)
    notes = _NOTES_ORPHAN_COMMA_RE.sub("", notes)
    notes = notes.strip(_NOTES_EDGE_CHARS)
    notes = notes[:MAX_NOTES_CHARS].strip()
    return notes if notes.strip(_NOTES_PUNCTUATION_ONLY) else None


# --- deciding ------------------------------------------------------------------------------


def _decide(reading: _Reading, ctx: LogContext, today: date) -> LogRequest | ParseError:
    """Turn what was read into a request, or into the most useful single refusal."""
    understood = _understood(reading, ctx, today)
    refusal = _refusal(reading, ctx, today, understood)
    if refusal is not None:
        return refusal
    assert reading.minutes is not None
    mentee_ids, mentioned = _split_mentions(reading, ctx)
    if not reading.mention_ids:
        mentee_ids = (ctx.mentees[0].person_id,)
    day = reading.when.day if reading.when and reading.when.day else today
    return LogRequest(
        minutes=reading.minutes,
        kind=reading.kind or DEFAULT_KIND,
        occurred_on=day,
        mentee_ids=mentee_ids,
        mentioned_user_ids=mentioned,
        notes=reading.notes,
        standards=tuple(reading.standards),
        date_was_given=reading.when is not None,
    )


def _refusal(
    reading: _Reading, ctx: LogContext, today: date, understood: dict[str, str]
) -> ParseError | None:
    """The first problem, hard errors before the ones a button can settle."""
    example = _Example(reading, ctx, today)

    if len(reading.durations) > 1:
        shown = " and ".join(format_minutes(m) for m in reading.durations[:2])
        return ParseError(
            "two_durations",
            f"I found two durations ({shown}); give just one.",
            understood,
            example.build(),
        )
    if reading.minutes is not None and not MIN_MINUTES <= reading.minutes <= MAX_MINUTES:
        return ParseError(
            "duration_out_of_range",
            f"I read {_shown_minutes(reading.minutes)}, but an entry must be "
            f"between {format_minutes(MIN_MINUTES)} and {format_minutes(MAX_MINUTES)}.",
            understood,
            example.build(),
        )
    day_outcome = reading.when or _checked("today", today, ctx, today)  # even a default
    date_refusal = _date_refusal(day_outcome, ctx, today, understood, example)
    if date_refusal is not None:
        return date_refusal
    if reading.unknown_standards:
        return ParseError(
            "unknown_standard",
            f'I don\'t know the standard "{reading.unknown_standards[0]}"; '
            "use I, II, III, IV or cstp1 to cstp6, e.g. #II.",
            understood,
            example.build(standard="#II"),
        )
    if reading.minutes is None:
        return ParseError(
            "missing_duration", "I couldn't find how long it was.", understood, example.build()
        )
    if not reading.mention_ids and not ctx.mentees:
        return ParseError(
            "no_mentee",
            "You have no active mentee here, so mention who this was with, e.g. @jane.",
            understood,
            example.build(),
        )
    outcome = reading.when
    if outcome is not None and outcome.error == "ambiguous_date":
        first, second = outcome.choices
        return ParseError(
            "ambiguous_date",
            f'I can\'t tell whether "{outcome.phrase}" means '
            f"{_human_day(first, today)} or {_human_day(second, today)}.",
            understood,
            example.build(day=first),
            outcome.choices,
        )
    if not reading.mention_ids and len(ctx.mentees) > 1:
        names = ", ".join(m.name for m in ctx.mentees)
        return ParseError(
            "ambiguous_mentee",
            f"You have {len(ctx.mentees)} mentees ({names}); mention which one this was with.",
            understood,
            example.build(),
            tuple(m.person_id for m in ctx.mentees),
        )
    return None


def _date_refusal(
    outcome: _DateOutcome | None,
    ctx: LogContext,
    today: date,
    understood: dict[str, str],
    example: _Example,
) -> ParseError | None:
    """A refusal for a date phrase that cannot be used as typed (ambiguity is decided later)."""
    if outcome is None or outcome.error is None or outcome.error == "ambiguous_date":
        return None
    if outcome.error == "bad_date" or outcome.shown is None:
        message = f'I couldn\'t read the date "{outcome.phrase}".'
        return ParseError("bad_date", message, understood, example.build(drop_day=True))
    shown = _human_day(outcome.shown, today)
    if outcome.error == "future_date":
        message = f"{shown} is in the future; log it once it has happened."
    else:
        started = _human_day(ctx.school_year_start, today)
        message = f"{shown} is before this school year, which started {started}."
    return ParseError(outcome.error, message, understood, example.build(drop_day=True))


def _split_mentions(reading: _Reading, ctx: LogContext) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Mentions of the logger's mentees → their ids; anyone else → Slack ids for the service."""
    by_slack_id = {m.slack_user_id: m for m in ctx.mentees if m.slack_user_id}
    mentee_ids: list[int] = []
    others: list[str] = []
    for user_id in reading.mention_ids:
        mentee = by_slack_id.get(user_id)
        if mentee is None:
            others.append(user_id)
        elif mentee.person_id not in mentee_ids:
            mentee_ids.append(mentee.person_id)
    return tuple(mentee_ids), tuple(others)


def _understood(reading: _Reading, ctx: LogContext, today: date) -> dict[str, str]:
    """The parts that were found, as a teacher would read them."""
    understood: dict[str, str] = {}
    if len(reading.durations) == 1:
        understood["duration"] = _shown_minutes(reading.durations[0])
    if reading.kind:
        understood["kind"] = reading.kind
    if reading.when is not None:
        outcome = reading.when
        if outcome.day is not None:
            understood["date"] = _human_day(outcome.day, today)
        elif outcome.choices:
            understood["date"] = " or ".join(_human_day(d, today) for d in outcome.choices)
    names = _mentee_names(reading, ctx)
    if names:
        understood["mentees"] = ", ".join(names)
    if reading.standards:
        understood["standards"] = ", ".join(reading.standards)
    if reading.notes:
        understood["notes"] = reading.notes
    return understood


def _mentee_names(reading: _Reading, ctx: LogContext) -> list[str]:
    by_slack_id = {m.slack_user_id: m for m in ctx.mentees if m.slack_user_id}
    if not reading.mention_ids:
        return [ctx.mentees[0].name] if len(ctx.mentees) == 1 else []
    names: list[str] = []
    for user_id in reading.mention_ids:
        mentee = by_slack_id.get(user_id)
        label = reading.mention_labels.get(user_id)
        name = mentee.name if mentee else f"@{label}" if label else f"<@{user_id}>"
        if name not in names:
            names.append(name)
    return names


def _shown_minutes(minutes: int) -> str:
    return "a very long time" if abs(minutes) >= HUGE_MINUTES else format_minutes(minutes)


def _human_day(day: date, today: date) -> str:
    """format_day, with the year when it is not this year's."""
    shown = format_day(day)
    return shown if day.year == today.year else f"{shown} {day.year}"


class _Example:
    """A corrected command built from what the person typed, shown with a refusal."""

    def __init__(self, reading: _Reading, ctx: LogContext, today: date) -> None:
        self.duration = _duration_token(reading.minutes)
        self.kind = reading.kind or ""
        mentionable = [m.slack_user_id for m in ctx.mentees if m.slack_user_id]
        if reading.mention_ids:
            self.mention = "with " + " ".join(f"<@{user_id}>" for user_id in reading.mention_ids)
        elif not ctx.mentees:
            self.mention = "with @jane"
        elif len(ctx.mentees) > 1 and mentionable:
            self.mention = f"with <@{mentionable[0]}>"
        else:
            self.mention = ""
        self.today = today
        self.ctx = ctx
        self.day = reading.when.day if reading.when else None

    def build(
        self,
        *,
        duration: str | None = None,
        day: date | None = None,
        drop_day: bool = False,
        standard: str = "",
    ) -> str:
        chosen_day = None if drop_day else day or self.day
        parts = [
            duration or self.duration,
            self.kind,
            self.mention,
            standard,
            self._date_words(chosen_day),
        ]
        return COMMAND_PREFIX + " ".join(p for p in parts if p)

    def _date_words(self, day: date | None) -> str:
        if day is None:
            yesterday = self.today - timedelta(days=1)
            return "yesterday" if yesterday >= self.ctx.school_year_start else "today"
        if timedelta(0) <= self.today - day < timedelta(days=365):
            return f"{MONTH_ABBRS[day.month - 1]} {day.day}"
        return day.isoformat()


def _duration_token(minutes: int | None) -> str:
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return "45m"
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return f"{rest}m"
    return f"{hours}h" if rest == 0 else f"{hours}h{rest:02d}"
