"""A loopback stand-in for the Slack Web API: the console talks to it; tests script failures."""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from bot.clock import SystemClock

TEAM_ID = "T0TEST"
BOT_USER_ID = "UBOT"
BOT_ID = "B0BOT"
APP_ID = "A0TEST"

# Form-encoded requests carry these fields as JSON strings; they are decoded when recorded.
_JSON_FIELDS = frozenset(
    {"blocks", "attachments", "view", "metadata", "unfurls", "user_auth_blocks", "channels"}
)
_ERROR_NAMES = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
_TS_BASE_MICROS = 1_700_000_000_000_000
_TS_STEP_MICROS = 100

JsonDict = dict[str, Any]
RESPONSE_URL_METHOD = "response_url"  # what a post to a response_url is recorded as


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received, as decoded, with the HTTP status it answered."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int


@dataclass(frozen=True)
class _Failure:
    """A scripted failure answered instead of a normal response."""

    status: int
    retry_after: int | None
    error: str | None = None  # answered `{"ok": false, "error": …}` with `status` (200)


@dataclass(frozen=True)
class _User:
    """A workspace member known to users.lookupByEmail and users.info."""

    email: str
    user_id: str
    name: str
    tz: str


class _Server(ThreadingHTTPServer):
    """Threading HTTP server bound to one FakeSlackApi."""

    daemon_threads = True
    request_queue_size = 512

    def __init__(self, fake: FakeSlackApi) -> None:
        """Bind to an ephemeral loopback port."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    """Decodes one Web API request and lets the fake answer it."""

    server: _Server

    def do_POST(self) -> None:
        """Answer a POST request."""
        self._handle()

    def do_GET(self) -> None:
        """Answer a GET request."""
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _handle(self) -> None:
        """Decode, dispatch, record and respond."""
        split = urlsplit(self.path)
        if split.path.startswith("/response/"):
            method, token_required = RESPONSE_URL_METHOD, False
        elif split.path.startswith("/api/"):
            method, token_required = split.path[len("/api/") :], True
        else:
            self._respond(404, {"ok": False, "error": "not_found"}, {})
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        params = _decode_query(split.query)
        params.update(_decode_body(self.headers.get("Content-Type", ""), raw))
        body_token = params.pop("token", None)
        token = _bearer_token(self.headers.get("Authorization"))
        if token is None and isinstance(body_token, str):
            token = body_token
        if not token_required:
            token = "response-url"
        params = {k: _decode_json_field(k, v) for k, v in params.items()}
        status, payload, headers = self.server.fake._answer(method, params, token)
        self._respond(status, payload, headers)

    def _respond(self, status: int, payload: JsonDict, headers: dict[str, str]) -> None:
        """Write a JSON response."""
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _bearer_token(header: str | None) -> str | None:
    """Extract the token of an `Authorization: Bearer` header."""
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def _flatten(fields: dict[str, list[str]]) -> dict[str, Any]:
    """Turn parse_qs output into single values where a field occurs once."""
    return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}


def _decode_query(query: str) -> dict[str, Any]:
    """Decode a URL query string."""
    return _flatten(parse_qs(query, keep_blank_values=True))


def _decode_body(content_type: str, raw: bytes) -> dict[str, Any]:
    """Decode a form-encoded, JSON or multipart request body."""
    if not raw:
        return {}
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        decoded = json.loads(raw.decode("utf-8"))
        return dict(decoded) if isinstance(decoded, dict) else {"_json": decoded}
    if kind == "multipart/form-data":
        return _decode_multipart(content_type, raw)
    return _flatten(parse_qs(raw.decode("utf-8"), keep_blank_values=True))


def _decode_multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    """Decode a multipart/form-data body; file parts become bytes."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    fields: dict[str, Any] = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        content = part.get_payload(decode=True)
        data = content if isinstance(content, bytes) else b""
        fields[name] = data if part.get_filename() else data.decode("utf-8")
    return fields


def _decode_json_field(name: str, value: Any) -> Any:
    """Decode fields like `blocks` that form-encoded requests send as JSON strings."""
    if name not in _JSON_FIELDS or not isinstance(value, str):
        return value
    stripped = value.strip()
    if not stripped.startswith(("[", "{")):
        return value
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        return value


def _dm_channel(user_or_channel: str) -> str:
    """Map a user id to the id of the app's DM with that user; leave channels alone."""
    if user_or_channel.startswith(("U", "W")):
        return "D" + user_or_channel
    return user_or_channel


