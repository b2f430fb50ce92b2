"""One HTTP server under test, in its own process: `python -m bench.serve KIND DATABASE_URL`.

KIND is `ours` (the real `make_http_server(settings, services)`) or `bare` (a Bolt app with
the same signing secret whose `/logmeeting` listener only acks "ok", served by Bolt's own WSGI
adapter on the same waitress set-up: `create_server(..., threads=WSGI_THREADS)` on loopback).
The bare app is the floor: whatever ours puts in front of Bolt (the HTTP edge's checks, its
replay guard) is ours to pay, so the bare app does not get it. `--process-before-response`
builds either app with Bolt's `process_before_response=True` instead, and `--what-if N` patches
this process with the changes of bench/whatif.py up to level N (diagnostics: the default run
measures the product as it is). Prints `{"port": N}` on stdout once listening, then
serves until its stdin closes. The Slack Web API is a loopback FakeSlackApi in this process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

from bench import whatif
from bench.world import BOT_TOKEN, SIGNING_SECRET, make_settings
from bot.bootstrap import build_services
from bot.devtools.slack_standin import FakeSlackApi
from bot.web.app import create_app
from bot.web.server import EVENTS_PATH, WSGI_THREADS, SlackWsgi, make_http_server


def bare_app(api_url: str, *, process_before_response: bool) -> App:
    """A Bolt app that verifies signatures like ours and acks `/logmeeting` with "ok"."""
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        request_verification_enabled=True,
        token_verification_enabled=False,
        process_before_response=process_before_response,
        name="bare",
    )

    def logmeeting(ack: Ack) -> None:
        ack("ok")

    app.command("/logmeeting")(logmeeting)
    return app


def _exit_when_stdin_closes() -> None:
    sys.stdin.read()
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    """Serve until stdin closes."""
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("kind", choices=("ours", "bare"))
    parser.add_argument("database_url")
    parser.add_argument("--process-before-response", action="store_true")
    parser.add_argument("--what-if", type=int, default=0)
    args = parser.parse_args(argv)
    if args.what_if:
        whatif.apply(args.what_if)
        args.process_before_response = True
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    fake = FakeSlackApi().start()
    settings = make_settings(args.database_url, fake.url)
    services = build_services(settings)
    server: Any
    if args.kind == "ours" and not args.process_before_response:
        server = make_http_server(settings, services, host="127.0.0.1", port=0)
    elif args.kind == "ours":  # what-if levels: the product's app on the product's WSGI
        app = create_app(settings, services, process_before_response=True)
        server = create_server(
            SlackWsgi(app, services), host="127.0.0.1", port=0, threads=WSGI_THREADS
        )
    else:  # the floor: a bare Bolt app on Bolt's WSGI adapter
        app = bare_app(fake.url, process_before_response=args.process_before_response)
        wsgi = SlackRequestHandler(app, path=EVENTS_PATH)
        server = create_server(wsgi, host="127.0.0.1", port=0, threads=WSGI_THREADS)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    print(json.dumps({"port": server.effective_port, "pid": os.getpid()}), flush=True)
    server.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
