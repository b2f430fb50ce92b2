"""Token rotation (issue 21): a bot token expiring within two hours is refreshed before use with
slack_sdk's TokenRotator, saved, and refreshed once however many threads (processes) want it at
the same moment: the database lock (bot/store/locks.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.config import Settings
from bot.services.installations import TokenRotationLocks
from bot.services.tenants import Tenant as TenantOf
from bot.slack.clients import FixedClient, InstalledClients, LockedTokenRotator, client_source
from tests.support.hillside import NOW
from tests.support.oauth import CLIENT_ID, CLIENT_SECRET, TEAM_A, TEAM_B, oauth_settings
from tests.support.slack_api import INSTALLER, OAUTH_METHOD, FakeSlackApi, Workspace

THREADS = 4
WAIT = 30.0  # a deadline for threads that must meet, never a pause


def Tenant(team_id: str) -> TenantOf:
    """A tenant of the workspace (InstalledClients reads its team and enterprise)."""
    return TenantOf(1, "Hillside", team_id, None, None)


class MeetingStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, where each thread's first `find_bot` (before the lock) waits for every
    other thread's: all of them have read the same due token before any of them refreshes it."""

    def __init__(self, *args: Any, barrier: threading.Barrier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.barrier = barrier
        self.met = threading.local()

    def find_bot(self, **kwargs: Any) -> Bot | None:
        bot = super().find_bot(**kwargs)
        if not getattr(self.met, "done", False):
            self.met.done = True
            self.barrier.wait(timeout=WAIT)
        return bot


@pytest.fixture
def settings(db_url: str, slack_api: FakeSlackApi) -> Settings:
    return oauth_settings(db_url, slack_api)


def installed(
    slack_api: FakeSlackApi,
    store: SQLAlchemyInstallationStore,
    team: str,
    expires_at: datetime = NOW + timedelta(hours=12),
) -> Workspace:
    """A rotating workspace installed: its code exchanged at the fake, the installation saved
    with its token expiring at `expires_at` (by the test's clock, NOW). A refreshed token expires
    12 hours after the wall clock (slack_sdk's TokenRotator reads it), well after NOW."""
    workspace = slack_api.add_workspace(team, rotating=True)
    answer = WebClient(base_url=slack_api.url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=workspace.code
    )
    store.save(
        Installation(
            app_id=answer["app_id"],
            enterprise_id=None,
            team_id=team,
            bot_token=answer["access_token"],
            bot_id=f"B0{team}",
            bot_user_id=answer["bot_user_id"],
            bot_scopes=answer["scope"],
            bot_refresh_token=answer["refresh_token"],
            bot_token_expires_at=expires_at,
            user_id=INSTALLER,
        )
    )
    return workspace


@pytest.fixture
def store(services: Services, settings: Settings) -> Iterator[SQLAlchemyInstallationStore]:
    yield SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=services.store.engine)


def clients_over(
    store: SQLAlchemyInstallationStore, settings: Settings, services: Services, clock: FixedClock
) -> InstalledClients:
    return InstalledClients(store, settings, locks=TokenRotationLocks(services.store), clock=clock)


def refreshes(slack_api: FakeSlackApi) -> int:
    return sum(
        1 for c in slack_api.calls_to(OAUTH_METHOD) if c.params.get("grant_type") == "refresh_token"
    )


def test_a_token_not_due_is_used_as_it_is(
    slack_api: FakeSlackApi,
    store: SQLAlchemyInstallationStore,
    settings: Settings,
    services: Services,
    clock: FixedClock,
) -> None:
    a = installed(slack_api, store, TEAM_A, NOW + timedelta(hours=2, minutes=1))
    client = clients_over(store, settings, services, clock).client_for(Tenant(TEAM_A))
    assert client is not None and client.token == a.token
    assert refreshes(slack_api) == 0


def test_threads_wanting_a_due_token_at_once_refresh_it_once(
    slack_api: FakeSlackApi,
    settings: Settings,
    services: Services,
    clock: FixedClock,
    store: SQLAlchemyInstallationStore,
) -> None:
    a = installed(slack_api, store, TEAM_A, NOW + timedelta(hours=1))  # due: within two hours
    first = a.token
    barrier = threading.Barrier(THREADS)
    meeting = MeetingStore(client_id=CLIENT_ID, engine=services.store.engine, barrier=barrier)
    clients = clients_over(meeting, settings, services, clock)
    got: list[str | None] = []
    errors: list[BaseException] = []

    def want() -> None:
        try:
            client = clients.client_for(Tenant(TEAM_A))
            got.append(client.token if client is not None else None)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=want) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not errors, errors
    assert refreshes(slack_api) == 1  # one oauth.v2.access refresh, whoever got the lock first
    assert a.token != first and got == [a.token] * THREADS
    bot = store.find_bot(enterprise_id=None, team_id=TEAM_A)
    assert bot is not None and bot.bot_token == a.token
    assert bot.bot_refresh_token == a.refresh_token  # the new single-use refresh token kept


def test_bolts_rotation_takes_the_same_lock_and_saves(
    slack_api: FakeSlackApi,
    settings: Settings,
    services: Services,
    clock: FixedClock,
    store: SQLAlchemyInstallationStore,
) -> None:
    a = installed(slack_api, store, TEAM_A, NOW + timedelta(minutes=30))
    rotator = LockedTokenRotator(clients_over(store, settings, services, clock))
    stale = store.find_bot(enterprise_id=None, team_id=TEAM_A)
    assert stale is not None
    fresh = rotator.perform_bot_token_rotation(bot=stale)
    assert fresh is not None and fresh.bot_token == a.token != stale.bot_token
    again = rotator.perform_bot_token_rotation(bot=stale)  # a request that read the old token
    assert again is not None and again.bot_token == a.token  # finds the saved one
    assert refreshes(slack_api) == 1


def test_no_installation_or_a_refused_refresh_sends_nothing(
    slack_api: FakeSlackApi,
    settings: Settings,
    services: Services,
    clock: FixedClock,
    store: SQLAlchemyInstallationStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    installed(slack_api, store, TEAM_A, NOW + timedelta(minutes=5))
    clients = clients_over(store, settings, services, clock)
    assert clients.client_for(Tenant(TEAM_B)) is None  # never installed
    assert clients.client_for(None) is None
    slack_api.revoke(TEAM_A)
    with caplog.at_level("WARNING", logger="bot.slack.clients"):
        assert clients.client_for(Tenant(TEAM_A)) is None
    assert f"team {TEAM_A}: invalid_refresh_token" in caplog.text
    clients.forget(None, TEAM_A)
    assert clients.client_for(Tenant(TEAM_A)) is None
    assert store.find_installation(enterprise_id=None, team_id=TEAM_A) is None


def test_single_token_mode_is_one_client_for_every_tenant() -> None:
    client = WebClient(token="xoxb-one")
    fixed = FixedClient(client)
    assert fixed.client_for(Tenant(TEAM_A)) is client and fixed.client_for(None) is client


def test_the_settings_choose_the_client_source(
    settings: Settings, services: Services, slack_api: FakeSlackApi
) -> None:
    locks = TokenRotationLocks(services.store)
    assert isinstance(client_source(settings, locks), InstalledClients)
    one = settings.model_copy(
        update={"SLACK_CLIENT_ID": None, "SLACK_BOT_TOKEN": SecretStr("xoxb-1")}
    )
    fixed = client_source(one, locks)
    assert isinstance(fixed, FixedClient)
    client = fixed.client_for(Tenant(TEAM_A))
    assert client is not None and client.token == "xoxb-1" and client.base_url == slack_api.url
