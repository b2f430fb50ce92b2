"""Drive the scheduler's tick over simulated days with a fixed clock and the fake Web API.

No real waiting: the Sender's sleep is a recorder, and time only moves when a test moves it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.clock import FixedClock
from schedules import jobs
from tests.support.bolt_requests import all_text
from tests.support.slack_api import FakeSlackApi, RecordedCall

NY = ZoneInfo("America/New_York")
TOKEN = "xoxb-test"
POST = "chat.postMessage"


def at(day: date | str, hour: int = 7, minute: int = 45) -> datetime:
    """An aware instant at a wall-clock time in the program's timezone (New York)."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return datetime.combine(day, time(hour, minute), tzinfo=NY)


ALERT_DAY = at("2026-11-03")  # Tue 07:45, a send day: Nia's first overdue alert, a late digest


def each_day(first: date | str, last: date | str) -> Iterator[date]:
    """Every calendar day from first to last, inclusive."""
    day = date.fromisoformat(first) if isinstance(first, str) else first
    end = date.fromisoformat(last) if isinstance(last, str) else last
    while day <= end:
        yield day
        day += timedelta(days=1)


@dataclass
class SleepRecorder:
    """A `sleep` that records how long it was asked to wait and returns at once."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class FakeMonotonic:
    """A monotonic clock that advances only when told (or by what a SleepRecorder waited)."""

    value: float = 1000.0

    def __call__(self) -> float:
        return self.value


def kind(call: RecordedCall) -> str:
    """What a scheduler DM is, from its fallback text."""
    text = str(call.params.get("text", ""))
    if text.startswith("Induction to-dos"):
        return "todo"
    if "without a mentor" in text.split("\n", 1)[0]:
        return "alert"
    if text.startswith("Weekly digest"):
        return "digest"
    if text.startswith("No mentoring with"):
        return "contact"
    if text.startswith("Monthly summary"):
        return "monthly"
    return "other"


@dataclass
class Sent:
    """One DM the fake received during a simulated tick."""

    day: date
    channel: str
    kind: str
    text: str
    blocks: list[dict[str, Any]]
    params: dict[str, Any]


class Ticker:
    """Runs `schedules.jobs.tick` at simulated instants and records what reached the fake Web API."""

    def __init__(self, services: Services, slack_api: FakeSlackApi) -> None:
        self.services = services
        self.slack_api = slack_api
        self.client = WebClient(token=TOKEN, base_url=slack_api.url)
        self.sleep = SleepRecorder()
        self.ran: dict[str, str] = {}
        self.sent: list[Sent] = []
        self.summaries: list[str] = []

    def tick(self, now: datetime) -> list[Sent]:
        """One tick at `now` (the services' clock is moved there first); the new DMs."""
        clock = self.services.clock
        assert isinstance(clock, FixedClock)
        clock.set(now)
        before = len(self.slack_api.calls_to(POST))
        self.summaries.append(
            jobs.tick(self.services, self.client, now, ran=self.ran, sleep=self.sleep)
        )
        new = [
            Sent(
                now.astimezone(NY).date(),
                str(call.params.get("channel")),
                kind(call),
                str(call.params.get("text", "")),
                list(call.params.get("blocks") or []),
                call.params,
            )
            for call in self.slack_api.calls_to(POST)[before:]
            if call.status == 200
        ]
        self.sent += new
        return new

    def days(self, first: date | str, last: date | str, hour: int = 7, minute: int = 45) -> None:
        """Tick once a day at hour:minute local, every day from first to last."""
        for day in each_day(first, last):
            self.tick(at(day, hour, minute))

    def of(self, kind_: str, channel: str | None = None) -> list[Sent]:
        """The DMs of one kind (to one channel) sent so far."""
        return [
            s for s in self.sent if s.kind == kind_ and (channel is None or s.channel == channel)
        ]


SECRET = "SECRET-NOTE-7"


def check_payloads(slack_api: FakeSlackApi) -> None:
    """No call to the Web API carries the mentoring note SECRET (the fake checks Block Kit)."""
    for call in slack_api.calls:
        assert SECRET not in all_text(call.params), call


def two_schedulers_at_once(
    services: tuple[Services, Services], client: WebClient, now: datetime
) -> list[BaseException]:
    """Two schedulers' services produce every job, then deliver, at the same instant (threads
    meeting at a barrier before each step); what either raised."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(one: Services) -> None:
        try:
            barrier.wait(timeout=10)
            for name in jobs.PRODUCERS:
                jobs.produce(one, name, now)
            barrier.wait(timeout=10)
            jobs.deliver(one, client, now, sleep=SleepRecorder())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(one,)) for one in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
