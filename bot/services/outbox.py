"""The outbox: every notification is claimed under a natural key before it is sent, so a rerun,
a second scheduler or a crash between claim and send never sends it twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.domain.members import Member
from bot.domain.reach import EMAIL, SLACK, reach
from bot.services.programs import ProgramService
from bot.store.db import Store
from bot.store.models.core import OutboxMessage

PENDING, SENDING, SENT, REVIEW, EXPIRED = "pending", "sending", "sent", "review", "expired"
DROPPED = "dropped"  # a parked message a person chose not to send
BY_EMAIL = "by_email"  # a DM Slack could not deliver (no such user): its email went instead
MAX_BACKOFF = timedelta(minutes=15)
STALE_SENDING = timedelta(minutes=10)
CLAIM_BATCH = 500


@dataclass(frozen=True)
class Notification:
    """A message to claim: the natural key (rule, recipient, subject, period) and its payload."""

    rule: str
    recipient: str  # a Slack user id (the DM goes to the app's conversation with them), or
    # an email address (via email)
    subject: str
    period: str
    payload: dict[
        str, Any
    ]  # slack: {"text", "blocks", "email"?}; email: {"subject", "text", "html"}
    via: str = SLACK  # the channel: slack or email; part of the natural key


@dataclass(frozen=True)
class Pending:
    """A claimed message waiting to be sent."""

    id: int
    recipient: str
    payload: dict[str, Any]
    attempts: int
    rule: str = ""


# An email's subject and parts ({"subject", "text", "html"}) from a record and the program name:
# `bot/email/views.render`, wired in by the composition root (services never import views).
EmailRenderer = Callable[[Any, str], dict[str, str]]


class Mailer(Protocol):
    """Sends one email; raises `bot.email.sender.MailError` when it did not (or may not have)
    gone. SMTP in production, an in-process sink in tests, the terminal in the console."""

    def send(self, message: EmailMessage) -> None:
        """Hand the message to the mail server."""
        ...


@dataclass(frozen=True)
class Parked:
    """A message held for review: whether Slack got it is unknown, or Slack refused it."""

    id: int
    rule: str
    recipient: str
    subject: str
    period: str
    attempts: int
    last_error: str | None
    created_at: datetime


class ReviewError(Exception):
    """A review action that can't be done (no such message, or not held for review)."""


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 30 s doubling, at most 15 min."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class Outbox:
    """Claim, send-state and history of notifications."""

    def __init__(
        self,
        store: Store,
        programs: ProgramService,
        *,
        email_on: bool = False,
        render_email: EmailRenderer | None = None,
    ) -> None:
        self.store = store
        # Every row belongs to a program: claimed under it, and (bound to one program, many on
        # one database) read, sent and reviewed only within it.
        self.programs = programs
        self.email_on = email_on and render_email is not None
        self.render_email = render_email

    def _mine(self) -> list[ColumnElement[bool]]:
        """The filter to this program's rows (bound), or none (the one program)."""
        bound = self.programs.program_id
        return [] if bound is None else [OutboxMessage.program_id == bound]

    def route(
        self,
        person: Member | None,
        recipient: str,
        key: tuple[str, str, str],
        slack: list[tuple[str, dict[str, Any]]],
        record: object,
        program: str,
        *,
        needs_slack: bool = False,
    ) -> list[Notification]:
        """The notifications of one message to `person` (Slack id `recipient`, when they have
        one) under `key` (rule, subject, period):
        the DM parts (`slack`: subject and payload each) when they are on Slack, each carrying
        the email to send instead should Slack not find them; the email when the roster says
        so or they have no Slack id. `needs_slack`: the message is answered in Slack (a
        survey), so the DM goes to anyone with a Slack id, the email besides when asked for."""
        rule, subject, period = key
        if person is None:
            return [Notification(rule, recipient, part, period, p) for part, p in slack]
        ways = reach(person, self.email_on)
        email = None
        if self.email_on and self.render_email is not None and person.email:
            email = {"to": person.email, "key": subject} | self.render_email(record, program)
        notes = []
        if person.slack_user_id and (ways.slack or needs_slack):
            for part, payload in slack:
                body = payload | ({"email": email} if email is not None else {})
                notes.append(Notification(rule, person.slack_user_id, part, period, body))
        if ways.email and email is not None:
            notes.append(Notification(rule, person.email, subject, period, email, EMAIL))
        return notes

    def claim_all(self, session: Session, notes: list[Notification], now: datetime) -> int:
        """Insert each notification unless its key exists (INSERT … ON CONFLICT DO NOTHING)."""
        if not notes:
            return 0
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(OutboxMessage)
            .on_conflict_do_nothing(
                index_elements=["program_id", "rule", "recipient", "subject", "period", "via"]
            )
            .returning(OutboxMessage.id)
        )
        program_id = self.programs.current_id()
        rows = [
            {
                "program_id": program_id,
                "rule": note.rule,
                "recipient": note.recipient,
                "subject": note.subject,
                "period": note.period,
                "via": note.via,
                "status": PENDING,
                "payload": note.payload,
                "attempts": 0,
                "created_at": now,
            }
            for note in notes
        ]
        claimed = 0
        for start in range(0, len(rows), CLAIM_BATCH):
            # one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per batch
            claimed += len(session.execute(statement, rows[start : start + CLAIM_BATCH]).all())
        return claimed

    def due(self, now: datetime, limit: int = 200, via: str = SLACK) -> list[Pending]:
        """Pending messages of a channel whose time has come, oldest first."""
        with self.store.read() as session:
            rows = session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.recipient,
                    OutboxMessage.payload,
                    OutboxMessage.attempts,
                    OutboxMessage.rule,
                )
                .where(
                    OutboxMessage.status == PENDING,
                    OutboxMessage.via == via,
                    (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now),
                    *self._mine(),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).all()
        return [Pending(r.id, r.recipient, r.payload, r.attempts, r.rule) for r in rows]

    def start_sending(self, message_id: int, now: datetime) -> bool:
        """Take a pending message for sending; False when another sender took it first."""
        with self.store.write() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
                .values(status=SENDING, attempts=OutboxMessage.attempts + 1, not_before=now)
            )
            return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    def mark_sent(
        self, message_id: int, channel: str | None, ts: str | None, now: datetime
    ) -> None:
        """Record Slack's answer: the message is delivered."""
        self._set(message_id, status=SENT, channel=channel, ts=ts, sent_at=now, last_error=None)

    def fall_back(self, message_id: int, error: str, now: datetime) -> bool:
        """Slack could not find the DM's recipient: the DM is closed as gone by email and its
        email (carried in its payload) is claimed, in one transaction — under the email's own
        key, so a DM in several parts, or an email already claimed, still sends one. False
        when the DM carries no email (it is then parked for review)."""
        with self.store.write() as session:
            row = session.get(OutboxMessage, message_id)
            email = (row.payload or {}).get("email") if row is not None else None
            if row is None or not isinstance(email, dict) or not email.get("to"):
                return False
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(status=BY_EMAIL, last_error=f"{error}: sent by email instead"[:500])
            )
            note = Notification(
                row.rule, str(email["to"]), str(email.get("key") or row.subject), row.period,
                {k: v for k, v in email.items() if k in ("subject", "text", "html")}, EMAIL,
            )  # fmt: skip
            self.claim_all(session, [note], now)
        return True

    def retry_later(self, message_id: int, error: str, at: datetime) -> None:
        """Back to pending until `at`: Slack said wait, or was unreachable; nothing was sent."""
        self._set(message_id, status=PENDING, last_error=error[:500], not_before=at)

    def needs_review(self, message_id: int, error: str) -> None:
        """Park a message whose delivery is unknown (an ambiguous network error): never resent."""
        self._set(message_id, status=REVIEW, last_error=error[:500])

    def hold_pending(self, until: datetime, via: str = SLACK) -> int:
        """Every pending message of a channel waits until `until` (Slack asked the method to
        wait)."""
        with self.store.write() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == PENDING,
                    OutboxMessage.via == via,
                    (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before < until),
                    *self._mine(),
                )
                .values(not_before=until)
            )
            return result.rowcount or 0  # type: ignore[attr-defined]

    def parked(self, limit: int = 200) -> tuple[list[Parked], int]:
        """Messages held for review, oldest first (at most `limit`), and how many there are."""
        with self.store.read() as session:
            total = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == REVIEW, *self._mine())
            )
            rows = session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.rule,
                    OutboxMessage.recipient,
                    OutboxMessage.subject,
                    OutboxMessage.period,
                    OutboxMessage.attempts,
                    OutboxMessage.last_error,
                    OutboxMessage.created_at,
                )
                .where(OutboxMessage.status == REVIEW, *self._mine())
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).all()
        parked = [
            Parked(
                r.id,
                r.rule,
                r.recipient,
                r.subject,
                r.period,
                r.attempts,
                r.last_error,
                r.created_at,
            )
            for r in rows
        ]
        return parked, int(total or 0)

    def resend(self, message_id: int, now: datetime) -> Parked:
        """Send a parked message again at the next delivery (claimed afresh as of `now`)."""
        return self._resolve(
            message_id,
            status=PENDING,
            not_before=now,
            created_at=now,  # re-claimed now, so it is not dropped as too old to send
            note="resend requested in review",
        )

    def drop(self, message_id: int) -> Parked:
        """Never send a parked message; its key stays claimed, so it is never produced again."""
        return self._resolve(message_id, status=DROPPED, note="dropped in review")

    def _resolve(self, message_id: int, *, note: str, **values: Any) -> Parked:
        with self.store.write() as session:
            row = session.get(OutboxMessage, message_id)
            bound = self.programs.program_id
            if row is None or (bound is not None and row.program_id != bound):
                raise ReviewError(f"No message {message_id} in the outbox.")
            if row.status != REVIEW:
                raise ReviewError(
                    f"Message {message_id} is not held for review (it is {row.status})."
                )
            parked = Parked(
                row.id,
                row.rule,
                row.recipient,
                row.subject,
                row.period,
                row.attempts,
                row.last_error,
                row.created_at,
            )
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == REVIEW)
                .values(last_error=f"{note} (was: {row.last_error or 'no error'})"[:500], **values)
            )
            if (result.rowcount or 0) != 1:  # type: ignore[attr-defined]
                raise ReviewError(f"Message {message_id} was resolved by someone else just now.")
        return parked

    def recover_stale(self, now: datetime) -> int:
        """Messages left in `sending` by a crash mid-send: unknown outcome, so park for review."""
        with self.store.write() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == SENDING,
                    OutboxMessage.not_before < now - STALE_SENDING,
                    *self._mine(),
                )
                .values(status=REVIEW, last_error="interrupted while sending")
            )
            return result.rowcount or 0  # type: ignore[attr-defined]

    def expire_before(self, cutoff: datetime) -> int:
        """Pending messages claimed before `cutoff` (Slack down for days): news no more."""
        with self.store.write() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == PENDING,
                    OutboxMessage.created_at < cutoff,
                    *self._mine(),
                )
                .values(status=EXPIRED, last_error="too old to send")
            )
            return result.rowcount or 0  # type: ignore[attr-defined]

    def _set(self, message_id: int, **values: Any) -> None:
        with self.store.write() as session:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
            )
