"""Delivers outbox messages as DMs: paced per channel, 429-aware, 5xx retried with backoff, and
never resent blindly after an ambiguous network error (those are parked for review).

A 429 holds the method — chat.postMessage, so every channel — until its Retry-After has passed
(Slack does not say which of its limits was hit): the next message waits too, in this run and,
through `RateLimits` and the outbox's `not_before`, in the next ones. A short wait is slept; a
wait beyond `MAX_RETRY_AFTER_SECONDS`, or past the run's time budget, is left to a later tick,
so one `Retry-After: 3600` never stalls the delivery run (and with it the scheduler's tick).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.clock import Clock
from bot.domain.reach import FALLBACK_ERRORS
from bot.services.outbox import Outbox, Pending, backoff
from bot.slack.charts import without_charts

log = logging.getLogger(__name__)

METHOD = "chat.postMessage"
CHANNEL_INTERVAL_SECONDS = 1.0  # Slack allows about one message per second per channel
RATE_LIMIT_RETRIES = 2
SERVER_ERROR_RETRIES = 2
SERVER_ERROR_WAIT_SECONDS = 1.0
MAX_RETRY_AFTER_SECONDS = 30.0  # a longer Retry-After is waited out by later ticks
RUN_BUDGET_SECONDS = 45.0  # a delivery run ends within the scheduler's minute
Sleep = Callable[[float], None]


def retry_after_seconds(headers: dict[str, Any]) -> float:
    """Slack's Retry-After in seconds (1 when absent or unreadable)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                seconds = float(raw)
            except (TypeError, ValueError):
                return 1.0
            return seconds if 0.0 <= seconds < 10**7 else 1.0  # NaN, inf, nonsense: 1 s
    return 1.0


def delivery_client(client: WebClient) -> WebClient:
    """A client like `client` that never retries on its own: the Sender decides every retry,
    so a request that may have gone through is never repeated and no wait is slept unseen."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[],
    )


def _definitely_not_sent(error: BaseException) -> bool:
    """True when the request can't have reached Slack (refused connection, DNS failure)."""
    reason = getattr(error, "reason", error)
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


@dataclass
class RateLimits:
    """Until when Slack asked each Web API method to wait; the scheduler keeps one across ticks."""

    until: dict[str, datetime] = field(default_factory=dict)

    def hold(self, method: str, until: datetime) -> None:
        """Slack said: no more calls to `method` before `until`."""
        current = self.until.get(method)
        if current is None or until > current:
            self.until[method] = until

    def held_until(self, method: str, now: datetime) -> datetime | None:
        """The end of the method's window, or None when calls may go now."""
        until = self.until.get(method)
        return until if until is not None and until > now else None


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retry: int = 0
    review: int = 0
    expired: int = 0
    held: int = 0  # left for a later tick: a rate-limit window or the run's time budget
    by_email: int = 0  # DMs Slack could not deliver (no such user): their emails were claimed
    emailed: int = 0  # of `sent`, how many were emails
    without_charts: int = 0  # sent again without their chart after Slack refused it
    errors: list[str] = field(default_factory=list)


