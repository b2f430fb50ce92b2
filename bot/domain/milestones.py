"""Milestones marked done, reported and confirmed; support-team changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.members import Member


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
