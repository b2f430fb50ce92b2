"""The rows a log write touches, as the audit and the ledger see them: snapshots, audit rows,
the kept totals, the day cap — shared by logging, Undo and Edit (`bot/services/logs.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from bot.domain.formatting import format_day
from bot.domain.grammar import LogContext, LogRequest, ParseError, parse_log
from bot.domain.ledger import Entry, batch_key, change
from bot.domain.members import Member
from bot.domain.policy import DEFAULT_KIND
from bot.domain.standards import TaggedLog, coverage_change, split_tags
from bot.services.errors import Refusal
from bot.services.programs import ProgramInfo
from bot.store import rollups
from bot.store.models.core import LogAudit, LogEntry, Person

LOG_AUDIT: Table = LogAudit.__table__  # type: ignore[assignment]
AUDITED_FIELDS = ("occurred_on", "minutes", "kind", "standards", "mentee_id", "mentor_id")


def snapshot(entry: LogEntry) -> dict[str, Any]:
    """An entry as the audit keeps it: whether it had notes, never what they said."""
    values: dict[str, Any] = {}
    for name in AUDITED_FIELDS:
        value = getattr(entry, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    values["has_notes"] = bool(entry.notes)
    values["deleted"] = entry.deleted_at is not None
    return values


def ledger_entry(entry: LogEntry) -> Entry:
    """A log row as the ledger counts it."""
    return Entry(
        entry.id,
        entry.mentor_id,
        entry.mentee_id,
        entry.occurred_on,
        entry.minutes,
        entry.kind,
        batch_key(entry.batch_id, entry.id),
    )


def mentee_schools(session: Session, mentee_ids: Sequence[int]) -> dict[int, str | None]:
    """Each mentee's school now: what a new entry keeps (sign-offs lock entries by it)."""
    rows = session.execute(select(Person.id, Person.school).where(Person.id.in_(set(mentee_ids))))
    found: dict[int, str | None] = {pid: school for pid, school in rows}
    return {mentee: found.get(mentee) for mentee in mentee_ids}


def write_audit(
    session: Session,
    actor: Member | None,
    action: str,
    now: datetime,
    changes: Sequence[tuple[LogEntry, dict[str, Any] | None, dict[str, Any]]],
) -> None:
    """One audit row per changed entry: who (None: an operator at the command line), when,
    before and after (never notes' text)."""
    rows = [
        {
            "log_entry_id": entry.id,
            "actor_id": actor.id if actor is not None else None,
            "action": action,
            "at": now,
            "before": before,
            "after": after,
        }
        for entry, before, after in changes
    ]
    # the table, not the ORM entity (no ORM insert machinery); one row, one plain execution
    session.connection().execute(insert(LOG_AUDIT), rows[0] if len(rows) == 1 else rows)


def count(
    session: Session,
    program: ProgramInfo,
    before: list[Entry],
    after: list[Entry],
    *,
    schools: dict[int, str | None] | None = None,
) -> None:
    """Apply a write to the kept totals, in its transaction (`schools`: the mentees' schools
    when the caller has them, else they are read)."""
    rollups.apply(
        session,
        program.id,
        change(before, after, program.year_start_month),
        program.year_start_month,
        schools,
    )


def tagged_log(entry: LogEntry) -> TaggedLog:
    """A log row as the kept standards coverage counts it."""
    return TaggedLog(
        entry.id,
        entry.mentor_id,
        entry.mentee_id,
        entry.occurred_on,
        entry.kind,
        split_tags(entry.standards),
    )


def keep_coverage(
    session: Session, program: ProgramInfo, before: list[TaggedLog], after: list[TaggedLog]
) -> None:
    """Apply a write to the kept standards coverage, in its transaction (beside `count`:
    every writer of log rows calls both)."""
    rollups.apply_coverage(
        session,
        program.id,
        coverage_change(before, after, program.year_start_month),
        program.year_start_month,
    )


def form_request(
    duration_text: str, kind: str, on: date, ctx: LogContext
) -> LogRequest | ParseError:
    """A form's fields as a request: the duration box holds a duration and nothing else."""
    alone = parse_log(duration_text, ctx)
    if isinstance(alone, ParseError):
        if alone.code in ("missing_duration", "duration_out_of_range", "two_durations"):
            return alone
        return _duration_only()
    if alone.date_was_given or alone.notes or alone.kind != DEFAULT_KIND:
        return _duration_only()
    return parse_log(f"{alone.minutes}m {kind} {on.isoformat()}", ctx)


def _duration_only() -> ParseError:
    return ParseError(
        code="missing_duration",
        message="Put only how long it was in this box, like 45m, 1h30 or 90.",
        understood={},
        example="/logmeeting 45m",
    )


_DAY_TOTAL = select(func.coalesce(func.sum(LogEntry.minutes), 0)).where(
    LogEntry.mentee_id == bindparam("mentee"),
    LogEntry.mentor_id == bindparam("mentor"),
    LogEntry.occurred_on == bindparam("day"),
    LogEntry.deleted_at.is_(None),
    LogEntry.id != bindparam("excluding"),
)


# A pair's logged minutes on a day, as a scalar subquery bound by `day_mentor`, `day_mentee` and
# `day` (rides along the write's read of the pair's totals: `ledger.pair_summary_with`).
DAY_TOTAL = (
    select(func.coalesce(func.sum(LogEntry.minutes), 0))
    .where(
        LogEntry.mentee_id == bindparam("day_mentee"),
        LogEntry.mentor_id == bindparam("day_mentor"),
        LogEntry.occurred_on == bindparam("day"),
        LogEntry.deleted_at.is_(None),
    )
    .scalar_subquery()
)


def refuse_over_cap(day_total: int, day: date, cap: int) -> None:
    """Refuse a pair's day over the cap (a typo), `day_total` counting the new minutes."""
    if day_total > cap:
        raise Refusal(
            f"That would make {day_total} minutes with one mentee on {format_day(day)}, "
            f"over the {cap // 60}-hour day — probably a typo. Nothing was saved.",
            example="/logmeeting 45m",
        )


def check_day_cap(
    session: Session,
    mentor_id: int,
    mentee_id: int,
    day: date,
    minutes: int,
    cap: int,
    *,
    excluding: int | None = None,
) -> None:
    """Refuse a pair's day over the cap (a typo). The caller holds the mentor's ledger lock
    (`rollups.lock_mentors`), so concurrent logs can't both pass the check."""
    params = {"mentee": mentee_id, "mentor": mentor_id, "day": day, "excluding": excluding or 0}
    total = int(session.connection().execute(_DAY_TOTAL, params).scalar() or 0) + minutes
    refuse_over_cap(total, day, cap)
