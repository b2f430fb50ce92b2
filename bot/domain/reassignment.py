"""Hold-harmless reassignment requests as values (pure): a mentor or mentee asks for a change of
their pairing; only coordinators see the request and answer it (603 CMR 7.12, docs/domain.md).

The services return these records; the Slack layer (`bot/slack/request_views.py`) renders them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.domain.assignments import AssignmentResult
from bot.domain.members import Member

REASON_MAX = 1000  # characters of a requester's reason (a paragraph, not a file)
NOTE_MAX = 1000  # characters of a coordinator's note when declining
END_REASON = "reassigned on request"  # the ended assignment's reason, for coordinators' history

Status = Literal["open", "reassigned", "declined", "withdrawn"]
Action = Literal["asked", "reassigned", "declined", "withdrawn"]


@dataclass(frozen=True)
class PairOption:
    """One of the asker's active pairs: the assignment and the person on its other side."""

    assignment_id: int
    mentor: Member
    mentee: Member
    started_on: date

    def other_than(self, person_id: int) -> Member:
        """The other side of the pair, seen from `person_id`."""
        return self.mentee if self.mentor.id == person_id else self.mentor


@dataclass(frozen=True)
class RequestForm:
    """What the request form offers the asker: their active pairs (one or several)."""

    asker: Member
    pairs: tuple[PairOption, ...]
    chosen: int | None = None  # an assignment id the button named


@dataclass(frozen=True)
class ChangeRequest:
    """A request for a change of pairing, as coordinators see it (the reason included)."""

    id: int
    requester: Member
    pair: PairOption
    reason: str | None
    asked_at: datetime
    asked_on: date  # the local day it was asked
    status: Status
    today: date  # for dates shown relative to it
    answered_by: Member | None = None
    answered_on: date | None = None  # the local day it was answered

    @property
    def requester_role(self) -> str:
        """ "mentor" or "mentee": the side of the pair that asked."""
        return "mentor" if self.pair.mentor.id == self.requester.id else "mentee"

    @property
    def other(self) -> Member:
        """The side of the pair that did not ask (and never learns of the request)."""
        return self.pair.other_than(self.requester.id)


@dataclass(frozen=True)
class ReassignChoice:
    """The Reassign form: the request and the mentors suggested for the pair's mentee."""

    request: ChangeRequest
    suggestions: tuple[tuple[Member, int], ...]  # mentor and their current mentee count
    untrained: frozenset[int] = frozenset()
    entries_today: int = 0  # the pair's entries dated today: the new pair would strand them


@dataclass(frozen=True)
class RequestAnswer:
    """How a coordinator answered: reassigned (to `new_mentor` from `on`) or declined (`note`)."""

    request: ChangeRequest
    outcome: Literal["reassigned", "declined"]
    by: Member
    note: str | None = None
    new_mentor: Member | None = None
    on: date | None = None
    assignment: AssignmentResult | None = None  # what reassigning did (ended, cautions)


@dataclass(frozen=True)
class CoordinatorAlert:
    """The DM to one coordinator: a new request, with Reassign and Decline."""

    coordinator: Member
    request: ChangeRequest


@dataclass(frozen=True)
class RequesterNotice:
    """The DM to the requester: how their request was answered."""

    answer: RequestAnswer


RequestNotice = CoordinatorAlert | RequesterNotice


def reason_problem(text: str | None, limit: int = REASON_MAX, what: str = "reason") -> str | None:
    """Why a reason (or note) can't be taken as written, or None when it can."""
    if text is not None and len(text) > limit:
        return (
            f"Your {what} is {len(text):,} characters long; please keep it under {limit:,} "
            "(a few sentences are plenty)."
        )
    return None


def shown_end_reason(reason: str | None) -> str | None:
    """An assignment's end reason as a record outside the coordinators' own views shows it:
    that a change was asked for is confidential, so a pair reassigned on request reads as
    reassigned."""
    return "reassigned" if reason == END_REASON else reason


def clean_text(text: str | None) -> str | None:
    """Surrounding blanks removed; None when nothing is left."""
    stripped = (text or "").strip()
    return stripped or None
