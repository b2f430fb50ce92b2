"""Exactly-once delivery on SQLite and PostgreSQL: the outbox's natural key, two schedulers at
once, a crash between claim and send, rows stuck in `sending`, and the Sender against a
misbehaving Web API (429 Retry-After, 5xx, down for an hour, ambiguous network errors), with
pacing measured by injected sleep and monotonic clocks — nothing here really waits."""

from __future__ import annotations

import socket
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.bootstrap import Services, build_services
from bot.clock import FixedClock
from bot.config import Settings
from bot.services.outbox import Notification
from bot.slack.sender import Sender
from bot.store.models.core import OutboxMessage
from schedules import jobs
from tests.support.scheduler import (
    ALERT_DAY,
    POST,
    TOKEN,
    FakeMonotonic,
    SleepRecorder,
    Ticker,
    two_schedulers_at_once,
)
from tests.support.servers import MuteSlack
from tests.support.slack_api import FakeSlackApi

pytestmark = pytest.mark.usefixtures("no_note_reaches_slack")


def client_for(slack_api: FakeSlackApi) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack_api.url)


def delivered(slack_api: FakeSlackApi) -> Counter[tuple[str, str]]:
    """(channel, text) of every DM Slack accepted, with how often."""
    return Counter(
        (str(c.params["channel"]), str(c.params["text"]))
        for c in slack_api.calls_to(POST)
        if c.status == 200
    )


def rows(services: Services) -> list[OutboxMessage]:
    with services.store.read() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def claim(services: Services, notes: list[Notification], now: datetime) -> int:
    with services.store.write() as session:
        return services.outbox.claim_all(session, notes, now)


def note(recipient: str, subject: str, text: str = "") -> Notification:
    text = text or f"Hello {recipient} about {subject}"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return Notification("test", recipient, subject, "2026-11-03", {"text": text, "blocks": blocks})


def sender(
    services: Services, slack_api: FakeSlackApi, sleep: SleepRecorder, **kwargs: Any
) -> Sender:
    return Sender(
        services.outbox,
        client_for(slack_api),
        services.clock,
        sleep=sleep,
        monotonic=kwargs.pop("monotonic", FakeMonotonic()),
        **kwargs,
    )


# ---- the natural key ------------------------------------------------------------------------


def test_the_same_tick_twice_sends_nothing_new(world: Services, slack_api: FakeSlackApi) -> None:
    client, sleep = client_for(slack_api), SleepRecorder()
    first = jobs.tick(world, client, ALERT_DAY, sleep=sleep)
    sent = delivered(slack_api)
    assert sent and set(sent.values()) == {1}
    assert "deadline-sweep" in first

    jobs.tick(world, client, ALERT_DAY + timedelta(minutes=1), sleep=sleep)  # no memo: rerun
    assert delivered(slack_api) == sent
    assert len(rows(world)) == sum(sent.values())
    assert {r.status for r in rows(world)} == {"sent"}


def test_claim_all_inserts_each_key_once_and_counts_what_it_claimed(world: Services) -> None:
    """Fails on PostgreSQL: claim_all sums `rowcount`, which is -1 there for the
    INSERT … ON CONFLICT DO NOTHING (SQLAlchemy 2.1 + psycopg), so `produce` and
    `jobs run` report negative "new" counts ("deadline-sweep: -2 new of 2")."""
    notes = [note("U0CORA", "a"), note("U0CORA", "b"), note("U0LEE", "a")]
    assert claim(world, notes, ALERT_DAY) == 3
    assert claim(world, [*notes, note("U0LEE", "b")], ALERT_DAY) == 1
    assert len(rows(world)) == 4


def test_two_schedulers_at_once_send_each_message_once(
    world: Services, settings: Settings, slack_api: FakeSlackApi
) -> None:
    other = build_services(settings, clock=FixedClock(ALERT_DAY))
    try:
        errors = two_schedulers_at_once((world, other), client_for(slack_api), ALERT_DAY)
    finally:
        other.close()
    assert errors == []
    sent = delivered(slack_api)
    assert len(sent) >= 5 and set(sent.values()) == {1}
    assert len(slack_api.calls_to(POST)) == len(sent)  # no request was even attempted twice
    assert [r.status for r in rows(world)] == ["sent"] * len(sent)


def test_a_crash_after_claim_is_sent_once_on_restart(
    world: Services, settings: Settings, slack_api: FakeSlackApi
) -> None:
    crashed = build_services(settings, clock=FixedClock(ALERT_DAY))
    claimed = [jobs.produce(crashed, name, ALERT_DAY) for name in jobs.PRODUCERS]
    crashed.close()  # claimed, never delivered
    asked = dict(zip(jobs.PRODUCERS, claimed, strict=True))
    assert asked.pop("entry-reviews") == (0, 0)  # this program asks no one to confirm entries
    assert asked.pop("surveys") == (0, 0)  # and defines no survey
    assert all(c is not None and c[0] > 0 for c in asked.values())
    assert slack_api.calls_to(POST) == []
    assert {r.status for r in rows(world)} == {"pending"}

    restarted = sender(world, slack_api, SleepRecorder())
    report = restarted.deliver(ALERT_DAY + timedelta(minutes=3))
    assert report.sent == len(rows(world)) == sum(c[0] for c in claimed if c is not None)
    assert restarted.deliver(ALERT_DAY + timedelta(minutes=4)).sent == 0
    jobs.tick(world, client_for(slack_api), ALERT_DAY + timedelta(minutes=5))  # a full rerun
    sent = delivered(slack_api)
    assert sum(sent.values()) == report.sent and set(sent.values()) == {1}


