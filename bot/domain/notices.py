"""What the scheduler tells people, as records (pure): the services decide, the Slack layer
(`bot/slack/nudge_views.py`) renders, the outbox claims. Hours and counts only — never notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.deadlines import DueItem
from bot.domain.formatting import format_minutes
from bot.domain.ledger import ZERO, Totals
from bot.domain.members import Member
from bot.domain.milestones import MilestoneMark
from bot.domain.pacing import Pace
from bot.domain.report import Readiness
from bot.domain.standards import Coverage


@dataclass(frozen=True)
class Unreached:
    """Someone a job had a message for but could not reach: no Slack id on the roster."""

    person: Member
    missed: tuple[str, ...]  # what they would have been sent


@dataclass(frozen=True)
class DailyNudge:
    """One person's to-dos of the day: (item, may they mark it done, detail such as progress)."""

    recipient: Member
    items: tuple[tuple[DueItem, bool, str | None], ...]
    today: date
    reports: tuple[MilestoneMark, ...] = ()  # a coordinator's: reported done, to confirm
    unreached: tuple[Unreached, ...] = ()  # a coordinator's: people the jobs could not reach


@dataclass(frozen=True)
class AlertRow:
    """An unassigned beginning educator past the assignment deadline, with suggestions."""

    mentee: Member
    due: date
    days_overdue: int
    suggestions: tuple[tuple[Member, int], ...]  # mentor and their current mentee count
    untrained: frozenset[int] = frozenset()  # suggested mentors whose training isn't done yet


@dataclass(frozen=True)
class OverdueAlert:
    """The coordinators' overdue-assignment alert: every row, suggestions for the first ones."""

    rows: tuple[AlertRow, ...]
    today: date


@dataclass(frozen=True)
class DigestPair:
    """A cohort pair's week: minutes vs target, observations, last contact."""

    mentor: Member
    mentee: Member
    minutes: int
    observations: int
    last_contact: date | None
    quiet_school_days: int
    ended_on: date | None = None  # the pair ended during the week
    pace: Pace | None = None  # against the policy's paced minimum, as of the digest's day


@dataclass(frozen=True)
class Digest:
    """A lead mentor's weekly digest, as numbers (never notes)."""

    lead: Member
    cohort: str
    week: tuple[date, date]
    weekly_target: int | None  # None: the policy sets no weekly target (pairs show their pace)
    pairs: tuple[DigestPair, ...]
    no_contact_days: int
    unassigned: tuple[Member, ...]
    overdue: tuple[DueItem, ...]
    upcoming: tuple[DueItem, ...]
    today: date
    total: Totals = ZERO  # the cohort's week, every pair counted once
    met_target: int = 0  # pairs that met the weekly target (none set: on track for the pace)
    school_days: int = 5  # the week's school days: weekly_target is prorated by them
    coverage: tuple[Coverage, ...] = ()  # ongoing pairs' standards coverage (counts only)

    def met_text(self) -> str:
        """ "2 met the 1 h target (4 school days)", or under a policy without a weekly target
        "1 on track for this semester (12 h minimum)": the same words on Slack and by email."""
        if self.weekly_target is not None:
            short = f" ({self.school_days} school day{'' if self.school_days == 1 else 's'})"
            return f"{self.met_target} met the {format_minutes(self.weekly_target)} target" + (
                short if self.school_days < 5 else ""
            )
        paced = next((p.pace for p in self.pairs if p.pace is not None), None)
        if paced is None:
            return "no weekly target"
        return (
            f"{self.met_target} on track for {paced.period.label} "
            f"({format_minutes(paced.required)} minimum)"
        )


@dataclass(frozen=True)
class ContactNudge:
    """A mentor whose mentee has had no logged contact for a while."""

    mentor: Member
    mentee: Member
    last_contact: date | None
    school_days: int


@dataclass(frozen=True)
class ToReview:
    """An entry the other side of the pair logged, waiting for this person's word."""

    entry_id: int
    author: Member
    day: date
    minutes: int
    kind: str


@dataclass(frozen=True)
class ReviewRequest:
    """A person's entries to confirm or flag (hours and kinds, never notes)."""

    reviewer: Member
    entries: tuple[ToReview, ...]
    more: int  # beyond those listed


@dataclass(frozen=True)
class NextYearReminder:
    """A coordinator reminded, near the year's end, to start the next program year."""

    coordinator: Member
    year: str  # the year ending, "2026-27"
    following: str  # the year to start, "2027-28"
    last_day: date  # the ending year's last day


@dataclass(frozen=True)
class ReportDraft:
    """A coordinator's weekly draft of the annual report, from mid-June until it is filed."""

    coordinator: Member
    due: date
    readiness: Readiness


@dataclass(frozen=True)
class SurveyInvite:
    """A survey or exit ticket to answer (the DM carries an Answer button), or its reminder."""

    survey_id: int
    title: str
    kind: str  # "survey" or "exit_ticket"
    questions: int
    closes: date
    reminder: bool = False


@dataclass(frozen=True)
class SchoolMonth:
    """A school's pair time (its mentees' pairs) in each week of a month."""

    school: str | None
    minutes: tuple[int, ...]  # per week, in the order of MonthlySummary.weeks

    @property
    def total(self) -> int:
        """The school's minutes over the month."""
        return sum(self.minutes)


@dataclass(frozen=True)
class BehindPair:
    """A pair whose month fell short of its share of the weekly target."""

    mentor: Member
    mentee: Member
    minutes: int
    target: int  # the weekly target prorated over the school days the pair was active


@dataclass(frozen=True)
class MonthlySummary:
    """A coordinator's summary of the month gone: hours by school and week (kept totals) and
    who is behind the target. Hours and names only, never notes."""

    coordinator: Member
    program: str
    month: tuple[date, date]
    weeks: tuple[date, ...]  # the first day of each week (its part in the month), in order
    schools: tuple[SchoolMonth, ...]
    total: int  # every pair's minutes in the month (the program's kept total)
    pairs: int  # pairs active during the month
    target: int  # a whole month's share of the weekly target (or of the paced minimum)
    behind: tuple[BehindPair, ...]
    # what the target is a share of: the weekly target, or under a policy without one its
    # paced minimum ("12 h minimum per semester")
    measure: str = "weekly target"


Content = (
    DailyNudge
    | OverdueAlert
    | Digest
    | ContactNudge
    | NextYearReminder
    | ReportDraft
    | ReviewRequest
    | SurveyInvite
    | MonthlySummary
)


@dataclass(frozen=True)
class Nudge:
    """A message to send once: the outbox's natural key and what it says."""

    rule: str
    recipient: str  # a Slack user id ("" when they have none: then by email, see `person`)
    subject: str
    period: str
    content: Content
    person: Member | None = None  # who it is for: the outbox routes by how they are reached
