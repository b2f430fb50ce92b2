"""Figures kept between reads: a program-wide figure that costs many statements to compute (the
coordinator's Home: the annual report's readiness, this month's pay) is stored with the watermark
of what it was computed from; a read whose watermark is the same reads the row instead."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base


class KeptFigures(Base):
    """One kind of program-wide figures (`kind`), as the function that owns them returned
    them (`figures`, JSON), computed at `computed_at` from the state named by `watermark`."""

    __tablename__ = "kept_figures"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    watermark: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column()
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
