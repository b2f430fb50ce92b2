"""The scheduler: APScheduler as a clock only. One interval tick (fixed id, coalesced, one
instance) asks the store what is due now; only the leader ticks."""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.clock import SystemClock
from bot.config import Settings
from bot.slack.client import make_web_client
from bot.slack.sender import RateLimits
from schedules.jobs import tick
from schedules.leader import Leadership, leadership_for

log = logging.getLogger(__name__)

TICK_ID = "mentor-minutes-tick"
TICK_SECONDS = 60


def tick_if_leader(
    services: Services,
    client: WebClient,
    leader: Leadership,
    ran: dict[str, str],
    rate_limits: RateLimits | None = None,
) -> str | None:
    """One tick: every job that is due, then delivery — only when this process leads.

    `ran` and `rate_limits` live as long as the scheduler: the jobs done today, and Slack's
    429 windows, which the next tick honours too."""
    if not leader.acquire():
        return None
    summary = tick(services, client, services.clock.now(), ran=ran, rate_limits=rate_limits)
    log.debug("tick: %s", summary)
    return summary


def build_scheduler(
    services: Services, client: WebClient, leader: Leadership
) -> BackgroundScheduler:
    """A scheduler with the one tick job (not started)."""
    scheduler = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": TICK_SECONDS},
    )
    scheduler.add_job(
        tick_if_leader,
        "interval",
        seconds=TICK_SECONDS,
        id=TICK_ID,
        replace_existing=True,
        args=[services, client, leader, {}, RateLimits()],
    )
    return scheduler


class SchedulerRunner:
    """The running scheduler and its leadership, stopped together."""

    def __init__(self, scheduler: BackgroundScheduler, leader: Leadership) -> None:
        self.scheduler = scheduler
        self.leader = leader

    def shutdown(self) -> None:
        """Stop ticking and step down."""
        self.scheduler.shutdown(wait=True)
        self.leader.release()


def start_scheduler(settings: Settings, services: Services, client: Any = None) -> SchedulerRunner:
    """Start ticking in the background (the first tick runs at once)."""
    leader = leadership_for(services.store)
    scheduler = build_scheduler(services, client or make_web_client(settings), leader)
    scheduler.start()
    # APScheduler runs on wall time (each tick then asks the services' clock what is due).
    scheduler.modify_job(TICK_ID, next_run_time=SystemClock().now())
    log.info("scheduler started: one tick every %s s", TICK_SECONDS)
    return SchedulerRunner(scheduler, leader)
