"""What `/hours` shows: a pair's totals and a viewer's report over a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.domain.ledger import NO_PAIR_TIME, PairSummary, ProgramYear, ScopeSummary
from bot.domain.members import Member
from bot.domain.months import Month
from bot.domain.pacing import Pace
from bot.domain.standards import Coverage

Period = Literal["week", "month", "year"]
PERIODS: tuple[Period, ...] = ("week", "month", "year")


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
    weekly_target: int | None  # None: the policy sets no weekly target (see `paces`)
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
    month: Month | None = None  # a past month named (`/hours october`): its totals, `today` its end

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
