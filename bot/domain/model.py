"""Value types shared by rules, services and views (pure: no store, no Slack)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

from bot.domain.grammar import ParseError
from bot.domain.ledger import NO_PAIR_TIME, ZERO, PairSummary, ProgramYear, ScopeSummary, Totals
from bot.domain.pacing import Pace
from bot.domain.policy import Standard

if TYPE_CHECKING:  # bot.domain.standards builds on Member: imported for the annotation only
    from bot.domain.standards import Coverage

Period = Literal["week", "month", "year"]
PERIODS: tuple[Period, ...] = ("week", "month", "year")


@dataclass(frozen=True)
class Member:
    """A person as the rules see them: identity, placement and this year's roles."""

    id: int
    email: str
    name: str
    school: str | None
    subject: str | None
    grade: str | None
    educator_type: str | None
    license: str | None
    hire_date: date | None
    slack_user_id: str | None
    active: bool
    roles: frozenset[str]
    # The school year that was their induction year as the roster said; None: from hire_date.
    induction_school_year: str | None = None

    def has(self, *roles: str) -> bool:
        """True when the person holds any of these roles."""
        return any(role in self.roles for role in roles)

    @property
    def is_coordinator(self) -> bool:
        """Coordinators may act for anyone in the program."""
        return "coordinator" in self.roles

    @property
    def is_beginning(self) -> bool:
        """A beginning teacher or administrator (mentor assignment is required)."""
        return (self.educator_type or "").startswith("beginning_")

    @property
    def mention(self) -> str:
        """A Slack mention when the Slack id is known, else the name."""
        return f"<@{self.slack_user_id}>" if self.slack_user_id else self.name


# ---- /logmeeting ------------------------------------------------------------------------------


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
    weekly_target: int = 60

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


# ---- /hours -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairTotals:
    """One mentor ↔ mentee pair as `/hours` lists it."""

    mentor: Member
    mentee: Member
    started_on: date
    ended_on: date | None
    totals: PairSummary = NO_PAIR_TIME

    def minutes(self, period: Period) -> int:
        """Pair time in the chosen period."""
        return self.totals.period(period).minutes

    @property
    def week(self) -> int:
        """Pair time this week."""
        return self.totals.week.minutes

    @property
    def month(self) -> int:
        """Pair time this month."""
        return self.totals.month.minutes

    @property
    def year(self) -> int:
        """Pair time this program year."""
        return self.totals.year.minutes

    @property
    def since_start(self) -> int:
        """Pair time since the pair began (every program year)."""
        return self.totals.since_start.minutes

    @property
    def observations(self) -> int:
        """Observations this program year."""
        return self.totals.year.observations

    @property
    def last_contact(self) -> date | None:
        """The latest day the pair logged time together."""
        return self.totals.last_contact


@dataclass(frozen=True)
class HoursReport:
    """What `/hours` shows one viewer: the scope's totals and its first pairs in detail."""

    viewer: Member
    scope: str
    period: Period
    period_start: date
    today: date
    weekly_target: int
    pairs: tuple[PairTotals, ...]  # at most MAX_PAIRS_SHOWN, in display order
    pair_count: int
    summary: ScopeSummary
    year: ProgramYear | None = None
    # Listed mentees past their induction year: (their year, pair time toward the 50 hours).
    beyond: dict[int, tuple[int, int]] = field(default_factory=dict)
    year2_target: int = 0  # minutes: the 50 hours
    paces: dict[tuple[int, int], Pace] = field(default_factory=dict)  # against a paced minimum
    # Mentees under a policy's observation minimum: (observations so far, minimum, over years).
    observed: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    coverage: tuple[Coverage, ...] = ()  # a mentor's or mentee's own pairs: standards, counts

    def total(self, period: Period) -> int:
        """Pair time over every pair in scope in a period."""
        return self.summary.period(period).minutes

    @property
    def observations(self) -> int:
        """Observations this program year over every pair in scope."""
        return self.summary.year.observations

    @property
    def visits(self) -> int:
        """`observed` visits by mentees this program year over every pair in scope."""
        return self.summary.year.visits


# ---- assignments and milestones -----------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentResult:
    """What an assign or unassign did."""

    mentor: Member | None
    mentee: Member
    started_on: date | None
    ended: tuple[tuple[Member, date], ...] = ()  # previous mentors whose assignment closed
    unchanged: bool = False
    cancelled: tuple[tuple[Member, date], ...] = ()  # planned assignments removed, and their start
    today: date | None = None  # dates of another year show it
    caution: MentorCaution | None = None  # the mentor may not meet the mentor rules


