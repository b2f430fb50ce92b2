"""Arguments of `/hours` and `/induction` (pure): text in, a typed request or a usage error out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.domain.assignments import MOVE_ENTRIES
from bot.domain.hours import PERIODS, Period
from bot.domain.months import MonthRef, read_month

YEAR_LABEL = re.compile(r"^\d{4}(-\d{2})?$")  # a program year: 2026-27
PERSON = re.compile(r"^(<@[UW][A-Z0-9]+(?:\|[^>]*)?>|[UW][A-Z0-9]{2,}|[^@\s]+@[^@\s]+\.[^@\s]+)$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A date in another form (11/10, 10.11.2026, 2026/11/10, 11-10): read by nobody here, so named.
OTHER_DATE = re.compile(r"^\d{1,4}[/.\-]\d{1,2}(?:[/.\-]\d{1,4})?$")
UNLINKED_MENTION = re.compile(r"^@[^@\s]+$")
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
INDUCTION_VERBS = (
    "assign", "unassign", "status", "done", "team", "event", "report", "requests", "change",
    "help",
)  # fmt: skip


class UsageError(ValueError):
    """Text that doesn't fit a command's usage; says what was understood."""

    def __init__(self, message: str, example: str) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


def unlinked_error(token: str, example: str) -> UsageError:
    """An @name Slack did not turn into a mention: nobody by that name could be linked."""
    return UsageError(
        f"I didn't understand {token!r}: nobody in this workspace is called {token[1:]!r}. "
        "Type @ and pick the person from Slack's list, so the mention links to them.",
        example,
    )


def _not_a_date(token: str, role: str, example: str) -> UsageError:
    return UsageError(
        f"I couldn't read {token!r} as the {role}: write dates as YYYY-MM-DD.", example
    )


def split_tokens(text: str) -> list[str]:
    # Slack escapes "<@U1|jane doe>" with spaces inside the label; keep mentions whole.
    return re.findall(r"<[^>]*>|\S+", text.strip())


@dataclass(frozen=True)
class HoursArgs:
    """`/hours [@person] [week|month|year] [MONTH] [2026-27]` or `/hours pay [MONTH]`."""

    period: Period = "week"
    person: str | None = None
    help: bool = False
    year: str | None = None  # a program year by label: that year's totals
    pay: bool = False  # `/hours pay`: coordinators, this month's pay so far (or MONTH's)
    month: MonthRef | None = None  # a month by name (`october`, `2026-10`): that month's totals


PAY_EXAMPLE = "/hours pay october"
MONTH_EXAMPLE = "/hours month october"


def _parse_pay(tokens: list[str]) -> HoursArgs:
    """`/hours pay [MONTH]`: pay this month so far, or for a month."""
    rest = [token for token in tokens if token.lower() != "pay"]
    month = read_month(rest[0], "/hours pay") if len(rest) == 1 else None
    if rest and month is None:
        said = " ".join(rest)
        raise UsageError(
            f"I didn't understand {said!r} after `pay`: `/hours pay` takes one month, written "
            "like october, oct or 2026-10 (without one: this month so far).",
            PAY_EXAMPLE,
        )
    return HoursArgs(pay=True, month=month)


def parse_hours(text: str) -> HoursArgs:
    """Parse `/hours` arguments."""
    period: Period | None = None
    person: str | None = None
    year: str | None = None
    month: MonthRef | None = None
    tokens = split_tokens(text)
    if any(token.lower() == "pay" for token in tokens):
        return _parse_pay(tokens)
    for token in tokens:
        word = token.lower()
        if word in ("help", "?", "-h", "--help"):
            return HoursArgs(help=True)
        named = read_month(token)
        if named is not None:
            if month is not None:
                raise UsageError("I can show one month at a time.", MONTH_EXAMPLE)
            month = named
            continue
        if YEAR_LABEL.match(word):
            if year is not None:
                raise UsageError(
                    f"Pick one year, not both {year} and {word}.", "/hours year 2026-27"
                )
            year = word
            continue
        if word in PERIOD_ALIASES:
            if period is not None:
                raise UsageError(f"Pick one period, not both {period} and {word}.", "/hours month")
            period = PERIOD_ALIASES[word]
        elif PERSON.match(token):
            if person is not None:
                raise UsageError("I can show one person at a time.", "/hours @jane month")
            person = token
        elif UNLINKED_MENTION.match(token):
            raise unlinked_error(token, "/hours @jane month")
        elif period == "month" or OTHER_DATE.match(token):
            raise UsageError(
                f"I didn't understand {token!r} as a month: write it like october, oct or 2026-10.",
                MONTH_EXAMPLE,
            )
        else:
            raise UsageError(
                f"I didn't understand {token!r}. `/hours` takes an optional @person and one of "
                f"{', '.join(PERIODS)}; a month (october, 2026-10) or a program year (2026-27) "
                "shows that one.",
                "/hours @jane month",
            )
    if month is not None:
        if period not in (None, "month") or year is not None:
            shown = period if year is None else year
            raise UsageError(
                f"A month shows its own totals: pick the month or the {shown}, not both.",
                MONTH_EXAMPLE,
            )
        return HoursArgs(period="month", person=person, month=month)
    if year is not None:
        if period not in (None, "year"):
            raise UsageError(
                f"A past or coming year shows its year totals, not a {period}.",
                f"/hours year {year}",
            )
        return HoursArgs(period="year", person=person, year=year)
    return HoursArgs(period=period or "week", person=person)


InductionVerb = Literal[
    "assign", "unassign", "status", "done", "team", "event", "report", "requests", "change", "help"
]


@dataclass(frozen=True)
class InductionArgs:
    """`/induction VERB ...`: coordinators' verbs, and `change` for mentors and mentees."""

    verb: InductionVerb
    people: tuple[str, ...] = ()
    on: date | None = None
    reason: str | None = None
    milestone: str | None = None
    add: bool = True
    override: bool = False  # assign past the caseload cap, confirmed
    move_entries: bool = False  # assign: move the ended pair's later entries to the new mentor
    rest: str = ""  # `event`: the words after it, read by bot/domain/grammar/event_text.py


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


