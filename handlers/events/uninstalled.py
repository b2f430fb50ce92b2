"""`app_uninstalled` and `tokens_revoked` (its bot token): the installation's tokens are deleted
and the workspace's program is marked uninstalled, so nothing more runs or is sent for it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext

from bot.slack.clients import INSTALLATIONS_KEY, InstalledClients
from handlers.reply import services_of

log = logging.getLogger(__name__)


def app_uninstalled(context: BoltContext) -> None:
    """The app was removed from the workspace: forget it."""
    _forget(context, "uninstalled the app")


def tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
    """Tokens were revoked: when the bot's was, forget the installation (a user token alone
    changes nothing: the app asks for none)."""
    if not (event.get("tokens") or {}).get("bot"):
        return
    _forget(context, "revoked the bot token")


def _forget(context: BoltContext, what: str) -> None:
    services = services_of(context)
    enterprise_id, team_id = context.enterprise_id, context.team_id
    installations = context.get(INSTALLATIONS_KEY)
    if isinstance(installations, InstalledClients):
        installations.forget(enterprise_id, team_id)
    # the program stops every job and send from now (a single-workspace deployment's one
    # program is that workspace's)
    services.tenants.mark_uninstalled(enterprise_id, team_id, services.clock.now())
    log.info("team %s %s: its tokens are deleted", team_id or enterprise_id, what)
