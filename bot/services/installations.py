"""The one lock around refreshing an installation's bot token (OAuth install, issue 21): the
Slack side (bot/slack/clients.py) refreshes with slack_sdk's TokenRotator inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, column, func, select, table

from bot.store.db import Store
from bot.store.locks import token_rotation_lock

# slack_sdk's bot table (migration 0019_slack_installations mirrors it): one row per install,
# the newest of a workspace's rows holding its token; deleted at uninstall.
SLACK_BOTS = table(
    "slack_bots", column("enterprise_id"), column("team_id"), column("team_name"),
    column("installed_at", DateTime),
)  # fmt: skip


@dataclass(frozen=True)
class Installation:
    """A workspace the app is installed in (no token: what `teams` shows)."""

    enterprise_id: str | None
    team_id: str | None
    team_name: str | None
    installed_at: datetime


def installations(store: Store) -> list[Installation]:
    """Every workspace with a bot installed, its latest install first by team id."""
    with store.read() as session:
        rows = session.execute(
            select(
                SLACK_BOTS.c.enterprise_id,
                SLACK_BOTS.c.team_id,
                func.max(SLACK_BOTS.c.team_name),
                func.max(SLACK_BOTS.c.installed_at),
            )
            .group_by(SLACK_BOTS.c.enterprise_id, SLACK_BOTS.c.team_id)
            .order_by(SLACK_BOTS.c.team_id)
        ).all()
    return [Installation(*row) for row in rows]


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
