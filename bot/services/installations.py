"""The one lock around refreshing an installation's bot token (OAuth install, issue 21): the
Slack side (bot/slack/clients.py) refreshes with slack_sdk's TokenRotator inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.store.db import Store
from bot.store.locks import token_rotation_lock


class TokenRotationLocks:
    """`hold(enterprise_id, team_id)`: one refresher of that installation's token at a time, on
    every thread and process sharing the database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextmanager
    def hold(self, enterprise_id: str | None, team_id: str | None) -> Iterator[None]:
        """The installation's rotation lock, for the block."""
        with token_rotation_lock(self.store, f"{enterprise_id or '-'}:{team_id or '-'}"):
            yield
