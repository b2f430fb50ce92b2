"""Answers already given: a question's choice or a form's submission, each taken once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, UTCDateTime

ANSWER_KEY_LENGTH = 64  # a SHA-256 in hex (bot/domain/once.py)


class AnsweredOnce(Base):
    """One answer taken: inserted in the transaction of the write it guards, so of two
    deliveries of the same answer one stores and the other conflicts (and stores nothing)."""

    __tablename__ = "answered_once"

    key: Mapped[str] = mapped_column(String(ANSWER_KEY_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
