"""The ack budget: Slack waits 3 s for an answer, so the Slack calls a listener makes while
answering get only what remains of it.

A listener's Web API client retries a 429 only when its Retry-After fits in what remains, never
sleeps past it, never waits on a socket past it, and never retries a call Slack may already have
done (a dropped connection, a 5xx): a DM is then missing rather than sent twice. The scheduler's
sender (bot/slack/client.py) is not on the request path and keeps its patient retries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.request import Request

from slack_bolt import BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.config import Settings

log = logging.getLogger(__name__)

ACK_BUDGET_SECONDS = 2.5  # of Slack's 3 s, leaving room for the network both ways
ACK_DEADLINE_KEY = "ack_deadline"  # context key: the monotonic instant the answer is due
MIN_CALL_SECONDS = 0.25  # a call with less left than this is not started
RATE_LIMIT_RETRIES = 2
# Request types Slack sends, by name in the log; any other value of a payload's `type` is not
# repeated there (a payload is text someone else wrote).
REQUEST_TYPES = frozenset(
    {
        "block_actions", "block_suggestion", "view_submission", "view_closed", "event_callback",
        "shortcut", "message_action", "interactive_message", "dialog_submission",
    }
)  # fmt: skip
CALL_TIMEOUT_SECONDS = 10.0  # the ceiling when the budget is larger (never, on the request path)

# What a failed Slack call raises: an error answer, a budget spent, a socket error or timeout.
SLACK_CALL_ERRORS: tuple[type[Exception], ...] = (SlackClientError, OSError)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def wait_out(seconds: float) -> None:
    """How a budgeted client waits out a Retry-After (looked up when a client is built, so a
    test can replace it and see every wait without timing anything)."""
    time.sleep(seconds)


@dataclass(frozen=True)
class AckBudget:
    """The instant (on `clock`) by which the answer to Slack must be on its way."""

    deadline: float
    clock: Clock = field(default=time.monotonic)

    @classmethod
    def starting_now(
        cls, seconds: float = ACK_BUDGET_SECONDS, clock: Clock = time.monotonic
    ) -> AckBudget:
        """A budget of `seconds` from now."""
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left; negative once spent."""
        return self.deadline - self.clock()


def make_request_client(settings: Settings) -> WebClient:
    """The Bolt app's own client. What Bolt itself calls while answering (auth.test, until it has
    succeeded once) fails fast instead of sleeping; listeners get a budgeted copy of it."""
    token = settings.SLACK_BOT_TOKEN.get_secret_value() if settings.SLACK_BOT_TOKEN else None
    return WebClient(
        token=token,
        base_url=settings.SLACK_API_URL,
        timeout=cast(int, ACK_BUDGET_SECONDS),  # urllib takes float seconds
        retry_handlers=[],
    )


class AckBudgetSpent(SlackClientError):
    """A Slack call was not made: too little of the ack budget was left."""


