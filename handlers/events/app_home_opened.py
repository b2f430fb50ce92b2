"""The Home tab: the person's hours at a glance and how to use the bot."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.errors import NotOnRoster, Refusal
from bot.slack import views
from handlers.reply import services_of

log = logging.getLogger(__name__)


def handle(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Publish the Home tab for the person who opened it."""
    if event.get("tab", "home") != "home":
        return
    services = services_of(context)
    user_id = event["user"]
    try:
        report = services.hours.report(user_id, services.clock.now())
        home = views.home_tab(report.viewer.name, views.hours_report(report), report.viewer.roles)
    except NotOnRoster as exc:  # told whom to ask; no buttons that would fail
        home = views.home_tab("welcome", views.notice(exc.message), None)
    except Refusal as exc:
        home = views.home_tab("welcome", views.refusal(exc.message))
    try:
        client.views_publish(user_id=user_id, view=home)
    except SlackApiError as exc:
        log.warning("views.publish failed for %s: %s", user_id, exc.response.get("error"))
