"""A second real HTTP server (bot.web.server.make_http_server on waitress) for a test, as another
process or a restart would run it."""

from __future__ import annotations

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
