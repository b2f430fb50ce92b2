"""Bolt listeners, one module per listener; `register(app)` wires every kind."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, events, views


def register(app: App) -> None:
    """Register every listener on the app."""
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
