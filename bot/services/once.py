"""Answered is answered: take a `Once` inside the write it guards (a unique key, not a check)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.domain.once import QUESTION, Once
from bot.services.errors import AlreadyAnswered
from bot.store.models.claims import AnsweredOnce

ANSWERED = {
    QUESTION: "That question was already answered, so nothing more was logged.",
}
SUBMITTED = "This form was already submitted, so nothing more was stored."


def take(session: Session, once: Once | None, now: datetime) -> None:
    """Take the answer for this transaction, or raise AlreadyAnswered when it was given before.

    On PostgreSQL a second transaction inserting the same key waits for the first: if that one
    commits, this one conflicts; if it rolls back (nothing stored), this one takes the answer."""
    if once is None:
        return
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = (
        insert(AnsweredOnce)
        .values(key=once.key, kind=once.kind, answered_at=now)
        .on_conflict_do_nothing(index_elements=[AnsweredOnce.key])
        .returning(AnsweredOnce.key)
    )
    if session.execute(statement).first() is None:
        raise AlreadyAnswered(ANSWERED.get(once.kind, SUBMITTED))
