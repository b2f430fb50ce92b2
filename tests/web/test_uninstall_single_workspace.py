"""With SLACK_BOT_TOKEN (one workspace) `app_uninstalled` and `tokens_revoked` are answered
without a Web API call (no installation to delete; the token is the environment's), and there
are no install pages."""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest

from tests.support.bolt_requests import event_body
from tests.support.hillside import SIGNING_SECRET
from tests.support.http_client import request
from tests.support.signing import signed_headers
from tests.support.slack_api import FakeSlackApi


@pytest.mark.parametrize(
    "event",
    [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_uninstall_events_are_acknowledged_quietly(
    app: App, slack_api: FakeSlackApi, event: dict[str, Any]
) -> None:
    body = event_body({**event, "event_ts": str(time.time())})
    headers = signed_headers(SIGNING_SECRET, body)
    headers["Content-Type"] = "application/json"
    assert app.dispatch(BoltRequest(body=body, headers=headers)).status == 200
    assert slack_api.calls == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", ["/slack/install", "/slack/oauth_redirect"])
def test_no_install_pages_with_one_bot_token(http_server: str, path: str) -> None:
    assert request(http_server, "GET", path)[0] == 404
