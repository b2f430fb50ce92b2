"""The app factory: one Bolt App per call, with services on every request's context: the one
program's, or (many workspaces) the program of the workspace the request comes from."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

import handlers
from bot.bootstrap import Services, Tenants
from bot.config import Settings
from bot.services.tenants import TenantDirectory
from bot.slack import bolt_body, views
from bot.slack.budget import ack_budget_middleware, make_request_client, on_listener_error
from bot.slack.clients import INSTALLATIONS_KEY, InstalledClients
from bot.web.oauth import installed_again, installed_clients, oauth_settings

log = logging.getLogger(__name__)

# What a person reads when their workspace has no installation (never installed, or removed).
NOT_INSTALLED = (
    "Mentor Minutes is not installed in this workspace (or was removed from it): "
    "a workspace admin can install it again from the district's install link."
)
# Events about the installation itself: they reach their listeners whether or not the workspace
# has a program (or still has one installed), with the unbound services, whose `tenants`
# (the directory every program shares) is all such a listener may use.
INSTALLATION_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})

NOT_SET_UP = (
    "Mentor Minutes isn't set up for this workspace yet: a coordinator runs "
    "`mentor-minutes program load FILE.toml --team {team}` on the server."
)


def _team_ids(body: dict[str, Any]) -> set[str]:
    """Every workspace id a request body names (top level, `team`, its view's): Slack's agree."""
    named = {
        body.get("team_id"),
        (body.get("team") or {}).get("id") if isinstance(body.get("team"), dict) else None,
        (body.get("view") or {}).get("team_id") if isinstance(body.get("view"), dict) else None,
    }
    return {team for team in named if isinstance(team, str) and team}


def _event_type(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    kind = event.get("type") if isinstance(event, dict) else None
    return kind if isinstance(kind, str) else None


def not_set_up(body: dict[str, Any], team_id: str | None) -> BoltResponse:
    """The answer to a workspace with no program: a slash command is told (ephemeral); anything
    else is acknowledged and nothing runs."""
    if body.get("command"):
        text = NOT_SET_UP.format(team=team_id or "TEAM_ID")
        payload = {"response_type": "ephemeral", "text": text}
        return BoltResponse(
            status=200, body=json.dumps(payload), headers={"content-type": "application/json"}
        )
    return BoltResponse(status=200, body="")


def create_app(
    settings: Settings,
    services: Services,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
    signing_secret: str | None = None,
    verify_token: bool = False,
    tenants: Tenants | None = None,
    one_program: bool = False,
    installations: InstalledClients | None = None,
) -> App:
    """Build the Bolt app for these settings and services; no module-level state.

    With `verify_token`, Bolt's auth.test is made now (a BoltError if it fails), so that no
    request has to wait for it. Many workspaces (SLACK_CLIENT_ID set, or more than one program
    in the database): each request gets the services of its workspace's program (`tenants`,
    default: over `services`' store); a workspace with none is told so and nothing runs.
    `one_program`: every request gets `services`, however many programs there are (the
    console, which is one program's). With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth
    install), each request is authorized by its workspace's installation (`installations`,
    built over the services' database unless given) and the app offers the install pages."""
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
        **_oauth_arguments(settings, installations, services.tenants),
    )

    if one_program:  # the console: every request is the one program's
        tenants = None
    else:
        tenants = tenants or Tenants(services, oauth=settings.many_workspaces)
        tenants.all()  # read now, not on the first request (kept; read again after a change)

    def attach_services(context: BoltContext, body: dict[str, Any], next: Callable[[], Any]) -> Any:
        if installations is not None:
            context[INSTALLATIONS_KEY] = installations
        if tenants is None or not tenants.multi():
            context["services"] = services
            return next()
        named = _team_ids(body)
        if len(named) > 1:  # the body disagrees with itself about its workspace: not Slack's
            log.warning("request naming %d workspaces refused", len(named))
            return BoltResponse(status=200, body="")
        found = tenants.for_team(context.enterprise_id, context.team_id)
        if found is None and _event_type(body) in INSTALLATION_EVENTS:
            context["services"] = services
            return next()
        if found is None:
            log.info("request from workspace %s, which has no program", context.team_id)
            return not_set_up(body, context.team_id)
        context["services"] = found
        return next()

    app.use(attach_services)
    # Slack calls made while answering get only what remains of Slack's 3 s (bot/slack/budget.py),
    # and one that fails leaves the answer a 200, never a 500.
    app.use(ack_budget_middleware(services.clock.monotonic))
    app.error(on_listener_error)
    handlers.register(app)
    return app


def _oauth_arguments(
    settings: Settings, installations: InstalledClients | None, directory: TenantDirectory
) -> dict[str, Any]:
    """App's OAuth arguments in OAuth mode, none with SLACK_BOT_TOKEN."""
    if installations is None:
        return {}
    return {
        "oauth_settings": oauth_settings(
            settings,
            installations,
            on_installed=lambda installation: installed_again(directory, installation),
        ),
        "installation_store_bot_only": True,
        # Bolt posts it to the response_url (or answers with it): a whole message, with blocks
        # like every message of ours (Bolt's Respond takes a dict as the message).
        "user_facing_authorize_error_message": views.notice(NOT_INSTALLED),
    }
