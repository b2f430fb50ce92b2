"""Servers for a test: a second real HTTP server (bot.web.server.make_http_server on waitress), as
another process or a restart would run it, and a Slack that never answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from waitress import wasyncore

from bot.bootstrap import Services
from bot.config import Settings
from bot.web.server import make_http_server


@contextmanager
def running_http_server(settings: Settings, services: Services) -> Iterator[str]:
    """Serve on a free loopback port while the block runs; yields the base URL."""
    server = make_http_server(settings, services, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()


class MuteSlack:
    """A TCP server that reads each request and never answers: it hangs up at once (did Slack
    post it?) or holds the connection open (Slack slower than the client's timeout)."""

    def __init__(self, *, hang_up: bool) -> None:
        """Listen on a free loopback port."""
        self.hang_up = hang_up
        self.accepted = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """A Web API base URL pointing here."""
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/api/"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            if self.hang_up:
                with conn:
                    conn.recv(65536)
            else:
                self.conns.append(conn)

    def close(self) -> None:
        """Close held connections and stop listening."""
        for conn in self.conns:
            conn.close()
        self.server.close()
