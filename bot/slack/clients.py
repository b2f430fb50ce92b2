"""Which Web API client speaks for a workspace (issue 21).

`ClientSource.client_for(tenant)`: one client for every tenant with SLACK_BOT_TOKEN
(`FixedClient`), or with an OAuth install the tenant's installation's bot token
(`InstalledClients`), refreshed first when it expires within two hours. None: no installation
(never installed, or uninstalled): send nothing.

slack_sdk's stores keep the installations (SQLAlchemyInstallationStore over the app's own
database, tables from migration 0019). A token is refreshed with slack_sdk's TokenRotator under
one lock per installation (`bot.services.installations.TokenRotationLocks`): a second refresher,
on any thread or process, waits and then finds the fresh token, so Slack sees one refresh. The
scheduler's sends come here; Bolt's requests come through `LockedTokenRotator`, the same path."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, MetaData

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.services.installations import TokenRotationLocks
from bot.services.tenants import Tenant
from bot.slack.client import make_web_client

log = logging.getLogger(__name__)

ROTATE_WITHIN = timedelta(hours=2)  # a bot token expiring sooner is refreshed before use
ROTATION_MINUTES = int(ROTATE_WITHIN.total_seconds() // 60)
# What the rotator is told once this module has decided a token is due (by the injected clock):
# "refresh now", whatever its own reading of the wall clock.
_NOW_MINUTES = 100 * 366 * 24 * 60


INSTALLATIONS_KEY = "installations"  # bot/web/app.py puts InstalledClients there (OAuth mode)


class ClientSource(Protocol):
    """The client to send as for a program's workspace; None: no installation (send nothing)."""

    def client_for(self, tenant: Tenant | None) -> WebClient | None:
        """The client for `tenant` (None: the single program)."""
        ...


class FixedClient:
    """Single-workspace mode (SLACK_BOT_TOKEN): the one client, for every tenant."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def client_for(self, tenant: Tenant | None) -> WebClient | None:
        """The one client."""
        return self.client


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    """slack_sdk's installation store over the app's database (OAuth settings required)."""
    if settings.SLACK_CLIENT_ID is None:
        raise ValueError("SLACK_CLIENT_ID is required for the installation store")
    return SQLAlchemyInstallationStore(
        client_id=settings.SLACK_CLIENT_ID,
        engine=engine,
        logger=logging.getLogger("bot.slack.installations"),
    )


def slack_store_metadata() -> MetaData:
    """slack_sdk's own table definitions (installations, bots, OAuth states), as the installed
    slack_sdk builds them: what migration 0019 must match."""
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(
        metadata, SQLAlchemyInstallationStore.default_installations_table_name
    )
    SQLAlchemyInstallationStore.build_bots_table(
        metadata, SQLAlchemyInstallationStore.default_bots_table_name
    )
    SQLAlchemyOAuthStateStore.build_oauth_states_table(
        metadata, SQLAlchemyOAuthStateStore.default_table_name
    )
    return metadata


class InstalledClients:
    """OAuth mode: each tenant's installation's bot token, refreshed before it expires."""

    def __init__(
        self,
        installation_store: SQLAlchemyInstallationStore,
        settings: Settings,
        *,
        locks: TokenRotationLocks,
        clock: Clock,
        rotator: TokenRotator | None = None,
    ) -> None:
        if settings.SLACK_CLIENT_ID is None or settings.SLACK_CLIENT_SECRET is None:
            raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are required")
        self.installation_store = installation_store
        self.settings = settings
        self.locks = locks
        self.clock = clock
        self.rotator = rotator or TokenRotator(
            client_id=settings.SLACK_CLIENT_ID,
            client_secret=settings.SLACK_CLIENT_SECRET.get_secret_value(),
            client=make_web_client(settings, token=None),
        )

    def client_for(self, tenant: Tenant | None) -> WebClient | None:
        """A client with the tenant's bot token, or None (no installation, or its token could
        not be refreshed: logged by team id)."""
        if tenant is None:
            return None
        bot = self.bot_for(tenant.enterprise_id, tenant.team_id)
        if bot is None or not bot.bot_token:
            return None
        return make_web_client(self.settings, token=bot.bot_token)

    def bot_for(self, enterprise_id: str | None, team_id: str | None) -> Bot | None:
        """The installation's bot (its token refreshed first when due), or None."""
        bot = self.installation_store.find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=team_id is None,
        )
        if bot is None or not self.due(bot):
            return bot
        try:
            return self.refreshed(bot)
        except SlackTokenRotationError as exc:
            log.warning(
                "could not refresh the bot token of team %s: %s",
                team_id or enterprise_id,
                exc.api_error.response.get("error") if exc.api_error is not None else exc,
            )
            return None

    def due(self, bot: Bot) -> bool:
        """True when the bot token rotates and expires within ROTATE_WITHIN (by the clock)."""
        if bot.bot_refresh_token is None or bot.bot_token_expires_at is None:
            return False
        horizon = self.clock.now() + ROTATE_WITHIN
        return bot.bot_token_expires_at <= horizon.timestamp()

    def refreshed(self, bot: Bot) -> Bot | None:
        """Under the installation's lock: read the bot again; still due, refresh it with the
        TokenRotator (one oauth.v2.access) and save it. Returns the bot as it now stands (None:
        uninstalled meanwhile). SlackTokenRotationError when Slack refuses the refresh."""
        with self.locks.hold(bot.enterprise_id, bot.team_id):
            current = self.installation_store.find_bot(
                enterprise_id=bot.enterprise_id,
                team_id=bot.team_id,
                is_enterprise_install=bot.is_enterprise_install,
            )
            if current is None or not self.due(current):
                return current
            fresh = self.rotator.perform_bot_token_rotation(
                bot=current, minutes_before_expiration=_NOW_MINUTES
            )
            if fresh is None:  # Slack answered with something other than a bot token
                return current
            self.installation_store.save_bot(fresh)
            log.info("refreshed the bot token of team %s", bot.team_id or bot.enterprise_id)
            return fresh

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Delete the installation's tokens (uninstalled, or its bot token revoked)."""
        self.installation_store.delete_all(enterprise_id=enterprise_id, team_id=team_id)


def client_source(settings: Settings, locks: TokenRotationLocks) -> ClientSource:
    """The clients for these settings: SLACK_BOT_TOKEN's one (`FixedClient`), or with an OAuth
    install each installation's (`InstalledClients` over the locks' database, the token's expiry
    read on the system clock, as Slack reads it, even when MENTOR_MINUTES_NOW fixes the
    program's clock)."""
    if not settings.has_oauth:
        return FixedClient(make_web_client(settings))
    return InstalledClients(
        installation_store(settings, locks.store.engine),
        settings,
        locks=locks,
        clock=SystemClock(),
    )


class LockedTokenRotator(TokenRotator):
    """Bolt's `authorize` refreshes through this: the same decision, lock and save as the
    scheduler's (`InstalledClients.refreshed`), so a request and a job never both refresh."""

    def __init__(self, clients: InstalledClients) -> None:
        super().__init__(
            client_id=clients.rotator.client_id,
            client_secret=clients.rotator.client_secret,
            client=clients.rotator.client,
        )
        self.clients = clients

    def perform_bot_token_rotation(
        self, *, bot: Bot, minutes_before_expiration: int = ROTATION_MINUTES
    ) -> Bot | None:
        """The refreshed bot when it was due (Bolt saves it again: the same row), else None."""
        if not self.clients.due(bot):
            return None
        return self.clients.refreshed(bot)
