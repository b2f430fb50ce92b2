"""Delivers outbox messages as DMs: paced per channel, 429-aware, 5xx retried with backoff, and
never resent blindly after an ambiguous network error (those are parked for review)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.state import RetryState

from bot.clock import Clock
from bot.services.outbox import Outbox, backoff

log = logging.getLogger(__name__)

CHANNEL_INTERVAL_SECONDS = 1.0  # Slack allows about one message per second per channel
RATE_LIMIT_RETRIES = 2
SERVER_ERROR_RETRIES = 2
SERVER_ERROR_WAIT_SECONDS = 1.0
Sleep = Callable[[float], None]


class WaitingRateLimitHandler(RateLimitErrorRetryHandler):
    """Honours 429 Retry-After with an injectable sleep (tests pass a recorder)."""

    def __init__(self, max_retry_count: int, sleep: Sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: Any,
        response: Any = None,
        error: Exception | None = None,
    ) -> None:
        """Wait as long as Slack asked, then try again."""
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        self.sleep(retry_after_seconds(response.headers))
        state.increment_current_attempt()


class WaitingServerErrorHandler(ServerErrorRetryHandler):
    """Retries 500 and 503 after a pause, with an injectable sleep."""

    def __init__(self, max_retry_count: int, sleep: Sleep, wait: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep
        self.wait = wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: Any,
        response: Any = None,
        error: Exception | None = None,
    ) -> None:
        """Pause (doubling each time), then try again."""
        state.next_attempt_requested = True
        self.sleep(self.wait * 2**state.current_attempt)
        state.increment_current_attempt()


def retry_after_seconds(headers: dict[str, Any]) -> float:
    """Slack's Retry-After in seconds (1 when absent or unreadable)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(float(raw), 0.0)
            except (TypeError, ValueError):
                return 1.0
    return 1.0


def delivery_client(
    client: WebClient, sleep: Sleep, *, server_error_wait: float = SERVER_ERROR_WAIT_SECONDS
) -> WebClient:
    """A client like `client` whose retries never repeat a request that may have gone through."""
    handlers: list[RetryHandler] = [
        WaitingRateLimitHandler(RATE_LIMIT_RETRIES, sleep),
        WaitingServerErrorHandler(SERVER_ERROR_RETRIES, sleep, server_error_wait),
    ]
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=handlers,
    )


def _definitely_not_sent(error: BaseException) -> bool:
    """True when the request can't have reached Slack (refused connection, DNS failure)."""
    reason = getattr(error, "reason", error)
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retry: int = 0
    review: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)


class Sender:
    """Sends due outbox messages; the outbox rows say what happened."""

    def __init__(
        self,
        outbox: Outbox,
        client: WebClient,
        clock: Clock,
        *,
        sleep: Sleep = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        server_error_wait: float = SERVER_ERROR_WAIT_SECONDS,
    ) -> None:
        self.outbox = outbox
        self.client = delivery_client(client, sleep, server_error_wait=server_error_wait)
        self.clock = clock
        self.sleep = sleep
        self.monotonic = monotonic
        self._last_post: dict[str, float] = {}

    def _pace(self, channel: str) -> None:
        last = self._last_post.get(channel)
        if last is not None:
            wait = CHANNEL_INTERVAL_SECONDS - (self.monotonic() - last)
            if wait > 0:
                self.sleep(wait)
        self._last_post[channel] = self.monotonic()

    def deliver(
        self,
        now: datetime | None = None,
        limit: int = 500,
        *,
        expire_before: datetime | None = None,
    ) -> DeliveryReport:
        """Send every due message (as of `now`), at most `limit`; drop those claimed before
        `expire_before` (too old to be news)."""
        now = now or self.clock.now()
        report = DeliveryReport()
        self.outbox.recover_stale(now)
        if expire_before is not None:
            report.expired = self.outbox.expire_before(expire_before)
        for message in self.outbox.due(now, limit):
            if not self.outbox.start_sending(message.id, now):
                continue
            self._pace(message.recipient)
            try:
                response = self.client.chat_postMessage(
                    channel=message.recipient,
                    text=message.payload.get("text", ""),
                    blocks=message.payload.get("blocks"),
                    unfurl_links=False,
                )
            except SlackApiError as exc:
                status = exc.response.status_code
                error = str(exc.response.get("error") or f"HTTP {status}")
                wait = (
                    timedelta(seconds=retry_after_seconds(exc.response.headers))
                    if status == 429
                    else backoff(message.attempts + 1)
                )
                if status == 429 or status >= 500:
                    self.outbox.retry_later(message.id, error, now + wait)
                    report.retry += 1
                else:  # Slack refused it (channel_not_found, invalid_blocks…): don't retry
                    self.outbox.needs_review(message.id, error)
                    report.review += 1
                report.errors.append(f"{message.recipient}: {error}")
                log.warning("DM to %s not sent: %s", message.recipient, error)
            except (URLError, HTTPException, OSError) as exc:
                if _definitely_not_sent(exc):
                    self.outbox.retry_later(
                        message.id, repr(exc), now + backoff(message.attempts + 1)
                    )
                    report.retry += 1
                else:
                    self.outbox.needs_review(message.id, f"ambiguous network error: {exc!r}")
                    report.review += 1
                report.errors.append(f"{message.recipient}: {exc!r}")
                log.warning("DM to %s: %r", message.recipient, exc)
            else:
                self.outbox.mark_sent(
                    message.id, response.get("channel"), response.get("ts"), self.clock.now()
                )
                report.sent += 1
        return report
