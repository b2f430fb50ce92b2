"""Alembic environment: the URL comes from the caller or from Settings, never from an ini file."""

from __future__ import annotations

from typing import Any

from alembic import context

from bot.config import load_settings
from bot.slack.clients import slack_store_metadata
from bot.store.base import Base, UTCDateTime
from bot.store.db import make_engine

config = context.config
# Ours, and slack_sdk's installation and OAuth state stores' (migration 0019 writes them out):
# `alembic check` holds the migrations to both.
target_metadata = [Base.metadata, slack_store_metadata()]


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the UTC column type as the plain SQLAlchemy type it stores as."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url

    return load_settings().DATABASE_URL


def run_migrations_offline() -> None:
    """Emit SQL without a database."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply migrations over a live connection."""
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,
                compare_type=True,
                render_item=_render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
