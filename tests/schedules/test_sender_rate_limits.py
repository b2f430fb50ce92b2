"""The Sender under Slack's 429s (bot/slack/sender.py): Retry-After capped (a long wait is left to
a later tick, never slept), honoured for the method — the next message waits too, in this run
and the next — and the run held within its time budget. Injected sleep and clocks: nothing here
really waits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.bootstrap import Services
from bot.services.outbox import Notification
from bot.slack.sender import (
    MAX_RETRY_AFTER_SECONDS,
    RateLimits,
    Sender,
    retry_after_seconds,
)
from bot.store.models.core import OutboxMessage
from schedules import jobs
from tests.support.scheduler import ALERT_DAY, POST, TOKEN, FakeMonotonic, SleepRecorder
from tests.support.slack_api import FakeSlackApi

pytestmark = pytest.mark.usefixtures("no_note_reaches_slack")


def note(recipient: str, subject: str) -> Notification:
    text = f"Hello {recipient} about {subject}"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return Notification("test", recipient, subject, "2026-11-03", {"text": text, "blocks": blocks})


def claim(services: Services, *notes: Notification, now: datetime = ALERT_DAY) -> None:
    with services.store.write() as session:
        services.outbox.claim_all(session, list(notes), now)


def rows(services: Services) -> list[OutboxMessage]:
    with services.store.read() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def sender(
    services: Services, slack_api: FakeSlackApi, sleep: SleepRecorder, **kwargs: Any
) -> Sender:
    return Sender(
        services.outbox,
        WebClient(token=TOKEN, base_url=slack_api.url),
        services.clock,
        sleep=sleep,
        monotonic=FakeMonotonic(),
        **kwargs,
    )


def statuses(slack_api: FakeSlackApi) -> list[tuple[str, int]]:
    return [(str(c.params["channel"]), c.status) for c in slack_api.calls_to(POST)]


def test_an_hour_long_retry_after_is_not_slept_and_holds_every_message(
    world: Services, slack_api: FakeSlackApi
) -> None:
    claim(world, note("U0CORA", "a"), note("U0LEE", "a"), note("U0MIA", "a"))
    slack_api.fail_next(POST, 429, retry_after=3600)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep).deliver(ALERT_DAY)
    assert sleep.waits == []  # the run ends at once: the tick is not stalled
    assert (report.sent, report.retry, report.held) == (0, 1, 2)
    assert statuses(slack_api) == [("U0CORA", 429)]  # nobody else was tried inside the window
    later = ALERT_DAY + timedelta(hours=1)
    assert [(r.status, r.not_before) for r in rows(world)] == [("pending", later)] * 3

    sender(world, slack_api, sleep).deliver(ALERT_DAY + timedelta(minutes=59))
    assert len(slack_api.calls_to(POST)) == 1
    assert sender(world, slack_api, sleep).deliver(later).sent == 3
    assert {r.status for r in rows(world)} == {"sent"}


def test_after_the_retries_run_out_the_next_message_waits_out_the_window(
    world: Services, slack_api: FakeSlackApi
) -> None:
    """Fails on the old sender: Bo's DM went out at once, inside Cora's 429 window."""
    claim(world, note("U0CORA", "a"), note("U0BO", "a"))
    slack_api.fail_next(POST, 429, retry_after=5, times=3)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep).deliver(ALERT_DAY)
    assert sleep.waits == [5.0, 5.0, 5.0]  # two retries for Cora, then Bo waits the window out
    assert statuses(slack_api) == [("U0CORA", 429)] * 3 + [("U0BO", 200)]
    assert (report.sent, report.retry) == (1, 1)
    cora = rows(world)[0]
    assert (cora.status, cora.not_before) == ("pending", ALERT_DAY + timedelta(seconds=15))


def test_a_window_past_the_run_budget_is_left_to_the_next_tick(
    world: Services, slack_api: FakeSlackApi
) -> None:
    claim(world, note("U0CORA", "a"), note("U0BO", "a"))
    slack_api.fail_next(POST, 429, retry_after=20, times=3)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep).deliver(ALERT_DAY)
    assert sleep.waits == [20.0, 20.0]  # 40 s; another 20 would pass the 45 s budget
    assert statuses(slack_api) == [("U0CORA", 429)] * 3
    assert (report.retry, report.held) == (1, 1)
    window_end = ALERT_DAY + timedelta(seconds=60)
    assert [r.not_before for r in rows(world)] == [window_end, window_end]
    assert sender(world, slack_api, sleep).deliver(window_end).sent == 2


@pytest.mark.parametrize(
    ("retry_after", "slept"),
    [(int(MAX_RETRY_AFTER_SECONDS), [MAX_RETRY_AFTER_SECONDS]), (int(MAX_RETRY_AFTER_SECONDS) + 1, [])],
)  # fmt: skip
def test_retry_after_is_slept_up_to_the_cap(
    world: Services, slack_api: FakeSlackApi, retry_after: int, slept: list[float]
) -> None:
    claim(world, note("U0CORA", "a"))
    slack_api.fail_next(POST, 429, retry_after=retry_after)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep).deliver(ALERT_DAY)
    assert sleep.waits == slept
    assert report.sent == (1 if slept else 0)


def test_the_window_holds_new_messages_in_the_next_run(
    world: Services, slack_api: FakeSlackApi
) -> None:
    """The scheduler keeps one RateLimits: a message claimed after the 429 waits too."""
    limits = RateLimits()
    claim(world, note("U0CORA", "a"))
    slack_api.fail_next(POST, 429, retry_after=600)
    sender(world, slack_api, SleepRecorder(), rate_limits=limits).deliver(ALERT_DAY)
    next_tick = ALERT_DAY + timedelta(minutes=1)
    claim(world, note("U0LEE", "new"), now=next_tick)
    report = sender(world, slack_api, SleepRecorder(), rate_limits=limits).deliver(next_tick)
    assert (report.sent, report.held) == (0, 1)
    assert statuses(slack_api) == [("U0CORA", 429)]
    done = sender(world, slack_api, SleepRecorder(), rate_limits=limits).deliver(
        ALERT_DAY + timedelta(minutes=10)
    )
    assert done.sent == 2


def test_the_tick_returns_at_once_when_slack_says_wait_an_hour(
    world: Services, slack_api: FakeSlackApi
) -> None:
    slack_api.fail_next(POST, 429, retry_after=3600, times=1000)
    sleep, limits = SleepRecorder(), RateLimits()
    client = WebClient(token=TOKEN, base_url=slack_api.url)
    summary = jobs.tick(world, client, ALERT_DAY, sleep=sleep, rate_limits=limits)
    assert sleep.waits == []
    assert len(slack_api.calls_to(POST)) == 1
    assert "left for a later tick" in summary
    pending = rows(world)
    assert len(pending) >= 5 and {r.status for r in pending} == {"pending"}
    jobs.tick(world, client, ALERT_DAY + timedelta(minutes=1), sleep=sleep, rate_limits=limits)
    assert len(slack_api.calls_to(POST)) == 1  # the next tick honours the window too


def test_pacing_beyond_the_budget_waits_for_the_next_tick(
    world: Services, slack_api: FakeSlackApi
) -> None:
    claim(world, *(note("U0CORA", f"part-{i}") for i in range(5)))
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep, budget_seconds=2.5).deliver(ALERT_DAY)
    assert sleep.waits == [1.0, 1.0]  # a second between DMs to one person, within 2.5 s
    assert (report.sent, report.held) == (3, 2)
    assert sender(world, slack_api, sleep).deliver(ALERT_DAY + timedelta(seconds=4)).sent == 2


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": ["2.5"]}, 2.5),
        ({"Retry-After": "soon"}, 1.0),
        ({"Retry-After": "-3"}, 1.0),
        ({"Retry-After": "nan"}, 1.0),
        ({"Retry-After": "1e400"}, 1.0),
        ({}, 1.0),
    ],
)
def test_retry_after_header(headers: dict[str, Any], seconds: float) -> None:
    assert retry_after_seconds(headers) == seconds
