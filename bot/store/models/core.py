"""The tables. UTC instants, local dates; history is appended, never overwritten."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.base import Base, utcnow


class Program(Base):
    """An induction program (one district); its config is the loaded TOML. With many
    workspaces on one database, each program belongs to one Slack workspace (`team_id`; an
    org-wide install also names its `enterprise_id`)."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    # The app was uninstalled (or its bot token revoked): no job runs and nothing is sent;
    # the rows are erased after the policy's retention_after_uninstall_days.
    uninstalled_at: Mapped[datetime | None] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(16))
    school_year_start: Mapped[date] = mapped_column(Date)
    school_year_end: Mapped[date] = mapped_column(Date)
    config_toml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # bumped by every rebuild of the kept totals: readers that keep totals between ticks
    # (the scheduler) read them afresh
    ledger_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProgramYearConfig(Base):
    """One program year's settings (its school calendar and policy), kept when the next year
    starts so the old year stays readable; the year holding today is the current one."""

    __tablename__ = "program_years"
    __table_args__ = (UniqueConstraint("program_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(7))  # the school year, "2027-28"
    first_day: Mapped[date] = mapped_column(Date)  # the program year's first day
    config_toml: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the year before it was closed: its open assignments ended on its last day.
    rolled_over_at: Mapped[datetime | None] = mapped_column()


class Person(Base):
    """Someone on the roster, upserted by email."""

    __tablename__ = "people"
    # Slack user ids are unique per program (per workspace), not across workspaces.
    __table_args__ = (
        UniqueConstraint("program_id", "email"),
        UniqueConstraint("program_id", "slack_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    school: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    grade: Mapped[str | None] = mapped_column(String(50))
    educator_type: Mapped[str | None] = mapped_column(String(40))
    license: Mapped[str | None] = mapped_column(String(100))
    hire_date: Mapped[date | None] = mapped_column(Date)
    # The school year that was the educator's induction year when the roster said so (its
    # `induction_year` column); None: inferred from hire_date (bot/domain/ledger.py).
    induction_school_year: Mapped[str | None] = mapped_column(String(7))
    # Left the district (the roster's exit_date, from HR): retention counts from it.
    exit_date: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(200))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    # How notifications reach them (the roster's optional notify column): slack, email or both.
    notify: Mapped[str] = mapped_column(String(8), default="slack", server_default="slack")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When `mentor-minutes forget` erased them: name and email are tombstones from then on.
    forgotten_at: Mapped[datetime | None] = mapped_column()

    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class PersonRole(Base):
    """A role a person holds in one school year ("2026-27")."""

    __tablename__ = "person_roles"
    __table_args__ = (
        UniqueConstraint("person_id", "role", "school_year"),
        CheckConstraint(
            "role IN ('mentee','mentor','lead_mentor','coordinator','evaluator')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    school_year: Mapped[str] = mapped_column(String(7), index=True)

    person: Mapped[Person] = relationship(back_populates="roles")


class Assignment(Base):
    """Mentor ↔ mentee, from a start date until ended; reassignment appends a new row."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="end_after_start"),
        Index(
            "uq_assignments_active_pair",
            "mentor_id",
            "mentee_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
        # At most one open assignment per mentee: a reassignment closes the old one in the
        # same transaction, so two presses at once can't both leave theirs open.
        Index(
            "uq_assignments_open_mentee",
            "mentee_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id], lazy="joined")
    mentee: Mapped[Person] = relationship(foreign_keys=[mentee_id], lazy="joined")


class SupportTeamMember(Base):
    """A member of a beginning educator's support team (mentor, evaluator, others)."""

    __tablename__ = "support_team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(20))
    added_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class LogEntry(Base):
    """One mentoring activity with one mentee; notes are confidential to the pair and author."""

    __tablename__ = "log_entries"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 720", name="minutes_range"),
        Index("ix_log_entries_mentor_day", "mentor_id", "occurred_on"),
        # Covers the totals per pair (/hours, the echo after /logmeeting): no table lookups.
        Index(
            "ix_log_entries_pair_totals",
            "mentee_id",
            "mentor_id",
            "occurred_on",
            "deleted_at",
            "kind",
            "minutes",
        ),
        Index("ix_log_entries_day", "occurred_on"),
        # A mentor's latest entries, newest first (their Home): read in index order, a few rows
        # instead of every entry they ever logged sorted.
        Index("ix_log_entries_mentor_created", "mentor_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    observed_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # `observed` visits
    # The mentee's school when the entry was logged: sign-offs lock and count entries by it, so
    # a roster move afterwards neither unlocks a signed period nor drops it from signed pay.
    school: Mapped[str | None] = mapped_column(String(200))
    occurred_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    standards: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default="slack")
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column()


class LogAudit(Base):
    """Who changed a log entry, when, and what it was before and after."""

    __tablename__ = "log_audit"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    log_entry_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("log_entries.id"), index=True
    )
    # None: an operator at the command line (`assign --move-entries`)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class MilestoneDone(Base):
    """A milestone (a deadline rule's key) marked done for a person, kept for the report, and
    whether a coordinator has confirmed it."""

    __tablename__ = "milestones_done"
    __table_args__ = (UniqueConstraint("person_id", "milestone", "school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # None: the program
    milestone: Mapped[str] = mapped_column(String(50))
    school_year: Mapped[str] = mapped_column(String(7))
    done_on: Mapped[date] = mapped_column(Date)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # when it was marked
    # Marked by the person it concerns or their mentor: "reported" until a coordinator confirms
    # it; a coordinator's mark is confirmed at once (who and when kept either way).
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column()


def _scope_of(context: Any) -> str:
    """A sign-off's scope key: its school, or "" for the whole program."""
    school: str | None = context.get_current_parameters().get("school")
    return school or ""


class SignedPeriod(Base):
    """A period (a month or a pay period) signed off for a school or the whole program: entries
    dated in it are locked until a coordinator reopens it with a reason. Rows are never deleted;
    signing again after a reopen adds a row. One in force per (period, scope): the unique key
    makes a second Sign off pressed at once fail instead of adding a second lock."""

    __tablename__ = "signed_periods"
    __table_args__ = (
        Index("ix_signed_periods_program_first", "program_id", "first_day"),
        CheckConstraint("last_day >= first_day", name="last_after_first"),
        CheckConstraint("school IS NULL OR school <> ''", name="school_named"),
        CheckConstraint("scope = coalesce(school, '')", name="scope_is_school"),
        Index(
            "uq_signed_periods_in_force",
            "program_id",
            "first_day",
            "last_day",
            "scope",
            unique=True,
            sqlite_where=text("reopened_at IS NULL"),
            postgresql_where=text("reopened_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    school: Mapped[str | None] = mapped_column(String(200))  # None: the whole program
    # The school, or "" for the whole program: a unique key needs a value that is never NULL.
    scope: Mapped[str] = mapped_column(String(200), default=_scope_of)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    signed_at: Mapped[datetime] = mapped_column()
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reopened_at: Mapped[datetime | None] = mapped_column()
    reopen_reason: Mapped[str | None] = mapped_column(Text)


class EntryReview(Base):
    """The other side of the pair's word on a log entry: confirmed, or flagged with a reason
    (the author sees it and can Edit or Undo; an edit clears the review)."""

    __tablename__ = "entry_reviews"
    __table_args__ = (CheckConstraint("verdict IN ('confirmed','flagged')", name="verdict"),)

    log_entry_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("log_entries.id"), primary_key=True
    )
    verdict: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reviewed_at: Mapped[datetime] = mapped_column()


class OutboxMessage(Base):
    """A notification claimed before it is sent: the natural key makes every send happen once."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("program_id", "rule", "recipient", "subject", "period", "via"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(50))
    recipient: Mapped[str] = mapped_column(String(254))  # a Slack user id, or an email address
    subject: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(40))
    via: Mapped[str] = mapped_column(String(8), default="slack", server_default="slack")
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_before: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()


class Activity(Base):
    """A program activity as it happened (report item a): an orientation, a group mentoring
    session, a mentor training or a support-team meeting, who facilitated and who attended."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 720", name="minutes_range"),
        Index("ix_activities_program_day", "program_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # None: the CLI
    notes: Mapped[str | None] = mapped_column(Text)  # never in the report, never to evaluators
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActivityAttendee(Base):
    """Someone who attended an activity, with the role they attended in."""

    __tablename__ = "activity_attendees"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))  # mentee, mentor or other


class ActivityLogBatch(Base):
    """A log batch a group session wrote (one per mentor): the session's mentoring as counted."""

    __tablename__ = "activity_log_batches"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )


class Partnership(Base):
    """A partnership the coordinator entered (report item h)."""

    __tablename__ = "partnerships"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    supports: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PairCounts:
    """What the ledger keeps for a pair over a period (bot/domain/ledger.py `Totals`)."""

    minutes: Mapped[int] = mapped_column(Integer, default=0)
    observations: Mapped[int] = mapped_column(Integer, default=0)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    visit_minutes: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    last_contact: Mapped[date | None] = mapped_column(Date)


class PairBucket(PairCounts, Base):
    """A pair's totals over one bucket (the part of a week in one month), kept at write time."""

    __tablename__ = "ledger_pair_buckets"
    __table_args__ = (Index("ix_ledger_pair_buckets_program_start", "program_id", "bucket_start"),)

    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    bucket_start: Mapped[date] = mapped_column(Date, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))


class PairYear(PairCounts, Base):
    """A pair's totals over one program year, kept at write time."""

    __tablename__ = "ledger_pair_years"
    __table_args__ = (
        Index("ix_ledger_pair_years_program_year", "program_id", "year_start"),
        Index("ix_ledger_pair_years_mentee", "mentee_id", "year_start"),
    )

    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    year_start: Mapped[date] = mapped_column(Date, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))


class PairStandard(Base):
    """How many of a pair's pair-time entries in one program year addressed one standard, and
    the last day one did (standards coverage, kept at write time)."""

    __tablename__ = "ledger_pair_standards"
    __table_args__ = (
        Index("ix_ledger_pair_standards_program_year", "program_id", "year_start"),
        Index("ix_ledger_pair_standards_mentee", "mentee_id", "year_start"),
    )

    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    year_start: Mapped[date] = mapped_column(Date, primary_key=True)
    standard: Mapped[str] = mapped_column(String(20), primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    entries: Mapped[int] = mapped_column(Integer, default=0)
    last_on: Mapped[date | None] = mapped_column(Date)


class MentorBucket(Base):
    """A mentor's time (each log batch once) over one bucket, kept at write time."""

    __tablename__ = "ledger_mentor_buckets"
    __table_args__ = (
        Index("ix_ledger_mentor_buckets_program_start", "program_id", "bucket_start"),
    )

    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    bucket_start: Mapped[date] = mapped_column(Date, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)


class ScopeTotal(Base):
    """Pair time over every pair of a scope — a school (the mentee's) or the whole program — in
    one bucket or one program year, kept at write time (`/hours` and Home for a school or the
    program read these, not thousands of pair rows)."""

    __tablename__ = "ledger_scope_totals"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(220), primary_key=True)  # "program", "school:…"
    grain: Mapped[str] = mapped_column(String(8), primary_key=True)  # "bucket" or "year"
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    observations: Mapped[int] = mapped_column(Integer, default=0)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    visit_minutes: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
