"""Delivers outbox emails over SMTP (standard library only), each exactly once.

The SMTP server's answer to the end of DATA is the moment of delivery. Before it, a failure is
known not to have sent anything: a 4xx (or a connection that could not be made) is retried
with backoff, a 5xx is parked for `jobs review`. During DATA, a timeout or a dropped connection
leaves the outcome unknown: the message is parked, never resent blindly. A crash between claim
and send leaves the row `sending`, and the outbox parks it as well (`recover_stale`).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from typing import Any

from bot.clock import Clock
from bot.config import SmtpServer
from bot.services.outbox import Mailer, Outbox, Pending, backoff
from bot.slack.sender import DeliveryReport

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20.0
EMAIL_BATCH = 200


class MailError(Exception):
    """An email that did not go: `code` is the server's (None: no answer), `unknown` when it
    may have been delivered all the same (a timeout or a dropped connection during DATA)."""

    def __init__(self, message: str, code: int | None = None, *, unknown: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.unknown = unknown


class SmtpMailer:
    """One SMTP connection per message, to the server of SMTP_URL."""

    def __init__(self, server: SmtpServer, *, timeout: float = SMTP_TIMEOUT_SECONDS) -> None:
        self.server = server
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        if server.security == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        if server.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: EmailMessage) -> None:
        """MAIL, RCPT, DATA step by step, so a failure is known to be before or during DATA."""
        sender = parseaddr(str(message["From"]))[1]
        recipient = parseaddr(str(message["To"]))[1]
        try:
            smtp = self._connect()
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"SMTP {exc.smtp_code} on connect", exc.smtp_code) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"no connection: {type(exc).__name__}") from None
        try:
            try:
                smtp.ehlo_or_helo_if_needed()
                if self.server.username:
                    smtp.login(self.server.username, self.server.password or "")
                code, _ = smtp.mail(sender)
                if code != 250:
                    raise MailError(f"SMTP {code} to MAIL FROM", code)
                code, _ = smtp.rcpt(recipient)
                if code not in (250, 251):
                    raise MailError(f"SMTP {code} to RCPT TO", code)
            except smtplib.SMTPResponseException as exc:
                raise MailError(f"SMTP {exc.smtp_code} before DATA", exc.smtp_code) from None
            except (OSError, smtplib.SMTPException) as exc:
                raise MailError(f"before DATA: {type(exc).__name__}") from None
            try:
                code, _ = smtp.data(message.as_bytes(policy=policy.SMTP))  # CRLF lines
            except smtplib.SMTPResponseException as exc:  # DATA refused: nothing went
                raise MailError(f"SMTP {exc.smtp_code} to DATA", exc.smtp_code) from None
            except (OSError, smtplib.SMTPException) as exc:
                raise MailError(f"during DATA: {type(exc).__name__}", unknown=True) from None
            if code != 250:
                raise MailError(f"SMTP {code} after DATA", code)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def email_message(
    message_id: int, rule: str, payload: dict[str, Any], to: str, sender: str
) -> EmailMessage:
    """The MIME message of an outbox email: a plain-text part and an HTML alternative, with a
    Message-ID made from the outbox row (a receiver can tell a resent copy)."""
    message = EmailMessage()
    message["Subject"] = str(payload.get("subject") or "Mentor Minutes")
    message["From"] = sender if "<" in sender else formataddr(("Mentor Minutes", sender))
    message["To"] = to
    domain = parseaddr(sender)[1].rpartition("@")[2] or "mentor-minutes.invalid"
    message["Message-ID"] = f"<outbox-{message_id}.{rule}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(str(payload.get("text") or ""))
    message.add_alternative(str(payload.get("html") or ""), subtype="html")
    return message


@dataclass
class EmailSender:
    """Sends due outbox emails; the outbox rows say what happened."""

    outbox: Outbox
    mailer: Mailer
    clock: Clock
    sender: str

    def deliver(
        self,
        now: datetime | None = None,
        limit: int = EMAIL_BATCH,
        *,
        report: DeliveryReport | None = None,
    ) -> DeliveryReport:
        """Send every due email (as of `now`), at most `limit`, into `report`."""
        now = now or self.clock.now()
        report = report if report is not None else DeliveryReport()
        self.outbox.recover_stale(now)
        for message in self.outbox.due(now, limit, via="email"):
            if self.outbox.start_sending(message.id, now):
                self._send(message, now, report)
        return report

    def _send(self, message: Pending, now: datetime, report: DeliveryReport) -> None:
        mime = email_message(
            message.id, message.rule, message.payload, message.recipient, self.sender
        )
        try:
            self.mailer.send(mime)
        except MailError as exc:
            who = f"email #{message.id}"  # never the address in a log line
            if exc.unknown:
                self.outbox.needs_review(message.id, f"ambiguous SMTP error: {exc}")
                report.review += 1
                log.warning("%s: delivery unknown (%s), held for review", who, exc)
            elif exc.code is not None and 500 <= exc.code < 600:
                self.outbox.needs_review(message.id, f"refused: {exc}")
                report.review += 1
                log.warning("%s refused by the mail server: %s", who, exc)
            else:  # a 4xx, or no connection: nothing went; later, with backoff
                at = now + backoff(message.attempts + 1)
                self.outbox.retry_later(message.id, str(exc), at)
                report.retry += 1
                log.warning("%s not sent: %s (next try %s)", who, exc, at)
            report.errors.append(f"email #{message.id}: {exc}")
            return
        self.outbox.mark_sent(message.id, "email", None, self.clock.now())
        report.sent += 1
        report.emailed += 1
