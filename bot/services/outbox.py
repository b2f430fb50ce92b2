"""The outbox: every notification is claimed under a natural key before it is sent, so a rerun,
a second scheduler or a crash between claim and send never sends it twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.store.db import Store
from bot.store.models import OutboxMessage

PENDING, SENDING, SENT, REVIEW, EXPIRED = "pending", "sending", "sent", "review", "expired"
MAX_BACKOFF = timedelta(minutes=15)
STALE_SENDING = timedelta(minutes=10)
CLAIM_BATCH = 500


@dataclass(frozen=True)
class Notification:
    """A message to claim: the natural key (rule, recipient, subject, period) and its payload."""

    rule: str
    recipient: str  # a Slack user id (the DM goes to the app's conversation with them)
    subject: str
    period: str
    payload: dict[str, Any]  # {"text": ..., "blocks": [...]}


@dataclass(frozen=True)
class Pending:
    """A claimed message waiting to be sent."""

    id: int
    recipient: str
    payload: dict[str, Any]
    attempts: int


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 30 s doubling, at most 15 min."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class Outbox:
    """Claim, send-state and history of notifications."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def claim_all(self, session: Session, notes: list[Notification], now: datetime) -> int:
        """Insert each notification unless its key exists (INSERT … ON CONFLICT DO NOTHING)."""
        if not notes:
            return 0
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(OutboxMessage)
            .on_conflict_do_nothing(index_elements=["rule", "recipient", "subject", "period"])
            .returning(OutboxMessage.id)
        )
        rows = [
            {
                "rule": note.rule,
                "recipient": note.recipient,
                "subject": note.subject,
                "period": note.period,
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

    def due(self, now: datetime, limit: int = 200) -> list[Pending]:
        """Pending messages whose time has come, oldest first."""
        with self.store.read() as session:
            rows = session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.recipient,
                    OutboxMessage.payload,
                    OutboxMessage.attempts,
                )
                .where(
                    OutboxMessage.status == PENDING,
                    (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).all()
        return [Pending(r.id, r.recipient, r.payload, r.attempts) for r in rows]

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

    def retry_later(self, message_id: int, error: str, at: datetime) -> None:
        """Back to pending until `at`: Slack said wait, or was unreachable; nothing was sent."""
        self._set(message_id, status=PENDING, last_error=error[:500], not_before=at)

    def needs_review(self, message_id: int, error: str) -> None:
        """Park a message whose delivery is unknown (an ambiguous network error): never resent."""
        self._set(message_id, status=REVIEW, last_error=error[:500])

    def recover_stale(self, now: datetime) -> int:
        """Messages left in `sending` by a crash mid-send: unknown outcome, so park for review."""
        with self.store.write() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == SENDING,
                    OutboxMessage.not_before < now - STALE_SENDING,
                )
                .values(status=REVIEW, last_error="interrupted while sending")
            )
            return result.rowcount or 0  # type: ignore[attr-defined]

    def expire_before(self, cutoff: datetime) -> int:
        """Pending messages claimed before `cutoff` (Slack down for days): news no more."""
        with self.store.write() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == PENDING, OutboxMessage.created_at < cutoff)
                .values(status=EXPIRED, last_error="too old to send")
            )
            return result.rowcount or 0  # type: ignore[attr-defined]

    def _set(self, message_id: int, **values: Any) -> None:
        with self.store.write() as session:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
            )
