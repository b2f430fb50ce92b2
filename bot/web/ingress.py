"""The HTTP edge in front of Bolt: a bounded body, the signature checked before anything is
parsed, every malformed request answered 4xx in one log line, and no request processed twice.

Order of the checks, cheapest and least trusting first: method; Content-Length (over the limit →
413 without reading a byte); signature headers (missing → 401, a timestamp that is not a number
→ 400, outside Slack's five minutes → 401); the body, read up to the limit and no further; the
HMAC over the raw bytes (→ 401); content type (→ 415); UTF-8 and the payload's JSON (→ 400);
then the replay guard. Only then does Bolt see the request.

Replays: a request is claimed under a unique key before it is processed — its signature and
timestamp, or for the Events API its `event_id`, since Slack's retries (`X-Slack-Retry-Num`) are
signed afresh. A claim that conflicts, on any process, is a replay: answered 200 with an empty
body and not processed (200, so that Slack stops retrying an event it already delivered; an
attacker learns nothing from it). When processing fails with a 5xx the claim is released, so
Slack's retry gets its turn.

A slash command's claim is deferred into the first write transaction of its processing
(`bot.store.db.deferred_claim`): `/logmeeting` claims the request, stores the entry, its audit
row and the totals in one transaction. A conflict there is a replay (answered 200, empty,
nothing stored); a command that stored nothing (a question, `/hours`, a refusal) is claimed
once processed, and a replay of it is still answered 200 and empty.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from bot.slack.budget import ACK_BUDGET_SECONDS, ACK_DEADLINE_KEY
from bot.store.db import DeferredClaim, Store, deferred_claim
from bot.store.models.ingress import SeenRequest

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # Slack's largest payloads (a full modal's state) are far smaller
SIGNATURE_WINDOW_SECONDS = 5 * 60  # Slack's: a timestamp further from now is refused
EVENT_RETRY_WINDOW_SECONDS = 15 * 60  # Slack retries an event 3 times within about 5 minutes
PRUNE_EVERY_SECONDS = 60
READ_CHUNK_BYTES = 64 * 1024
SIGNATURE_VERSION = "v0"
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")
CONTENT_LENGTH_RE = re.compile(r"[0-9]{1,18}")

StartResponse = Callable[..., Any]
WallClock = Callable[[], float]


class Rejection(Exception):
    """A request answered with a 4xx before Bolt sees it; `reason` is for one log line."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class SignedRequest:
    """A request whose body is within the limit, signed, fresh and readable."""

    body: str
    headers: dict[str, str]
    replay_key: str
    expires_at: float  # epoch seconds: after this, a replay could not pass verification anyway
    deferrable: bool = False  # a slash command: claimed in its first write transaction


# ---- reading ---------------------------------------------------------------------------------


def _header(environ: dict[str, Any], name: str) -> str | None:
    value = environ.get("HTTP_" + name.upper().replace("-", "_"))
    return value if isinstance(value, str) else None


