"""The coordinators' overdue-assignment alert (bot/services/nudges.py): one alert per
coordinator every `overdue_alert_repeat_school_days` school days, listing everyone overdue —
never one cycle per mentee — and a mentee whose assignment ended gets the policy's
`reassignment_window_days` to be reassigned before counting as overdue again."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from sqlalchemy import select

from bot.bootstrap import Services
from bot.domain.calendar import SchoolCalendar
from bot.domain.policy import ProgramConfigError, parse_program_toml
from bot.store.models.core import OutboxMessage
from schedules import jobs
from tests.support.bolt_requests import all_text
from tests.support.hillside import NOW, PROGRAM_TOML
from tests.support.scheduler import at, each_day

BEA, BO, NIA = "Bea Beginner", "Bo Beginner", "Nia New"
CAL = SchoolCalendar(date(2026, 8, 31), date(2027, 6, 18), frozenset({date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11)}))  # fmt: skip


def alerts(services: Services) -> dict[str, str]:
    """Claimed alerts to the coordinator: period → text."""
    with services.store.read() as session:
        rows = session.execute(
            select(OutboxMessage.period, OutboxMessage.payload)
            .where(OutboxMessage.rule == "overdue-assignment", OutboxMessage.recipient == "U0CORA")
            .order_by(OutboxMessage.period)
        ).all()
    return {period: all_text(payload) for period, payload in rows}


def sweep_days(services: Services, first: str, last: str) -> None:
    for day in each_day(first, last):
        jobs.produce(services, "deadline-sweep", at(day))


def test_one_alert_every_3_school_days_lists_everyone_due(
    services: Services, roster: dict[str, int]
) -> None:
    """Bea and Bo (due 14 Sep) and Nia (due 2 Nov) are on different cycles; the coordinator
    still hears every third school day, and from 3 Nov each alert names all three."""
    sweep_days(services, "2026-10-26", "2026-11-20")
    sent = alerts(services)
    days = [date.fromisoformat(p) for p in sent]
    gaps = [CAL.school_days_between(a, b) for a, b in pairwise(days)]
    assert gaps and set(gaps) == {3}, days
    for period, text in sent.items():
        if period > "2026-11-02":
            assert all(name in text for name in (BEA, BO, NIA)), (period, text)


def test_a_rerun_the_same_day_produces_the_same_alert(
    services: Services, roster: dict[str, int]
) -> None:
    first = services.nudges.deadline_sweep(at("2026-11-03"))
    jobs.produce(services, "deadline-sweep", at("2026-11-03"))
    again = services.nudges.deadline_sweep(at("2026-11-03", 10))
    assert [n.rule for n in first or [] if n.rule == "overdue-assignment"] == ["overdue-assignment"]
    assert [n.rule for n in again or [] if n.rule == "overdue-assignment"] == ["overdue-assignment"]


def test_an_unassigned_mentee_gets_the_reassignment_window(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    """Bea's assignment (due 14 Sep) ends Wed 18 Nov (covering that day): she is due again
    14 days later, 2 Dec, not overdue at once against September."""
    services.assignments.unassign(None, "bea@hillside.example", "moved school", None, NOW)
    status = services.assignments.program_status(None, at("2026-11-19", 10))
    bea = next(m for m in status.mentees if m.mentee.name == BEA)
    assert (bea.due, bea.days_overdue) == (date(2026, 12, 2), 0)
    sweep_days(services, "2026-11-19", "2026-12-02")
    assert all(BEA not in text for text in alerts(services).values())
    sweep_days(services, "2026-12-03", "2026-12-08")
    assert any(BEA in text for text in alerts(services).values())
    later = services.assignments.program_status(None, at("2026-12-07", 10))
    assert next(m for m in later.mentees if m.mentee.name == BEA).days_overdue == 5


@pytest.mark.parametrize(("value", "ok"), [(0, False), (1, True), (14, True), (366, True), (367, False)])  # fmt: skip
def test_the_reassignment_window_is_a_bounded_policy_value(value: int, ok: bool) -> None:
    text = PROGRAM_TOML + f"\n[overrides]\nreassignment_window_days = {value}\n"
    if ok:
        assert parse_program_toml(text).effective_policy().reassignment_window_days == value
    else:
        with pytest.raises(ProgramConfigError, match="reassignment_window_days"):
            parse_program_toml(text)


def test_the_presets_give_two_weeks_to_reassign() -> None:
    assert parse_program_toml(PROGRAM_TOML).effective_policy().reassignment_window_days == 14
