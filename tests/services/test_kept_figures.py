"""The coordinator's Home reads the annual report's readiness and this month's pay from kept
figures (issue 18, Must 3): after a log, an Undo, a sign-off, a reassignment and a new day, what
Home shows is what the owning functions compute afresh, and a Home with nothing changed since
reads the kept row instead of computing them again. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.domain.policy import parse_program_toml
from bot.domain.signoff import Period
from bot.services.kept import COORDINATOR_HOME, coordinator_from
from bot.store.models.core import LogEntry
from bot.store.models.kept import KeptFigures
from tests.support.hillside import NOW, PAID_TOML

COORDINATOR = "U0CORA"


def shown(services: Services, clock: FixedClock) -> tuple[Any, ...]:
    """The program-wide figures the coordinator's Home shows now."""
    section = services.home.home(COORDINATOR, clock.now()).coordinator
    assert section is not None
    return section.readiness, section.pay, section.pay_refusal


def fresh(services: Services, clock: FixedClock) -> tuple[Any, ...]:
    """The same figures from the owning functions, nothing kept."""
    return coordinator_from(services.home.program_figures(clock.now()))


def kept(services: Services) -> tuple[str, Any]:
    with services.store.read() as session:
        row = session.execute(
            select(KeptFigures.watermark, KeptFigures.computed_at).where(
                KeptFigures.kind == COORDINATOR_HOME
            )
        ).one()
    return row[0], row[1]


def test_the_kept_figures_are_the_fresh_ones_after_every_change(
    services: Services, pairs: None, clock: FixedClock
) -> None:
    services.programs.load(parse_program_toml(PAID_TOML))
    clock.set(NOW)
    start = shown(services, clock)
    assert start == fresh(services, clock)
    assert start[1] is not None  # pay is read: the paid policy
    mark, computed_at = kept(services)

    clock.set(NOW + timedelta(minutes=5))  # nothing changed: the kept row is read
    assert shown(services, clock) == start
    assert kept(services) == (mark, computed_at)

    logged = services.logs.log_text("U0LEE", "45m meeting", clock.now())
    assert logged.ok and logged.batch_id is not None
    after_log = shown(services, clock)
    assert after_log == fresh(services, clock)
    assert after_log != start  # the log's minutes are in this month's pay
    assert kept(services)[0] != mark

    services.logs.undo("U0LEE", logged.batch_id, clock.now())
    after_undo = shown(services, clock)
    assert after_undo == fresh(services, clock)
    assert after_undo == start  # the undone entry counts no more

    mark = kept(services)[0]
    services.signoff.sign(COORDINATOR, Period(date(2026, 10, 1), date(2026, 10, 31)), None, clock.now())  # fmt: skip
    assert shown(services, clock) == fresh(services, clock)
    assert kept(services)[0] != mark

    mark = kept(services)[0]
    services.assignments.assign(None, "U0MIA", "U0BO", clock.now().date(), clock.now())
    assert shown(services, clock) == fresh(services, clock)
    assert kept(services)[0] != mark

    mark = kept(services)[0]
    clock.set(NOW + timedelta(days=1))  # a new day: this month so far has one more
    assert shown(services, clock) == fresh(services, clock)
    assert kept(services)[0] != mark


def test_a_lead_mentors_digest_on_home_is_the_fresh_one_after_every_change(
    services: Services, pairs: None, clock: FixedClock
) -> None:
    clock.set(NOW)

    def both() -> tuple[Any, Any]:
        home = services.home.home("U0LEE", clock.now())
        return home.cohort, services.nudges.cohort_digest(home.viewer, clock.now())

    start, again = both()
    assert start is not None and start == again
    logged = services.logs.log_text("U0MIA", "40m observation <@U0IKE>", clock.now())
    assert logged.ok and logged.batch_id is not None
    after_log, again = both()
    assert after_log == again and after_log != start  # the week's minutes moved
    services.logs.undo("U0MIA", logged.batch_id, clock.now())
    after_undo, again = both()
    assert after_undo == again == start
    services.assignments.assign(None, "U0MIA", "U0BO", clock.now().date(), clock.now())
    after_move, again = both()
    assert after_move == again
    clock.set(NOW + timedelta(days=1))
    next_day, again = both()
    assert next_day == again and next_day != after_move  # today moved


def test_a_confirmation_moves_the_kept_pay_when_only_confirmed_entries_are_paid(
    services: Services, pairs: None, clock: FixedClock
) -> None:
    """Under confirmation_required_for_pay an entry is paid once the other side confirms it:
    a review changes this month's pay, and the kept figures follow."""
    toml = PAID_TOML.replace("[overrides]\n", "[overrides]\nconfirmation_required_for_pay = true\n")
    services.programs.load(parse_program_toml(toml))
    clock.set(NOW)
    assert services.logs.log_text("U0LEE", "45m meeting", clock.now()).ok
    before = shown(services, clock)
    assert before == fresh(services, clock)
    with services.store.read() as session:
        entry_id = session.scalar(select(LogEntry.id))
    assert entry_id is not None
    services.signoff.review("U0BEA", entry_id, "confirmed", None, clock.now())
    after = shown(services, clock)
    assert after == fresh(services, clock)
    assert after != before  # the confirmed entry is paid now
