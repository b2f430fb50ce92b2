"""OAuth install (issue 21): Bolt's OAuthSettings over slack_sdk's SQLAlchemy stores on the app's
own database, when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set.

GET /slack/install starts an install (a state stored and set as a cookie), GET
/slack/oauth_redirect finishes it (the state checked and consumed, the code exchanged with
oauth.v2.access, the installation saved). Requests are authorized by the installation's bot
(`find_bot`: one SELECT a request) and Bolt's auth.test is made once per token and then cached
(`cache_enabled`), so a request adds no Web API call. Token refreshes go through
`LockedTokenRotator`: one refresher per installation across processes."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.bootstrap import Services
from bot.config import Settings
from bot.services.installations import TokenRotationLocks
from bot.services.tenants import TenantDirectory
from bot.slack.clients import (
    ROTATION_MINUTES,
    InstalledClients,
    LockedTokenRotator,
    client_source,
)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 10 * 60  # an install started and not finished within this is refused

log = logging.getLogger("bot.web.oauth")


def installed_clients(settings: Settings, services: Services) -> InstalledClients:
    """Each installation's client, over the app's database (OAuth settings required)."""
    clients = client_source(settings, TokenRotationLocks(services.store))
    if not isinstance(clients, InstalledClients):
        raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are required")
    return clients


def oauth_settings(
    settings: Settings,
    clients: InstalledClients,
    *,
    on_installed: Callable[[Installation], None] | None = None,
) -> OAuthSettings:
    """Bolt's OAuth settings: slack_sdk's stores, bot tokens only, the locked rotation and the
    cached auth.test. `on_installed`: called with each installation saved, before the success
    page."""
    if settings.SLACK_CLIENT_ID is None or settings.SLACK_CLIENT_SECRET is None:
        raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are required")
    secret = settings.SLACK_CLIENT_SECRET.get_secret_value()
    store = clients.installation_store
    oauth = OAuthSettings(
        client_id=settings.SLACK_CLIENT_ID,
        client_secret=secret,
        scopes=settings.scopes,
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=ROTATION_MINUTES,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_SECONDS, engine=store.engine, logger=log
        ),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=CallbackOptions(
            success=_then_default(on_installed), failure=lambda args: args.default.failure(args)
        ),
        logger=log,
    )
    authorize = InstallationStoreAuthorize(
        logger=log,
        installation_store=store,
        client_id=settings.SLACK_CLIENT_ID,
        client_secret=secret,
        token_rotation_expiration_minutes=ROTATION_MINUTES,
        bot_only=True,
        cache_enabled=True,  # auth.test once per token, not once per request
    )
    authorize.token_rotator = LockedTokenRotator(clients)
    oauth.authorize = authorize
    return oauth


def _then_default(
    on_installed: Callable[[Installation], None] | None,
) -> Callable[[SuccessArgs], BoltResponse]:
    def success(args: SuccessArgs) -> BoltResponse:
        if on_installed is not None:
            on_installed(args.installation)
        return args.default.success(args)

    return success


def installed_again(directory: TenantDirectory, installation: Installation) -> None:
    """A workspace installs the app again after an uninstall: its program, kept for the
    retention period, runs again (the same program: its people, logs and totals)."""
    tenant = directory.for_team(installation.enterprise_id, installation.team_id)
    if tenant is not None and tenant.uninstalled_at is not None:
        directory.bind(tenant.program_id, tenant.team_id, tenant.enterprise_id)
        log.info("team %s installed the app again", tenant.label)
