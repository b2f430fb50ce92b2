"""Slash commands."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands import hours, induction, logmeeting


def register(app: App) -> None:
    """Register every slash command."""
    app.command("/logmeeting")(logmeeting.handle)
    app.command("/hours")(hours.handle)
    app.command("/induction")(induction.handle)