def test_a_row_stuck_in_sending_is_parked_for_review_and_never_resent(
    world: Services, slack_api: FakeSlackApi
) -> None:
    claim(world, [note("U0CORA", "crashed"), note("U0LEE", "in-flight"), note("U0MIA", "ok")], ALERT_DAY)  # fmt: skip
    crashed, in_flight, _ = rows(world)
    with world.store.write() as session:  # one sender died mid-send; another is sending now
        session.execute(update(OutboxMessage).where(OutboxMessage.id == crashed.id).values(status="sending", attempts=1, not_before=ALERT_DAY - timedelta(minutes=11)))  # fmt: skip
        session.execute(update(OutboxMessage).where(OutboxMessage.id == in_flight.id).values(status="sending", attempts=1, not_before=ALERT_DAY - timedelta(minutes=1)))  # fmt: skip

    report = sender(world, slack_api, SleepRecorder()).deliver(ALERT_DAY)
    assert report.sent == 1
    by_id = {r.id: r for r in rows(world)}
    assert (by_id[crashed.id].status, by_id[crashed.id].last_error) == ("review", "interrupted while sending")  # fmt: skip
    assert by_id[in_flight.id].status == "sending"  # not stale yet: left to its sender
    assert [c.params["channel"] for c in slack_api.calls_to(POST)] == ["U0MIA"]

    for minutes in (5, 30, 24 * 60):
        sender(world, slack_api, SleepRecorder()).deliver(ALERT_DAY + timedelta(minutes=minutes))
    assert [c.params["channel"] for c in slack_api.calls_to(POST)] == ["U0MIA"]  # never resent
    assert {r.status for r in rows(world)} == {"review", "sent"}
    assert world.outbox.recover_stale(ALERT_DAY + timedelta(days=2)) == 0


# ---- the Web API misbehaving -------------------------------------------------------------


def test_429_waits_the_retry_after_then_delivers(world: Services, slack_api: FakeSlackApi) -> None:
    claim(world, [note("U0CORA", "a")], ALERT_DAY)
    slack_api.fail_next(POST, 429, retry_after=7)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep).deliver(ALERT_DAY)
    assert (report.sent, report.retry, sleep.waits) == (1, 0, [7.0])
    assert [c.status for c in slack_api.calls_to(POST)] == [429, 200]


def test_429_beyond_the_retries_waits_in_the_outbox(
    world: Services, slack_api: FakeSlackApi
) -> None:
    claim(world, [note("U0CORA", "a")], ALERT_DAY)
    slack_api.fail_next(POST, 429, retry_after=20, times=3)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep).deliver(ALERT_DAY)
    assert (report.sent, report.retry, sleep.waits) == (0, 1, [20.0, 20.0])
    (row,) = rows(world)
    assert (row.status, row.last_error) == ("pending", "ratelimited")
    # the third 429 came 40 s into the run (two waits of 20 s): its window ends at +60 s
    assert sender(world, slack_api, sleep).deliver(ALERT_DAY + timedelta(seconds=59)).sent == 0
    assert sender(world, slack_api, sleep).deliver(ALERT_DAY + timedelta(seconds=60)).sent == 1
    assert [c.status for c in slack_api.calls_to(POST)] == [429, 429, 429, 200]


def test_500_is_retried_and_delivered(world: Services, slack_api: FakeSlackApi) -> None:
    claim(world, [note("U0CORA", "a")], ALERT_DAY)
    slack_api.fail_next(POST, 500)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep).deliver(ALERT_DAY)
    assert (report.sent, sleep.waits) == (1, [1.0])
    assert [c.status for c in slack_api.calls_to(POST)] == [500, 200]


def test_500_beyond_the_retries_backs_off_in_the_outbox(
    world: Services, slack_api: FakeSlackApi
) -> None:
    claim(world, [note("U0CORA", "a")], ALERT_DAY)
    slack_api.fail_next(POST, 500, times=3)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep).deliver(ALERT_DAY)
    assert (report.sent, report.retry, sleep.waits) == (0, 1, [1.0, 2.0])  # doubling
    (row,) = rows(world)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "internal_error")
    # the last 500 came 3 s into the run (waits of 1 and 2 s): the backoff of 30 s counts from it
    assert sender(world, slack_api, sleep).deliver(ALERT_DAY + timedelta(seconds=32)).sent == 0
    assert sender(world, slack_api, sleep).deliver(ALERT_DAY + timedelta(seconds=33)).sent == 1