class _Deferred(Exception):
    """The rest of the run waits for a later tick (until `at`)."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at)
        self.at = at


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
        rate_limits: RateLimits | None = None,
        max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
        budget_seconds: float = RUN_BUDGET_SECONDS,
    ) -> None:
        self.outbox = outbox
        self.client = delivery_client(client)
        self.clock = clock
        self._sleep_fn = sleep
        self.monotonic = monotonic
        self.server_error_wait = server_error_wait
        self.limits = rate_limits if rate_limits is not None else RateLimits()
        self.max_retry_after = max_retry_after
        self.budget_seconds = budget_seconds
        self._last_post: dict[str, float] = {}
        self._slept_until = float("-inf")
        self._started = (0.0, datetime.min.replace(tzinfo=UTC))  # set by each run

    # ---- time: the run's instant moves with the monotonic clock and with what was slept ----
    def _mono(self) -> float:
        return max(self.monotonic(), self._slept_until)

    def _sleep(self, seconds: float) -> None:
        start = self._mono()
        self._sleep_fn(seconds)
        self._slept_until = start + seconds

    def _now(self) -> datetime:
        mono, wall = self._started
        return wall + timedelta(seconds=self._mono() - mono)

    def _may_wait(self, seconds: float) -> bool:
        """A wait of `seconds` is short enough to sleep and ends within the run's budget."""
        mono, _ = self._started
        return (
            seconds <= self.max_retry_after and self._mono() + seconds - mono <= self.budget_seconds
        )

    def _pace(self, channel: str) -> None:
        """Wait until a second has passed since the last post to the channel."""
        last = self._last_post.get(channel)
        if last is None:
            return
        wait = CHANNEL_INTERVAL_SECONDS - (self._mono() - last)
        if wait > 0:
            if not self._may_wait(wait):
                raise _Deferred(self._now() + timedelta(seconds=wait))
            self._sleep(wait)

    def _wait_out_the_limit(self) -> None:
        """Sleep through the method's rate-limit window, or defer when it is too long."""
        now = self._now()
        until = self.limits.held_until(METHOD, now)
        if until is None:
            return
        wait = (until - now).total_seconds()
        if not self._may_wait(wait):
            raise _Deferred(until)
        self._sleep(wait)

    # ---- the run -------------------------------------------------------------------------
    def deliver(
        self,
        now: datetime | None = None,
        limit: int = 500,
        *,
        expire_before: datetime | None = None,
    ) -> DeliveryReport:
        """Send every due message (as of `now`), at most `limit`; drop those claimed before
        `expire_before` (too old to be news); leave the rest for a later tick when Slack asked
        for a long wait or the run's time is up."""
        now = now or self.clock.now()
        self._started = (self.monotonic(), now)
        report = DeliveryReport()
        self.outbox.recover_stale(now)
        if expire_before is not None:
            report.expired = self.outbox.expire_before(expire_before)
        due = self.outbox.due(now, limit)
        for index, message in enumerate(due):
            try:
                if self._now() - now > timedelta(seconds=self.budget_seconds):
                    raise _Deferred(self._now())
                self._wait_out_the_limit()
                self._pace(message.recipient)
            except _Deferred as deferred:
                report.held = len(due) - index
                self.outbox.hold_pending(deferred.at)
                log.info("delivery: %s messages wait until %s", report.held, deferred.at)
                break
            if self.outbox.start_sending(message.id, now):
                self._send(message, report)
        return report

    def _send(self, message: Pending, report: DeliveryReport) -> None:
        """Post one taken message, retrying what may be retried; record the outcome. A message
        whose chart Slack refuses (`invalid_blocks`) is posted once more without it, with its
        figures as text (`charts.without_charts`)."""
        rate_limited = server_errors = 0
        payload = message.payload
        while True:
            try:
                self._last_post[message.recipient] = self._mono()
                response = self._post(message.recipient, payload)
            except SlackApiError as exc:
                status = exc.response.status_code
                error = str(exc.response.get("error") or f"HTTP {status}")
                if status == 429:
                    seconds = retry_after_seconds(exc.response.headers)
                    until = self._now() + timedelta(seconds=seconds)
                    self.limits.hold(METHOD, until)
                    if rate_limited < RATE_LIMIT_RETRIES and self._may_wait(seconds):
                        rate_limited += 1
                        self._sleep(seconds)
                        continue
                    self._retry_later(message, error, until, report)
                elif status >= 500:
                    wait = self.server_error_wait * 2**server_errors
                    if server_errors < SERVER_ERROR_RETRIES and self._may_wait(wait):
                        server_errors += 1
                        self._sleep(wait)
                        continue
                    until = self._now() + backoff(message.attempts + 1)
                    self._retry_later(message, error, until, report)
                elif self._fell_back(message, error, report):
                    pass  # not on Slack (any more): the email it carries is claimed instead
                elif (
                    error == "invalid_blocks"
                    and payload is message.payload
                    and (plain := without_charts(payload))
                ):
                    payload = plain  # refused for its chart: the same message, figures as text
                    report.without_charts += 1
                    log.warning(
                        "DM to %s: chart refused (%s), sent as text", message.recipient, error
                    )
                    continue
                else:  # Slack refused it (channel_not_found, invalid_blocks…): don't retry
                    self._refused(message, error, report)
                return
            except (URLError, HTTPException, OSError) as exc:
                if _definitely_not_sent(exc):
                    until = self._now() + backoff(message.attempts + 1)
                    self._retry_later(message, repr(exc), until, report)
                else:
                    self.outbox.needs_review(message.id, f"ambiguous network error: {exc!r}")
                    report.review += 1
                    report.errors.append(f"{message.recipient}: {exc!r}")
                    log.warning("DM to %s: %s", message.recipient, type(exc).__name__)
                return
            self.outbox.mark_sent(
                message.id, response.get("channel"), response.get("ts"), self.clock.now()
            )
            report.sent += 1
            return

    def _fell_back(self, message: Pending, error: str, report: DeliveryReport) -> bool:
        """Slack can't find the person (`FALLBACK_ERRORS`): True when the email the DM carries
        was claimed instead (`Outbox.fall_back`)."""
        if error not in FALLBACK_ERRORS or not self.outbox.fall_back(
            message.id, error, self._now()
        ):
            return False
        report.by_email += 1
        log.info("DM to %s: %s, by email instead", message.recipient, error)
        return True

    def _refused(self, message: Pending, error: str, report: DeliveryReport) -> None:
        """Park a message Slack refused, for review."""
        self.outbox.needs_review(message.id, error)
        report.review += 1
        report.errors.append(f"{message.recipient}: {error}")
        log.warning("DM to %s refused: %s", message.recipient, error)

    def _post(self, recipient: str, payload: dict[str, Any]) -> SlackResponse:
        return self.client.chat_postMessage(
            channel=recipient,
            text=payload.get("text", ""),  # the "email" it may carry is not posted
            blocks=payload.get("blocks"),
            unfurl_links=False,
        )

    def _retry_later(
        self, message: Pending, error: str, at: datetime, report: DeliveryReport
    ) -> None:
        self.outbox.retry_later(message.id, error, at)
        report.retry += 1
        report.errors.append(f"{message.recipient}: {error}")
        log.warning("DM to %s not sent: %s (next try %s)", message.recipient, error, at)
