"""What `/logmeeting` and the log form work with: a stored entry, the outcome, the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.grammar import ParseError
from bot.domain.ledger import NO_PAIR_TIME, PairSummary
from bot.domain.members import Member
from bot.domain.policy import Standard

# After a pair ends, its mentor may still change (Edit, Undo) the entries they logged for this
# many days; the entries stay listed on their Home until then.
CHANGE_DAYS_AFTER_END = 14


@dataclass(frozen=True)
class LoggedEntry:
    """One stored entry, with its pair's totals after it."""

    id: int
    mentor: Member
    mentee: Member
    occurred_on: date
    minutes: int
    kind: str
    notes: str | None
    pair: PairSummary = NO_PAIR_TIME
    observed: Member | None = None
    today: date | None = None  # dates of another year show it

    @property
    def week_minutes(self) -> int:
        """The pair's time this week, after this entry."""
        return self.pair.week.minutes

    @property
    def year_minutes(self) -> int:
        """The pair's time this program year, after this entry."""
        return self.pair.year.minutes

    @property
    def year_visits(self) -> int:
        """The mentee's `observed` visits this program year with this mentor's pair."""
        return self.pair.year.visits


@dataclass(frozen=True)
class LogOutcome:
    """What `/logmeeting` did: entries stored, or a question/refusal and nothing stored."""

    logger: Member | None
    text: str
    entries: tuple[LoggedEntry, ...] = ()
    batch_id: str | None = None
    error: ParseError | None = None
    choices: tuple[Member, ...] = ()  # for an ambiguous mentee
    weekly_target: int | None = 60  # None: the policy sets no weekly target

    @property
    def ok(self) -> bool:
        """True when entries were stored."""
        return bool(self.entries)


@dataclass(frozen=True)
class FormDefaults:
    """What the log form is prefilled with."""

    mentees: tuple[Member, ...]
    any_mentee: bool  # coordinators pick anyone
    occurred_on: date
    minutes: int | None = None
    kind: str = "meeting"
    notes: str | None = None
    mentee_id: int | None = None
    school_year_start: date | None = None
    standards: tuple[Standard, ...] = ()  # the program's, offered by a new entry's form
    chosen_standards: tuple[str, ...] = ()