def test_an_hour_down_then_everything_is_delivered_once(
    world: Services, slack_api: FakeSlackApi
) -> None:
    ticker = Ticker(world, slack_api)
    slack_api.set_down(True)
    for minutes in range(0, 70, 10):  # 07:45 .. 08:45
        assert ticker.tick(ALERT_DAY + timedelta(minutes=minutes)) == []
    last = ALERT_DAY + timedelta(minutes=60)
    pending = rows(world)
    assert len(pending) >= 5
    for row in pending:
        assert (row.status, row.last_error) == ("pending", "service_unavailable")
        assert row.attempts == 6  # tried at +0, 10, 20, 30, 40, 50 min (backoff 30 s … 15 min)
        assert row.not_before is not None and row.not_before > last  # waiting out a backoff
    assert all(c.status == 503 for c in slack_api.calls_to(POST))

    slack_api.set_down(False)
    ticker.tick(ALERT_DAY + timedelta(minutes=80))  # 09:05: every backoff has run out
    ticker.tick(ALERT_DAY + timedelta(minutes=85))
    sent = delivered(slack_api)
    assert len(sent) == len(pending) and set(sent.values()) == {1}
    assert {r.status for r in rows(world)} == {"sent"}


def test_days_down_then_stale_messages_expire_instead_of_arriving_late(
    world: Services, slack_api: FakeSlackApi
) -> None:
    ticker = Ticker(world, slack_api)
    slack_api.set_down(True)
    ticker.tick(ALERT_DAY)  # Tue: claimed, Slack unreachable
    claimed_tuesday = {r.id for r in rows(world)}
    assert claimed_tuesday
    ticker.tick(ALERT_DAY + timedelta(days=1))  # Wed: still down
    slack_api.set_down(False)
    ticker.tick(ALERT_DAY + timedelta(days=2))  # Thu: Tuesday's lists are two send days old
    statuses = {r.id: r.status for r in rows(world)}
    assert {statuses[i] for i in claimed_tuesday} == {"expired"}
    sent_texts = [str(c.params["text"]) for c in slack_api.calls_to(POST) if c.status == 200]
    assert not any("Tue 3 Nov" in text for text in sent_texts)


def test_two_dms_to_one_person_are_paced_a_second_apart(
    world: Services, slack_api: FakeSlackApi
) -> None:
    claim(world, [note("U0CORA", "a"), note("U0LEE", "a"), note("U0CORA", "b")], ALERT_DAY)
    sleep = SleepRecorder()
    report = sender(world, slack_api, sleep, monotonic=FakeMonotonic(500.0)).deliver(ALERT_DAY)
    assert report.sent == 3
    assert sleep.waits == [pytest.approx(1.0)]  # only between the two DMs to Cora
    assert [c.params["channel"] for c in slack_api.calls_to(POST)] == ["U0CORA", "U0LEE", "U0CORA"]


def test_pacing_counts_the_time_already_passed(world: Services, slack_api: FakeSlackApi) -> None:
    claim(world, [note("U0CORA", "a"), note("U0CORA", "b")], ALERT_DAY)

    def monotonic() -> float:  # each post takes 0.4 s
        return 100.0 + 0.4 * len(slack_api.calls_to(POST))

    sleep = SleepRecorder()
    sender(world, slack_api, sleep, monotonic=monotonic).deliver(ALERT_DAY)
    assert sleep.waits == [pytest.approx(0.6)]


# ---- network errors -------------------------------------------------------------------------


def test_an_ambiguous_network_error_is_held_for_review_and_not_resent(world: Services) -> None:
    claim(world, [note("U0CORA", "a")], ALERT_DAY)
    hang_up = MuteSlack(hang_up=True)
    try:
        client = WebClient(token=TOKEN, base_url=hang_up.url)
        send = Sender(world.outbox, client, world.clock, sleep=SleepRecorder())
        report = send.deliver(ALERT_DAY)
        assert (report.sent, report.retry, report.review) == (0, 0, 1)
        send.deliver(ALERT_DAY + timedelta(hours=1))
        assert hang_up.accepted == 1  # never sent blindly again
    finally:
        hang_up.close()
    (row,) = rows(world)
    assert row.status == "review" and "ambiguous network error" in (row.last_error or "")


def test_a_refused_connection_is_retried_later(world: Services, slack_api: FakeSlackApi) -> None:
    claim(world, [note("U0CORA", "a")], ALERT_DAY)
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the request can't have reached Slack
    client = WebClient(token=TOKEN, base_url=f"http://127.0.0.1:{port}/api/")
    send = Sender(
        world.outbox, client, world.clock, sleep=SleepRecorder(), monotonic=FakeMonotonic()
    )
    report = send.deliver(ALERT_DAY)
    assert (report.sent, report.retry, report.review) == (0, 1, 0)
    (row,) = rows(world)
    assert row.status == "pending" and row.attempts == 1
    later = sender(world, slack_api, SleepRecorder()).deliver(ALERT_DAY + timedelta(seconds=30))
    assert later.sent == 1
