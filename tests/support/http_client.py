"""Real HTTP to the server under test: one request over a fresh connection, a signed command."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from tests.support.hillside import SIGNING_SECRET
from tests.support.signing import signed_headers, slash_command_body


def request(
    base_url: str,
    method: str,
    path: str,
    body: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request over a fresh connection: status, headers (lower-case), body."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request(method, path, body=body.encode() if body else None, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def post_command(base_url: str, name: str, text: str, user_id: str) -> tuple[int, bytes]:
    """A correctly signed slash command, as Slack sends it."""
    body = slash_command_body(name, text, user_id)
    status, _, data = request(
        base_url, "POST", "/slack/events", body, signed_headers(SIGNING_SECRET, body)
    )
    return status, data


def post_events(base_url: str, body: str, *, json_body: bool = False) -> tuple[int, bytes]:
    """A signed POST to /slack/events: status and body (nothing timed)."""
    headers = signed_headers(SIGNING_SECRET, body)
    if json_body:
        headers["Content-Type"] = "application/json"
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
