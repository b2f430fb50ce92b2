"""The loopback fake Slack Web API for tests: the console's stand-in (bot/devtools), failures
scripted, and every message (chat.*, response_url posts) and view (views.*) checked as Block
Kit (tests/support/blockkit.py). Slack refuses a bad payload; so does this fake, answering
`invalid_blocks` or `invalid_arguments` as Slack does, and the test fails at teardown with the
reason (conftest's `every_slack_payload_is_valid`)."""

from __future__ import annotations

import threading
from typing import Any

from bot.devtools.slack_standin import RESPONSE_URL_METHOD, RecordedCall
from bot.devtools.slack_standin import FakeSlackApi as SlackStandin
from bot.slack.charts import is_chart
from tests.support.blockkit import MESSAGE_METHODS, VIEW_METHODS, valid_call

__all__ = ["RESPONSE_URL_METHOD", "FakeSlackApi", "RecordedCall", "created_fakes"]

RETRY_AFTER = 30  # seconds a storm of 429s asks the app to wait
STORM = 1000  # calls answered 429 in a storm: more than any test makes

_CREATED: list[FakeSlackApi] = []


class FakeSlackApi(SlackStandin):
    """The stand-in, refusing (and remembering) every payload Slack would refuse."""

    def __init__(self, *, plain_text_ok: bool = False) -> None:
        """Create a stopped fake; conftest checks every fake created during a test. Messages
        must carry blocks unless `plain_text_ok` (for tests of the fake's own plumbing)."""
        super().__init__()
        self.plain_text_ok = plain_text_ok
        self.refuse_charts = False  # answer `invalid_blocks` to any message with a chart
        self.refuse_blocks = 0  # answer `invalid_blocks` to the next this many messages
        self.invalid: list[str] = []
        self._checked = threading.local()  # the problem with the call this thread is answering
        _CREATED.append(self)

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Check the payload in the request's own thread, before the fake takes its lock."""
        self._checked.problem = _problem(method, params, blocks_required=not self.plain_text_ok)
        return super()._answer(method, params, token)

    def _method_payload(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Refuse a bad payload where Slack would (after auth and rate limits), remembering why;
        the caller holds the lock."""
        problem = getattr(self._checked, "problem", None)
        if self.refuse_charts and method in MESSAGE_METHODS and _has_chart(params):
            return {"ok": False, "error": "invalid_blocks", "errors": ["charts refused"]}
        if self.refuse_blocks and method in MESSAGE_METHODS and "blocks" in params:
            self.refuse_blocks -= 1
            return {"ok": False, "error": "invalid_blocks", "errors": ["blocks refused"]}
        if problem is not None:
            self.invalid.append(problem)
            error = "invalid_arguments" if method in VIEW_METHODS else "invalid_blocks"
            return {"ok": False, "error": error, "errors": [problem]}
        return super()._method_payload(method, params)

    def storm(self) -> None:
        """Answer every call with 429 `Retry-After: RETRY_AFTER` from now on."""
        self.fail_next("*", 429, retry_after=RETRY_AFTER, times=STORM)


def _problem(method: str, params: dict[str, Any], *, blocks_required: bool) -> str | None:
    """Why Slack would refuse this call's payload, or None."""
    try:
        valid_call(method, params, blocks_required=blocks_required)
    except Exception as exc:  # an assertion, or slack_sdk's SlackObjectFormationError
        return f"{method}: {type(exc).__name__}: {exc}"
    return None


def _has_chart(params: dict[str, Any]) -> bool:
    blocks = params.get("blocks")
    return isinstance(blocks, list) and any(isinstance(b, dict) and is_chart(b) for b in blocks)


def created_fakes() -> list[FakeSlackApi]:
    """Every fake created in this process since the list was last cleared (by conftest)."""
    return _CREATED
