"""Migration 0019 creates slack_sdk's own tables (issue 21): after `db upgrade`, every table of
slack_sdk's SQLAlchemy installation and OAuth state stores is there with its columns, their
types, lengths and nullability, and its index, as the installed slack_sdk defines them; and
slack_sdk's stores work on them."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Boolean, DateTime, Integer, String, inspect

from bot.slack.clients import slack_store_metadata
from bot.store.db import Store

KINDS = (Boolean, DateTime, String, Integer)  # every type slack_sdk's tables use


def kind(column_type: object) -> tuple[str, int | None]:
    """A column type as the database reports it: its kind and, for strings, its length."""
    found = next(k for k in KINDS if isinstance(column_type, k))
    return found.__name__, getattr(column_type, "length", None)


def test_the_migrated_tables_are_slack_sdks(db_url: str) -> None:
    store = Store(db_url)
    try:
        inspector = inspect(store.engine)
        for table in slack_store_metadata().sorted_tables:
            migrated = {c["name"]: c for c in inspector.get_columns(table.name)}
            assert list(migrated) == [c.name for c in table.columns], table.name
            for column in table.columns:
                got = migrated[column.name]
                assert kind(got["type"]) == kind(column.type), (table.name, column.name)
                assert got["nullable"] == column.nullable, (table.name, column.name)
            assert inspector.get_pk_constraint(table.name)["constrained_columns"] == ["id"]
            indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(table.name)}
            assert indexes == {i.name: [c.name for c in i.columns] for i in table.indexes}
    finally:
        store.dispose()


def test_slack_sdks_stores_work_on_the_migrated_tables(db_url: str) -> None:
    store = Store(db_url)
    try:
        installations = SQLAlchemyInstallationStore(client_id="1.2", engine=store.engine)
        installations.save(
            Installation(
                app_id="A1",
                enterprise_id=None,
                team_id="T1",
                bot_token="xoxb-1",
                bot_id="B1",
                bot_user_id="U1",
                bot_refresh_token="xoxe-1",
                bot_token_expires_at=datetime(2026, 12, 1, 12, 0),
                user_id="U9",
            )
        )
        bot = installations.find_bot(enterprise_id=None, team_id="T1")
        assert bot is not None and bot.bot_token == "xoxb-1"
        assert bot.bot_refresh_token == "xoxe-1" and bot.bot_token_expires_at is not None
        installations.delete_bot(enterprise_id=None, team_id="T1")
        assert installations.find_bot(enterprise_id=None, team_id="T1") is None
        states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=store.engine)
        state = states.issue()
        assert states.consume(state) and not states.consume(state)
    finally:
        store.dispose()
