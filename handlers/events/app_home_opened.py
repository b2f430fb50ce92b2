"""The Home tab: a section for each of the person's roles, published when they open it."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from handlers.home import publish_home
from handlers.reply import services_of


def handle(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Publish the Home tab for the person who opened it."""
    if event.get("tab", "home") != "home":
        return
    publish_home(client, services_of(context), event["user"])
