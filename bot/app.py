"""The app factory: one Bolt App per call, with services on every request's context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.config import Settings
from bot.services.container import Services
from bot.slack.client import make_web_client

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    services: Services,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
    signing_secret: str | None = None,
) -> App:
    """Build the Bolt app for these settings and services; no module-level state."""
    import handlers

    secret = signing_secret or (
        settings.SLACK_SIGNING_SECRET.get_secret_value() if settings.SLACK_SIGNING_SECRET else None
    )
    client = client or make_web_client(settings)
    app = App(
        client=client,
        signing_secret=secret,
        request_verification_enabled=secret is not None,
        token_verification_enabled=False,
        process_before_response=process_before_response,
        name="mentor-minutes",
    )

    def attach_services(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["services"] = services
        return next()

    app.use(attach_services)
    handlers.register(app)
    return app
