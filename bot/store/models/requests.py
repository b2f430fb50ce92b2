"""Tables of reassignment requests: the requests themselves and their audit (who, when, what).

A request and its reason are for coordinators only (bot/services/requests.py checks every
read); the audit keeps each step, never overwritten."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, utcnow


class ReassignmentRequest(Base):
    """A mentor's or mentee's request for a change of their pairing (hold-harmless)."""

    __tablename__ = "reassignment_requests"
    __table_args__ = (
        CheckConstraint("status IN ('open','reassigned','declined','withdrawn')", name="status"),
        # One open request per person and pair: a second one is refused, even in a race.
        Index(
            "uq_reassignment_requests_open",
            "requester_id",
            "assignment_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str | None] = mapped_column(Text)  # a coordinator's note when declining
    new_assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))


class ReassignmentAudit(Base):
    """One step of a request: asked, reassigned, declined or withdrawn — who, when, and what
    changed."""

    __tablename__ = "reassignment_audit"
    __table_args__ = (
        CheckConstraint("action IN ('asked','reassigned','declined','withdrawn')", name="action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("reassignment_requests.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
