"""The scheduler: one APScheduler interval tick; the store decides what is due."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.services.container import Services


def start_scheduler(settings: Settings, services: Services) -> Any:
    """Start the background scheduler (its jobs arrive with the scheduler issue)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start()
    return scheduler
