"""The Home tab as records (pure): what each of a person's roles shows, read by
`bot/services/home.py` and rendered by `bot/slack/home_views.py`.

Notes travel only in `HomeEntry.notes`, and only the mentor and mentee sections carry entries:
the cohort, the school and the coordinator's sections are hours and counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.hours import HoursReport
from bot.domain.ledger import ProgramYear
from bot.domain.members import Member
from bot.domain.notices import AlertRow, Digest
from bot.domain.pacing import Pace
from bot.domain.pay import PayPeriod
from bot.domain.report import Readiness
from bot.domain.standards import Coverage


@dataclass(frozen=True)
class HomeEntry:
    """A log entry as a Home lists it; `notes` only for the pair (and the author)."""

    id: int
    batch_id: str | None  # Undo removes the whole batch (one /logmeeting or form)
    batch_size: int  # entries in the batch (a group session names several mentees)
    mentor: Member
    mentee: Member
    occurred_on: date
    minutes: int
    kind: str
    notes: str | None
    logged_by_mentee: bool = False  # a mentee's own `observed` visit
    to_review: bool = False  # the other side of the pair logged it; the viewer hasn't reviewed


@dataclass(frozen=True)
class MentorSection:
    """A mentor's pairs against this week's target, and the entries they may change."""

    hours: HoursReport  # the mentor's own pairs (never a lead mentor's whole school)
    entries: tuple[HomeEntry, ...]  # the latest they logged, newest first
    coverage: tuple[Coverage, ...] = ()  # standards coverage of their pairs (counts only)


@dataclass(frozen=True)
class MilestoneLine:
    """One milestone the regulation sets for a mentee: when it is due and whether it is done."""

    title: str
    due: date | None
    done_on: date | None
    confirmed: bool = False  # a report by the mentee or mentor awaits a coordinator


@dataclass(frozen=True)
class Year2Progress:
    """Pair time toward the hours beyond the induction year (the 50 hours under `ma`)."""

    minutes: int
    target_minutes: int


@dataclass(frozen=True)
class MenteeSection:
    """A mentee's pairs, their collaborative log (their own pairs' notes), milestones and
    progress beyond the induction year."""

    hours: HoursReport
    entries: tuple[HomeEntry, ...]  # newest first
    entry_count: int  # every entry of the program year (the list is capped)
    milestones: tuple[MilestoneLine, ...]
    year2: Year2Progress | None  # None: in the induction year, or the rule doesn't apply
    assignment_id: int | None  # the current assignment: "Request a change" carries it
    coverage: tuple[Coverage, ...] = ()  # standards coverage of their pairs (counts only)


@dataclass(frozen=True)
class ParkedLine:
    """A DM the outbox could not deliver and holds for review (no message text)."""

    id: int
    rule: str
    recipient: str  # the recipient's name, else their Slack id
    period: str
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class BehindPair:
    """A pair behind the program's pace (hours only)."""

    mentor: Member
    mentee: Member
    pace: Pace


@dataclass(frozen=True)
class BehindPace:
    """The pairs behind the program's pace today, furthest behind first (the first few)."""

    pace: Pace  # the pace itself, nothing done: its period, required and expected minutes
    pairs: tuple[BehindPair, ...]
    count: int  # every pair behind
    active: int  # every pair assigned today


@dataclass(frozen=True)
class CoordinatorSection:
    """Unassigned educators with suggestions, parked DMs, the report's readiness, pay."""

    unassigned: tuple[AlertRow, ...]  # overdue first; days_overdue 0 = not due yet
    parked: tuple[ParkedLine, ...]
    parked_count: int
    readiness: Readiness  # the annual report's headline figures and what is still missing
    pay: PayPeriod | None  # this month so far
    pay_refusal: str | None = None  # why no pay period could be read (e.g. outside the year)
    behind: BehindPace | None = None  # None: the policy sets no pace (or none is owed today)


@dataclass(frozen=True)
class Home:
    """Everything one person's Home shows: a section per role they hold."""

    viewer: Member
    program_name: str
    today: date
    year: ProgramYear
    mentor: MentorSection | None = None
    mentee: MenteeSection | None = None
    cohort: Digest | None = None  # a lead mentor's digest of this week so far
    school: HoursReport | None = None  # an evaluator's school: hours and counts
    coordinator: CoordinatorSection | None = None
