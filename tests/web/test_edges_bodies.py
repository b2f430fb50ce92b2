"""Bodies at the edge: the limit holds before anything is read or parsed, the signature is checked
before parsing, and every malformed request gets a 4xx with at most one short log line and no
traceback. A 100 MB POST against the real waitress server is refused quickly, in bounded memory."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import io
import logging
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from slack_bolt import App

from bot.bootstrap import Services
from bot.web.ingress import MAX_BODY_BYTES, ReplayGuard, SlackEdge
from tests.support.bolt_requests import event_body
from tests.support.hillside import SIGNING_SECRET
from tests.support.signing import signed_headers, slash_command_body

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # engine-independent
HUNDRED_MB = 100 * 1024 * 1024
SEND_CHUNK = 1024 * 1024
RSS_GROWTH_LIMIT = 50 * 1024 * 1024
WAIT = 30.0


# ---- the WSGI edge, with a stream that counts what is read -----------------------------------


class CountingStream(io.RawIOBase):
    """wsgi.input that serves `size` bytes (endless when None) and counts what was read."""

    def __init__(self, size: int | None) -> None:
        self.size = size
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        left = n if n >= 0 else (self.size or 0) - self.read_bytes
        if self.size is not None:
            left = min(left, self.size - self.read_bytes)
        self.read_bytes += left
        return b"x" * left


def environ(stream: CountingStream, headers: dict[str, str], length: int | None) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": stream,
        "wsgi.input_terminated": True,
        "REMOTE_ADDR": "127.0.0.1",
    }
    if length is not None:
        env["CONTENT_LENGTH"] = str(length)
    env.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    return env


def call(edge: SlackEdge, env: dict[str, Any]) -> tuple[int, bytes]:
    seen: list[str] = []
    body = b"".join(edge(env, lambda status, headers: seen.append(status)))
    return int(seen[0].split()[0]), body


@pytest.fixture
def edge(app: App, services: Services) -> SlackEdge:
    return SlackEdge(app, SIGNING_SECRET, ReplayGuard(services.store))


def fresh() -> dict[str, str]:
    """A timestamp of now (taken when the test runs) and a wrong signature."""
    return {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}  # fmt: skip


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("headers", "length", "size", "status", "most_read"),
    [
        pytest.param(dict, HUNDRED_MB, HUNDRED_MB, 413, 0, id="100MB-declared-unsigned"),
        pytest.param(fresh, HUNDRED_MB, HUNDRED_MB, 413, 0, id="100MB-declared-signed"),
        pytest.param(fresh, MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 1, 413, 0, id="limit+1-declared"),
        pytest.param(fresh, None, None, 413, MAX_BODY_BYTES + 1, id="endless-chunked"),
        pytest.param(dict, None, None, 401, 0, id="chunked-unsigned"),
        pytest.param(dict, 100, 100, 401, 0, id="small-unsigned"),
        pytest.param(
            lambda: {**fresh(), "X-Slack-Request-Timestamp": "soon"},
            100,
            100,
            400,
            0,
            id="bad-timestamp",
        ),
        pytest.param(
            lambda: {**fresh(), "X-Slack-Request-Timestamp": "1"},
            100,
            100,
            401,
            0,
            id="stale-timestamp",
        ),
        pytest.param(fresh, 100, 100, 401, 100, id="bad-signature"),  # read to check, not parsed
    ],
)
def test_the_edge_reads_no_more_than_it_must(
    edge: SlackEdge,
    headers: Callable[[], dict[str, str]],
    length: int | None,
    size: int | None,
    status: int,
    most_read: int,
) -> None:
    stream = CountingStream(size)

    answered, _ = call(edge, environ(stream, headers(), length))

    assert answered == status
    assert stream.read_bytes <= most_read


@SQLITE_ONLY
def test_a_body_just_within_the_limit_is_read_and_answered(edge: SlackEdge, pairs: None) -> None:
    command = slash_command_body("/hours", "", "U0LEE")
    padded = command + "&pad=" + "p" * (MAX_BODY_BYTES - len(command) - len("&pad="))
    assert len(padded) == MAX_BODY_BYTES
    env = environ(CountingStream(0), signed_headers(SIGNING_SECRET, padded), len(padded))
    env["wsgi.input"] = io.BytesIO(padded.encode())

    status, body = call(edge, env)

    assert status == 200
    assert "Bea Beginner" in body.decode()


# ---- malformed requests over real HTTP: 4xx, one short line, no traceback ---------------------


def _signed(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": content_type,
    }


FORM_BODY = slash_command_body("/hours", "", "U0LEE").encode()
EVENT = event_body({"type": "app_home_opened", "user": "U0LEE", "tab": "home"}).encode()


def _case(body: bytes, headers: Callable[[], dict[str, str]], status: int, name: str) -> Any:
    return pytest.param(body, headers, status, id=name)


MALFORMED = [  # headers are signed when the test runs: a timestamp older than 5 minutes is refused
    _case(b"text=\xff\xfe&user_id=U0LEE", lambda: _signed(b"text=\xff\xfe&user_id=U0LEE"), 400, "invalid-utf8"),
    _case(b"payload=%7Bnot+json", lambda: _signed(b"payload=%7Bnot+json"), 400, "broken-json-payload"),
    _case(b"payload=%5B1%2C2%5D", lambda: _signed(b"payload=%5B1%2C2%5D"), 400, "payload-not-an-object"),
    _case(FORM_BODY, lambda: _signed(FORM_BODY, "application/json"), 400, "json-content-type-form-body"),
    _case(b"[1, 2]", lambda: _signed(b"[1, 2]", "application/json"), 400, "json-array"),
    _case(b'{"type": ', lambda: _signed(b'{"type": '), 400, "truncated-json-object"),
    _case(FORM_BODY, lambda: {**_signed(FORM_BODY), "X-Slack-Request-Timestamp": "soon"}, 400, "timestamp-not-a-number"),
    _case(FORM_BODY, lambda: {**_signed(FORM_BODY), "X-Slack-Request-Timestamp": "9" * 40}, 400, "timestamp-40-digits"),
    _case(FORM_BODY, lambda: {"Content-Type": "application/x-www-form-urlencoded"}, 401, "no-signature-headers"),
    _case(FORM_BODY, lambda: {k: v for k, v in _signed(FORM_BODY).items() if k != "X-Slack-Signature"}, 401, "no-signature"),
    _case(FORM_BODY, lambda: {**_signed(FORM_BODY), "X-Slack-Signature": "v0=zz"}, 401, "garbage-signature"),
    _case(FORM_BODY, lambda: _signed(FORM_BODY, "text/plain"), 415, "text-plain"),
    _case(FORM_BODY, lambda: {k: v for k, v in _signed(FORM_BODY).items() if k != "Content-Type"}, 415, "no-content-type"),
    _case(b"", lambda: _signed(b"", "application/json"), 404, "empty-signed-body"),
    _case(EVENT, lambda: _signed(EVENT, "application/json; charset=utf-8"), 200, "json-with-charset-is-fine"),
]  # fmt: skip


def send(base_url: str, method: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=WAIT)
    try:
        conn.request(method, "/slack/events", body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    """At most one short log line at WARNING or above, and no traceback anywhere."""
    assert all(record.exc_info is None for record in caplog.records)
    assert "Traceback" not in caplog.text
    # waitress.queue's "Task queue depth" notes the server's load, not the request
    loud = [
        r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "waitress.queue"
    ]
    assert len(loud) <= 1, [r.getMessage() for r in loud]
    assert all(len(r.getMessage()) <= 120 for r in caplog.records)


@SQLITE_ONLY
@pytest.mark.parametrize(("body", "headers", "status"), MALFORMED)
def test_malformed_requests_get_a_4xx_and_one_short_line(
    http_server: str,
    pairs: None,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    headers: Callable[[], dict[str, str]],
    status: int,
) -> None:
    caplog.set_level(logging.INFO)

    answered, _ = send(http_server, "POST", body, headers())

    assert answered == status
    assert_quiet(caplog)


@SQLITE_ONLY
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_only_post_reaches_the_edge(
    http_server: str, caplog: pytest.LogCaptureFixture, method: str
) -> None:
    caplog.set_level(logging.INFO)
    assert send(http_server, method, b"", {})[0] == 405
    assert_quiet(caplog)


def test_a_signed_body_over_the_limit_is_refused(
    http_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"text=" + b"a" * MAX_BODY_BYTES
    caplog.set_level(logging.INFO)

    assert send(http_server, "POST", body, _signed(body))[0] == 413
    assert_quiet(caplog)


# ---- 100 MB against the real server ------------------------------------------------------------


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def post_huge(base_url: str, *, chunked: bool, headers: dict[str, str]) -> tuple[int, float, int]:
    """POST 100 MB (declared, or chunked) while reading the answer: (status, bytes sent)."""
    parts = urlsplit(base_url)
    sock = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=WAIT)
    lines = ["POST /slack/events HTTP/1.1", f"Host: {parts.hostname}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUNDRED_MB}")
    sent = [0]
    chunk = b"x" * SEND_CHUNK
    frame = f"{SEND_CHUNK:x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk

    def send_body() -> None:
        try:
            for _ in range(HUNDRED_MB // SEND_CHUNK):
                sock.sendall(frame)
                sent[0] += SEND_CHUNK
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and hung up: what we wanted

    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    sender = threading.Thread(target=send_body, daemon=True)
    sender.start()
    try:
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    finally:
        with contextlib.suppress(OSError):  # already reset by the server
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        sender.join(WAIT)
    return int(answer.split(b" ", 2)[1]), sent[0]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed-looking"])
def test_a_100mb_post_is_refused_quickly_in_bounded_memory(
    http_server: str, caplog: pytest.LogCaptureFixture, chunked: bool, signed: bool
) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers.update(fresh())
    caplog.set_level(logging.INFO)
    before = rss_bytes()

    status, sent = post_huge(http_server, chunked=chunked, headers=headers)

    grown = rss_bytes() - before
    assert status in (400, 413)
    assert grown < RSS_GROWTH_LIMIT, f"RSS grew {grown / 2**20:.1f} MB"
    assert sent < HUNDRED_MB // 2  # the server hung up rather than reading on
    assert_quiet(caplog)


def test_a_signed_json_event_passes_the_edge(http_server: str, pairs: None, slack_api: Any) -> None:
    status, data = send(http_server, "POST", EVENT, _signed(EVENT, "application/json"))
    assert (status, data) == (200, b"")
    assert len(slack_api.calls_to("views.publish")) == 1
