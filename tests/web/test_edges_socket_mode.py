"""Socket Mode end to end: the app as `serve` runs it with SLACK_APP_TOKEN set
(`bot.web.server.make_socket_mode_handler`, slack_sdk's built-in WebSocket client) against a loopback
server speaking Slack's envelope format, for a slash command and a button press."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.config import Settings, load_settings
from bot.store.models.core import LogEntry
from bot.web.server import make_socket_mode_handler
from tests.support.bolt_requests import all_text
from tests.support.hillside import BOT_TOKEN
from tests.support.signing import block_action_body, slash_command_body
from tests.support.socket_mode import SocketModeServer, SocketModeSlackApi

APP_TOKEN = "xapp-1-A0TEST-1-fake"
WAIT = 10.0  # a deadline for what must come, never a pause


@pytest.fixture
def socket_server() -> Iterator[SocketModeServer]:
    server = SocketModeServer().start()
    yield server
    server.close()


@pytest.fixture
def slack_api(socket_server: SocketModeServer) -> Iterator[SocketModeSlackApi]:
    """The fake Web API (overrides conftest's), handing out the loopback WebSocket URL."""
    with SocketModeSlackApi(socket_server.url) as fake:
        yield fake


@pytest.fixture
def socket_settings(settings: Settings) -> Settings:
    return load_settings(
        _env_file=None,
        DATABASE_URL=settings.DATABASE_URL,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET="",
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=settings.SLACK_API_URL,
        MENTOR_MINUTES_NOW=None,
    )


@pytest.fixture
def connected(
    socket_settings: Settings, services: Services, socket_server: SocketModeServer
) -> Iterator[Any]:
    handler = make_socket_mode_handler(socket_settings, services)
    handler.connect()
    socket_server.wait_connected(WAIT)
    socket_server.hello()
    yield handler
    # Hang up from Slack's side first: the client's reader then returns at once instead of
    # holding its lock until its socket timeout.
    handler.client.auto_reconnect_enabled = False
    socket_server.close()
    handler.close()


def entries(services: Services) -> int:
    with services.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(LogEntry)) or 0)


def test_a_slash_command_and_a_button_press_over_socket_mode(
    connected: Any,
    socket_server: SocketModeServer,
    slack_api: SocketModeSlackApi,
    services: Services,
    pairs: None,
) -> None:
    (opened,) = slack_api.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert socket_server.handshake_path == "/link/?ticket=fake-ticket"

    command = dict(parse_qsl(slash_command_body("/logmeeting", "45m observation", "U0LEE")))
    envelope_id = socket_server.envelope("slash_commands", command)
    ack = socket_server.ack_of(envelope_id, WAIT)

    reply = ack["payload"]
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Logged 45 min observation with Bea Beginner")
    assert entries(services) == 1
    undo = next(
        element
        for block in reply["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == "log_undo"
    )

    body = block_action_body(
        "U0LEE", "log_undo", undo["value"], response_url=slack_api.response_url
    )
    payload = json.loads(parse_qs(body)["payload"][0])
    envelope_id = socket_server.envelope("interactive", payload)
    ack = socket_server.ack_of(envelope_id, WAIT)

    assert ack == {"envelope_id": envelope_id}  # a button press is acked with no payload
    (posted,) = slack_api.wait_for_calls("response_url", 1, timeout=WAIT)
    assert posted.params["text"].startswith("Undone: ~45 min observation with Bea Beginner")
    assert posted.params["replace_original"] is True
    with services.store.read() as session:
        live = session.scalar(
            select(func.count()).select_from(LogEntry).where(LogEntry.deleted_at.is_(None))
        )
    assert live == 0


def test_hours_is_answered_in_the_envelope_ack(
    connected: Any, socket_server: SocketModeServer, services: Services, pairs: None
) -> None:
    command = dict(parse_qsl(slash_command_body("/hours", "", "U0LEE")))
    ack = socket_server.ack_of(socket_server.envelope("slash_commands", command), WAIT)

    assert ack["payload"]["response_type"] == "ephemeral"
    shown = all_text(ack["payload"])
    assert "Bea Beginner" in shown and "Ike Incoming" in shown
    assert "Bo Beginner" not in shown  # Jefferson is not Lee's school
    assert entries(services) == 0