@dataclass(frozen=True)
class PairRow:
    """An assignment as listed in a status."""

    assignment_id: int
    mentor: Member
    mentee: Member
    started_on: date
    ended_on: date | None
    end_reason: str | None


@dataclass(frozen=True)
class MenteeStatus:
    """A mentee's assignment state against the policy window."""

    mentee: Member
    mentor: Member | None
    assigned_on: date | None
    due: date
    days_overdue: int  # 0 when assigned or not yet due
    upcoming: tuple[Member, date] | None = None  # a mentor whose assignment begins later


@dataclass(frozen=True)
class StatusCounts:
    """The whole program's numbers, when a status lists only its first page."""

    mentees: int
    unassigned: int
    overdue: int
    mentors: int


@dataclass(frozen=True)
class ProgramStatus:
    """Everyone's assignment state, overdue first: the first page of mentees and mentors, and
    (in `counts`) how many there are in all."""

    program_name: str
    today: date
    mentees: tuple[MenteeStatus, ...]
    mentors: tuple[tuple[Member, int], ...]  # mentor and their active mentee count
    counts: StatusCounts | None = None  # None: `mentees` and `mentors` are everyone
    awaiting: tuple[MilestoneMark, ...] = ()  # reported milestones awaiting confirmation

    @property
    def unassigned(self) -> tuple[MenteeStatus, ...]:
        """Listed mentees with no mentor today."""
        return tuple(m for m in self.mentees if m.mentor is None)

    @property
    def overdue(self) -> tuple[MenteeStatus, ...]:
        """Listed mentees without a mentor past their assignment deadline."""
        return tuple(m for m in self.mentees if m.days_overdue > 0)

    @property
    def mentee_count(self) -> int:
        """Every mentee in the program, listed or not."""
        return self.counts.mentees if self.counts else len(self.mentees)

    @property
    def unassigned_count(self) -> int:
        """Every mentee without a mentor today."""
        return self.counts.unassigned if self.counts else len(self.unassigned)

    @property
    def overdue_count(self) -> int:
        """Every mentee without a mentor past the deadline."""
        return self.counts.overdue if self.counts else len(self.overdue)

    @property
    def mentor_count(self) -> int:
        """Every active mentor."""
        return self.counts.mentors if self.counts else len(self.mentors)


@dataclass(frozen=True)
class PersonStatus:
    """One person's roles and assignment history."""

    person: Member
    as_mentee: tuple[PairRow, ...]
    as_mentor: tuple[PairRow, ...]
    due: date | None
    milestones: tuple[MilestoneMark, ...] = ()  # marked for this person this school year


MENTOR_LICENCES = frozenset({"initial", "professional"})
MENTOR_YEARS = 3  # full years under an Initial/Professional licence (DOMAIN.md)


@dataclass(frozen=True)
class MentorCaution:
    """Why a mentor may not meet the mentor rules on an assignment's start (a warning only)."""

    untrained: bool  # no confirmed mentor training this school year
    licence: str | None = None  # the roster's licence, when neither Initial nor Professional
    years: int | None = None  # full years since the roster's hire date, when under MENTOR_YEARS
    caseload: int | None = None  # mentees on the start day, when over the policy's cap
    cap: int | None = None


def full_years(since: date, on: date) -> int:
    """Whole years from `since` to `on` (0 when `on` is earlier)."""
    years = on.year - since.year - ((on.month, on.day) < (since.month, since.day))
    return max(years, 0)


def mentor_caution(
    mentor: Member, trained: bool, on: date, caseload: int = 0, cap: int | None = None
) -> MentorCaution | None:
    """What the roster says against a mentor on a start date, or None when nothing does.

    A licence on the roster other than Initial or Professional (e.g. Provisional) is flagged;
    so is a hire date fewer than MENTOR_YEARS full years before the start — the roster holds no
    experience from elsewhere, so the coordinator checks. Blank values say nothing."""
    licence = (mentor.license or "").strip()
    bad_licence = licence if licence and licence.lower() not in MENTOR_LICENCES else None
    years = full_years(mentor.hire_date, on) if mentor.hire_date else None
    short = years if years is not None and years < MENTOR_YEARS else None
    over = caseload if cap is not None and caseload > cap else None
    if trained and bad_licence is None and short is None and over is None:
        return None
    return MentorCaution(not trained, bad_licence, short, over, cap if over else None)


