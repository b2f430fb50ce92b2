"""OAuth install end to end (issue 21): two workspaces installed through the real HTTP pages
against the loopback fake, then each one's signed requests answered with its own bot token;
uninstall and revoked tokens delete the installation; the lookup's cost per request, measured.

`settings` is overridden here: OAuth mode (client id and secret, no SLACK_BOT_TOKEN)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

import bot.web.server
from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.config import Settings
from bot.services.installations import TokenRotationLocks
from bot.slack.clients import InstalledClients, installation_store
from bot.web.app import NOT_INSTALLED
from tests.support.http_client import request
from tests.support.oauth import (
    CLIENT_ID,
    TEAM_A,
    TEAM_B,
    command_from,
    event_from,
    finish_install,
    install,
    oauth_settings,
    start_install,
)
from tests.support.servers import running_http_server
from tests.support.slack_api import OAUTH_METHOD, RESPONSE_URL_METHOD, FakeSlackApi
from tests.support.tenants import TwoDistricts, two_districts

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # engine-independent


@pytest.fixture
def settings(db_url: str, slack_api: FakeSlackApi) -> Settings:
    """OAuth mode over the test database and the fake."""
    return oauth_settings(db_url, slack_api)


@pytest.fixture
def districts(services: Services) -> TwoDistricts:
    """Hillside's program for TEAM_A, Riverside's for TEAM_B (the same Slack ids), paired."""
    return two_districts(services)


def bot_token(services: Services, settings: Settings, team_id: str) -> str | None:
    bot = installation_store(settings, services.store.engine).find_bot(
        enterprise_id=None, team_id=team_id
    )
    return bot.bot_token if bot is not None else None


def test_two_workspaces_install_and_each_is_answered_with_its_own_token(
    http_server: str,
    slack_api: FakeSlackApi,
    services: Services,
    settings: Settings,
    districts: TwoDistricts,
) -> None:
    a, b = slack_api.add_workspace(TEAM_A), slack_api.add_workspace(TEAM_B)
    install(http_server, a)
    install(http_server, b)
    exchanged = slack_api.calls_to(OAUTH_METHOD)
    assert [c.params["code"] for c in exchanged] == [f"code-{TEAM_A}", f"code-{TEAM_B}"]
    assert a.token != b.token
    assert bot_token(services, settings, TEAM_A) == a.token
    assert bot_token(services, settings, TEAM_B) == b.token

    slack_api.calls.clear()
    for team in (TEAM_A, TEAM_B, TEAM_A):
        status, _ = command_from(http_server, team, "/logmeeting", "", "U0LEE")  # opens the form
        assert status == 200
    opened = slack_api.calls_to("views.open")
    assert [c.token for c in opened] == [a.token, b.token, a.token]
    for call in slack_api.calls:  # every call carried the token of its own workspace
        workspace = slack_api.workspace_of(call.token)
        assert workspace is not None, call.method
    checked = slack_api.calls_to("auth.test")
    assert [c.token for c in checked] == [a.token, b.token]  # once per token: cached after
    _, hill = command_from(http_server, TEAM_A, "/hours", "", "U0LEE")
    _, river = command_from(http_server, TEAM_B, "/hours", "", "U0LEE")
    assert b"Bea Beginner" in hill and b"Rivers" not in hill
    assert b"Bea Beginner Rivers" in river


@SQLITE_ONLY
def test_a_forged_or_replayed_state_installs_nothing(
    http_server: str, slack_api: FakeSlackApi, services: Services, settings: Settings
) -> None:
    a = slack_api.add_workspace(TEAM_A)
    state, _ = start_install(http_server)
    assert finish_install(http_server, a.code, "forged-state", cookie_state="forged-state") == 401
    assert finish_install(http_server, a.code, state, cookie_state="another-browser") == 400
    assert slack_api.calls_to(OAUTH_METHOD) == []
    assert finish_install(http_server, a.code, state) == 200
    assert finish_install(http_server, "code-again", state) == 401  # a state is used once
    assert len(slack_api.calls_to(OAUTH_METHOD)) == 1
    assert bot_token(services, settings, TEAM_A) == a.token


@SQLITE_ONLY
@pytest.mark.parametrize("path", ["/slack/install", "/slack/oauth_redirect"])
def test_the_install_pages_answer_get_only(http_server: str, path: str) -> None:
    status, headers, _ = request(http_server, "POST", path, "x=1")
    assert status == 405 and headers["allow"] == "GET"


@SQLITE_ONLY
def test_a_workspace_that_never_installed_is_told_so_and_nothing_else_runs(
    http_server: str, slack_api: FakeSlackApi, districts: TwoDistricts
) -> None:
    assert_not_installed(http_server, slack_api, "T0NEVER")
    assert slack_api.calls_to("views.open") == []


def assert_not_installed(http_server: str, slack_api: FakeSlackApi, team_id: str) -> None:
    """A command from the workspace is answered (on its response_url) with NOT_INSTALLED."""
    before = len(slack_api.calls_to(RESPONSE_URL_METHOD))
    status, _ = command_from(
        http_server, team_id, "/logmeeting", "", "U0LEE", response_url=slack_api.response_url
    )
    assert status == 200
    answers = slack_api.wait_for_calls(RESPONSE_URL_METHOD, before + 1)
    assert answers[-1].params["text"] == NOT_INSTALLED


@pytest.mark.parametrize(
    "event_payload",
    [
        pytest.param({"type": "app_uninstalled"}, id="app_uninstalled"),
        pytest.param(
            {"type": "tokens_revoked", "tokens": {"bot": [f"UBOT{TEAM_A}"]}}, id="tokens_revoked"
        ),
    ],
)
def test_uninstall_deletes_the_tokens_and_the_workspace_gets_nothing_more(
    http_server: str,
    slack_api: FakeSlackApi,
    services: Services,
    settings: Settings,
    districts: TwoDistricts,
    event_payload: dict[str, Any],
) -> None:
    a, b = slack_api.add_workspace(TEAM_A), slack_api.add_workspace(TEAM_B)
    install(http_server, a)
    install(http_server, b)
    assert command_from(http_server, TEAM_A, "/logmeeting", "", "U0LEE")[0] == 200  # warm cache
    slack_api.revoke(TEAM_A)
    assert event_from(http_server, TEAM_A, {**event_payload, "event_ts": str(time.time())}) == 200
    assert bot_token(services, settings, TEAM_A) is None
    assert bot_token(services, settings, TEAM_B) == b.token
    marked = {t.team_id: t.uninstalled_at for t in services.tenants.all()}
    assert marked == {TEAM_A: services.clock.now(), TEAM_B: None}

    slack_api.calls.clear()
    assert_not_installed(http_server, slack_api, TEAM_A)
    assert command_from(http_server, TEAM_B, "/logmeeting", "", "U0LEE")[0] == 200
    sent = [(c.method, c.token) for c in slack_api.calls if c.method != RESPONSE_URL_METHOD]
    assert sent == [("auth.test", b.token), ("views.open", b.token)]  # nothing with A's token


@SQLITE_ONLY
def test_a_workspace_installing_again_gets_its_program_back(
    http_server: str,
    slack_api: FakeSlackApi,
    services: Services,
    settings: Settings,
    districts: TwoDistricts,
) -> None:
    a = slack_api.add_workspace(TEAM_A)
    install(http_server, a)
    assert event_from(http_server, TEAM_A, {"type": "app_uninstalled", "event_ts": "1.1"}) == 200
    assert [t.uninstalled_at for t in services.tenants.all() if t.team_id == TEAM_A] != [None]
    again = slack_api.add_workspace(TEAM_A)
    install(http_server, again)
    assert [t.uninstalled_at for t in services.tenants.all() if t.team_id == TEAM_A] == [None]
    _, hill = command_from(http_server, TEAM_A, "/hours", "", "U0LEE")
    assert b"Bea Beginner" in hill and b"Rivers" not in hill


@SQLITE_ONLY
def test_uninstalling_a_workspace_without_a_program_still_deletes_its_tokens(
    http_server: str,
    slack_api: FakeSlackApi,
    services: Services,
    settings: Settings,
    districts: TwoDistricts,
) -> None:
    lone = slack_api.add_workspace("TC0LONE")
    install(http_server, lone)
    assert bot_token(services, settings, "TC0LONE") == lone.token
    assert event_from(http_server, "TC0LONE", {"type": "app_uninstalled", "event_ts": "1.1"}) == 200
    assert bot_token(services, settings, "TC0LONE") is None
    assert all(t.uninstalled_at is None for t in services.tenants.all())


@SQLITE_ONLY
def test_a_revoked_user_token_alone_keeps_the_installation(
    http_server: str, slack_api: FakeSlackApi, services: Services, settings: Settings
) -> None:
    a = slack_api.add_workspace(TEAM_A)
    install(http_server, a)
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": ["U0LEE"]}, "event_ts": "1.2"}
    assert event_from(http_server, TEAM_A, revoked) == 200
    assert bot_token(services, settings, TEAM_A) == a.token


@pytest.fixture
def statements(services: Services) -> Iterator[list[str]]:
    """Every SQL statement run on the store's engine (slack_sdk's stores included) from here."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(services.store.engine, "before_cursor_execute", before)
    yield seen
    event.remove(services.store.engine, "before_cursor_execute", before)


