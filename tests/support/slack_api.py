"""The loopback fake Slack Web API for tests: the console's stand-in (bot/devtools), failures
scripted, and every message (chat.*, response_url posts) and view (views.*) checked as Block
Kit (tests/support/blockkit.py). Slack refuses a bad payload; so does this fake, answering
`invalid_blocks` or `invalid_arguments` as Slack does, and the test fails at teardown with the
reason (conftest's `every_slack_payload_is_valid`).

OAuth installs (issue 21): `add_workspace(team)` makes a workspace that can install the app,
returning the one-time code Slack would hand the browser; `oauth.v2.access` exchanges it for that
workspace's own bot token (and, for a rotating workspace, a refresh token, single-use, that the
`refresh_token` grant exchanges for the next pair); `auth.test` answers per token with its
workspace's team, bot user and enterprise. Tokens the fake did not issue are answered as before
(the one-workspace tests' SLACK_BOT_TOKEN)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from bot.devtools.slack_standin import APP_ID, RESPONSE_URL_METHOD, RecordedCall
from bot.devtools.slack_standin import FakeSlackApi as SlackStandin
from bot.slack.charts import is_chart
from tests.support.blockkit import MESSAGE_METHODS, VIEW_METHODS, valid_call

__all__ = ["RESPONSE_URL_METHOD", "FakeSlackApi", "RecordedCall", "created_fakes"]

RETRY_AFTER = 30  # seconds a storm of 429s asks the app to wait
STORM = 1000  # calls answered 429 in a storm: more than any test makes

_CREATED: list[FakeSlackApi] = []
OAUTH_METHOD = "oauth.v2.access"
TOKEN_SECONDS = 12 * 3600  # a rotating bot token's life, as Slack gives it
INSTALLER = "U0INSTALLER"  # the person who installs the app (authed_user)
BOT_SCOPE = "commands,chat:write,im:write,users:read,users:read.email"


@dataclass
class Workspace:
    """A workspace that can install the app: its ids, and the bot tokens issued to it."""

    team_id: str
    enterprise_id: str | None
    rotating: bool
    code: str
    tokens: list[str] = field(default_factory=list)  # issued, oldest first
    refresh_token: str | None = None  # the one live refresh token (single-use)
    revoked: bool = False

    @property
    def bot_user_id(self) -> str:
        return f"UBOT{self.team_id}"

    @property
    def bot_id(self) -> str:
        return f"B0{self.team_id}"

    @property
    def token(self) -> str:
        """The newest bot token."""
        return self.tokens[-1]


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
        self.workspaces: dict[str, Workspace] = {}  # by team id
        self._issued = itertools.count(1)
        _CREATED.append(self)

    # -- OAuth installs ---------------------------------------------------------------------

    def add_workspace(
        self, team_id: str, *, enterprise_id: str | None = None, rotating: bool = False
    ) -> Workspace:
        """A workspace that may install the app; its `code` is what Slack's authorize page would
        hand the browser (once). `rotating`: its bot tokens expire and come with refresh tokens."""
        with self._cond:
            workspace = Workspace(team_id, enterprise_id, rotating, code=f"code-{team_id}")
            self.workspaces[team_id] = workspace
            return workspace

    def workspace_of(self, token: str | None) -> Workspace | None:
        """The workspace a bot token was issued to (any of its tokens), or None."""
        with self._cond:
            return next((w for w in self.workspaces.values() if token in w.tokens), None)

    def revoke(self, team_id: str) -> None:
        """The workspace removed the app: its tokens answer `invalid_auth` from now on."""
        with self._cond:
            self.workspaces[team_id].revoked = True

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Check the payload in the request's own thread, before the fake takes its lock."""
        if method == OAUTH_METHOD:
            with self._cond:
                payload = self._oauth_access(params)
                self.calls.append(RecordedCall(method, params, token, 200))
                self._cond.notify_all()
            return 200, payload, {}
        workspace = self.workspace_of(token)
        if workspace is not None and (workspace.revoked or method == "auth.test"):
            with self._cond:
                payload = (
                    {"ok": False, "error": "invalid_auth"}
                    if workspace.revoked
                    else self._auth_test_of(workspace)
                )
                self.calls.append(RecordedCall(method, params, token, 200))
                self._cond.notify_all()
            return 200, payload, {}
        self._checked.problem = _problem(method, params, blocks_required=not self.plain_text_ok)
        return super()._answer(method, params, token)

    def _issue(self, workspace: Workspace) -> dict[str, Any]:
        """A new bot token (and refresh token, rotating) for the workspace; the caller holds
        the lock."""
        n = next(self._issued)
        workspace.tokens.append(f"xoxb-{workspace.team_id}-{n}")
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "token_type": "bot",
            "access_token": workspace.token,
            "scope": BOT_SCOPE,
            "bot_user_id": workspace.bot_user_id,
            "team": {"id": workspace.team_id, "name": f"Workspace {workspace.team_id}"},
            "enterprise": (
                {"id": workspace.enterprise_id, "name": "Enterprise"}
                if workspace.enterprise_id
                else None
            ),
            "is_enterprise_install": False,
        }
        if workspace.rotating:
            workspace.refresh_token = f"xoxe-1-{workspace.team_id}-{n}"
            answer["refresh_token"] = workspace.refresh_token
            answer["expires_in"] = TOKEN_SECONDS
        return answer

    def _oauth_access(self, params: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: a code (once) or a live refresh token for the next bot token; the
        caller holds the lock."""
        if params.get("grant_type") == "refresh_token":
            given = params.get("refresh_token")
            for workspace in self.workspaces.values():
                if given and given == workspace.refresh_token and not workspace.revoked:
                    return self._issue(workspace)
            return {"ok": False, "error": "invalid_refresh_token"}
        code = params.get("code")
        for workspace in self.workspaces.values():
            if code and code == workspace.code:
                workspace.code = f"used-{code}"  # a code is exchanged once
                workspace.revoked = False
                return {**self._issue(workspace), "authed_user": {"id": INSTALLER}}
        return {"ok": False, "error": "invalid_code"}

    def _auth_test_of(self, workspace: Workspace) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{workspace.team_id.lower()}.slack.test/",
            "team": f"Workspace {workspace.team_id}",
            "user": "mentor-minutes",
            "team_id": workspace.team_id,
            "user_id": workspace.bot_user_id,
            "bot_id": workspace.bot_id,
            "app_id": APP_ID,
            "enterprise_id": workspace.enterprise_id,
            "is_enterprise_install": False,
        }

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