class FakeSlackApi:
    """A real HTTP server on 127.0.0.1 that answers Slack Web API methods and records calls."""

    def __init__(self) -> None:
        """Create a stopped fake; call start() or use it as a context manager."""
        self.calls: list[RecordedCall] = []
        self._cond = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._failures: dict[str, deque[_Failure]] = {}
        self._down = False
        self._users_by_email: dict[str, _User] = {}
        self._users_by_id: dict[str, _User] = {}
        self._ts_counter = 0
        self._view_counter = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeSlackApi:
        """Start serving in a daemon thread; returns self."""
        if self._server is not None:
            return self
        server = _Server(self)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-slack-api",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5.0)

    def __enter__(self) -> FakeSlackApi:
        """Start the fake."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the fake."""
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the fake listens on."""
        if self._server is None:
            raise RuntimeError("FakeSlackApi is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for WebClient(base_url=...), with a trailing slash."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def response_url(self) -> str:
        """A response_url for interactions: what `respond()` posts is recorded as a call."""
        return f"http://127.0.0.1:{self.port}/response/T0TEST/1/x"

    # -- scripting -----------------------------------------------------------------------------

    def add_user(
        self, email: str, user_id: str, name: str = "", tz: str = "America/New_York"
    ) -> None:
        """Make a user known to users.lookupByEmail and users.info."""
        ZoneInfo(tz)  # fail early on an unknown time zone
        user = _User(email=email, user_id=user_id, name=name, tz=tz)
        with self._cond:
            self._users_by_email[email.strip().lower()] = user
            self._users_by_id[user_id] = user

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next `times` calls to `method` ("*" for any) with HTTP `status`, or with
        Slack's `error` (say `users_not_found`, with status 200)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(
                _Failure(status=status, retry_after=retry_after, error=error) for _ in range(times)
            )

    def set_down(self, down: bool) -> None:
        """While down, every request is answered with HTTP 503."""
        with self._cond:
            self._down = down

    def reset(self) -> None:
        """Forget calls, users, scripted failures and the down flag (ts values keep increasing)."""
        with self._cond:
            self.calls.clear()
            self._failures.clear()
            self._down = False
            self._users_by_email.clear()
            self._users_by_id.clear()

    # -- inspection ----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        """All recorded calls to one method, oldest first."""
        with self._cond:
            return [call for call in self.calls if call.method == method]

    def wait_for_calls(self, method: str, count: int, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until at least `count` calls to `method` were recorded; return them all."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(1 for c in self.calls if c.method == method) >= count, timeout
            )
            matching = [call for call in self.calls if call.method == method]
            if not done:
                seen = [call.method for call in self.calls]
                raise TimeoutError(
                    f"expected {count} call(s) to {method} within {timeout}s, "
                    f"got {len(matching)}; all calls: {seen}"
                )
            return matching

    # -- answering -----------------------------------------------------------------------------

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        """Compute the response to one request and record the call."""
        with self._cond:
            status, payload, headers = self._respond_locked(method, params, token)
            self.calls.append(
                RecordedCall(method=method, params=params, token=token, status=status)
            )
            self._cond.notify_all()
        return status, payload, headers

    def _respond_locked(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        """Pick the response; the caller holds the lock."""
        if self._down:
            return 503, {"ok": False, "error": "service_unavailable"}, {}
        failure = self._pop_failure(method)
        if failure is not None:
            headers: dict[str, str] = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            error = failure.error or _ERROR_NAMES.get(failure.status, f"http_{failure.status}")
            return failure.status, {"ok": False, "error": error}, headers
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        return 200, self._method_payload(method, params), {}

    def _pop_failure(self, method: str) -> _Failure | None:
        """Take the next scripted failure for a method, if any."""
        for key in (method, "*"):
            queue = self._failures.get(key)
            if queue:
                return queue.popleft()
        return None

    def _next_ts(self) -> str:
        """A fresh, monotonically increasing message timestamp."""
        self._ts_counter += 1
        micros = _TS_BASE_MICROS + self._ts_counter * _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_view_id(self) -> str:
        """A fresh view id."""
        self._view_counter += 1
        return f"V{self._view_counter:08d}"

    def _method_payload(self, method: str, params: dict[str, Any]) -> JsonDict:
        """The `ok` body for a method; unknown methods get `{"ok": true}`."""
        handlers = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "conversations.open": self._conversations_open,
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }
        handler = handlers.get(method)
        return handler(params) if handler is not None else {"ok": True}

    def _auth_test(self, params: dict[str, Any]) -> JsonDict:
        """Answer auth.test."""
        return {
            "ok": True,
            "url": "https://fake-workspace.slack.test/",
            "team": "Fake Workspace",
            "user": "mentor-minutes",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "is_enterprise_install": False,
        }

    def _message(self, params: dict[str, Any], ts: str) -> JsonDict:
        """The `message` object Slack echoes back."""
        message: JsonDict = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": params.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if key in params:
                message[key] = params[key]
        return message

    def _chat_post_message(self, params: dict[str, Any]) -> JsonDict:
        """Answer chat.postMessage."""
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        return {
            "ok": True,
            "channel": _dm_channel(channel),
            "ts": ts,
            "message": self._message(params, ts),
        }

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> JsonDict:
        """Answer chat.postEphemeral."""
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> JsonDict:
        """Answer chat.update."""
        channel = str(params.get("channel") or "")
        ts = str(params.get("ts") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": _dm_channel(channel),
            "ts": ts,
            "text": params.get("text", ""),
            "message": self._message(params, ts),
        }

    def _conversations_open(self, params: dict[str, Any]) -> JsonDict:
        """Answer conversations.open with a DM channel `D<user id>`."""
        users = params.get("users") or ""
        ids = users if isinstance(users, list) else str(users).split(",")
        ids = [u.strip() for u in ids if u.strip()]
        if not ids:
            channel = str(params.get("channel") or "")
            if not channel:
                return {"ok": False, "error": "users_list_not_supplied"}
            return {"ok": True, "channel": {"id": channel}}
        channel_id = "D" + ids[0] if len(ids) == 1 else "G" + "".join(ids)
        return {
            "ok": True,
            "no_op": False,
            "already_open": False,
            "channel": {"id": channel_id, "is_im": len(ids) == 1},
        }

    def _user_object(self, user: _User) -> JsonDict:
        """A Slack user object."""
        offset = SystemClock().now().astimezone(ZoneInfo(user.tz)).utcoffset()
        display = user.name or user.email.split("@", 1)[0]
        return {
            "id": user.user_id,
            "team_id": TEAM_ID,
            "name": display,
            "real_name": user.name or display,
            "deleted": False,
            "is_bot": False,
            "tz": user.tz,
            "tz_label": user.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {
                "email": user.email,
                "real_name": user.name or display,
                "display_name": display,
            },
        }

    def _users_lookup_by_email(self, params: dict[str, Any]) -> JsonDict:
        """Answer users.lookupByEmail; unknown emails get users_not_found with HTTP 200."""
        user = self._users_by_email.get(str(params.get("email") or "").strip().lower())
        if user is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": self._user_object(user)}

    def _users_info(self, params: dict[str, Any]) -> JsonDict:
        """Answer users.info."""
        user = self._users_by_id.get(str(params.get("user") or ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user_object(user)}

    def _view_object(self, params: dict[str, Any], view_id: str, default_type: str) -> JsonDict:
        """The `view` object Slack returns for views.* methods."""
        given = params.get("view")
        view: JsonDict = dict(given) if isinstance(given, dict) else {}
        view.update(
            {
                "id": view_id,
                "team_id": TEAM_ID,
                "type": view.get("type", default_type),
                "blocks": view.get("blocks", []),
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "state": {"values": {}},
                "hash": f"{self._view_counter}.fakehash",
                "root_view_id": view_id,
                "previous_view_id": None,
                "app_id": APP_ID,
                "bot_id": BOT_ID,
            }
        )
        return view

    def _views_open(self, params: dict[str, Any]) -> JsonDict:
        """Answer views.open and views.push."""
        if not params.get("trigger_id") and not params.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view_object(params, self._next_view_id(), "modal")}

    def _views_update(self, params: dict[str, Any]) -> JsonDict:
        """Answer views.update, keeping the given view_id."""
        view_id = str(params.get("view_id") or "") or self._next_view_id()
        return {"ok": True, "view": self._view_object(params, view_id, "modal")}

    def _views_publish(self, params: dict[str, Any]) -> JsonDict:
        """Answer views.publish."""
        if not params.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view_object(params, self._next_view_id(), "home")}