def test_the_installation_lookup_costs_one_select_and_no_web_api_call_once_warm(
    http_server: str,
    slack_api: FakeSlackApi,
    services: Services,
    districts: TwoDistricts,
    statements: list[str],
) -> None:
    """Measured per request (issue 21): cold (the token's first request since the process
    started) one SELECT of slack_bots and one auth.test; warm one SELECT and no Web API call.
    In all: PostgreSQL +1 statement a request; SQLite +2 (that read's BEGIN, which the store
    issues itself, and the SELECT)."""
    a = slack_api.add_workspace(TEAM_A)
    install(http_server, a)
    costs = []
    for _ in range(3):
        statements.clear()
        slack_api.calls.clear()
        status, data = command_from(http_server, TEAM_A, "/hours", "", "U0LEE")
        assert status == 200 and b"Lincoln" in data
        lookups = [s for s in statements if "slack_bots" in s or "slack_installations" in s]
        assert all("FROM slack_bots" in s for s in lookups), lookups
        if services.store.is_sqlite:
            assert statements[statements.index(lookups[0]) - 1] == "BEGIN DEFERRED"
        costs.append((len(lookups), len(slack_api.calls_to("auth.test")), len(slack_api.calls)))
    assert costs == [(1, 1, 1), (1, 0, 0), (1, 0, 0)]
    assert CLIENT_ID  # the lookups are by this app's client id (slack_sdk's stores)


