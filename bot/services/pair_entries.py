"""No entry outside its pair: the entries an assignment's end would leave behind, the refusal
that names them, and moving them to the mentee's new mentor (audited, totals kept exact)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.assignments import MOVE_ENTRIES
from bot.domain.formatting import format_day, format_day_long
from bot.domain.members import Member
from bot.services.errors import Refusal
from bot.services.log_entries import (
    check_day_cap,
    count,
    keep_coverage,
    ledger_entry,
    snapshot,
    tagged_log,
    write_audit,
)
from bot.services.programs import ProgramInfo
from bot.services.signoff import check_open
from bot.store import rollups
from bot.store.models.core import LogEntry

DAYS_NAMED = 5  # days listed in a refusal; the rest are counted


def entries_after(session: Session, mentor_id: int, mentee_id: int, last: date) -> list[LogEntry]:
    """The pair's live entries dated after `last` (row-locked on PostgreSQL: an Undo or Edit
    of one waits for the assignment change)."""
    return list(
        session.scalars(
            select(LogEntry)
            .where(
                LogEntry.mentor_id == mentor_id,
                LogEntry.mentee_id == mentee_id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on > last,
            )
            .order_by(LogEntry.occurred_on, LogEntry.id)
            .with_for_update()
        )
    )


def count_after(session: Session, mentor_id: int, mentee_id: int, last: date) -> int:
    """How many live entries of the pair are dated after `last` (what a form warns about)."""
    return int(
        session.scalar(
            select(func.count()).where(
                LogEntry.mentor_id == mentor_id,
                LogEntry.mentee_id == mentee_id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on > last,
            )
        )
        or 0
    )


def days_text(entries: Sequence[LogEntry]) -> str:
    """'3 entries on Wed 18 Nov', '4 entries on Wed 18 Nov (3) and Thu 19 Nov'."""
    per_day = Counter(e.occurred_on for e in entries)
    named = [
        format_day(day) + (f" ({n})" if n > 1 and len(per_day) > 1 else "")
        for day, n in sorted(per_day.items())[:DAYS_NAMED]
    ]
    if len(per_day) > DAYS_NAMED:
        named.append(f"{len(per_day) - DAYS_NAMED} more days")
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} on {listed}"


def refuse_reassignment(
    old_mentor: Member,
    mentee: Member,
    new_mentor: Member,
    ended_on: date,
    stranded: Sequence[LogEntry],
) -> Refusal:
    """A reassignment that would leave entries outside the old pair: what, and the two ways on."""
    after_last = max(e.occurred_on for e in stranded) + timedelta(days=1)
    return Refusal(
        f"{old_mentor.name} logged {days_text(stranded)} with {mentee.name}, after "
        f"{format_day_long(ended_on)}, the day this would end their pairing: nothing changed. "
        f"Either start {new_mentor.name} on {format_day_long(after_last)}, the day after the "
        f"last entry, or move those entries to {new_mentor.name}: add `{MOVE_ENTRIES}` to "
        f"`/induction assign` (`--{MOVE_ENTRIES}` on the command line), or tick the Move box "
        "of a request's Reassign form. A move is audited.",
        example=f"/induction assign @mentor @mentee {after_last.isoformat()}",
    )


def refuse_end(
    mentor: Member, mentee: Member, ended_on: date, stranded: Sequence[LogEntry]
) -> Refusal:
    """An unassignment dated before entries of the pair: what, and the way on."""
    last = max(e.occurred_on for e in stranded)
    return Refusal(
        f"{mentor.name} logged {days_text(stranded)} with {mentee.name}, after "
        f"{format_day_long(ended_on)}: ending the pairing then would leave them outside it, so "
        f"nothing changed. End it on {format_day_long(last)} (the last entry) or later, or "
        "have those entries undone first.",
        example=f"/induction unassign @mentee {last.isoformat()} schedule change",
    )


def move_entries(
    session: Session,
    program: ProgramInfo,
    actor: Member | None,
    entries: Sequence[LogEntry],
    mentor_id: int,
    now: datetime,
) -> None:
    """Give these entries (one mentee's) to another mentor in the caller's transaction: refused
    in a signed-off period or over the day cap; each change audited ("move"); the kept totals
    of both mentors (pair time, mentor time by batch, standards coverage) moved with them."""
    if not entries:
        return
    check_open(session, program, [(e.school, e.occurred_on) for e in entries], "moved")
    rollups.lock_mentors(session, {e.mentor_id for e in entries} | {mentor_id})
    per_day = Counter[date]()
    for entry in entries:
        per_day[entry.occurred_on] += entry.minutes
    for day, minutes in per_day.items():
        check_day_cap(
            session,
            mentor_id,
            entries[0].mentee_id,
            day,
            minutes,
            program.policy.max_minutes_per_day,
        )
    moved = {e.id for e in entries}
    batches = {e.batch_id for e in entries if e.batch_id}
    peers = rollups.batch_entries(session, batches) + [
        ledger_entry(e) for e in entries if not e.batch_id
    ]
    tagged = [tagged_log(e) for e in entries]
    changes = []
    for entry in entries:
        was = snapshot(entry)
        entry.mentor_id = mentor_id
        entry.updated_at = now
        changes.append((entry, was, snapshot(entry)))
    session.flush()
    write_audit(session, actor, "move", now, changes)
    after = [replace(p, mentor_id=mentor_id) if p.id in moved else p for p in peers]
    count(session, program, peers, after)
    keep_coverage(session, program, tagged, [tagged_log(e) for e in entries])
