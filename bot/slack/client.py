"""The Slack Web API client: Slack's URL by default, retries for 429 and 5xx."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
TIMEOUT_SECONDS = 10


def make_web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A WebClient for the bot token (`token`, else SLACK_BOT_TOKEN's) and SLACK_API_URL,
    honouring Retry-After on 429."""
    if token is None and settings.SLACK_BOT_TOKEN is not None:
        token = settings.SLACK_BOT_TOKEN.get_secret_value()
    return WebClient(
        token=token,
        base_url=settings.SLACK_API_URL,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )
