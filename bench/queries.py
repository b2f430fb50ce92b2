"""Count what one `/logmeeting` and one `/hours` cost in SQL: statements and new connections.

Counted in this process over the real HTTP path (`make_http_server`, sequential requests) with
a `before_cursor_execute` listener (every statement SQLAlchemy sends, BEGIN included) and a pool
`connect` listener (each new DBAPI connection; with SQLite the store's connect hook also runs
four PRAGMAs on it, which the cursor listener does not see).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from bench.load import Client, Signer, Tally, command_body
from bench.world import make_settings, mentor_slack_id
from bot.bootstrap import build_services
from bot.devtools.slack_standin import FakeSlackApi
from bot.web.server import make_http_server

_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def label(statement: str) -> str:
    """A short name for a statement: its verb and first table (`SELECT people`, `BEGIN ...`)."""
    words = statement.split()
    if not words:
        return "?"
    verb = words[0].upper()
    if verb in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
        return " ".join(words[:2]).upper()
    match = _TABLE.search(statement)
    return f"{verb} {match.group(1)}" if match else verb


@dataclass
class Captured:
    """Statements and new connections seen during one block."""

    statements: list[str] = field(default_factory=list)
    connects: int = 0

    def summary(self) -> str:
        """`3× SELECT people, 1× INSERT log_entries, ...` in first-seen order."""
        counts = Counter(label(s) for s in self.statements)
        return ", ".join(f"{n}× {name}" for name, n in counts.items())


class QueryLog:
    """Listens on an engine; `capture()` collects what happens inside a block."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._current: Captured | None = None
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "connect", self._connect)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        with self._lock:
            if self._current is not None:
                self._current.statements.append(statement)

    def _connect(self, *_: Any) -> None:
        with self._lock:
            if self._current is not None:
                self._current.connects += 1

    @contextmanager
    def capture(self) -> Iterator[Captured]:
        """Collect statements and connects until the block ends."""
        captured = Captured()
        with self._lock:
            self._current = captured
        try:
            yield captured
        finally:
            with self._lock:
                self._current = None

    def remove(self) -> None:
        """Stop listening."""
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "connect", self._connect)


@dataclass(frozen=True)
class Counted:
    """Average statements and connections per request, and one request's breakdown."""

    name: str
    requests: int
    statements: float
    connects: float
    breakdown: str


def per_request(name: str, samples: list[Captured]) -> Counted:
    n = len(samples)
    return Counted(
        name,
        n,
        sum(len(c.statements) for c in samples) / n,
        sum(c.connects for c in samples) / n,
        samples[-1].summary(),
    )


def count_http(database_url: str, *, requests: int = 20) -> list[Counted]:
    """Statements per `/logmeeting 45m observation` and per `/hours`, from mentors, over HTTP."""
    with FakeSlackApi() as fake:
        settings = make_settings(database_url, fake.url)
        services = build_services(settings)
        server = make_http_server(settings, services, host="127.0.0.1", port=0)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        log = QueryLog(services.store.engine)
        try:
            results = []
            for command, expect, text in (
                ("/logmeeting", b"Logged", "45m observation"),
                ("/hours", b'"text"', ""),
            ):
                client = Client(server.effective_port, Signer(), expect)
                samples = []
                for i in range(requests):
                    body = command_body(mentor_slack_id(900 + i % 50), command, text)
                    tally = Tally()
                    with log.capture() as captured:
                        client.post(body, tally)
                    if tally.errors:
                        raise RuntimeError(f"{command} failed while counting: {tally.errors[0]}")
                    samples.append(captured)
                client.close()
                results.append(per_request(command, samples))
            return results
        finally:
            log.remove()
            server.task_dispatcher.shutdown()
            server.close()
            thread.join(timeout=5)
            services.close()
