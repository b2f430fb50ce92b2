"""An in-process SMTP sink for tests (aiosmtpd on the loopback, never the network): it keeps
every message it accepts and answers scripted failures — a 4xx or 5xx to RCPT or to the end of
DATA, or a connection dropped after DATA was read (delivery unknown to the sender)."""

from __future__ import annotations

import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from bot.config import load_settings
from bot.email.sender import SmtpMailer

HANG_UP = "hang up"  # a scripted failure: read the whole message, then drop the connection


def free_port() -> int:
    """A loopback port nobody listens on (for the sink, or to be refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpSink:
    """The handler aiosmtpd calls; `messages` are the emails accepted, in order."""

    messages: list[EmailMessage] = field(default_factory=list)
    received: int = 0  # every DATA read in full, accepted or not
    _failures: deque[tuple[str, str]] = field(default_factory=deque)  # (stage, answer)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, stage: str, answer: str, times: int = 1) -> None:
        """Answer the next `times` RCPT or DATA (`stage`) with `answer` ("451 4.3.0 later",
        "550 5.1.1 no such user", or HANG_UP at DATA)."""
        with self._lock:
            self._failures.extend((stage, answer) for _ in range(times))

    def _scripted(self, stage: str) -> str | None:
        with self._lock:
            if self._failures and self._failures[0][0] == stage:
                return self._failures.popleft()[1]
        return None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        answer = self._scripted("RCPT")
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.received += 1
        answer = self._scripted("DATA")
        if answer == HANG_UP:
            server.transport.close()
            return "250 OK"  # never reaches the client
        if answer is not None:
            return answer
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 OK queued"


class SmtpServer:
    """The sink, listening on a loopback port; `smtp_url` for SMTP_URL, `mailer()` for
    build_services."""

    def __init__(self) -> None:
        self.sink = SmtpSink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def smtp_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def mailer(self) -> SmtpMailer:
        """The real SMTP mailer, pointed at the sink through the settings' parser."""
        server = load_settings(_env_file=None, SMTP_URL=self.smtp_url).smtp
        assert server is not None
        return SmtpMailer(server, timeout=10.0)

    def to(self, address: str) -> list[EmailMessage]:
        """The accepted emails to one address."""
        return [m for m in self.sink.messages if m["To"] == address]


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of an email (both must be there)."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None, "an email has a plain and an HTML part"
    return str(text.get_content()), str(html.get_content())  # type: ignore[attr-defined]
