"""Records built by hand for the pure view tests: members, a pair's totals, an /hours report —
long names included, as the store keeps them."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.hours import HoursReport, PairTotals
from bot.domain.ledger import PairSummary, ScopeSummary, Totals, total
from bot.domain.members import Member
from bot.services.hours import MAX_PAIRS_SHOWN

LONG = "Ł" * 200  # the longest name the store keeps, with a non-ASCII letter


def person(
    pid: int,
    name: str,
    roles: set[str],
    *,
    school: str | None = "Lincoln Elementary",
    educator_type: str | None = None,
    active: bool = True,
) -> Member:
    return Member(
        id=pid,
        email=f"person{pid}@hillside.example",
        name=name,
        school=school,
        subject="Mathematics",
        grade="4",
        educator_type=educator_type,
        license="Initial",
        hire_date=date(2026, 8, 24),
        slack_user_id=f"U0P{pid}",
        active=active,
        roles=frozenset(roles),
    )


COORDINATOR = person(1, "Cora Coordinator", {"coordinator"}, school=None)
MIA = person(5, "Mia Mentor", {"mentor"})
LEE = person(6, "Lee Lead", {"mentor", "lead_mentor"})
BEA = person(7, "Bea Beginner", {"mentee"}, educator_type="beginning_teacher")
PAT = person(8, "Pat Principal", {"evaluator"})


def pair(i: int, *, long_names: bool = False, ended: bool = False) -> PairTotals:
    mentor_name = f"{LONG[:190]} Mentor {i}" if long_names else f"Mentor {i}"
    mentee_name = f"{LONG[:190]} Mentee {i}" if long_names else f"Mentee {i}"
    return PairTotals(
        mentor=person(1000 + i, mentor_name, {"mentor"}),
        mentee=person(2000 + i, mentee_name, {"mentee"}, educator_type="beginning_teacher"),
        started_on=date(2026, 8, 31),
        ended_on=date(2026, 11, 2) if ended else None,
        totals=PairSummary(
            week=Totals(minutes=i * 7 % 130),
            month=Totals(minutes=i * 31),
            year=Totals(minutes=i * 301, observations=i % 4),
            since_start=Totals(minutes=i * 307, last_contact=date(2026, 11, 17) if i % 3 else None),
        ),
    )


def hours(pairs: list[PairTotals], period: Any = "week", viewer: Member = COORDINATOR, scope: str = "Whole program") -> HoursReport:  # fmt: skip
    return HoursReport(
        viewer=viewer,
        scope=scope,
        period=period,
        period_start=date(2026, 11, 16),
        today=date(2026, 11, 18),
        weekly_target=60,
        pairs=tuple(pairs[:MAX_PAIRS_SHOWN]),
        pair_count=len(pairs),
        summary=ScopeSummary(
            week=total(p.totals.week for p in pairs),
            month=total(p.totals.month for p in pairs),
            year=total(p.totals.year for p in pairs),
        ),
    )
