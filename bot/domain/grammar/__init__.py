"""The `/logmeeting` grammar: free text from Slack → a validated LogRequest or a ParseError.

Pure: no Slack, no database. Parts may come in any order: a duration (required), a kind word,
mentee mentions, a date phrase, standards tags; whatever is left is the notes. Reading lives in
`durations`, `dates` and `words`; deciding and the wording of refusals in `refusals`.
"""

from __future__ import annotations

import re

from bot.domain.formatting import format_day, format_minutes
from bot.domain.grammar.dates import read_date, warm_up
from bot.domain.grammar.durations import read_bare_numbers, read_explicit_durations
from bot.domain.grammar.refusals import decide
from bot.domain.grammar.scan import Reading, Scan
from bot.domain.grammar.types import (
    COMMAND_PREFIX,
    DEFAULT_EXAMPLE,
    ERROR_CODES,
    KINDS,
    MAX_INPUT_CHARS,
    MAX_MINUTES,
    MAX_NOTES_CHARS,
    MIN_MINUTES,
    LogContext,
    LogRequest,
    MenteeOption,
    ParseError,
    local_today,
)
from bot.domain.grammar.words import (
    KIND_ALIASES,
    SHIELD_RE,
    read_kind,
    read_mentions,
    read_standards,
    tidy_notes,
)
from bot.domain.policy import DEFAULT_KIND

__all__ = [
    "COMMAND_PREFIX",
    "DEFAULT_EXAMPLE",
    "DEFAULT_KIND",
    "ERROR_CODES",
    "KINDS",
    "KIND_ALIASES",
    "MAX_INPUT_CHARS",
    "MAX_MINUTES",
    "MAX_NOTES_CHARS",
    "MIN_MINUTES",
    "LogContext",
    "LogRequest",
    "MenteeOption",
    "ParseError",
    "format_day",
    "format_minutes",
    "local_today",
    "parse_log",
    "warm_up",
]

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]", re.UNICODE)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


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
    return decide(_read(reading_text, ctx), ctx, today)


def _sanitize(text: str) -> str:
    """Whitespace and control characters → spaces, lone surrogates → U+FFFD, length capped."""
    text = text[:MAX_INPUT_CHARS]
    text = _SURROGATE_RE.sub("\ufffd", text)
    return _CONTROL_RE.sub(" ", text)


def _read(text: str, ctx: LogContext) -> Reading:
    """Find every part of the grammar in `text`, in a fixed order, consuming what is used: the
    kind last, so it knows whether any notes come before it."""
    today = local_today(ctx.now, ctx.timezone)
    scan = Scan(text=text, scan=text, consumed=[False] * len(text))
    reading = Reading()
    for match in SHIELD_RE.finditer(scan.scan):
        scan.shield(match.start(), match.end())
    read_mentions(scan, reading)
    read_explicit_durations(scan, reading)
    read_date(scan, reading, ctx, today)
    read_standards(scan, reading, ctx.standards)
    if not reading.durations:
        read_bare_numbers(scan, reading)
    read_kind(scan, reading)
    if len(reading.durations) == 1:
        reading.minutes = reading.durations[0]
    reading.notes, reading.notes_chars = tidy_notes(scan.leftover())
    return reading
