"""What every table shares: the declarative base, its naming convention, the UTC type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Connection, DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect, ExecutionContext
from sqlalchemy.orm import DeclarativeBase

from bot.clock import Clock

CLOCK_OPTION = "mentor_minutes_clock"  # the engine's execution option carrying the Store's clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; SQLite gives them back aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ClockMissing(RuntimeError):
    """A row was written through an engine that carries no clock (not a Store's)."""


def utcnow(context: ExecutionContext) -> datetime:
    """A column default: the instant of the clock the Store was built with (bot/clock.py), so
    a frozen clock (MENTOR_MINUTES_NOW, tests) is the one every timestamp reads."""
    return _clock(context.execution_options.get(CLOCK_OPTION)).now()


def connection_now(conn: Connection) -> datetime:
    """The instant of the Store's clock, for a bulk statement on one of its connections."""
    return _clock(conn.get_execution_options().get(CLOCK_OPTION)).now()


def _clock(clock: Clock | None) -> Clock:
    if clock is None:
        raise ClockMissing("a row was written without the Store's clock")
    return clock


class Base(DeclarativeBase):
    """Declarative base with the naming convention alembic relies on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }
