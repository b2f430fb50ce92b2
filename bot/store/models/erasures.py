"""The audit of erasures: a person forgotten, or notes past the retention period erased —
who ran it, when, and how many of each kind of text went; never the text, never the email."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base


class Erasure(Base):
    """One erasure: `forget` (a person, by id) or `notes_retention` (notes dated before
    `before`); `counts` holds how many of each kind were erased."""

    __tablename__ = "erasures"
    __table_args__ = (
        CheckConstraint("kind IN ('forget', 'notes_retention')", name="kind"),
        Index("ix_erasures_program_at", "program_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # forget only
    before: Mapped[date | None] = mapped_column(Date)  # notes_retention: the cutoff day
    ran_by: Mapped[str] = mapped_column(String(200))  # "cli:USER", "deadline-sweep"
    at: Mapped[datetime] = mapped_column()
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
