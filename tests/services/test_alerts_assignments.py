"""Assignments at their edges (bot/services/assignments.py, log_access.mentor_on): one rule for
the end day — an assignment covers its first and last day, and a reassignment starting on D ends
the old one on D-1 (the same day only when the old one began that day: the newer wins) — and a
future assignment can be cancelled before it begins."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.bootstrap import Services
from bot.services.errors import Refusal
from bot.services.log_access import mentor_on
from bot.slack import views
from bot.store.models.core import Assignment
from tests.support.hillside import BEA, LEE, MAX, MIA, NIA, NOW

TUE_17, WED_18 = date(2026, 11, 17), date(2026, 11, 18)


def rows(services: Services, mentee_id: int) -> list[tuple[int, date, date | None]]:
    with services.store.read() as session:
        found = session.scalars(
            select(Assignment).where(Assignment.mentee_id == mentee_id).order_by(Assignment.id)
        )
        return [(a.mentor_id, a.started_on, a.ended_on) for a in found]


def mentor_that_day(services: Services, mentee_id: int, day: date) -> int | None:
    with services.store.read() as session:
        return mentor_on(session, mentee_id, day)


def test_a_reassignment_ends_the_old_pair_the_day_before(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    """Reassigning on Wed 18 Nov: Lee's pair ends Tue 17 Nov, and each mentor may log exactly
    the days their assignment shows."""
    result = services.assignments.assign(None, MIA, BEA, WED_18, NOW)
    assert [(m.email, d) for m, d in result.ended] == [(LEE, TUE_17)]
    assert rows(services, roster[BEA]) == [
        (roster[LEE], date(2026, 8, 26), TUE_17),
        (roster[MIA], WED_18, None),
    ]
    assert mentor_that_day(services, roster[BEA], TUE_17) == roster[LEE]
    assert mentor_that_day(services, roster[BEA], WED_18) == roster[MIA]
    status = services.assignments.person_status(None, BEA, NOW)
    assert [(p.mentor.email, p.ended_on) for p in status.as_mentee] == [(LEE, TUE_17), (MIA, None)]


def test_a_same_day_reassignment_leaves_the_day_to_the_newer_pair(
    services: Services, roster: dict[str, int]
) -> None:
    services.assignments.assign(None, MIA, NIA, WED_18, NOW)
    services.assignments.assign(None, MAX, NIA, WED_18, NOW)
    assert rows(services, roster[NIA]) == [
        (roster[MIA], WED_18, WED_18),
        (roster[MAX], WED_18, None),
    ]
    assert mentor_that_day(services, roster[NIA], WED_18) == roster[MAX]


def test_an_unassigned_pair_covers_its_last_day(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    services.assignments.unassign(None, BEA, "moved", TUE_17, NOW)
    assert mentor_that_day(services, roster[BEA], TUE_17) == roster[LEE]
    assert mentor_that_day(services, roster[BEA], WED_18) is None


def test_a_future_assignment_can_be_cancelled(services: Services, roster: dict[str, int]) -> None:
    """`unassign` before the start removes the planned pair (it covered no day); the mentee
    stays overdue and can be assigned again."""
    services.assignments.assign(None, LEE, NIA, date(2026, 12, 1), NOW)
    result = services.assignments.unassign(None, NIA, "changed plans", None, NOW)
    assert result.ended == ()
    assert [(m.email, d) for m, d in result.cancelled] == [(LEE, date(2026, 12, 1))]
    assert views.assignment_result(result)["text"] == (
        "Cancelled Nia New's planned assignment (Lee Lead, to start Tue 1 Dec)."
    )
    assert rows(services, roster[NIA]) == []
    status = services.assignments.program_status(None, NOW)
    nia = next(m for m in status.mentees if m.mentee.email == NIA)
    assert (nia.mentor, nia.upcoming, nia.days_overdue) == (None, None, 16)
    services.assignments.assign(None, MIA, NIA, None, NOW)
    assert rows(services, roster[NIA]) == [(roster[MIA], WED_18, None)]


def test_cancelling_a_planned_reassignment_keeps_the_current_mentor(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    """A reassignment from Tue 1 Dec keeps Lee until 30 Nov (Bea is not unassigned meanwhile);
    cancelling it reopens Lee's pair, history as it was."""
    services.assignments.assign(None, MIA, BEA, date(2026, 12, 1), NOW)
    status = services.assignments.program_status(None, NOW)
    bea = next(m for m in status.mentees if m.mentee.email == BEA)
    assert (bea.mentor and bea.mentor.email, bea.days_overdue) == (LEE, 0)
    assert bea.upcoming is not None and bea.upcoming[1] == date(2026, 12, 1)
    assert mentor_that_day(services, roster[BEA], WED_18) == roster[LEE]
    services.assignments.unassign(None, BEA, None, None, NOW)
    assert rows(services, roster[BEA]) == [(roster[LEE], date(2026, 8, 26), None)]


def test_an_end_before_the_start_is_still_refused(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    with pytest.raises(Refusal, match="can't end before that"):
        services.assignments.unassign(None, BEA, "x", date(2026, 8, 1), NOW)
    assert rows(services, roster[BEA])[0][2] is None
