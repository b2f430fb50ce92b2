"""`serve`: Socket Mode when SLACK_APP_TOKEN is set, else HTTP behind waitress; plus /healthz.

In HTTP mode, POST /slack/events passes the edge (bot/web/ingress.py) before Bolt: bounded bodies,
signatures before parsing, 4xx for anything malformed, no request processed twice. With an OAuth
install (bot/web/oauth.py), GET /slack/install and GET /slack/oauth_redirect go to Bolt's OAuth
flow: a browser's, not Slack's, so not signed; the flow's state (stored, and a cookie) guards
them."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackClientError
from sqlalchemy import text
from waitress.server import create_server

from bot.bootstrap import Services, Tenants
from bot.config import Settings
from bot.slack.client import make_web_client
from bot.slack.clients import ClientSource, FixedClient, InstalledClients
from bot.web.app import create_app
from bot.web.ingress import MAX_BODY_BYTES, ReplayGuard, SlackEdge
from bot.web.oauth import installed_clients
from schedules.scheduler import start_scheduler

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
WSGI_THREADS = 8
# waitress refuses a larger body itself (413, before buffering it); the margin leaves the exact
# limit to the edge and covers chunked framing.
WAITRESS_BODY_LIMIT = MAX_BODY_BYTES + 16 * 1024

StartResponse = Callable[..., Any]


class SlackWsgi:
    """WSGI: POST /slack/events through the edge to Bolt, GET /healthz to a database check, else
    404. The signing secret defaults to the app's."""

    def __init__(self, app: App, services: Services, signing_secret: str | None = None) -> None:
        secret = signing_secret or app._signing_secret
        self.edge = SlackEdge(
            app, secret, ReplayGuard(services.store), monotonic=services.clock.monotonic
        )
        self.services = services
        flow = app.oauth_flow
        self.oauth_paths = (
            frozenset({flow.install_path, flow.redirect_uri_path}) if flow else frozenset()
        )
        self.oauth = SlackRequestHandler(app, path=EVENTS_PATH)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            return self._health(start_response)
        if path == EVENTS_PATH:
            return self.edge(environ, start_response)
        if path in self.oauth_paths:
            if environ.get("REQUEST_METHOD") != "GET":
                start_response("405 Method Not Allowed", [("Allow", "GET")])
                return [b"method not allowed"]
            return self.oauth(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        try:
            with self.services.store.read() as session:
                session.execute(text("SELECT 1"))
            status, body = "200 OK", {"ok": True, "database": "ok"}
        except Exception as exc:  # the health check reports, never raises
            log.warning("health check failed: %s", type(exc).__name__)
            status, body = "503 Service Unavailable", {"ok": False, "database": "unreachable"}
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


def make_http_server(
    settings: Settings,
    services: Services,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    wiring: Wiring | None = None,
) -> Any:
    """A waitress server for the app (port 0 picks a free one: see `.effective_port`);
    `wiring`: the deployment's tenants and clients, shared with the scheduler."""

    if settings.SLACK_SIGNING_SECRET is None:
        raise ValueError("SLACK_SIGNING_SECRET is required to receive Slack's HTTP requests")
    # Our listeners build the reply before ack(): answering when the listener returns avoids
    # Bolt's 10 ms polling for the ack of a listener run on another thread.
    app = _serving_app(settings, services, wiring, process_before_response=True)
    wsgi = SlackWsgi(app, services, settings.SLACK_SIGNING_SECRET.get_secret_value())
    return create_server(
        wsgi,
        host=host,
        port=port,
        threads=WSGI_THREADS,
        max_request_body_size=WAITRESS_BODY_LIMIT,
    )


def make_socket_mode_handler(
    settings: Settings, services: Services, wiring: Wiring | None = None
) -> Any:
    """The Socket Mode connection for the app (call `.start()`, or `.connect()` and `.close()`)."""
    if settings.SLACK_APP_TOKEN is None:
        raise ValueError("SLACK_APP_TOKEN is required for Socket Mode")
    app = _serving_app(settings, services, wiring, process_before_response=False)
    return SocketModeHandler(
        app,
        settings.SLACK_APP_TOKEN.get_secret_value(),
        web_client=make_web_client(settings),  # connecting may wait out a 429; requests never do
    )


@dataclass(frozen=True)
class Wiring:
    """What the app and the scheduler of one `serve` share: the programs by workspace, and
    each workspace's Web API client (an OAuth install's installations among them)."""

    tenants: Tenants
    clients: ClientSource

    @classmethod
    def of(cls, settings: Settings, services: Services) -> Wiring:
        """Built once per deployment, over the services' database."""
        clients: ClientSource = (
            installed_clients(settings, services)
            if settings.has_oauth
            else FixedClient(make_web_client(settings))
        )
        return cls(Tenants(services, oauth=settings.many_workspaces), clients)

    @property
    def installations(self) -> InstalledClients | None:
        """The OAuth install's clients, or None with one bot token."""
        return self.clients if isinstance(self.clients, InstalledClients) else None


def _serving_app(
    settings: Settings,
    services: Services,
    wiring: Wiring | None,
    *,
    process_before_response: bool,
) -> App:
    """The app, its token checked with Slack before the first request rather than during it."""
    wiring = wiring or Wiring.of(settings, services)

    def build(verify_token: bool) -> App:
        return create_app(
            settings,
            services,
            process_before_response=process_before_response,
            verify_token=verify_token,
            tenants=wiring.tenants,
            installations=wiring.installations,
        )

    try:
        return build(verify_token=True)
    except (BoltError, SlackClientError, OSError) as exc:
        log.warning("could not check the bot token with Slack now (%s); will on first use", exc)
        return build(verify_token=False)


def serve(settings: Settings, services: Services, *, host: str, port: int, scheduler: bool) -> int:
    """Run until interrupted: the scheduler (unless disabled) and Socket Mode or HTTP."""
    if settings.SLACK_BOT_TOKEN is None and not settings.has_oauth:
        log.error("SLACK_BOT_TOKEN is not set: set it in .env, or try `mentor-minutes console`")
        return 2
    wiring = Wiring.of(settings, services)  # one for the app and the scheduler
    runner = None
    if scheduler:  # an OAuth install's jobs send with each workspace's installation's token
        runner = start_scheduler(settings, services, tenants=wiring.tenants, clients=wiring.clients)
    try:
        if settings.SLACK_APP_TOKEN is not None:
            log.info("Socket Mode: connecting to Slack")
            make_socket_mode_handler(settings, services, wiring).start()
            return 0
        try:
            server = make_http_server(settings, services, host=host, port=port, wiring=wiring)
        except ValueError as exc:
            log.error("%s", exc)
            return 2
        log.info("listening on http://%s:%s%s", host, server.effective_port, EVENTS_PATH)
        if settings.has_oauth:
            log.info("installs start at http://%s:%s/slack/install", host, server.effective_port)
        server.run()
        return 0
    finally:
        if runner is not None:
            runner.shutdown()
