"""Scheduled jobs by name: `jobs run`, the console's `:run` and the scheduler's tick.

A job works out from the store what is due at an instant, claims it in the outbox, and the
`deliver` step sends what is claimed. Running a job by hand delivers before returning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from datetime import time as clock_time

from slack_sdk import WebClient

from bot.calendar import local_datetime
from bot.deadlines import previous_send_day
from bot.formatting import format_day_long
from bot.services.container import Services
from bot.services.nudges import send_window_open
from bot.services.outbox import Notification
from bot.slack.sender import DeliveryReport, Sender, Sleep

log = logging.getLogger(__name__)

Producer = Callable[[Services, datetime], list[Notification] | None]
PRODUCERS: dict[str, tuple[str, Producer]] = {
    "deadline-sweep": (
        "to-do nudges for support teams and the overdue-assignment alert",
        lambda s, now: s.nudges.deadline_sweep(now),
    ),
    "weekly-digest": (
        "each lead mentor's digest of the previous school week",
        lambda s, now: s.nudges.weekly_digest(now),
    ),
    "contact-nudges": (
        "nudge mentors whose mentee has had no logged contact for N school days",
        lambda s, now: s.nudges.contact_nudges(now),
    ),
}
JOBS: dict[str, str] = {name: about for name, (about, _) in PRODUCERS.items()}
JOBS["deliver"] = "send what is claimed in the outbox (school days, outside quiet hours)"


class JobError(Exception):
    """An unknown job."""


def produce(services: Services, name: str, now: datetime) -> tuple[int, int] | None:
    """Run one producer and claim its notifications: (produced, newly claimed), or None when
    it is not the job's time (weekend, holiday, quiet hours, before the digest time)."""
    notes = PRODUCERS[name][1](services, now)
    if notes is None:
        return None
    with services.store.write() as session:
        claimed = services.outbox.claim_all(session, notes, now)
    return len(notes), claimed


def deliver(
    services: Services, client: WebClient, now: datetime, *, sleep: Sleep = time.sleep
) -> DeliveryReport | None:
    """Send due outbox messages, unless it is a weekend, holiday or quiet hours (None then)."""
    program = services.programs.current()
    if not send_window_open(program, now):
        return None
    # Claimed before the previous send day began: a to-do list or digest that old is stale.
    previous = previous_send_day(program.calendar, program.today(now))
    cutoff = local_datetime(previous, clock_time(0), program.tz)
    sender = Sender(services.outbox, client, services.clock, sleep=sleep)
    return sender.deliver(now, expire_before=cutoff)


def _delivery_text(report: DeliveryReport | None) -> str:
    if report is None:
        return "delivery held: not a school day, or quiet hours"
    text = f"{report.sent} sent"
    if report.retry:
        text += f", {report.retry} to retry"
    if report.review:
        text += f", {report.review} held for review"
    if report.expired:
        text += f", {report.expired} too old to send"
    return text


def run_job(
    services: Services, name: str, at: datetime, client: WebClient, *, sleep: Sleep = time.sleep
) -> str:
    """Run a job as of an instant, deliver what it produced, and say what happened."""
    if name not in JOBS:
        raise JobError(f"No job called {name!r}. Jobs: {', '.join(JOBS)}.")
    program = services.programs.current()
    local = at.astimezone(program.tz)
    when = f"{format_day_long(local.date())} {local:%H:%M %Z}"
    if name == "deliver":
        return f"deliver at {when}: {_delivery_text(deliver(services, client, at, sleep=sleep))}"
    counts = produce(services, name, at)
    report = deliver(services, client, at, sleep=sleep)
    if counts is None:
        return f"{name} at {when}: not its time (weekend, holiday, quiet hours or too early)"
    produced, claimed = counts
    if produced == 0:
        return f"{name} at {when}: nothing due; {_delivery_text(report)}"
    return (
        f"{name} at {when}: {produced} message{'s' if produced != 1 else ''} due, "
        f"{claimed} new; {_delivery_text(report)}"
    )


def tick(
    services: Services,
    client: WebClient,
    now: datetime,
    *,
    ran: dict[str, str] | None = None,
    sleep: Sleep = time.sleep,
) -> str:
    """What the scheduler does each minute: every producer that is due, then delivery.

    `ran` remembers (per process) the local day each job last ran in full, so the heavy work
    happens once a day; the outbox, not this memo, is what keeps every message single."""
    ran = {} if ran is None else ran
    today = services.programs.current().today(now).isoformat()
    parts = []
    with services.nudges.shared_reads():
        for name in PRODUCERS:
            if ran.get(name) == today:
                continue
            try:
                counts = produce(services, name, now)
            except Exception:
                log.exception("job %s failed", name)
                parts.append(f"{name}: failed")
                continue
            if counts is None:
                continue
            ran[name] = today
            if counts[0]:
                parts.append(f"{name}: {counts[1]} new of {counts[0]}")
    parts.append(_delivery_text(deliver(services, client, now, sleep=sleep)))
    return "; ".join(parts)