def test_a_request_with_a_due_token_refreshes_it_once_and_is_answered_with_the_new_one(
    monkeypatch: pytest.MonkeyPatch,
    slack_api: FakeSlackApi,
    services: Services,
    settings: Settings,
    clock: FixedClock,
    districts: TwoDistricts,
) -> None:
    """Bolt's authorize refreshes through the same lock and save as the scheduler's sends."""

    def on_the_test_clock(settings: Settings, services: Services) -> InstalledClients:
        return InstalledClients(
            installation_store(settings, services.store.engine),
            settings,
            locks=TokenRotationLocks(services.store),
            clock=clock,
        )

    monkeypatch.setattr(bot.web.server, "installed_clients", on_the_test_clock)
    with running_http_server(settings, services) as base:
        a = slack_api.add_workspace(TEAM_A, rotating=True)
        install(base, a)
        first = a.token
        saved = installation_store(settings, services.store.engine).find_bot(
            enterprise_id=None, team_id=TEAM_A
        )
        assert saved is not None and saved.bot_token_expires_at is not None
        clock.set(datetime.fromtimestamp(saved.bot_token_expires_at - 3600, UTC))  # due
        slack_api.calls.clear()
        assert command_from(base, TEAM_A, "/logmeeting", "", "U0LEE")[0] == 200
    assert a.token != first
    assert [c.params.get("grant_type") for c in slack_api.calls_to(OAUTH_METHOD)] == [
        "refresh_token"
    ]
    assert [c.token for c in slack_api.calls_to("views.open")] == [a.token]
    assert bot_token(services, settings, TEAM_A) == a.token