def _parse_assign(rest: list[str]) -> InductionArgs:
    """`assign @mentor @mentee [DATE] [override] [move-entries]`; a part that doesn't fit is
    named."""
    override = any(t.lower() == "override" for t in rest)
    move_entries = any(t.lower() == MOVE_ENTRIES for t in rest)
    rest = [t for t in rest if t.lower() not in ("override", MOVE_ENTRIES)]
    rest, on = _split_date(rest)
    people = [t for t in rest if PERSON.match(t)]
    others = [t for t in rest if not PERSON.match(t)]
    example = "/induction assign @mentor @mentee"
    for token in others:
        if UNLINKED_MENTION.match(token):
            raise unlinked_error(token, example)
        if OTHER_DATE.match(token) and on is None:
            raise _not_a_date(token, "start date", f"{example} 2026-09-14")
    if len(people) != 2 or others:
        understood = (
            f". I understood the mentor {people[0]} and the mentee {people[1]}, "
            f"but not {' '.join(others)!r}."
            if len(people) == 2
            else f" (I found {len(people)} people)."
        )
        raise UsageError("`assign` needs the mentor, then the mentee" + understood, example)
    return InductionArgs(
        verb="assign", people=tuple(people), on=on, override=override, move_entries=move_entries
    )


def _parse_change(rest: list[str]) -> InductionArgs:
    """`change [@person] [reason…]`: the other side of the pair (optional when there is one),
    then the reason as typed (Slack's `&amp;` `&lt;` `&gt;` read back as the characters)."""
    example = "/induction change @person our schedules never line up"
    if rest and UNLINKED_MENTION.match(rest[0]):
        raise unlinked_error(rest[0], example)
    people = tuple(rest[:1]) if rest and PERSON.match(rest[0]) else ()
    words = rest[len(people) :]
    reason = " ".join(words).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return InductionArgs(verb="change", people=people, reason=reason or None)


def parse_induction(text: str) -> InductionArgs:
    """Parse `/induction` arguments."""
    tokens = split_tokens(text)
    if not tokens or tokens[0].lower() in ("help", "?", "-h", "--help"):
        return InductionArgs(verb="help")
    verb = tokens[0].lower()
    rest = tokens[1:]
    if verb == "assign":
        return _parse_assign(rest)
    if verb == "unassign":
        rest, on = _split_date(rest)
        example = "/induction unassign @mentee schedule conflict"
        if rest and UNLINKED_MENTION.match(rest[0]):
            raise unlinked_error(rest[0], example)
        if rest and OTHER_DATE.match(rest[0]):
            raise _not_a_date(rest[0], "end date", "/induction unassign @mentee 2026-11-16 moved")
        if not rest or not PERSON.match(rest[0]):
            raise UsageError(
                "`unassign` needs the mentee first, then an optional reason.",
                "/induction unassign @mentee schedule conflict",
            )
        reason = " ".join(rest[1:]) or None
        return InductionArgs(verb="unassign", people=(rest[0],), on=on, reason=reason)
    if verb == "status":
        if len(rest) == 1 and UNLINKED_MENTION.match(rest[0]):
            raise unlinked_error(rest[0], "/induction status @jane")
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
        if people and UNLINKED_MENTION.match(people[0]):
            raise unlinked_error(people[0], "/induction done orientation @jane")
        if len(people) > 1 or (people and not PERSON.match(people[0])):
            raise UsageError("`done` takes one @person.", "/induction done orientation @jane")
        return InductionArgs(verb="done", milestone=rest[0].lower(), people=tuple(people), on=on)
    if verb == "team":
        usage = "/induction team @mentee add @evaluator"
        for token in rest[:1] + rest[2:3]:
            if UNLINKED_MENTION.match(token):
                raise unlinked_error(token, usage)
        if len(rest) != 3 or not PERSON.match(rest[0]) or not PERSON.match(rest[2]):
            raise UsageError("`team` needs the mentee, add or remove, and the person.", usage)
        action = rest[1].lower()
        if action not in ("add", "remove"):
            raise UsageError(f"Say add or remove, not {rest[1]!r}.", usage)
        return InductionArgs(verb="team", people=(rest[0], rest[2]), add=action == "add")
    if verb == "event":
        if not rest or (len(rest) == 1 and rest[0].lower() in ("help", "?")):
            return InductionArgs(verb="help")
        return InductionArgs(verb="event", rest=" ".join(rest))
    if verb == "report":
        return InductionArgs(verb="report")
    if verb == "requests":
        if rest:
            raise UsageError("`requests` takes nothing more.", "/induction requests")
        return InductionArgs(verb="requests")
    if verb == "change":
        return _parse_change(rest)
    raise UsageError(
        f"I don't know `{tokens[0]}`. Try one of: {', '.join(INDUCTION_VERBS)}.",
        "/induction status",
    )
