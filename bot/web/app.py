"""The app factory: one Bolt App per call, with services on every request's context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

import handlers
from bot.bootstrap import Services
from bot.config import Settings
from bot.slack import bolt_body, views
from bot.slack.budget import ack_budget_middleware, make_request_client, on_listener_error
from bot.slack.clients import InstalledClients
from bot.web.oauth import installed_clients, oauth_settings
from handlers.events.uninstalled import INSTALLATIONS_KEY

log = logging.getLogger(__name__)

# What a person reads when their workspace has no installation (never installed, or removed).
NOT_INSTALLED = (
    "Mentor Minutes is not installed in this workspace (or was removed from it): "
    "a workspace admin can install it again from the district's install link."
)


def create_app(
    settings: Settings,
    services: Services,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
    signing_secret: str | None = None,
    verify_token: bool = False,
    installations: InstalledClients | None = None,
) -> App:
    """Build the Bolt app for these settings and services; no module-level state.

    With `verify_token`, Bolt's auth.test is made now (a BoltError if it fails), so that no
    request has to wait for it. With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth install),
    each request is authorized by its workspace's installation (`installations`, built over
    the services' database unless given) and the app offers the install pages."""
    bolt_body.install()
    if settings.has_oauth and installations is None:
        installations = installed_clients(settings, services)

    secret = signing_secret or (
        settings.SLACK_SIGNING_SECRET.get_secret_value() if settings.SLACK_SIGNING_SECRET else None
    )
    client = client or make_request_client(settings)
    app = App(
        client=client,
        signing_secret=secret,
        request_verification_enabled=secret is not None,
        token_verification_enabled=verify_token and installations is None,
        process_before_response=process_before_response,
        # An unhandled request goes to on_listener_error, not to Bolt's warning that quotes
        # the whole body (notes, reasons, answers).
        raise_error_for_unhandled_request=True,
        name="mentor-minutes",
        **_oauth_arguments(settings, installations),
    )

    def attach_services(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["services"] = services
        if installations is not None:
            context[INSTALLATIONS_KEY] = installations
        return next()

    app.use(attach_services)
    # Slack calls made while answering get only what remains of Slack's 3 s (bot/slack/budget.py),
    # and one that fails leaves the answer a 200, never a 500.
    app.use(ack_budget_middleware(services.clock.monotonic))
    app.error(on_listener_error)
    handlers.register(app)
    return app


def _oauth_arguments(settings: Settings, installations: InstalledClients | None) -> dict[str, Any]:
    """App's OAuth arguments in OAuth mode, none with SLACK_BOT_TOKEN."""
    if installations is None:
        return {}
    return {
        "oauth_settings": oauth_settings(settings, installations),
        "installation_store_bot_only": True,
        # Bolt posts it to the response_url (or answers with it): a whole message, with blocks
        # like every message of ours (Bolt's Respond takes a dict as the message).
        "user_facing_authorize_error_message": views.notice(NOT_INSTALLED),
    }
