"""Deciding on what was read: a LogRequest, or one refusal in words a teacher reads — what was
understood, what is wrong, and a corrected command to try."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from bot.domain.formatting import MONTH_ABBRS, format_day, format_minutes
from bot.domain.grammar.dates import checked
from bot.domain.grammar.durations import HUGE_MINUTES
from bot.domain.grammar.scan import DateOutcome, Reading
from bot.domain.grammar.types import (
    COMMAND_PREFIX,
    MAX_MINUTES,
    MAX_NOTES_CHARS,
    MIN_MINUTES,
    LogContext,
    LogRequest,
    ParseError,
)
from bot.domain.policy import DEFAULT_KIND, Standard

_HANDLE_CHARS_RE = re.compile(r"[^\w.\-]+")


def decide(reading: Reading, ctx: LogContext, today: date) -> LogRequest | ParseError:
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
    reading: Reading, ctx: LogContext, today: date, understood: dict[str, str]
) -> ParseError | None:
    """The first problem, hard errors before the ones a button can settle."""
    example = _Example(reading, ctx, today)

    if len(reading.durations) > 1:
        if reading.bare_numbers:
            numbers = " and ".join(str(m) for m in reading.durations[:2])
            message = (
                f"I found two numbers ({numbers}); give how long it was with its unit, like 45m."
            )
        else:
            shown = " and ".join(_shown_minutes(m) for m in reading.durations[:2])
            message = f"I found two durations ({shown}); give just one."
        return ParseError(
            "two_durations",
            message,
            understood,
            example.build(),
        )
    if reading.bad_minutes and len(reading.durations) == 1:
        total = reading.durations[0]
        meant = (
            f"; if you meant {format_minutes(total)}, write {_duration_token(total)} or {total}m"
            if MIN_MINUTES <= total <= MAX_MINUTES
            else ""
        )
        return ParseError(
            "duration_out_of_range",
            f"I can't read {reading.bad_minutes}: the minutes after the hours run from 0 to "
            f"59{meant}.",
            {k: v for k, v in understood.items() if k != "duration"},
            example.build(duration=_duration_token(total)),
        )
    if reading.minutes is not None and not MIN_MINUTES <= reading.minutes <= MAX_MINUTES:
        return ParseError(
            "duration_out_of_range",
            f"I read {_shown_minutes(reading.minutes)}, but an entry must be "
            f"between {format_minutes(MIN_MINUTES)} and {format_minutes(MAX_MINUTES)}.",
            understood,
            example.build(),
        )
    day_outcome = reading.when or checked("today", today, ctx, today)  # even a default
    date_refusal = _date_refusal(day_outcome, ctx, today, understood, example)
    if date_refusal is not None:
        return date_refusal
    if reading.unknown_standards:
        return _unknown_standard(reading, ctx, understood, example)
    if reading.minutes is None:
        return ParseError(
            "missing_duration", "I couldn't find how long it was.", understood, example.build()
        )
    if reading.notes_chars > MAX_NOTES_CHARS:
        return ParseError(
            "notes_too_long",
            f"Your notes are {reading.notes_chars:,} characters; the limit is "
            f"{MAX_NOTES_CHARS:,}. Shorten them (or use the form) so nothing is cut.",
            {k: v for k, v in understood.items() if k != "notes"},
            example.build(),
        )
    if reading.unresolved_mentions:
        return _unresolved_mention(reading, ctx, understood, example)
    if not reading.mention_ids and not ctx.mentees:
        return ParseError(
            "no_mentee",
            "You have no active mentee here, so mention who this was with, e.g. @jane.",
            understood,
            example.build(),
        )
    if reading.kind is None and reading.kind_guesses:
        return _unclear_kind(reading, understood, example)
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


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def numbered_standard(number: str, standards: Sequence[Standard]) -> Standard | None:
    """The one standard a bare number names: its code ends in that number (IPTS3, D3) or is
    that roman numeral (III); None when no single one does."""
    roman = ROMAN[int(number) - 1] if number.isdigit() and 1 <= int(number) <= len(ROMAN) else ""
    found = [
        s
        for s in standards
        if re.fullmatch(rf"[A-Za-z]*0*{int(number)}", s.code) or s.code.upper() == roman
    ]
    return found[0] if len(found) == 1 else None


def _unknown_standard(
    reading: Reading, ctx: LogContext, understood: dict[str, str], example: _Example
) -> ParseError:
    """A tag outside the program's standards: say which it has, with their names."""
    typed = reading.unknown_standards[0]
    if not ctx.standards:
        return ParseError(
            "unknown_standard",
            f'This program has no standards to tag, so "{typed}" can\'t be recorded; '
            "leave the tag out.",
            understood,
            example.build(),
        )
    listed = "; ".join(
        f"{s.code} ({s.name})" if s.name != s.code else s.code for s in ctx.standards
    )
    first = ctx.standards[0].code
    if typed.startswith("#"):  # a bare number among the leading parts: `45m #3 meeting`
        meant = numbered_standard(typed[1:], ctx.standards)
        guess = f"Did you mean #{meant.code}? " if meant is not None else ""
        return ParseError(
            "unknown_standard",
            f'I read "{typed}" as a standard, but this program\'s standards are {listed}. '
            f'{guess}To keep "{typed}" as a note, write it after other words '
            f'("… talked about {typed}").',
            understood,
            example.build(standard=f"#{meant.code if meant is not None else first}"),
        )
    return ParseError(
        "unknown_standard",
        f"\"{typed}\" isn't one of this program's standards: {listed}. Tag one as #{first}.",
        understood,
        example.build(standard=f"#{first}"),
    )


