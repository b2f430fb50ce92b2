"""Tables of surveys and exit tickets.

Answers are kept apart from identity: `survey_recipients` knows who was asked and whether they
answered (to refuse a second answer and to remind only those who have not), while
`survey_responses` and `survey_answers` hold what was answered with no person id, no time and
a random id, so nothing in the store links an answer to the person who gave it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, utcnow

RESPONSE_ID_LENGTH = 32  # a random UUID in hex


class Survey(Base):
    """One sending of a survey from the program file, or one exit ticket after a session."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("program_id", "name", "opens_on"),
        CheckConstraint("kind IN ('survey', 'exit_ticket')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))
    school_year: Mapped[str] = mapped_column(String(7), index=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(12))
    questions: Mapped[list[str]] = mapped_column(JSON)
    comment: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_on: Mapped[date] = mapped_column(Date)
    reminder_on: Mapped[date | None] = mapped_column(Date)  # None: no reminder (exit tickets)
    closes_on: Mapped[date] = mapped_column(Date)  # the last day answers are taken
    event_id: Mapped[int | None] = mapped_column(Integer)  # the group session of an exit ticket
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyRecipient(Base):
    """Someone a survey was sent to, and whether they have answered (never what)."""

    __tablename__ = "survey_recipients"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    responded: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyResponse(Base):
    """One anonymous answer to a survey: no person, no time; its id is random."""

    __tablename__ = "survey_responses"

    id: Mapped[str] = mapped_column(String(RESPONSE_ID_LENGTH), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str | None] = mapped_column(Text)


class SurveyAnswer(Base):
    """One question's answer on the 1–5 scale within a response."""

    __tablename__ = "survey_answers"
    __table_args__ = (CheckConstraint("value BETWEEN 1 AND 5", name="scale"),)

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1-based
    value: Mapped[int] = mapped_column(Integer)
