"""Logging mentoring: one line or a form → entries (one per mentee), Undo, Edit, audit.

Every write runs in one transaction: authorisation (`log_access`), the day cap, the log rows,
their audit rows and the ledger's totals (`bot/store/rollups.py`) — and the echo's totals are
read back inside it, so what the reply says is what was stored.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from bot.domain.entries import CHANGE_DAYS_AFTER_END, FormDefaults, LoggedEntry, LogOutcome
from bot.domain.formatting import format_day
from bot.domain.grammar import LogContext, LogRequest, MenteeOption, ParseError, parse_log
from bot.domain.ledger import PairSummary, summary_after
from bot.domain.members import Member
from bot.domain.once import Once
from bot.services import ledger as totals
from bot.services.errors import NotAllowed, ParseRefused, Refusal, UnknownMention
from bot.services.log_access import (
    Target,
    active_mentees,
    authorize,
    check_kind,
    is_mentee_logger,
    log_context_rows,
    mentor_on,
    still_mentors,
)
from bot.services.log_entries import (
    DAY_TOTAL,
    check_day_cap,
    count,
    form_request,
    keep_coverage,
    ledger_entry,
    mentee_schools,
    refuse_over_cap,
    snapshot,
    tagged_log,
    write_audit,
)
from bot.services.once import take as take_once
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.signoff import SIGNED_PERIODS_ON, check_open
from bot.store import rollups
from bot.store.db import Store
from bot.store.locks import lock_for_log_write
from bot.store.models.core import EntryReview, LogEntry

log = logging.getLogger(__name__)

NUMERIC_DATE = re.compile(r"(?<!\S)\d{1,2}/\d{1,2}(?:/\d{2,4})?(?!\S)")
# What a log checks per pair, read with the pair's totals in one statement: the day's minutes
# (the cap) and the signed-off periods covering the day.
WRITE_CHECKS = (DAY_TOTAL, SIGNED_PERIODS_ON)
LOG_ENTRIES: Table = LogEntry.__table__  # type: ignore[assignment]
NEW_ENTRY = (
    "program_id", "mentor_id", "mentee_id", "school", "logged_by_id", "observed_id",
    "occurred_on", "minutes", "kind", "notes", "standards", "source", "batch_id", "created_at",
    "updated_at",
)  # fmt: skip


@cache
def _guarded_insert() -> Any:
    """One pair's entry, inserted only when its day stays within the cap and no signed-off period
    covers the day (`WRITE_CHECKS`, in the WHERE of the INSERT … SELECT), returning its id and
    the pair's totals before it (`ledger.summary_columns`): the checks, the write and the echo's
    totals in one statement. No row back: a check failed (or a sign-off may cover the day), and
    the caller takes the long way, which says why (`LogService._store`)."""
    values = [bindparam(f"new_{name}", type_=LOG_ENTRIES.c[name].type) for name in NEW_ENTRY]
    day_total = DAY_TOTAL + bindparam("new_minutes", type_=LOG_ENTRIES.c.minutes.type)
    checked = select(*values).where(day_total <= bindparam("cap"), SIGNED_PERIODS_ON == 0)
    return (
        insert(LOG_ENTRIES)
        .from_select(NEW_ENTRY, checked)
        .returning(LOG_ENTRIES.c.id, *totals.summary_columns())
    )


def _shown(
    entry: LogEntry, known: dict[int, Member], pair: PairSummary, today: date
) -> LoggedEntry:
    """An entry as the reply shows it, with its pair's totals after the write."""
    return LoggedEntry(
        id=entry.id,
        mentor=known[entry.mentor_id],
        mentee=known[entry.mentee_id],
        occurred_on=entry.occurred_on,
        minutes=entry.minutes,
        kind=entry.kind,
        notes=entry.notes,
        pair=pair,
        observed=known.get(entry.observed_id) if entry.observed_id else None,
        today=today,
    )


