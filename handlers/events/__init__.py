"""Event listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers.events import app_home_opened, uninstalled


def register(app: App) -> None:
    """Register every event listener."""
    app.event("app_home_opened")(app_home_opened.handle)
    app.event("app_uninstalled")(uninstalled.app_uninstalled)
    app.event("tokens_revoked")(uninstalled.tokens_revoked)