def _unresolved_mention(
    reading: Reading, ctx: LogContext, understood: dict[str, str], example: _Example
) -> ParseError:
    """Slack linked no one to "@zzz": ask who it was, never keep it as a note."""
    typed = reading.unresolved_mentions[0]
    if ctx.mentees:
        names = ", ".join(m.name for m in ctx.mentees)
        whom = f"your mentee{'s are' if len(ctx.mentees) > 1 else ' is'} {names}"
    else:
        whom = "you have no active mentee here"
    return ParseError(
        "unknown_mention",
        f'Slack didn\'t link "{typed}" to anyone ({whom}). Pick the person from the list '
        "Slack shows as you type @, or leave the mention out.",
        understood,
        example.build(),
        tuple(m.person_id for m in ctx.mentees),
        " ".join(reading.unresolved_mentions),
    )


def _unclear_kind(reading: Reading, understood: dict[str, str], example: _Example) -> ParseError:
    """A near miss of a kind word (`obsevation`): ask which kind, meeting being the default."""
    guesses = reading.kind_guesses
    choices = (*guesses, DEFAULT_KIND) if DEFAULT_KIND not in guesses else guesses
    shown = " or ".join(f"`{k}`" for k in guesses)
    return ParseError(
        "unclear_kind",
        f'Did you mean {shown} by "{reading.kind_word}"? Say the kind '
        f"(it decides what the hours count as); without one it is a {DEFAULT_KIND}.",
        {k: v for k, v in understood.items() if (k, v) != ("notes", reading.kind_word)},
        example.build(kind=guesses[0]),
        choices,
        reading.kind_word,
    )


def _date_refusal(
    outcome: DateOutcome | None,
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


def _split_mentions(reading: Reading, ctx: LogContext) -> tuple[tuple[int, ...], tuple[str, ...]]:
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


def _understood(reading: Reading, ctx: LogContext, today: date) -> dict[str, str]:
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


def _mentee_names(reading: Reading, ctx: LogContext) -> list[str]:
    by_slack_id = {m.slack_user_id: m for m in ctx.mentees if m.slack_user_id}
    if not reading.mention_ids:
        alone = len(ctx.mentees) == 1 and not reading.unresolved_mentions
        return [ctx.mentees[0].name] if alone else []
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


def handle(name: str) -> str:
    """A mention as it can be typed back: `@ada` for Ada Admin — one word, no spaces."""
    first = _HANDLE_CHARS_RE.sub("", (name.split() or [""])[0]).lower()
    return f"@{first}" if first else "@jane"


class _Example:
    """A corrected command built from what the person typed, shown with a refusal.

    Mentions are written as typeable handles (`@ada`), never as a display name with a space."""

    def __init__(self, reading: Reading, ctx: LogContext, today: date) -> None:
        self.duration = _duration_token(reading.minutes)
        self.kind = reading.kind or ""
        by_slack_id = {m.slack_user_id: m.name for m in ctx.mentees if m.slack_user_id}
        if reading.mention_ids:
            handles = [
                handle(by_slack_id.get(u) or reading.mention_labels.get(u) or "jane")
                for u in reading.mention_ids
            ]
            self.mention = "with " + " ".join(dict.fromkeys(handles))
        elif not ctx.mentees:
            self.mention = "with @jane"
        elif len(ctx.mentees) > 1:
            self.mention = f"with {handle(ctx.mentees[0].name)}"
        else:
            self.mention = ""
        self.today = today
        self.ctx = ctx
        self.day = reading.when.day if reading.when else None

    def build(
        self,
        *,
        duration: str | None = None,
        kind: str | None = None,
        day: date | None = None,
        drop_day: bool = False,
        standard: str = "",
    ) -> str:
        chosen_day = None if drop_day else day or self.day
        parts = [
            duration or self.duration,
            kind or self.kind,
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
