"""Arguments of `/hours` and `/induction` (pure): text in, a typed request or a usage error out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.model import PERIODS, Period

PERSON = re.compile(r"^(<@[UW][A-Z0-9]+(?:\|[^>]*)?>|[UW][A-Z0-9]{2,}|[^@\s]+@[^@\s]+\.[^@\s]+)$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD_ALIASES: dict[str, Period] = {
    "week": "week",
    "weekly": "week",
    "wk": "week",
    "month": "month",
    "monthly": "month",
    "mo": "month",
    "year": "year",
    "yearly": "year",
    "yr": "year",
    "school-year": "year",
}
INDUCTION_VERBS = ("assign", "unassign", "status", "done", "team", "report", "help")


class UsageError(ValueError):
    """Text that doesn't fit a command's usage; says what was understood."""

    def __init__(self, message: str, example: str) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


def _tokens(text: str) -> list[str]:
    # Slack escapes "<@U1|jane doe>" with spaces inside the label; keep mentions whole.
    return re.findall(r"<[^>]*>|\S+", text.strip())


@dataclass(frozen=True)
class HoursArgs:
    """`/hours [@person] [week|month|year]`."""

    period: Period = "week"
    person: str | None = None
    help: bool = False


def parse_hours(text: str) -> HoursArgs:
    """Parse `/hours` arguments."""
    period: Period | None = None
    person: str | None = None
    for token in _tokens(text):
        word = token.lower()
        if word in ("help", "?", "-h", "--help"):
            return HoursArgs(help=True)
        if word in PERIOD_ALIASES:
            if period is not None:
                raise UsageError(f"Pick one period, not both {period} and {word}.", "/hours month")
            period = PERIOD_ALIASES[word]
        elif PERSON.match(token):
            if person is not None:
                raise UsageError("I can show one person at a time.", "/hours @jane month")
            person = token
        else:
            raise UsageError(
                f"I didn't understand {token!r}. `/hours` takes an optional @person and one of "
                f"{', '.join(PERIODS)}.",
                "/hours @jane month",
            )
    return HoursArgs(period=period or "week", person=person)


InductionVerb = Literal["assign", "unassign", "status", "done", "team", "report", "help"]


@dataclass(frozen=True)
class InductionArgs:
    """`/induction VERB ...` for coordinators."""

    verb: InductionVerb
    people: tuple[str, ...] = ()
    on: date | None = None
    reason: str | None = None
    milestone: str | None = None
    add: bool = True


def _split_date(tokens: list[str]) -> tuple[list[str], date | None]:
    kept: list[str] = []
    on: date | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (
            token.lower() in ("on", "from")
            and i + 1 < len(tokens)
            and ISO_DATE.match(tokens[i + 1])
        ):
            token = tokens[i + 1]
            i += 1
        if ISO_DATE.match(token) and on is None:
            try:
                on = date.fromisoformat(token)
            except ValueError:
                raise UsageError(
                    f"{token} is not a real date.", "/induction assign @mentor @mentee 2026-09-14"
                ) from None
        else:
            kept.append(token)
        i += 1
    return kept, on


def parse_induction(text: str) -> InductionArgs:
    """Parse `/induction` arguments."""
    tokens = _tokens(text)
    if not tokens or tokens[0].lower() in ("help", "?", "-h", "--help"):
        return InductionArgs(verb="help")
    verb = tokens[0].lower()
    rest = tokens[1:]
    if verb == "assign":
        rest, on = _split_date(rest)
        people = [t for t in rest if PERSON.match(t)]
        if len(people) != 2 or len(rest) != 2:
            raise UsageError(
                "`assign` needs the mentor, then the mentee"
                + (f" (I found {len(people)} people)." if len(people) != 2 else "."),
                "/induction assign @mentor @mentee",
            )
        return InductionArgs(verb="assign", people=tuple(people), on=on)
    if verb == "unassign":
        rest, on = _split_date(rest)
        if not rest or not PERSON.match(rest[0]):
            raise UsageError(
                "`unassign` needs the mentee first, then an optional reason.",
                "/induction unassign @mentee schedule conflict",
            )
        reason = " ".join(rest[1:]) or None
        return InductionArgs(verb="unassign", people=(rest[0],), on=on, reason=reason)
    if verb == "status":
        if len(rest) > 1 or (rest and not PERSON.match(rest[0])):
            raise UsageError("`status` takes at most one @person.", "/induction status @jane")
        return InductionArgs(verb="status", people=tuple(rest))
    if verb == "done":
        rest, on = _split_date(rest)
        if not rest or PERSON.match(rest[0]):
            raise UsageError(
                "`done` needs the milestone first, then the person (none for program milestones).",
                "/induction done orientation @jane",
            )
        people = rest[1:]
        if len(people) > 1 or (people and not PERSON.match(people[0])):
            raise UsageError("`done` takes one @person.", "/induction done orientation @jane")
        return InductionArgs(verb="done", milestone=rest[0].lower(), people=tuple(people), on=on)
    if verb == "team":
        usage = "/induction team @mentee add @evaluator"
        if len(rest) != 3 or not PERSON.match(rest[0]) or not PERSON.match(rest[2]):
            raise UsageError("`team` needs the mentee, add or remove, and the person.", usage)
        action = rest[1].lower()
        if action not in ("add", "remove"):
            raise UsageError(f"Say add or remove, not {rest[1]!r}.", usage)
        return InductionArgs(verb="team", people=(rest[0], rest[2]), add=action == "add")
    if verb == "report":
        return InductionArgs(verb="report")
    raise UsageError(
        f"I don't know `{tokens[0]}`. Try one of: {', '.join(INDUCTION_VERBS)}.",
        "/induction status",
    )