@dataclass(frozen=True)
class CautionedAssignment:
    """An assignment whose mentor may not have met the mentor rules when it began."""

    mentor: Member
    mentee: Member
    started_on: date
    caution: MentorCaution


@dataclass(frozen=True)
class MarkedDone:
    """A milestone recorded as done: confirmed (a coordinator's mark or confirmation) or
    reported by the person it concerns or their mentor, awaiting a coordinator."""

    title: str
    person: Member | None
    done_on: date
    already: bool = False
    confirmed: bool = True
    marked_by: Member | None = None  # for a report: who reported it


@dataclass(frozen=True)
class MilestoneMark:
    """A milestone marked done: who marked it and when, and whether (by whom, when) it is
    confirmed."""

    key: str
    title: str
    person: Member | None  # None: the program
    done_on: date
    marked_by: Member | None
    marked_on: date  # the local day it was marked (the store keeps the instant)
    confirmed: bool
    confirmed_by: Member | None = None
    confirmed_on: date | None = None


@dataclass(frozen=True)
class TeamChange:
    """A support team after a change."""

    mentee: Member
    member: Member
    added: bool
    team: tuple[tuple[Member, str], ...]


# ---- pay --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayRow:
    """One person and basis of pay for a period (the contract's pay export columns)."""

    email: str
    name: str
    role: str
    basis: str  # "hourly" or "stipend"
    minutes: int  # mentor time in the period
    rate_cents: int  # per hour (hourly) or per program year (stipend)
    amount_cents: int


@dataclass(frozen=True)
class PayPeriod:
    """What `export pay` found for a period: the rows and what could not be paid, and why."""

    first: date
    last: date
    rows: tuple[PayRow, ...]
    notes: tuple[str, ...] = ()

    @property
    def total_cents(self) -> int:
        """The amount over every row."""
        return sum(row.amount_cents for row in self.rows)


# ---- surveys and exit tickets (report item g) ----------------------------------------------

CENTS = Decimal("0.01")
MIN_RESPONDENTS = 5  # no breakdown of fewer answers is ever shown
TOO_FEW = "too few answers to show"
SurveyKind = Literal["survey", "exit_ticket"]


def mean_of(values: Sequence[int]) -> Decimal | None:
    """The mean of answers on the 1–5 scale, to two decimals (half up); None when none."""
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(CENTS, rounding=ROUND_HALF_UP)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage to two decimals; None when there is nobody."""
    if denominator <= 0:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SurveyForm:
    """A survey as the person answering it sees it: its questions and the last day to answer."""

    survey_id: int
    title: str
    kind: SurveyKind
    questions: tuple[str, ...]
    comment: bool
    closes: date


@dataclass(frozen=True)
class QuestionMean:
    """One question's mean answer (None when too few answered to show it)."""

    number: int  # 1-based, as the survey lists them
    text: str
    mean: Decimal | None


@dataclass(frozen=True)
class SurveyResult:
    """One sending of a survey (or one exit ticket), in aggregate only: below MIN_RESPONDENTS
    answers, the count of answers, the rate and the means are all withheld."""

    name: str
    title: str
    kind: SurveyKind
    audience: str
    opens: date
    closes: date
    asked: int  # the audience: people the survey was sent to (the rate's denominator)
    answered: int | None  # the rate's numerator; None when too few to show
    questions: tuple[QuestionMean, ...]
    comments: int | None = None  # how many answers carry a comment; None when too few

    @property
    def shown(self) -> bool:
        """True when enough people answered for anything but the audience to be shown."""
        return self.answered is not None

    @property
    def rate(self) -> Decimal | None:
        """The response rate in percent (two decimals); None when hidden or nobody was asked."""
        return None if self.answered is None else percent(self.answered, self.asked)


