"""Tables of the HTTP edge: Slack requests already seen, so a replay is refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, UTCDateTime

SEEN_KEY_LENGTH = 64  # a SHA-256 in hex: fixed width whatever Slack sends


class SeenRequest(Base):
    """One signed request (or one Events API event) taken for processing, until it expires.

    The key is unique, so of two deliveries of the same request, on any process, one inserts and
    the other conflicts: that one is a replay. Rows past `expires_at` are dead (their signature
    is too old to pass verification, or Slack has stopped retrying the event) and are pruned."""

    __tablename__ = "seen_requests"

    key: Mapped[str] = mapped_column(String(SEEN_KEY_LENGTH), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
