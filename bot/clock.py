"""Injectable clocks: the system clock in production, a settable one for demos and tests."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current instant (tz-aware, UTC)."""

    def now(self) -> datetime:
        """The current instant."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for measuring what remains of a budget
        (Slack's 3 s to answer a request)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """The system's monotonic clock."""
        return time.monotonic()


@dataclass
class FixedClock:
    """A clock that stands still until told otherwise (MENTOR_MINUTES_NOW, `:time`, tests)."""

    instant: datetime = field(default_factory=lambda: datetime(2026, 11, 18, 15, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("FixedClock needs a tz-aware instant")

    def now(self) -> datetime:
        """The frozen instant, in UTC."""
        return self.instant.astimezone(UTC)

    def monotonic(self) -> float:
        """Seconds that move only when the clock is moved: under a frozen clock (the demo,
        tests) a budget measured with it stands still too, whatever the machine's load."""
        return self.instant.timestamp()

    def set(self, instant: datetime) -> None:
        """Move the clock to an instant (tz-aware)."""
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a tz-aware instant")
        self.instant = instant

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.instant += delta
