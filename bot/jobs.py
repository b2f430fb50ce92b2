"""Scheduled jobs by name (`jobs run`, the console's `:run`, the scheduler's tick)."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient

from bot.services.container import Services

JOBS: dict[str, str] = {}


class JobError(Exception):
    """An unknown job, or a job that could not run."""


def run_job(services: Services, name: str, at: datetime, client: WebClient) -> str:
    """Run a job as of an instant and deliver what it produced; return a summary."""
    if name not in JOBS:
        known = ", ".join(JOBS) or "none yet (they arrive with the scheduler)"
        raise JobError(f"No job called {name!r}. Jobs: {known}.")
    raise JobError(f"{name} is not implemented yet.")
