"""Work after a reply (the Home redrawn after one's own /logmeeting): at once by default, on a
thread of its own when the HTTP server runs as `serve` does — so the reply never waits for it."""

from __future__ import annotations

import threading

from bot.bootstrap import Services
from bot.config import Settings
from bot.web.server import make_http_server


def test_by_default_work_after_a_reply_runs_at_once(services: Services) -> None:
    ran: list[str] = []
    services.after_reply(lambda: ran.append(threading.current_thread().name))
    assert ran == [threading.current_thread().name]


def test_the_serving_http_server_runs_it_on_another_thread(
    settings: Settings, services: Services
) -> None:
    server = make_http_server(settings, services, background=True)
    try:
        done = threading.Event()
        where: list[str] = []

        def work() -> None:
            where.append(threading.current_thread().name)
            done.set()

        services.after_reply(work)
        assert done.wait(timeout=10)
        assert where[0].startswith("after-reply") and where[0] != threading.current_thread().name
    finally:
        server.close()
