"""Assignments as the rules see them: what an assign did, the program's and a person's status,
and the mentor rules a coordinator is warned about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.members import Member
from bot.domain.milestones import MilestoneMark
from bot.domain.policy import MentorRule
from bot.domain.reach import Reach

TRAINED = MentorRule(text="trained")  # the least mentor rule: training, which every policy asks

# The word that moves a reassigned pair's later entries to the new mentor (`/induction assign
# … move-entries`, `assign --move-entries`): without it, such a reassignment is refused.
MOVE_ENTRIES = "move-entries"


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
    moved: int = 0  # entries of the ended pair moved to the new mentor (`move-entries`)


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
    reach: Reach | None = None  # how notifications reach them (Slack, email, or not: why)


@dataclass(frozen=True)
class MentorCaution:
    """Why a mentor may not meet the mentor rules on an assignment's start (a warning only)."""

    untrained: bool  # no confirmed mentor training this school year
    licence: str | None = None  # the roster's licence, when not one the rule names
    years: int | None = None  # full years since the roster's hire date, when under the rule's
    caseload: int | None = None  # mentees on the start day, when over the policy's cap
    cap: int | None = None
    rule: MentorRule = TRAINED  # the policy's mentor rule, as it says it


def full_years(since: date, on: date) -> int:
    """Whole years from `since` to `on` (0 when `on` is earlier)."""
    years = on.year - since.year - ((on.month, on.day) < (since.month, since.day))
    return max(years, 0)


def mentor_caution(
    mentor: Member,
    trained: bool,
    on: date,
    caseload: int = 0,
    cap: int | None = None,
    *,
    rule: MentorRule,
) -> MentorCaution | None:
    """What the roster says against a mentor on a start date under the policy's mentor rule,
    or None when nothing does.

    A licence on the roster other than those the rule names (Massachusetts: Initial or
    Professional) is flagged; so is a hire date fewer full years before the start than the rule
    asks — the roster holds no experience from elsewhere, so the coordinator checks. Blank
    values, and parts the rule does not set, say nothing."""
    licence = (mentor.license or "").strip()
    bad_licence = (
        licence if rule.licences and licence and licence.lower() not in rule.licences else None
    )
    years = full_years(mentor.hire_date, on) if mentor.hire_date else None
    short = years if rule.years is not None and years is not None and years < rule.years else None
    over = caseload if cap is not None and caseload > cap else None
    if trained and bad_licence is None and short is None and over is None:
        return None
    return MentorCaution(not trained, bad_licence, short, over, cap if over else None, rule)


@dataclass(frozen=True)
class CautionedAssignment:
    """An assignment whose mentor may not have met the mentor rules when it began."""

    mentor: Member
    mentee: Member
    started_on: date
    caution: MentorCaution
