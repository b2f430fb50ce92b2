"""OAuth installs for tests (issue 21): settings in OAuth mode against the loopback fake, an
install through the real HTTP pages, and signed requests from a given workspace."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from bot.config import Settings, load_settings
from tests.support.hillside import SIGNING_SECRET
from tests.support.http_client import request
from tests.support.signing import signed_headers, slash_command_body
from tests.support.slack_api import FakeSlackApi, Workspace
from tests.support.tenants import TEAM_A, TEAM_B

__all__ = ["TEAM_A", "TEAM_B"]

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "test-client-secret"
STATE_COOKIE = "slack-app-oauth-state"


def oauth_settings(db_url: str, slack_api: FakeSlackApi) -> Settings:
    """OAuth mode (no SLACK_BOT_TOKEN) over the test database and the fake Web API."""
    return load_settings(
        _env_file=None,
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN="",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=slack_api.url,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        MENTOR_MINUTES_NOW=None,
    )


def start_install(base_url: str) -> tuple[str, str]:
    """GET /slack/install: the state (its cookie) and the page's link to Slack's authorize."""
    status, headers, body = request(base_url, "GET", "/slack/install")
    assert status == 200, body
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(headers["set-cookie"])
    state = cookie[STATE_COOKIE].value
    page = body.decode()
    start = page.index("https://slack.com/oauth/v2/authorize?")
    link = page[start : page.index('"', start)].replace("&amp;", "&")
    return state, link


def finish_install(base_url: str, code: str, state: str, cookie_state: str | None = None) -> int:
    """GET /slack/oauth_redirect as the browser Slack sends back: the HTTP status."""
    status, _, _ = request(
        base_url,
        "GET",
        f"/slack/oauth_redirect?code={code}&state={state}",
        headers={"Cookie": f"{STATE_COOKIE}={cookie_state or state}"},
    )
    return status


def install(base_url: str, workspace: Workspace) -> None:
    """The whole install of a workspace through the real pages."""
    state, link = start_install(base_url)
    query = parse_qs(urlsplit(link).query)
    assert query["state"] == [state] and query["client_id"] == [CLIENT_ID]
    assert finish_install(base_url, workspace.code, state) == 200


def command_from(
    base_url: str,
    team_id: str,
    name: str,
    text: str,
    user_id: str,
    *,
    response_url: str | None = None,
) -> tuple[int, bytes]:
    """A correctly signed slash command from a workspace."""
    body = slash_command_body(name, text, user_id, team_id=team_id, response_url=response_url)
    status, _, data = request(
        base_url, "POST", "/slack/events", body, signed_headers(SIGNING_SECRET, body)
    )
    return status, data


def event_from(base_url: str, team_id: str, event: Mapping[str, object]) -> int:
    """A signed Events API callback from a workspace: the HTTP status."""
    body = json.dumps(
        {
            "token": "fake-verification-token",
            "team_id": team_id,
            "api_app_id": "A0TEST",
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": dict(event),
        }
    )
    headers = signed_headers(SIGNING_SECRET, body)
    headers["Content-Type"] = "application/json"
    status, _, _ = request(base_url, "POST", "/slack/events", body, headers)
    return status