def read_body(environ: dict[str, Any], limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, never reading more than `limit` + 1 bytes of it."""
    stream = environ.get("wsgi.input")
    declared = (environ.get("CONTENT_LENGTH") or "").strip()
    if declared:
        if not CONTENT_LENGTH_RE.fullmatch(declared):
            raise Rejection(HTTPStatus.BAD_REQUEST, "unreadable Content-Length")
        length = int(declared)
        if length > limit:
            raise Rejection(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Content-Length {length}")
        body = stream.read(length) if stream is not None and length else b""
        if len(body) != length:
            raise Rejection(HTTPStatus.BAD_REQUEST, "body shorter than its Content-Length")
        return bytes(body)
    if stream is None or not environ.get("wsgi.input_terminated"):
        return b""  # PEP 3333: without a length, only a terminated stream may be read
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(READ_CHUNK_BYTES, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise Rejection(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {limit} bytes")
    return b"".join(chunks)


def _signature_headers(environ: dict[str, Any], now: float) -> tuple[str, int, str]:
    """The signature headers: (timestamp text, timestamp, signature), or a rejection."""
    stamp = _header(environ, "X-Slack-Request-Timestamp")
    signature = _header(environ, "X-Slack-Signature")
    if not stamp or not signature:
        raise Rejection(HTTPStatus.UNAUTHORIZED, "unsigned request")
    stamp = stamp.strip()
    if not TIMESTAMP_RE.fullmatch(stamp):
        raise Rejection(HTTPStatus.BAD_REQUEST, "request timestamp is not a number")
    seconds = int(stamp)
    if abs(now - seconds) > SIGNATURE_WINDOW_SECONDS:
        raise Rejection(HTTPStatus.UNAUTHORIZED, "request timestamp outside the 5-minute window")
    return stamp, seconds, signature.strip()


def _verify(secret: bytes, stamp: str, body: bytes, signature: str) -> None:
    base = f"{SIGNATURE_VERSION}:{stamp}:".encode() + body
    expected = f"{SIGNATURE_VERSION}=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Rejection(HTTPStatus.UNAUTHORIZED, "signature mismatch")


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except ValueError:
        raise Rejection(HTTPStatus.BAD_REQUEST, f"{what} is not JSON") from None
    if not isinstance(parsed, dict):
        raise Rejection(HTTPStatus.BAD_REQUEST, f"{what} is not a JSON object")
    return parsed


def parse_payload(body: str, content_type: str) -> dict[str, Any]:
    """The payload as Bolt will read it (slack_bolt.request.internals.parse_body), or a 4xx."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind not in (FORM_TYPE, JSON_TYPE):
        raise Rejection(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"content type {kind or 'missing'}")
    if not body:
        return {}
    if kind == JSON_TYPE or body.startswith("{"):
        return _json_object(body, "body")
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in body and "payload" in fields:
        return _json_object(fields["payload"], "payload")
    return fields


def check_request(
    environ: dict[str, Any], secret: bytes, now: float, limit: int = MAX_BODY_BYTES
) -> SignedRequest:
    """The request, if it passes every check of the edge; else a Rejection."""
    if environ.get("REQUEST_METHOD") != "POST":
        raise Rejection(HTTPStatus.METHOD_NOT_ALLOWED, f"method {environ.get('REQUEST_METHOD')}")
    declared = (environ.get("CONTENT_LENGTH") or "").strip()
    if CONTENT_LENGTH_RE.fullmatch(declared) and int(declared) > limit:
        raise Rejection(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Content-Length {declared}")
    stamp, seconds, signature = _signature_headers(environ, now)
    raw = read_body(environ, limit)
    _verify(secret, stamp, raw, signature)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejection(HTTPStatus.BAD_REQUEST, "body is not UTF-8") from None
    payload = parse_payload(body, str(environ.get("CONTENT_TYPE") or ""))
    event_id = payload.get("event_id")
    if isinstance(event_id, str) and event_id:
        key, expires = f"event:{event_id}", now + EVENT_RETRY_WINDOW_SECONDS
    else:
        key, expires = f"signature:{stamp}:{signature}", seconds + SIGNATURE_WINDOW_SECONDS + 1
    headers = {
        "content-type": str(environ.get("CONTENT_TYPE") or ""),
        "content-length": str(len(raw)),
    }
    for name, value in environ.items():
        if name.startswith("HTTP_") and isinstance(value, str):
            headers[name[5:].lower().replace("_", "-")] = value
    return SignedRequest(
        body=body,
        headers=headers,
        replay_key=hashlib.sha256(key.encode()).hexdigest(),
        expires_at=expires,
        deferrable=isinstance(payload.get("command"), str),
    )


# ---- replays ---------------------------------------------------------------------------------


@cache
def _claim_statement(insert: Any) -> Any:
    """The claim, built once per dialect: a dead row of the same key (not pruned yet) is taken
    over rather than counted."""
    table = SeenRequest.__table__  # Core: no ORM insert machinery on every request
    statement = insert(table).values(key=bindparam("key"), expires_at=bindparam("expires"))
    return statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"expires_at": bindparam("expires")},
        where=table.c.expires_at < bindparam("now"),
    ).returning(table.c.key)


