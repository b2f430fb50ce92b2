"""The scheduler's snapshot of people and pairs is kept between ticks only while nothing it
reads has changed (bot/services/nudges.py, snapshot.snapshot_version)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.bootstrap import Services
from bot.clock import FixedClock
from schedules import claims
from tests.support.bolt_requests import all_text
from tests.support.hillside import NOW, ROSTER_CSV

NY = ZoneInfo("America/New_York")
THURSDAY = datetime.combine(date(2026, 11, 19), time(7, 45), NY)


def alert_text(services: Services, now: datetime) -> str:
    nudges = services.nudges.deadline_sweep(now) or []
    return all_text(
        [n.payload for n in claims.notifications(nudges) if n.rule == "overdue-assignment"]
    )


def test_a_change_between_ticks_is_seen_by_the_next_tick(
    services: Services, roster: dict[str, int]
) -> None:
    assert "Nia New" in alert_text(services, THURSDAY)
    version = services.nudges._kept
    assert "Nia New" in alert_text(services, THURSDAY + timedelta(minutes=1))
    assert services.nudges._kept is version  # nothing changed: the same snapshot

    services.assignments.assign(None, "lee@hillside.example", "nia@hillside.example", date(2026, 11, 19), NOW)  # fmt: skip
    assert "Nia New" not in alert_text(services, THURSDAY + timedelta(minutes=2))

    renamed = ROSTER_CSV.replace("Bo Beginner,mentee", "Bo Renamed,mentee")
    # The import happens a minute later by the services' clock, which stamps the rows (a change
    # at the very instant of the previous one would leave the people's fingerprint unchanged).
    assert isinstance(services.clock, FixedClock)
    services.clock.advance(timedelta(minutes=1))
    assert services.roster.import_csv(renamed).ok
    text = alert_text(services, THURSDAY + timedelta(minutes=3))
    assert "Bo Renamed" in text and "Bo Beginner" not in text
