"""The mailer a deployment sends email with: SMTP when SMTP_URL is set, else none (the outbox
then routes nothing to email and the jobs name whom they could not reach)."""

from __future__ import annotations

from bot.config import Settings
from bot.email.sender import SmtpMailer
from bot.services.outbox import Mailer


def mailer_for(settings: Settings) -> Mailer | None:
    """An SMTP mailer for SMTP_URL, or None when it is not set."""
    server = settings.smtp
    return SmtpMailer(server) if server is not None else None
