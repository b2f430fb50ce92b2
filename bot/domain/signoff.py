"""Sign-off before pay (pure): the periods a sign-off role signs (a month, or any pay period),
the locks they place on the log, and `/induction signoff|reopen` as typed.

A signed-off period is locked for its scope — one school (the mentee's) or the whole program:
an entry dated in it can't be logged, undone or edited until a coordinator reopens it with a
reason. Who signed, when, who reopened and why are kept; signing again makes a new lock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.calendar import EARLIEST_DAY, LATEST_DAY, in_calendar_range
from bot.domain.formatting import format_day, format_day_long
from bot.domain.members import Member

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\.|/|_to_)(\d{4}-\d{2}-\d{2})$")
MAX_REASON = 500
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
OUT_OF_RANGE = (
    f"{{token}} is outside the dates the program works with ({EARLIEST_DAY} to {LATEST_DAY}): "
    "give a month like 2027-03."
)
SIGN_OFF_EXAMPLE = "/induction signoff 2027-03 Lincoln"
REOPEN_EXAMPLE = "/induction reopen 2027-03 Lincoln a late observation to add"


class PeriodError(ValueError):
    """Text that names no period; the message says what was understood."""


@dataclass(frozen=True)
class Period:
    """A stretch of days signed off together: a month or a pay period."""

    first: date
    last: date

    @property
    def is_month(self) -> bool:
        """True when the period is one whole calendar month."""
        following = self.last + timedelta(days=1)
        return self.first.day == 1 and following == _next_month(self.first)

    @property
    def label(self) -> str:
        """ "March 2027", or "Mon 1 Mar 2027 – Mon 15 Mar 2027"."""
        if self.is_month:
            return f"{MONTH_NAMES[self.first.month - 1]} {self.first.year}"
        return f"{format_day_long(self.first)} – {format_day_long(self.last)}"

    @property
    def key(self) -> str:
        """How commands name it: "2027-03" or "2027-03-01..2027-03-15"."""
        if self.is_month:
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def _next_month(first: date) -> date:
    return (first.replace(day=1) + timedelta(days=32)).replace(day=1)


def parse_period(text: str) -> Period:
    """A month ("2027-03") or a range of days ("2027-03-01..2027-03-15")."""
    token = text.strip()
    month = MONTH.match(token)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12:
            raise PeriodError(f"{token} is not a month like 2027-03.")
        if not EARLIEST_DAY.year <= year <= LATEST_DAY.year:
            raise PeriodError(OUT_OF_RANGE.format(token=token))
        first = date(year, number, 1)
        return Period(first, _next_month(first) - timedelta(days=1))
    span = RANGE.match(token)
    if span:
        try:
            first, last = date.fromisoformat(span.group(1)), date.fromisoformat(span.group(2))
        except ValueError:
            raise PeriodError(f"{token} holds a date that does not exist.") from None
        if last < first:
            raise PeriodError(f"The period ends ({last}) before it starts ({first}).")
        if not (in_calendar_range(first) and in_calendar_range(last)):
            raise PeriodError(OUT_OF_RANGE.format(token=token))
        return Period(first, last)
    raise PeriodError(
        f"I can't read {token!r} as a period: give a month like 2027-03 or days like "
        "2027-03-01..2027-03-15."
    )


@dataclass(frozen=True)
class Lock:
    """A signed-off period in force (not reopened)."""

    id: int
    period: Period
    school: str | None  # None: the whole program
    signed_by: str  # name
    signed_on: date

    @property
    def scope(self) -> str:
        """Whom it covers, in words."""
        return self.school or "the whole program"


def lock_covering(locks: list[Lock], day: date, school: str | None) -> Lock | None:
    """The lock in force over an entry dated `day` of a mentee at `school`, if any."""
    for lock in locks:
        if lock.period.first <= day <= lock.period.last and (
            lock.school is None or (school or "").casefold() == lock.school.casefold()
        ):
            return lock
    return None


def locked_message(lock: Lock, day: date, action: str) -> str:
    """Why a change to an entry dated `day` is refused, and who can reopen the period."""
    school = f" {lock.school}" if lock.school else ""
    return (
        f"{format_day(day)} is in {lock.period.label}, signed off for {lock.scope} by "
        f"{lock.signed_by} on {format_day_long(lock.signed_on)}: nothing dated in it can be "
        f"{action}. A coordinator can reopen it: `/induction reopen {lock.period.key}{school} "
        "reason`."
    )


def already_signed(lock: Lock) -> str:
    """Why a second sign-off of the same period and scope stores nothing."""
    return (
        f"{lock.period.label} is already signed off for {lock.scope} by {lock.signed_by} on "
        f"{format_day_long(lock.signed_on)}: nothing changed."
    )


@dataclass(frozen=True)
class FlaggedEntry:
    """A flagged entry as the signer sees it: who, when, how long — not its notes or reason."""

    mentor: str
    mentee: str
    day: date
    minutes: int


@dataclass(frozen=True)
class SignOffPreview:
    """What a period holds before it is signed: entries, and those not confirmed or flagged."""

    period: Period
    school: str | None
    entries: int
    confirmed: int
    flagged: tuple[FlaggedEntry, ...] = field(default_factory=tuple)
    flagged_count: int = 0

    @property
    def unconfirmed(self) -> int:
        """Entries nobody confirmed or flagged yet."""
        return self.entries - self.confirmed - self.flagged_count

    @property
    def scope(self) -> str:
        """Whom it covers, in words."""
        return self.school or "the whole program"


@dataclass(frozen=True)
class Review:
    """An entry confirmed or flagged, and whom to tell."""

    entry_id: int
    verdict: str
    reason: str | None
    author: Member
    reviewer: Member
    day: date
    minutes: int


@dataclass(frozen=True)
class SignOffArgs:
    """`/induction signoff PERIOD [SCHOOL]` or `/induction reopen PERIOD [SCHOOL] REASON`."""

    verb: str  # "signoff" | "reopen"
    period: Period
    rest: str  # the school (and, for reopen, the reason) as typed; split against the roster


def parse_signoff(text: str) -> SignOffArgs | None:
    """The command when its verb is signoff or reopen; None for other verbs. PeriodError when
    the period can't be read."""
    words = text.split()
    if not words or words[0].lower() not in ("signoff", "sign-off", "reopen"):
        return None
    verb = "reopen" if words[0].lower() == "reopen" else "signoff"
    example = REOPEN_EXAMPLE if verb == "reopen" else SIGN_OFF_EXAMPLE
    if len(words) < 2:
        raise PeriodError(f"`{verb}` needs a period first. Try: `{example}`")
    try:
        period = parse_period(words[1])
    except PeriodError as exc:
        raise PeriodError(f"{exc} Try: `{example}`") from None
    return SignOffArgs(verb, period, " ".join(words[2:]))


def split_school(rest: str, schools: list[str]) -> tuple[str | None, str]:
    """The school `rest` begins with (the longest roster school that fits, any case) and what
    follows it; (None, rest) when it names none ("all" or "program" also mean the program)."""
    text = rest.strip()
    lowered = text.casefold()
    for word in ("all", "program", "the whole program"):
        if lowered == word or lowered.startswith(word + " "):
            return None, text[len(word) :].strip()
    for school in sorted(schools, key=len, reverse=True):
        name = school.casefold()
        if lowered == name or lowered.startswith(name + " "):
            return school, text[len(school) :].strip()
    return None, text