class ReplayGuard:
    """Claims requests under a unique key in the store: one claim wins, on any process."""

    def __init__(self, store: Store, now: WallClock = time.time) -> None:
        self.store = store
        self.now = now
        self._next_prune = 0.0
        self._prune_lock = threading.Lock()

    def claim(self, key: str, expires_at: float, connection: Connection | None = None) -> bool:
        """True when this is the first live claim of `key`; False for a replay. On
        `connection`, inside its transaction (a deferred claim); else in one of its own."""
        now = self.now()
        insert = sqlite_insert if self.store.is_sqlite else pg_insert
        expires = datetime.fromtimestamp(expires_at, UTC)
        params = {"key": key, "expires": expires, "now": datetime.fromtimestamp(now, UTC)}
        if connection is not None:
            return connection.execute(_claim_statement(insert), params).first() is not None
        self.maybe_prune(now)
        with self.store.write_connection() as own:
            claimed = own.execute(_claim_statement(insert), params).first()
        return claimed is not None

    def deferred(self, key: str, expires_at: float) -> DeferredClaim:
        """The claim of `key`, to be taken by the request's first write transaction."""
        self.maybe_prune(self.now())
        return DeferredClaim(lambda connection: self.claim(key, expires_at, connection))

    def release(self, key: str) -> None:
        """Forget a claim (its processing failed), so that a retry is processed."""
        try:
            with self.store.write() as session:
                session.execute(delete(SeenRequest).where(SeenRequest.key == key))
        except SQLAlchemyError as exc:  # the claim then expires with its window
            log.error("could not release a failed request's claim: %s", type(exc).__name__)

    def prune(self) -> int:
        """Delete expired claims; how many."""
        cutoff = datetime.fromtimestamp(self.now(), UTC)
        with self.store.write() as session:
            result = session.execute(delete(SeenRequest).where(SeenRequest.expires_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)

    def maybe_prune(self, now: float) -> None:
        """Prune expired claims, at most once a minute per process."""
        # At most once a minute per process, one indexed DELETE: cheap enough to do inline.
        with self._prune_lock:
            if now < self._next_prune:
                return
            self._next_prune = now + PRUNE_EVERY_SECONDS
        self.prune()


# ---- the WSGI app ----------------------------------------------------------------------------


def _answer(
    start_response: StartResponse,
    status: int,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    all_headers = [("Content-Length", str(len(body)))]
    all_headers += [(k, v) for k, v in headers if k.lower() != "content-length"]
    if body and not any(name.lower() == "content-type" for name, _ in all_headers):
        all_headers.append(("Content-Type", "text/plain; charset=utf-8"))
    start_response(f"{status} {phrase}".rstrip(), all_headers)
    return [body]


def _bolt_answer(start_response: StartResponse, response: BoltResponse) -> list[bytes]:
    headers = [(k, v) for k, values in response.headers.items() for v in values]
    return _answer(start_response, response.status, (response.body or "").encode(), headers)


def _replay(start_response: StartResponse, request: SignedRequest) -> list[bytes]:
    retry = request.headers.get("x-slack-retry-num")
    log.info("replay not processed%s", f" (Slack retry {retry})" if retry else "")
    return _answer(start_response, HTTPStatus.OK)


def _unavailable(start_response: StartResponse, exc: BaseException | None) -> list[bytes]:
    # the store is down: Slack retries events later
    what = type(exc).__name__ if exc is not None else "the claim failed"
    log.error("cannot check for a replay, answering 503: %s", what)
    return _answer(start_response, HTTPStatus.SERVICE_UNAVAILABLE)


class SlackEdge:
    """WSGI for POST /slack/events: the checks of this module, then Bolt."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        guard: ReplayGuard,
        *,
        max_body: int = MAX_BODY_BYTES,
        now: WallClock = time.time,
        monotonic: WallClock = time.monotonic,
        ack_budget: float = ACK_BUDGET_SECONDS,
    ) -> None:
        self.app = app
        self.secret = signing_secret.encode()
        self.guard = guard
        self.max_body = max_body
        self.now = now
        self.monotonic = monotonic
        self.ack_budget = ack_budget

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request to the events path."""
        deadline = self.monotonic() + self.ack_budget
        try:
            request = check_request(environ, self.secret, self.now(), self.max_body)
        except Rejection as refused:
            log.warning(
                "refused %d from %s: %s",
                refused.status,
                environ.get("REMOTE_ADDR", "?"),
                refused.reason,
            )
            extra = [("Allow", "POST")] if refused.status == HTTPStatus.METHOD_NOT_ALLOWED else []
            return _answer(start_response, refused.status, refused.status.phrase.encode(), extra)
        if request.deferrable:
            return self._deferred(environ, start_response, request, deadline)
        try:
            fresh = self.guard.claim(request.replay_key, request.expires_at)
        except SQLAlchemyError as exc:  # the store is down: Slack retries events later
            return _unavailable(start_response, exc)
        if not fresh:
            return _replay(start_response, request)
        return self._processed(environ, start_response, request, deadline)

    def _processed(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        request: SignedRequest,
        deadline: float,
    ) -> Iterable[bytes]:
        """Bolt's answer to a claimed request (the claim released on a 5xx)."""
        try:
            response = self._dispatch(environ, request, deadline)
        except BaseException:
            self.guard.release(request.replay_key)
            raise
        if response.status >= 500:
            self.guard.release(request.replay_key)
        return _bolt_answer(start_response, response)

    def _deferred(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        request: SignedRequest,
        deadline: float,
    ) -> Iterable[bytes]:
        """A slash command: its claim taken by its first write transaction, else after it."""
        try:
            claim = self.guard.deferred(request.replay_key, request.expires_at)
        except SQLAlchemyError as exc:
            return _unavailable(start_response, exc)
        with deferred_claim(claim):
            try:
                response = self._dispatch(environ, request, deadline)
            except BaseException:
                if claim.state == "claimed":
                    self.guard.release(request.replay_key)
                raise
        return self._settle(start_response, request, claim, response)

    def _settle(
        self,
        start_response: StartResponse,
        request: SignedRequest,
        claim: DeferredClaim,
        response: BoltResponse,
    ) -> list[bytes]:
        """Bolt's answer once the deferred claim's fate is known."""
        if claim.state == "replay":
            return _replay(start_response, request)
        if claim.state == "failed":
            return _unavailable(start_response, None)
        fresh = True
        if claim.state == "claimed":
            if response.status >= 500:
                self.guard.release(request.replay_key)
        elif response.status < 500:  # nothing was written: claimed now, so a replay is still
            try:  # answered empty (after a 5xx nothing is claimed: a retry is processed)
                fresh = self.guard.claim(request.replay_key, request.expires_at)
            except SQLAlchemyError as exc:
                return _unavailable(start_response, exc)
        return _bolt_answer(start_response, response) if fresh else _replay(start_response, request)

    def _dispatch(
        self, environ: dict[str, Any], request: SignedRequest, deadline: float
    ) -> BoltResponse:
        try:
            bolt_request = BoltRequest(
                body=request.body,
                query=str(environ.get("QUERY_STRING") or ""),
                headers=dict(request.headers),
                context={ACK_DEADLINE_KEY: deadline},
            )
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # a payload Bolt chokes on
            log.warning("refused 400: unreadable payload (%s)", type(exc).__name__)
            return BoltResponse(status=400, body=HTTPStatus.BAD_REQUEST.phrase)
        return self.app.dispatch(bolt_request)
