"""Surveys a program defines in its TOML (``[[surveys]]``), and the school days they run on.

Pure: the definition, its checks against the school year, and the dates a survey opens, is
reminded and closes on a school calendar.

    [[surveys]]
    name = "midyear"
    title = "Mid-year check-in"
    audience = "both"            # mentees | mentors | both
    send_on = [2027-01-11]       # a non-school day moves to the next school day
    close_after_school_days = 10 # answers are taken through the 10th school day after opening
    questions = ["My mentor meetings help my teaching.", "I get feedback I can use."]
    comment = true               # an optional free-text comment
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from bot.domain.policy.limits import MAX_TITLE_CHARS

SCALE = (1, 2, 3, 4, 5)  # every question is answered on this scale
SCALE_WORDS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neutral",
    4: "Agree",
    5: "Strongly agree",
}
AUDIENCES = ("mentees", "mentors", "both")
MAX_SURVEY_NAME_CHARS = 40
MAX_QUESTIONS = 10  # a modal holds each question as one input block
MAX_QUESTION_CHARS = 150  # a modal input label is at most 2000, but one line reads best
MAX_SEND_DATES = 12
MAX_COMMENT_CHARS = 2000
DEFAULT_CLOSE_AFTER_SCHOOL_DAYS = 10
REMINDER_AFTER_SCHOOL_DAYS = 3
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
EXIT_TICKET_QUESTION = "This session was a good use of my time."
EXIT_TICKET_CLOSE_SCHOOL_DAYS = 5


def _question(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("a question must not be empty")
    if len(value) > MAX_QUESTION_CHARS:
        raise ValueError(f"is {len(value)} characters long (at most {MAX_QUESTION_CHARS})")
    return value


Question = Annotated[str, AfterValidator(_question)]


class SurveyDefinition(BaseModel):
    """One ``[[surveys]]`` table: questions on a 1–5 scale, who is asked and when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    audience: Literal["mentees", "mentors", "both"]
    send_on: tuple[date, ...] = Field(max_length=MAX_SEND_DATES)
    close_after_school_days: int = Field(
        default=DEFAULT_CLOSE_AFTER_SCHOOL_DAYS, strict=True, ge=REMINDER_AFTER_SCHOOL_DAYS, le=60
    )
    questions: tuple[Question, ...] = Field(max_length=MAX_QUESTIONS)
    comment: bool = False

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not re.fullmatch(NAME_PATTERN, value) or len(value) > MAX_SURVEY_NAME_CHARS:
            raise ValueError(
                f"{value[:40]!r} is not a survey name: up to {MAX_SURVEY_NAME_CHARS} lowercase "
                'letters, digits, "-" and "_" (e.g. "midyear"), used by `survey results NAME`'
            )
        if value.startswith("exit-ticket-"):
            raise ValueError('names starting "exit-ticket-" are kept for exit tickets')
        return value

    @field_validator("send_on", mode="after")
    @classmethod
    def _some_dates(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        if not value:
            raise ValueError("needs one or more dates, e.g. send_on = [2027-01-11]")
        return value

    @field_validator("send_on", mode="before")
    @classmethod
    def _one_date(cls, value: object) -> object:
        return [value] if isinstance(value, date) else value

    @field_validator("questions", mode="after")
    @classmethod
    def _some_questions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError(
                "a survey needs at least one question, "
                'e.g. questions = ["I get feedback I can use."]'
            )
        return value


def survey_problems(
    surveys: Sequence[SurveyDefinition | None], start: date, end: date
) -> list[str]:
    """What is wrong across the surveys: duplicate names, send dates outside the school year
    (a None survey is one already refused on its own)."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, survey in enumerate(surveys):
        if survey is None:
            continue
        if survey.name in seen:
            problems.append(
                f"surveys[{index}].name: {survey.name!r} is already the name of "
                f"surveys[{seen[survey.name]}] (each survey needs its own name)"
            )
        seen.setdefault(survey.name, index)
        for position, day in enumerate(survey.send_on):
            if not start <= day <= end:
                problems.append(
                    f"surveys[{index}].send_on[{position}]: {day} is outside the school year "
                    f"({start} to {end})"
                )
    return problems


class SchoolDays(Protocol):
    """What survey dates need of a school calendar (``SchoolCalendar`` has it)."""

    def next_school_day(self, d: date, include_today: bool = True) -> date: ...

    def add_school_days(self, d: date, n: int) -> date: ...


@dataclass(frozen=True)
class SurveyDates:
    """When one sending of a survey opens, is reminded and closes (the last day to answer)."""

    opens: date
    reminder: date
    closes: date

    def is_open(self, day: date) -> bool:
        """True while answers are taken."""
        return self.opens <= day <= self.closes


def survey_dates(
    calendar: SchoolDays,
    send_on: date,
    close_after: int,
    last_day: date,
    reminder_after: int = REMINDER_AFTER_SCHOOL_DAYS,
) -> SurveyDates:
    """The dates of a sending: it opens on the first school day on or after `send_on`, reminds
    `reminder_after` school days later and closes `close_after` school days after opening (both
    held to the school year's `last_day`)."""
    opens = calendar.next_school_day(send_on)
    return SurveyDates(
        opens=opens,
        reminder=_later(calendar, opens, reminder_after, last_day),
        closes=_later(calendar, opens, close_after, last_day),
    )


def _later(calendar: SchoolDays, day: date, n: int, last_day: date) -> date:
    try:
        return min(calendar.add_school_days(day, n), last_day)
    except ValueError:  # past the end of the school year
        return last_day