class LogService:
    """Mentoring log entries: create, undo, edit — every change audited and counted."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def context(
        self, session: Session, program: ProgramInfo, logger: Member, now: datetime
    ) -> tuple[LogContext, dict[int, Member]]:
        """The grammar's context (now, timezone, school start, the logger's active mentees; a
        mentee logging their own `observed` visit stands in as their own mentee) and those
        mentees as members."""
        mentees = (
            [logger] if is_mentee_logger(logger) else active_mentees(session, program, logger.id)
        )
        options = tuple(MenteeOption(m.id, m.name, m.slack_user_id) for m in mentees)
        ctx = LogContext(
            now, program.tz, program.config.school_year_start, options, program.policy.vocabulary
        )
        return ctx, {m.id: m for m in mentees}

    # ---- logging -------------------------------------------------------------------------
    def log_text(
        self,
        slack_user_id: str,
        text: str,
        now: datetime,
        *,
        source: str = "slack",
        mentee_id: int | None = None,
        on: date | None = None,
        notes: str | None = None,
        once: Once | None = None,
    ) -> LogOutcome:
        """Parse one line and store an entry per mentee, or explain what is missing.

        One write transaction (with the request's replay claim, when the HTTP edge deferred
        it): the logger and their mentees read in one statement, the line parsed, the logger
        authorised against the assignments of the day, per pair one statement for the day cap,
        the sign-off check and the totals before the write; then the rows, their audit and the
        kept totals. The echo adds the new entries to the totals read before them, under the
        ledger's lock (`rollups.lock_mentors`), so what the reply says is what was stored.
        With `once` (a question's choice, a form's submission), a second delivery stores
        nothing (AlreadyAnswered)."""
        program = self.programs.current()
        weekly_target = program.weekly_target(program.today(now))
        with self.store.write() as session:
            lock_for_log_write(session, program.id)  # first: a sign-off in progress is waited for
            rows = log_context_rows(session, program, slack_user_id, program.today(now))
            logger = self.people.checked_caller(program, rows.logger)
            mentees = [logger] if is_mentee_logger(logger) else rows.mentees
            ctx, known = self._context_of(program, mentees, now)
            if mentee_id is not None:
                ctx = self._with_only(session, program, ctx, known, mentee_id)
            parsed = parse_log(text, ctx)
            if (
                isinstance(parsed, ParseError)
                and on is not None
                and parsed.code == "ambiguous_date"
            ):
                parsed = parse_log(f"{NUMERIC_DATE.sub(' ', text)} {on.isoformat()}", ctx)
            if isinstance(parsed, ParseError):
                choices: tuple[Member, ...] = ()
                if parsed.code in ("ambiguous_mentee", "unknown_mention"):
                    choices = tuple(self.people.members(session, program, parsed.choices))  # type: ignore[arg-type]
                return LogOutcome(
                    logger, text, error=parsed, choices=choices, weekly_target=weekly_target
                )
            if notes is not None:
                parsed = parsed.model_copy(update={"notes": notes.strip() or None})
            mentioned = self._mentioned(session, program, parsed)
            known.update({m.id: m for m in mentioned})
            known[logger.id] = logger
            take_once(session, once, now)
            pairs = authorize(
                session,
                program,
                self.people,
                logger,
                kind=parsed.kind,
                day=parsed.occurred_on,
                mentee_ids=parsed.mentee_ids,
                mentioned=mentioned,
                known=rows,
            )
            mentors = {mentor for mentor, _, _ in pairs}
            if not mentors <= rows.locked:
                rollups.lock_mentors(session, mentors - rows.locked)
            logged, batch = self._store(session, program, logger, parsed, pairs, source, now, known)
        return LogOutcome(logger, text, entries=logged, batch_id=batch, weekly_target=weekly_target)

    def _context_of(
        self, program: ProgramInfo, mentees: list[Member], now: datetime
    ) -> tuple[LogContext, dict[int, Member]]:
        """The grammar's context over these mentees, and the mentees by id."""
        options = tuple(MenteeOption(m.id, m.name, m.slack_user_id) for m in mentees)
        ctx = LogContext(
            now, program.tz, program.config.school_year_start, options, program.policy.vocabulary
        )
        return ctx, {m.id: m for m in mentees}

    def log_form(
        self,
        slack_user_id: str,
        now: datetime,
        *,
        mentee_id: int,
        duration_text: str,
        kind: str,
        on: date,
        notes: str | None,
        standards: tuple[str, ...] = (),
        once: Once | None = None,
    ) -> LogOutcome:
        """Store what the log form says: each field from its own box (the standards picked
        are checked against the program's like a typed tag)."""
        program = self.programs.current()
        with self.store.read() as session:
            logger = self.people.caller(session, program, slack_user_id)
            ctx, known = self.context(session, program, logger, now)
            ctx = self._with_only(session, program, ctx, known, mentee_id)
        request = form_request(duration_text, kind, on, ctx)
        if isinstance(request, ParseError):
            return LogOutcome(
                logger,
                duration_text,
                error=request,
                weekly_target=program.weekly_target(program.today(now)),
            )
        text = f"{request.minutes}m {request.kind} {request.occurred_on.isoformat()}"
        if standards:
            text += " std:" + ",".join(standards)
        return self.log_text(
            slack_user_id,
            text,
            now,
            source="form",
            mentee_id=mentee_id,
            notes=notes or "",
            once=once,
        )

    def _mentioned(
        self, session: Session, program: ProgramInfo, request: LogRequest
    ) -> list[Member]:
        """The people a request @mentions, or a Refusal naming one not on the roster."""
        found = []
        for user_id in request.mentioned_user_ids:
            member = self.people.find(session, program, user_id)
            if member is None:
                raise UnknownMention(
                    user_id, program.name, example="/logmeeting 45m observation with @your-mentee"
                )
            found.append(member)
        return found

    def _store(
        self,
        session: Session,
        program: ProgramInfo,
        logger: Member,
        request: LogRequest,
        pairs: list[Target],
        source: str,
        now: datetime,
        known: dict[int, Member],
    ) -> tuple[tuple[LoggedEntry, ...], str]:
        """Insert one entry per pair, its audit row and its totals (refused on a signed-off day
        or a day over the cap); the entries as the echo shows them, and their batch."""
        cap = program.policy.max_minutes_per_day
        day = request.occurred_on
        periods = program.periods(now)
        mentee_ids = [mentee for _, mentee, _ in pairs]
        if all(m in known for m in mentee_ids):  # each new entry keeps its mentee's school
            schools = {m: known[m].school for m in mentee_ids}
        else:
            schools = mentee_schools(session, mentee_ids)
        if len(pairs) == 1:  # the common case: checks, write and totals in one statement
            school = schools[pairs[0][1]]
            stored = self._store_one(
                session, program, logger, request, pairs[0], school, source, now
            )
            if stored is not None:
                entry, summary = stored
                return self._logged(
                    session, program, logger, [entry], {entry.id: summary}, now, known
                )
        before: dict[tuple[int, int], PairSummary] = {}
        for mentor_id, mentee_id, _ in pairs:
            summary, (day_minutes, signed) = totals.pair_summary_with(
                session,
                program,
                (mentor_id, mentee_id),
                periods,
                WRITE_CHECKS,
                {
                    "day_mentor": mentor_id,
                    "day_mentee": mentee_id,
                    "day": day,
                    "program_id": program.id,
                },
            )
            if signed:  # a signed-off period covers the day: is this entry inside it?
                check_open(
                    session, program, [(schools[mentee_id], day)], "logged", mentees=[mentee_id]
                )
            refuse_over_cap(int(day_minutes) + request.minutes, day, cap)
            before[(mentor_id, mentee_id)] = summary
        batch = str(uuid.uuid4())
        entries = []
        for mentor_id, mentee_id, observed_id in pairs:
            entry = LogEntry(
                program_id=program.id,
                mentor_id=mentor_id,
                mentee_id=mentee_id,
                school=schools[mentee_id],
                logged_by_id=logger.id,
                observed_id=observed_id,
                occurred_on=day,
                minutes=request.minutes,
                kind=request.kind,
                notes=request.notes,
                standards=",".join(request.standards) or None,
                source=source,
                batch_id=batch,
                created_at=now,
                updated_at=now,
            )
            session.add(entry)
            entries.append(entry)
        session.flush()
        summaries = {e.id: before[(e.mentor_id, e.mentee_id)] for e in entries}
        return self._logged(session, program, logger, entries, summaries, now, known)

    def _store_one(
        self,
        session: Session,
        program: ProgramInfo,
        logger: Member,
        request: LogRequest,
        pair: Target,
        school: str | None,
        source: str,
        now: datetime,
    ) -> tuple[LogEntry, PairSummary] | None:
        """One pair's entry through `_guarded_insert`: the entry (not in the session: the row is
        written) and the pair's totals before it; None when a check stopped it."""
        mentor_id, mentee_id, observed_id = pair
        values: dict[str, Any] = {
            "program_id": program.id,
            "mentor_id": mentor_id,
            "mentee_id": mentee_id,
            "school": school,
            "logged_by_id": logger.id,
            "observed_id": observed_id,
            "occurred_on": request.occurred_on,
            "minutes": request.minutes,
            "kind": request.kind,
            "notes": request.notes,
            "standards": ",".join(request.standards) or None,
            "source": source,
            "batch_id": str(uuid.uuid4()),
            "created_at": now,
            "updated_at": now,
        }
        params = {f"new_{name}": value for name, value in values.items()}
        params |= totals.summary_params((mentor_id, mentee_id), program.periods(now))
        params |= {
            "day_mentor": mentor_id,
            "day_mentee": mentee_id,
            "day": request.occurred_on,
            "program_id": program.id,
            "cap": program.policy.max_minutes_per_day,
        }
        row = session.connection().execute(_guarded_insert(), params).first()
        if row is None:
            return None
        return LogEntry(id=row[0], **values), totals.summary_of(row[1:])

    def _logged(
        self,
        session: Session,
        program: ProgramInfo,
        logger: Member,
        entries: list[LogEntry],
        before: dict[int, PairSummary],
        now: datetime,
        known: dict[int, Member],
    ) -> tuple[tuple[LoggedEntry, ...], str]:
        """The written entries' audit rows and kept totals; the entries as the echo shows them
        (each pair's totals `before` the entry, plus it), and their batch."""
        write_audit(session, logger, "create", now, [(e, None, snapshot(e)) for e in entries])
        added = [ledger_entry(e) for e in entries]
        schools = {e.mentee_id: e.school for e in entries}
        count(session, program, [], added, schools=schools)
        keep_coverage(session, program, [], [tagged_log(e) for e in entries])
        ids = {e.mentor_id for e in entries} | {e.mentee_id for e in entries}
        ids |= {e.observed_id for e in entries if e.observed_id is not None}
        ids -= known.keys()
        if ids:  # a coordinator logging for a pair, a mentee naming the teacher they observed
            known = known | {m.id: m for m in self.people.members(session, program, ids)}
        today = program.today(now)
        periods = program.periods(now)
        logged = tuple(
            _shown(e, known, summary_after(before[e.id], [entry], periods), today)
            for e, entry in zip(entries, added, strict=True)
        )
        return logged, entries[0].batch_id or ""

    def _echo(
        self,
        session: Session,
        program: ProgramInfo,
        entries: list[LogEntry],
        now: datetime,
        known: dict[int, Member],
    ) -> tuple[LoggedEntry, ...]:
        """The entries as the reply shows them, each with its pair's totals after the write
        (Undo and Edit: read back inside their transaction)."""
        ids = {e.mentor_id for e in entries} | {e.mentee_id for e in entries}
        ids |= {e.observed_id for e in entries if e.observed_id is not None}
        missing = ids - known.keys()
        if missing:
            known = known | {m.id: m for m in self.people.members(session, program, missing)}
        summaries = totals.pair_summaries(
            session, program, [(e.mentor_id, e.mentee_id) for e in entries], program.periods(now)
        )
        today = program.today(now)
        return tuple(
            _shown(e, known, summaries[(e.mentor_id, e.mentee_id)], today) for e in entries
        )

    # ---- undo and edit -------------------------------------------------------------------
    @staticmethod
    def _editable(session: Session, actor: Member, entry: LogEntry, today: date) -> None:
        """The author or a coordinator may change an entry — a mentor only while they still
        mentor that mentee, or for CHANGE_DAYS_AFTER_END days after the pair ended."""
        if actor.is_coordinator:
            return
        if entry.logged_by_id != actor.id:
            raise NotAllowed(
                "Only the person who logged this entry (or a coordinator) can change it."
            )
        if actor.id != entry.mentor_id:
            return
        if not actor.has("mentor", "lead_mentor"):
            raise NotAllowed(
                "You no longer mentor the mentee of this entry (the roster no longer makes you "
                "a mentor), so it can't be changed now. Ask your coordinator if it needs "
                "correcting."
            )
        if not still_mentors(session, actor.id, entry.mentee_id, today):
            raise NotAllowed(
                "You no longer mentor the mentee of this entry: your pairing ended more than "
                f"{CHANGE_DAYS_AFTER_END} days ago, so it can't be changed now. Ask your "
                "coordinator if it needs correcting."
            )

    def undo(self, slack_user_id: str, batch_id: str, now: datetime) -> list[LoggedEntry]:
        """Remove a batch of entries (soft delete, notes erased, audited) — the author or a
        coordinator."""
        program = self.programs.current()
        with self.store.write() as session:
            lock_for_log_write(session, program.id)  # first: a sign-off in progress is waited for
            actor = self.people.caller(session, program, slack_user_id)
            # Row locks (PostgreSQL): a second Undo of the same batch waits, then sees it undone.
            entries = list(
                session.scalars(
                    select(LogEntry)
                    .where(LogEntry.batch_id == batch_id, LogEntry.program_id == program.id)
                    .order_by(LogEntry.id)
                    .with_for_update()
                )
            )
            if not entries:
                raise Refusal("I can't find that entry any more.")
            for entry in entries:
                self._editable(session, actor, entry, program.today(now))
            live = [e for e in entries if e.deleted_at is None]
            if not live:
                raise Refusal("That entry was already undone.")
            check_open(session, program, [(e.school, e.occurred_on) for e in live], "undone")
            rollups.lock_mentors(session, (e.mentor_id for e in live))
            before = [ledger_entry(e) for e in live]
            tagged = [tagged_log(e) for e in live]
            changes = []
            for entry in live:
                was = snapshot(entry)
                entry.deleted_at = now
                entry.updated_at = now
                entry.notes = None  # an undone entry keeps no notes anywhere
                changes.append((entry, was, snapshot(entry)))
            session.flush()
            write_audit(session, actor, "undo", now, changes)
            count(session, program, before, [])
            keep_coverage(session, program, tagged, [])
            return list(self._echo(session, program, live, now, {actor.id: actor}))

    def entry_form(
        self, slack_user_id: str, entry_id: int, now: datetime
    ) -> tuple[FormDefaults, int]:
        """The edit form's values for an entry the caller may change."""
        program = self.programs.current()
        with self.store.read() as session:
            actor = self.people.caller(session, program, slack_user_id)
            entry = session.get(LogEntry, entry_id)
            if entry is None or entry.deleted_at is not None or entry.program_id != program.id:
                raise Refusal("That entry no longer exists (it may have been undone).")
            self._editable(session, actor, entry, program.today(now))
            mentee = self.people.members(session, program, [entry.mentee_id])
        return (
            FormDefaults(
                mentees=tuple(mentee),
                any_mentee=False,
                occurred_on=entry.occurred_on,
                minutes=entry.minutes,
                kind=entry.kind,
                notes=entry.notes,
                mentee_id=entry.mentee_id,
                school_year_start=program.config.school_year_start,
            ),
            entry.id,
        )

    def edit(
        self,
        slack_user_id: str,
        entry_id: int,
        now: datetime,
        *,
        duration_text: str,
        kind: str,
        on: date,
        notes: str | None,
        once: Once | None = None,
    ) -> LoggedEntry:
        """Change an entry (the author or a coordinator) under the same rules as logging it;
        the audit keeps before and after (whether notes changed, never what they said)."""
        program = self.programs.current()
        with self.store.write() as session:
            lock_for_log_write(session, program.id)  # first: a sign-off in progress is waited for
            take_once(session, once, now)
            actor = self.people.caller(session, program, slack_user_id)
            entry = session.get(LogEntry, entry_id, with_for_update=True)  # an Undo waits
            if entry is None or entry.deleted_at is not None or entry.program_id != program.id:
                raise Refusal("That entry no longer exists (it may have been undone).")
            self._editable(session, actor, entry, program.today(now))
            mentee = self.people.members(session, program, [entry.mentee_id])[0]
            ctx = LogContext(
                now,
                program.tz,
                program.config.school_year_start,
                (MenteeOption(mentee.id, mentee.name, mentee.slack_user_id),),
                program.policy.vocabulary,
            )
            parsed = form_request(duration_text, kind, on, ctx)
            if isinstance(parsed, ParseError):
                raise ParseRefused(parsed, parsed.message, example=parsed.example)
            check_kind(actor, parsed.kind)
            if (entry.kind == "observed") != (parsed.kind == "observed"):
                raise Refusal(
                    "An `observed` visit (the mentee watching a teacher) and time together are "
                    "logged differently: undo this entry and log it again instead.",
                    example="/logmeeting 45m meeting",
                )
            days = {entry.occurred_on, parsed.occurred_on}
            check_open(session, program, [(entry.school, day) for day in days], "changed")
            if mentor_on(session, entry.mentee_id, parsed.occurred_on) != entry.mentor_id:
                raise Refusal(
                    "The assignment behind this entry didn't cover "
                    f"{format_day(parsed.occurred_on)}."
                )
            rollups.lock_mentors(session, [entry.mentor_id])
            check_day_cap(
                session,
                entry.mentor_id,
                entry.mentee_id,
                parsed.occurred_on,
                parsed.minutes,
                program.policy.max_minutes_per_day,
                excluding=entry.id,
            )
            peers = (
                rollups.batch_entries(session, [entry.batch_id])
                if entry.batch_id
                else [ledger_entry(entry)]
            )
            before = snapshot(entry)
            was_tagged = tagged_log(entry)
            new_notes = (notes or "").strip() or None
            notes_changed = new_notes != entry.notes
            entry.minutes = parsed.minutes
            entry.kind = parsed.kind
            entry.occurred_on = parsed.occurred_on
            entry.notes = new_notes
            entry.updated_at = now
            after = snapshot(entry) | ({"notes_changed": True} if notes_changed else {})
            if after != before:
                session.execute(delete(EntryReview).where(EntryReview.log_entry_id == entry.id))
                session.flush()
                write_audit(session, actor, "edit", now, [(entry, before, after)])
                edited = ledger_entry(entry)
                count(session, program, peers, [edited if p.id == entry.id else p for p in peers])
                keep_coverage(session, program, [was_tagged], [tagged_log(entry)])
            return self._echo(session, program, [entry], now, {actor.id: actor, mentee.id: mentee})[
                0
            ]

    def form_defaults(self, slack_user_id: str, now: datetime, text: str = "") -> FormDefaults:
        """The new-entry form, prefilled with whatever the text said."""
        program = self.programs.current()
        with self.store.read() as session:
            logger = self.people.caller(session, program, slack_user_id)
            mentees = tuple(active_mentees(session, program, logger.id))
            if logger.is_coordinator:
                mentees = tuple(self.people.role_holders(session, program, "mentee"))
        defaults = FormDefaults(
            mentees=mentees,
            any_mentee=logger.is_coordinator,
            occurred_on=program.today(now),
            mentee_id=mentees[0].id if len(mentees) == 1 else None,
            school_year_start=program.config.school_year_start,
            standards=program.policy.vocabulary,
        )
        if text.strip():
            ctx = LogContext(
                now,
                program.tz,
                program.config.school_year_start,
                tuple(MenteeOption(m.id, m.name, m.slack_user_id) for m in mentees),
                program.policy.vocabulary,
            )
            parsed = parse_log(text, ctx)
            if isinstance(parsed, LogRequest):
                return FormDefaults(
                    mentees,
                    defaults.any_mentee,
                    parsed.occurred_on,
                    parsed.minutes,
                    parsed.kind,
                    parsed.notes,
                    parsed.mentee_ids[0] if parsed.mentee_ids else defaults.mentee_id,
                    defaults.school_year_start,
                    defaults.standards,
                    parsed.standards,
                )
        return defaults

    def _with_only(
        self,
        session: Session,
        program: ProgramInfo,
        ctx: LogContext,
        known: dict[int, Member],
        mentee_id: int,
    ) -> LogContext:
        """The context narrowed to one mentee (a button or the form chose them)."""
        options = tuple(m for m in ctx.mentees if m.person_id == mentee_id)
        if not options:
            found = self.people.members(session, program, [mentee_id])
            if not found:
                raise Refusal("That mentee is no longer on the roster.")
            known[mentee_id] = found[0]
            options = (MenteeOption(found[0].id, found[0].name, found[0].slack_user_id),)
        return LogContext(ctx.now, ctx.timezone, ctx.school_year_start, options, ctx.standards)