def retry_after_seconds(response: HttpResponse) -> float | None:
    """The Retry-After of a response in seconds, or None when absent or unreadable."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                return None
    return None


class BudgetRetryHandler(RetryHandler):
    """Retries a 429 only when its Retry-After, plus a call, fits in what remains of the budget."""

    def __init__(self, budget: AckBudget, sleep: Sleep | None = None) -> None:
        super().__init__(max_retry_count=RATE_LIMIT_RETRIES)
        self.budget = budget
        self.sleep = sleep if sleep is not None else wait_out

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False  # a dropped connection or a 5xx may have been done: never resent here
        wait = retry_after_seconds(response)
        return wait is not None and wait + MIN_CALL_SECONDS <= self.budget.remaining()

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        wait = retry_after_seconds(response) if response is not None else None
        self.sleep(wait or 0.0)
        state.increment_current_attempt()


class BudgetedWebClient(WebClient):
    """A WebClient whose every HTTP attempt is bounded by what remains of the ack budget."""

    def __init__(
        self, *, budget: AckBudget, sleep: Sleep | None = None, **client_args: Any
    ) -> None:
        client_args["retry_handlers"] = [BudgetRetryHandler(budget, sleep)]
        super().__init__(**client_args)
        self.budget = budget
        self.call_timeout = float(client_args.get("timeout") or CALL_TIMEOUT_SECONDS)

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        # Every attempt (first or retried) passes here: no socket waits past what is left.
        remaining = self.budget.remaining()
        if remaining < MIN_CALL_SECONDS:
            raise AckBudgetSpent(f"{remaining:.2f} s of the ack budget left; not calling {url}")
        self.timeout = cast(int, min(self.call_timeout, remaining))  # urllib takes float seconds
        return super()._perform_urllib_http_request_internal(url, req)

    @classmethod
    def like(cls, client: WebClient, budget: AckBudget) -> BudgetedWebClient:
        """A budgeted copy of `client` (token, URL, team, TLS, proxy, headers)."""
        return cls(
            budget=budget,
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=dict(client.headers),
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
        )


class BudgetedRespond(Respond):
    """Bolt's `respond()` over a response_url, within what remains of the budget, no retries."""

    def __init__(self, *, response_url: str | None, budget: AckBudget, **respond_args: Any) -> None:
        super().__init__(response_url=response_url, **respond_args)
        self.budget = budget

    def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        remaining = self.budget.remaining()
        if remaining < MIN_CALL_SECONDS:
            raise AckBudgetSpent(f"{remaining:.2f} s of the ack budget left; not responding")
        client = WebhookClient(
            url=self.response_url,
            timeout=cast(int, min(CALL_TIMEOUT_SECONDS, remaining)),  # urllib takes float seconds
            ssl=self.ssl,
            proxy=self.proxy,
            retry_handlers=[],
        )
        if isinstance(text, dict):
            return client.send_dict(text)
        message: dict[str, Any] = {
            "text": text,
            "blocks": blocks,
            "attachments": attachments,
            "response_type": response_type,
            "replace_original": replace_original,
            "delete_original": delete_original,
            "unfurl_links": unfurl_links,
            "unfurl_media": unfurl_media,
            "thread_ts": thread_ts,
            "metadata": metadata,
        }
        return client.send_dict({k: v for k, v in message.items() if v is not None})


def ack_budget_middleware(
    clock: Clock = time.monotonic, seconds: float = ACK_BUDGET_SECONDS
) -> Callable[[BoltContext, Callable[[], Any]], Any]:
    """Bolt middleware: the listener's `client` and `respond` work within the ack budget.

    The deadline is the one the HTTP edge stamped when the request arrived, else from now."""

    def within_budget(context: BoltContext, next: Callable[[], Any]) -> Any:
        deadline = context.get(ACK_DEADLINE_KEY)
        budget = (
            AckBudget(float(deadline), clock)
            if isinstance(deadline, int | float)
            else AckBudget.starting_now(seconds, clock)
        )
        context["client"] = BudgetedWebClient.like(context.client, budget)
        if context.response_url is not None:
            context["respond"] = BudgetedRespond(
                response_url=context.response_url,
                budget=budget,
                proxy=context.client.proxy,
                ssl=context.client.ssl,
            )
        return next()

    return within_budget


def describe_failure(error: BaseException) -> str:
    """A short description of a failed Slack call, for one log line."""
    if isinstance(error, SlackApiError):
        return f"Slack answered {error.response.get('error') or error.response.status_code}"
    return f"{type(error).__name__}: {error}"


def on_listener_error(
    error: Exception, request: BoltRequest, response: BoltResponse | None
) -> BoltResponse | None:
    """Bolt's error handler: a failed Slack call in a listener never turns the answer into a 500.

    The person gets what the listener acknowledged (or an empty 200: a retry by Slack would meet
    the same rate limit); an unhandled request is Bolt's 404, logged by its type alone (Bolt's
    own warning quotes the body); any other error is logged with its traceback and stays a 500."""
    if isinstance(error, BoltUnhandledRequestError):
        kind = request.body.get("type")
        named = kind if kind in REQUEST_TYPES else ("slash command" if kind is None else "other")
        log.warning("no listener for a %s request", named)
        return response
    if not isinstance(error, SLACK_CALL_ERRORS):
        log.exception("listener failed")
        return None
    log.warning("a Slack call in a listener failed: %s", describe_failure(error))
    if response is None:
        return None
    acked = request.context.ack.response
    if acked is not None and acked.status < 500:
        return BoltResponse(status=acked.status, body=acked.body, headers=acked.headers)
    return BoltResponse(status=200, body="")