@dataclass(frozen=True)
class SatisfactionSummary:
    """Report item (g) for a program year: every survey and exit ticket sent, in aggregate.
    `source` is "surveyed", or "none" with the `reason`."""

    year: str
    source: Literal["surveyed", "none"]
    reason: str | None
    surveys: tuple[SurveyResult, ...]

    @property
    def overall_rate(self) -> Decimal | None:
        """Answers over people asked, across the sendings whose results may be shown."""
        shown = [s for s in self.surveys if s.answered is not None]
        answered = sum(s.answered or 0 for s in shown)
        return percent(answered, sum(s.asked for s in shown)) if shown else None

    def report_item(self) -> ReportItem:
        """Item (g) of the annual report: one row per sending and question, in aggregate."""
        if self.source == "none":
            return ReportItem.missing(self.reason or "no surveys were sent")
        rows: list[dict[str, object]] = []
        notes: list[str] = []
        for s in self.surveys:
            rate = s.rate
            for q in s.questions:
                rows.append(
                    {
                        "survey": s.name,
                        "kind": s.kind,
                        "title": s.title,
                        "opened_on": s.opens.isoformat(),
                        "closes_on": s.closes.isoformat(),
                        "audience": s.audience,
                        "asked": s.asked,
                        "answered": s.answered,
                        "response_rate": None if rate is None else float(rate),
                        "question": q.text,
                        "mean": None if q.mean is None else float(q.mean),
                    }
                )
            if s.answered is None:
                notes.append(f"{s.title} (opened {s.opens}): {s.asked} asked; {TOO_FEW}.")
            else:
                means = "; ".join(f"“{q.text}” {q.mean}" for q in s.questions)
                notes.append(
                    f"{s.title} (opened {s.opens}): {s.answered} of {s.asked} answered "
                    f"({rate} %); mean (1–5): {means}."
                )
        overall = self.overall_rate
        attention = tuple(  # what a draft of the report still asks for: answers
            f"{s.rate} % of the {AUDIENCES.get(s.audience, s.audience)} asked answered {s.title}"
            if s.rate is not None
            else f"{s.title}: {TOO_FEW}"
            for s in self.surveys
            if s.rate is None or s.rate < WELL_ANSWERED
        )
        return ReportItem(
            value=None if overall is None else float(overall),
            source="surveyed",
            columns=SATISFACTION_COLUMNS,
            rows=tuple(rows),
            notes=tuple(notes),
            extra={"sendings": len(self.surveys), "min_respondents": MIN_RESPONDENTS},
            attention=attention,
        )


WELL_ANSWERED = 80  # percent: below it, the report's draft says how many answered
AUDIENCES = {"both": "mentees and mentors"}


SATISFACTION_COLUMNS = (
    "survey",
    "kind",
    "title",
    "opened_on",
    "closes_on",
    "audience",
    "asked",
    "answered",
    "response_rate",
    "question",
    "mean",
)


__all__ = [
    "MIN_RESPONDENTS",
    "PERIODS",
    "TOO_FEW",
    "ZERO",
    "AssignmentResult",
    "CautionedAssignment",
    "FormDefaults",
    "HoursReport",
    "LogOutcome",
    "LoggedEntry",
    "MarkedDone",
    "Member",
    "MenteeStatus",
    "MentorCaution",
    "MilestoneMark",
    "PairRow",
    "PairSummary",
    "PairTotals",
    "PayPeriod",
    "PayRow",
    "Period",
    "PersonStatus",
    "ProgramStatus",
    "QuestionMean",
    "ReportSource",
    "SatisfactionSummary",
    "ScopeSummary",
    "StatusCounts",
    "SurveyForm",
    "SurveyKind",
    "SurveyResult",
    "TeamChange",
    "Totals",
]


# ---- the annual report -----------------------------------------------------------------------

ItemSource = Literal["counted", "surveyed", "entered", "none"]


@dataclass(frozen=True)
class ReportSource:
    """Where a report item's figures come from (DESIGN.md "Annual report JSON"); `none` always
    says why."""

    kind: ItemSource
    reason: str | None = None


@dataclass(frozen=True)
class ReportItem:
    """An item of the annual report beside the ledger's (b)–(e): (a) activities, (f) hiring and
    retention, (g) satisfaction, (h) partnerships. `rows` is the complete list (JSON-ready
    values, one dict per row, keys in `columns` order); `notes` are plain sentences for the
    Markdown form. An item with nothing to show says why (`source` "none" and a `reason`)."""

    value: int | float | None
    source: ItemSource
    reason: str | None = None
    columns: tuple[str, ...] = ()
    rows: tuple[dict[str, object], ...] = ()
    notes: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)  # more JSON keys (summaries)
    attention: tuple[str, ...] = ()  # still incomplete, e.g. "38 % of mentees answered"

    @classmethod
    def missing(cls, reason: str) -> ReportItem:
        """An item with nothing recorded, and why."""
        return cls(None, "none", reason)


@dataclass(frozen=True)
class Readiness:
    """How far the annual report is from ready: its headline figures and what is missing."""

    year: str
    headlines: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def ready(self) -> bool:
        """True when every item is filled."""
        return not self.missing
