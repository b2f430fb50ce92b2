"""The scheduler: APScheduler as a clock only. One interval tick (fixed id, coalesced, one
instance) asks the store what is due now, for every installed program; only the leader ticks."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.bootstrap import Services, Tenants
from bot.clock import SystemClock
from bot.config import Settings
from bot.slack.client import make_web_client
from bot.slack.clients import ClientSource, FixedClient
from bot.slack.sender import RateLimits
from schedules.jobs import tick
from schedules.leader import Leadership, leadership_for

log = logging.getLogger(__name__)

TICK_ID = "mentor-minutes-tick"
TICK_SECONDS = 60


@dataclass
class TickMemory:
    """What lives as long as the scheduler, per program: the jobs done today, and Slack's 429
    windows, which the next tick honours too."""

    ran: dict[int | None, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    rate_limits: dict[int | None, RateLimits] = field(
        default_factory=lambda: defaultdict(RateLimits)
    )
    erased_on: date | None = None  # the day uninstalled programs were last checked for erasure


def tick_all(tenants: Tenants, clients: ClientSource, now: datetime, memory: TickMemory) -> str:
    """Every installed program's jobs, then its delivery, each with its own workspace's client;
    an uninstalled program runs nothing, one without a client is skipped (logged by team id)."""
    parts = []
    for tenant, services in tenants.running():
        client = clients.client_for(tenant)
        label = tenant.label if tenant is not None else "the program"
        if client is None:
            log.warning("no Slack client for workspace %s: its jobs are skipped", label)
            continue
        key = tenant.program_id if tenant is not None else None
        try:
            summary = tick(
                services, client, now, ran=memory.ran[key], rate_limits=memory.rate_limits[key]
            )
        except Exception:
            log.exception("tick failed for workspace %s", label)
            continue
        parts.append(summary if len(tenants.all()) <= 1 else f"{label}: {summary}")
    erased = []
    if memory.erased_on != now.date():  # once a day: uninstalled programs past retention
        try:
            erased = tenants.erase_expired(now)
            memory.erased_on = now.date()
        except Exception:
            log.exception("erasing uninstalled programs failed")
    parts.extend(f"{t.label}: erased (uninstalled {t.uninstalled_at:%Y-%m-%d})" for t in erased)
    return " | ".join(parts)


def tick_if_leader(
    tenants: Tenants,
    clients: ClientSource,
    leader: Leadership,
    memory: TickMemory,
) -> str | None:
    """One tick: every program's jobs that are due, then delivery — only when this process
    leads."""
    if not leader.acquire():
        return None
    summary = tick_all(tenants, clients, tenants.clock.now(), memory)
    log.debug("tick: %s", summary)
    return summary


def build_scheduler(
    tenants: Tenants, clients: ClientSource, leader: Leadership
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
        args=[tenants, clients, leader, TickMemory()],
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


def start_scheduler(
    settings: Settings,
    services: Services,
    client: Any = None,
    *,
    tenants: Tenants | None = None,
    clients: ClientSource | None = None,
) -> SchedulerRunner:
    """Start ticking in the background (the first tick runs at once). `clients`: the client of
    each workspace (default: the one bot token's for all)."""
    leader = leadership_for(services.store)
    tenants = tenants or Tenants(services, oauth=settings.many_workspaces)
    clients = clients or FixedClient(client or make_web_client(settings))
    scheduler = build_scheduler(tenants, clients, leader)
    scheduler.start()
    # APScheduler runs on wall time (each tick then asks the services' clock what is due).
    scheduler.modify_job(TICK_ID, next_run_time=SystemClock().now())
    log.info("scheduler started: one tick every %s s", TICK_SECONDS)
    return SchedulerRunner(scheduler, leader)
