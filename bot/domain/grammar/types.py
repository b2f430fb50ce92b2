"""What the `/logmeeting` grammar takes and gives: its context, a request, a refusal, its limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.policy import DEFAULT_KINDS, Standard
from bot.domain.policy.rules import STANDARD_CODE_RE

KINDS: tuple[str, ...] = DEFAULT_KINDS
MIN_MINUTES, MAX_MINUTES = 1, 720
MAX_INPUT_CHARS = 8_000
MAX_NOTES_CHARS = 2_000
DEFAULT_EXAMPLE = "/logmeeting 45m observation with @jane yesterday"
COMMAND_PREFIX = "/logmeeting "
# Timezones whose programs write numeric dates month first (9/14 = 14 Sep): the Americas.
MONTH_FIRST_ZONE_PREFIXES: tuple[str, ...] = ("America/", "US/", "Pacific/Honolulu")
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
    "unknown_mention",
    "unclear_kind",
    "notes_too_long",
    "bad_date",
    "unknown_standard",
)


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
    standards: tuple[Standard, ...] = ()  # the program's (its policy's): what a tag may name

    @property
    def month_first(self) -> bool:
        """Whether 12/11 means 11 December here: the program's locale, from its timezone."""
        return str(self.timezone.key).startswith(MONTH_FIRST_ZONE_PREFIXES)


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
    def _standard_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # which codes a program knows is the grammar's to decide (LogContext.standards)
        bad = [s for s in value if not STANDARD_CODE_RE.match(s)]
        if bad:
            raise ValueError(f"not standard codes: {bad!r}")
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
    """Why a `/logmeeting` text was refused, what was understood, and an example that works.

    `choices` are what a button may settle: days, mentee ids, or kinds; `asked` is what was
    typed that the question is about (the near-miss kind word, the unlinked @names)."""

    code: str
    message: str
    understood: dict[str, str]
    example: str = DEFAULT_EXAMPLE
    choices: tuple[date, ...] | tuple[int, ...] | tuple[str, ...] = ()
    asked: str = ""


def local_today(now: datetime, tz: ZoneInfo) -> date:
    """The calendar day `now` falls on in the program timezone."""
    return now.astimezone(tz).date()
