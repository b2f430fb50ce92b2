"""Signed `/logmeeting` requests over persistent loopback HTTP connections: latency, throughput."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bench.world import PAIRS, SIGNING_SECRET, mentor_slack_id

ROOT = Path(__file__).resolve().parent.parent
EVENTS_PATH = "/slack/events"
COMMAND_TEXT = "45m observation"
START_TIMEOUT_S = 60
CLIENTS = 8  # concurrent /logmeeting clients in a load run
REQUEST_TIMEOUT_S = 30


_triggers = itertools.count(1)


def command_body(
    user_id: str,
    command: str = "/logmeeting",
    text: str = COMMAND_TEXT,
    trigger_id: str | None = None,
) -> bytes:
    """The urlencoded body Slack posts for a slash command; every body gets a trigger_id of its
    own, as Slack's do (so no two requests are byte-identical, whatever the edge keys on)."""
    if trigger_id is None:
        n = next(_triggers)
        trigger_id = f"{n}.42.{n:08x}"
    return urlencode(
        {
            "token": "bench-verification-token",
            "team_id": "T0TEST",
            "team_domain": "bench",
            "channel_id": "C0BENCH",
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0TEST",
            "is_enterprise_install": "false",
            "response_url": "http://127.0.0.1:9/response",
            "trigger_id": trigger_id,
        }
    ).encode()


class Signer:
    """Slack's request signature, recomputed once a second (timestamps must be fresh)."""

    def __init__(self, secret: str = SIGNING_SECRET) -> None:
        self.verifier = SignatureVerifier(secret)

    def headers(self, body: bytes) -> dict[str, str]:
        """Headers for one request."""
        ts = str(int(time.time()))
        signature = self.verifier.generate_signature(timestamp=ts, body=body)
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or "",
            "Content-Type": "application/x-www-form-urlencoded",
        }


class Mentors:
    """Round-robin over the 1,000 mentors, shared by client threads."""

    def __init__(self) -> None:
        self._next = itertools.count()
        # Each mentor's body up to its trigger_id, which comes last and is new every time.
        self._heads = [command_body(mentor_slack_id(i), trigger_id="") for i in range(PAIRS)]
        assert all(head.endswith(b"&trigger_id=") for head in self._heads)

    def body(self) -> bytes:
        """The next mentor's `/logmeeting 45m observation` (a fresh trigger_id each time)."""
        n = next(self._next)
        return self._heads[n % PAIRS] + b"%d.43.%08x" % (n, n)


@dataclass
class Server:
    """A server under test in its own process (`python -m bench.serve`)."""

    name: str
    process: subprocess.Popen[str]
    port: int

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (Linux /proc; NaN elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Close its stdin (it exits), or kill it after a while."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_server(
    name: str,
    kind: str,
    database_url: str,
    *,
    process_before_response: bool = False,
    what_if: int = 0,
) -> Server:
    """Start `python -m bench.serve` and wait for its port."""
    command = [sys.executable, "-m", "bench.serve", kind, database_url]
    if process_before_response:
        command.append("--process-before-response")
    if what_if:
        command += ["--what-if", str(what_if)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    ready: list[str] = []
    reader = threading.Thread(target=lambda: ready.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(START_TIMEOUT_S)
    if not ready or not ready[0].strip():
        process.kill()
        raise RuntimeError(f"bench server {name!r} did not start (exit code {process.poll()})")
    return Server(name, process, int(json.loads(ready[0])["port"]))


@dataclass
class Tally:
    """Latencies (seconds) of the requests answered as expected, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Merge another tally."""
        self.latencies.extend(other.latencies)
        self.errors.extend(other.errors)


class Client:
    """One persistent HTTP/1.1 connection to a server."""

    def __init__(self, port: int, signer: Signer, expect: bytes) -> None:
        self.port = port
        self.signer = signer
        self.expect = expect
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)

    def post(self, body: bytes, tally: Tally) -> None:
        """One signed request, timed from before sending to the last byte of the answer."""
        headers = self.signer.headers(body)
        started = time.perf_counter()
        try:
            self.conn.request("POST", EVENTS_PATH, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S
            )
            tally.errors.append(f"{type(exc).__name__}: {exc}")
            return
        elapsed = time.perf_counter() - started
        if response.status != 200 or self.expect not in data:
            tally.errors.append(f"HTTP {response.status}: {data[:200]!r}")
            return
        tally.latencies.append(elapsed)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def sequential(port: int, count: int, next_body: Callable[[], bytes], expect: bytes) -> Tally:
    """`count` requests one after another over one connection."""
    tally = Tally()
    client = Client(port, Signer(), expect)
    try:
        for _ in range(count):
            client.post(next_body(), tally)
    finally:
        client.close()
    return tally


def concurrent(
    port: int,
    clients: int,
    next_body: Callable[[], bytes],
    expect: bytes,
    *,
    seconds: float,
    max_requests: int,
) -> tuple[Tally, float]:
    """`clients` threads, each with its own connection, posting back to back for `seconds`
    (or until `max_requests` were sent); returns the tally and the wall-clock seconds."""
    tallies = [Tally() for _ in range(clients)]
    connections = [Client(port, Signer(), expect) for _ in range(clients)]
    tickets = itertools.count()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def run(i: int) -> None:
        start.wait()
        while time.perf_counter() < deadline[0] and next(tickets) < max_requests:
            connections[i].post(next_body(), tallies[i])

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    for connection in connections:
        connection.close()
    total = Tally()
    for tally in tallies:
        total.add(tally)
    return total, wall


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; NaN when empty."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(q * 10) - 1]
