"""Logging mentoring: one line or a form → entries (one per mentee), Undo, Edit, audit, export."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from bot.formatting import format_day
from bot.grammar import LogContext, LogRequest, MenteeOption, ParseError, parse_log
from bot.policy import DEFAULT_KIND
from bot.services.errors import NotAllowed, ParseRefused, Refusal
from bot.services.hours import HoursService
from bot.services.people import Member, PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models import Assignment, LogAudit, LogEntry, Person

log = logging.getLogger(__name__)

OBSERVED = "observed"
Target = tuple[int, int, int | None]  # mentor, mentee, observed teacher (mentees' `observed`)
AUDITED_FIELDS = ("occurred_on", "minutes", "kind", "notes", "standards", "mentee_id", "mentor_id")


@dataclass(frozen=True)
class LoggedEntry:
    """One stored entry, with the pair's totals after it."""

    id: int
    mentor: Member
    mentee: Member
    occurred_on: date
    minutes: int
    kind: str
    notes: str | None
    week_minutes: int
    year_minutes: int
    observed: Member | None = None


@dataclass(frozen=True)
class LogOutcome:
    """What `/logmeeting` did: entries stored, or a question/refusal and nothing stored."""

    logger: Member | None
    text: str
    entries: tuple[LoggedEntry, ...] = ()
    batch_id: str | None = None
    error: ParseError | None = None
    choices: tuple[Member, ...] = ()  # for an ambiguous mentee
    weekly_target: int = 60

    @property
    def ok(self) -> bool:
        """True when entries were stored."""
        return bool(self.entries)


@dataclass(frozen=True)
class FormDefaults:
    """What the log form is prefilled with."""

    mentees: tuple[Member, ...]
    any_mentee: bool  # coordinators pick anyone
    occurred_on: date
    minutes: int | None = None
    kind: str = "meeting"
    notes: str | None = None
    mentee_id: int | None = None
    school_year_start: date | None = None


@dataclass
class ExportRow:
    """One log entry as exported."""

    id: int
    date: str
    mentor_email: str
    mentee_email: str
    kind: str
    minutes: int
    logged_by_email: str
    source: str
    created_at: str
    notes: str | None = field(default=None)


def _snapshot(entry: LogEntry) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in AUDITED_FIELDS:
        value = getattr(entry, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    values["deleted"] = entry.deleted_at is not None
    return values


class LogService:
    """Mentoring log entries: create, undo, edit, export — every change audited."""

    def __init__(
        self,
        store: Store,
        programs: ProgramService,
        people: PeopleService,
        hours: HoursService,
    ) -> None:
        self.store = store
        self.programs = programs
        self.people = people
        self.hours = hours

    # ---- who may log with whom -----------------------------------------------------------
    def _active_mentees(
        self, session: Session, mentor_id: int, on: date | None = None
    ) -> list[Person]:
        query = (
            select(Person)
            .join(Assignment, Assignment.mentee_id == Person.id)
            .where(Assignment.mentor_id == mentor_id, Person.active.is_(True))
        )
        if on is None:
            query = query.where(Assignment.ended_on.is_(None))
        else:
            query = query.where(
                Assignment.started_on <= on,
                or_(Assignment.ended_on.is_(None), Assignment.ended_on >= on),
            )
        return list(session.scalars(query.order_by(Person.name)))

    def _mentor_on(self, session: Session, mentee_id: int, on: date) -> int | None:
        return session.scalar(
            select(Assignment.mentor_id)
            .where(
                Assignment.mentee_id == mentee_id,
                Assignment.started_on <= on,
                or_(Assignment.ended_on.is_(None), Assignment.ended_on >= on),
            )
            .order_by(Assignment.started_on.desc())
            .limit(1)
        )

    def context(
        self, session: Session, program: ProgramInfo, logger: Member, now: datetime
    ) -> LogContext:
        """The grammar's context: now, timezone, school start and the logger's active mentees
        (a mentee logging their own `observed` visit stands in as their own mentee)."""
        options: tuple[MenteeOption, ...]
        if is_mentee_logger(logger):
            options = (MenteeOption(logger.id, logger.name, logger.slack_user_id),)
        else:
            options = tuple(
                MenteeOption(p.id, p.name, p.slack_user_id)
                for p in self._active_mentees(session, logger.id)
            )
        return LogContext(
            now=now,
            timezone=program.tz,
            school_year_start=program.config.school_year_start,
            mentees=options,
        )

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
    ) -> LogOutcome:
        """Parse one line and store an entry per mentee, or explain what is missing.

        Reading, parsing and the rules run before the write transaction; inside it only the
        assignments are checked again, the day cap summed and the rows inserted."""
        program = self.programs.current()
        with self.store.read() as session:
            logger = self.people.caller(session, program, slack_user_id)
            ctx = self.context(session, program, logger, now)
            if mentee_id is not None:
                ctx = _with_only(ctx, mentee_id, session)
            parsed = parse_log(text, ctx)
            if (
                isinstance(parsed, ParseError)
                and on is not None
                and parsed.code == "ambiguous_date"
            ):
                parsed = parse_log(f"{_strip_dates(text, parsed)} {on.isoformat()}", ctx)
            if isinstance(parsed, ParseError):
                choices: tuple[Member, ...] = ()
                if parsed.code == "ambiguous_mentee":
                    choices = tuple(self.people.members(session, program, parsed.choices))  # type: ignore[arg-type]
                return LogOutcome(
                    logger,
                    text,
                    error=parsed,
                    choices=choices,
                    weekly_target=program.policy.weekly_target_minutes,
                )
            if notes is not None:
                parsed = parsed.model_copy(update={"notes": notes.strip() or None})
            pairs = self._authorize(session, program, logger, parsed)
        with self.store.write() as session:
            for mentor_id, mentee_id_, _ in pairs:
                if self._mentor_on(session, mentee_id_, parsed.occurred_on) != mentor_id:
                    raise Refusal("That assignment changed just now; please try again.")
            entries = self._store(session, program, logger, parsed, pairs, source, now)
        return self._outcome(program, logger, text, entries, now)

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
    ) -> LogOutcome:
        """Store what the log form says: each field from its own box."""
        program = self.programs.current()
        with self.store.read() as session:
            logger = self.people.caller(session, program, slack_user_id)
            ctx = _with_only(self.context(session, program, logger, now), mentee_id, session)
        request = form_request(duration_text, kind, on, ctx)
        if isinstance(request, ParseError):
            return LogOutcome(
                logger,
                duration_text,
                error=request,
                weekly_target=program.policy.weekly_target_minutes,
            )
        text = f"{request.minutes}m {request.kind} {request.occurred_on.isoformat()}"
        return self.log_text(
            slack_user_id, text, now, source="form", mentee_id=mentee_id, notes=notes or ""
        )

    def _authorize(
        self, session: Session, program: ProgramInfo, logger: Member, request: LogRequest
    ) -> list[Target]:
        """(mentor, mentee, observed teacher) this logger may log, or a Refusal saying why not."""
        day = request.occurred_on
        pairs: list[Target] = []
        mentioned = [self.people.find(session, program, u) for u in request.mentioned_user_ids]
        unknown = [
            u for u, m in zip(request.mentioned_user_ids, mentioned, strict=True) if m is None
        ]
        if unknown:
            raise Refusal(
                f"<@{unknown[0]}> isn't on the {program.name} roster, so I can't log with them.",
                example="/logmeeting 45m observation with @your-mentee",
            )
        others = [m for m in mentioned if m is not None]
        if is_mentee_logger(logger):
            if request.kind != OBSERVED:
                raise NotAllowed(
                    "Mentees can log visits to observe another teacher "
                    "(`/logmeeting 30m observed @teacher`); your mentor logs your meetings.",
                    example="/logmeeting 30m observed @teacher",
                )
            if len(others) > 1:
                raise Refusal(
                    "Name one teacher you observed.", example="/logmeeting 30m observed @teacher"
                )
            mentor_id = self._mentor_on(session, logger.id, day)
            if mentor_id is None:
                raise Refusal(
                    f"You had no mentor assigned on {day:%a %d %b}, so I can't add this to "
                    "your mentoring log yet. Ask your coordinator.",
                )
            return [(mentor_id, logger.id, others[0].id if others else mentor_id)]
        for mentee_id in request.mentee_ids:
            if self._mentor_on(session, mentee_id, day) == logger.id:
                pairs.append((logger.id, mentee_id, None))
            else:
                mentee = self.people.members(session, program, [mentee_id])[0]
                raise Refusal(
                    f"Your assignment with {mentee.name} didn't cover {day:%a %d %b}, "
                    "so I can't log it on that day.",
                    example="/logmeeting 45m yesterday",
                )
        for other in others:
            if not other.active:
                raise Refusal(f"{other.name} is deactivated in the program.")
            mentor_id = self._mentor_on(session, other.id, day)
            if mentor_id is not None and (logger.is_coordinator or mentor_id == logger.id):
                pairs.append((mentor_id, other.id, None))
            elif logger.is_coordinator:
                raise Refusal(f"{other.name} has no mentor assigned on {day:%a %d %b}.")
            else:
                raise NotAllowed(
                    f"{other.name} isn't one of your mentees, so I can't log with them. "
                    "If that's wrong, ask your coordinator to check the assignment.",
                    example="/logmeeting 45m observation with @your-mentee",
                )
        if not pairs:
            raise Refusal(
                "You have no active mentee to log with. "
                "Ask your coordinator to assign one, or name the mentee.",
                example="/logmeeting 45m observation with @mentee",
            )
        return list(dict.fromkeys(pairs))

    def _store(
        self,
        session: Session,
        program: ProgramInfo,
        logger: Member,
        request: LogRequest,
        pairs: list[Target],
        source: str,
        now: datetime,
    ) -> list[LogEntry]:
        """Insert one entry per pair and its audit row; refuse a day over the policy's cap."""
        cap = program.policy.max_minutes_per_day
        batch = str(uuid.uuid4())
        entries = []
        for mentor_id, mentee_id, observed_id in pairs:
            check_day_cap(session, mentor_id, mentee_id, request.occurred_on, request.minutes, cap)
            entry = LogEntry(
                program_id=program.id,
                mentor_id=mentor_id,
                mentee_id=mentee_id,
                logged_by_id=logger.id,
                observed_id=observed_id,
                occurred_on=request.occurred_on,
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
        for entry in entries:
            session.add(
                LogAudit(
                    log_entry_id=entry.id,
                    actor_id=logger.id,
                    action="create",
                    at=now,
                    before=None,
                    after=_snapshot(entry),
                )
            )
        return entries

    def _outcome(
        self,
        program: ProgramInfo,
        logger: Member,
        text: str,
        entries: list[LogEntry],
        now: datetime,
    ) -> LogOutcome:
        today = program.today(now)
        with self.store.read() as session:
            ids = {e.mentor_id for e in entries} | {e.mentee_id for e in entries}
            ids |= {e.observed_id for e in entries if e.observed_id is not None}
            members = {m.id: m for m in self.people.members(session, program, ids)}
            totals = self.hours.totals_for_pairs(
                session, program, [(e.mentor_id, e.mentee_id) for e in entries], today
            )
        logged = tuple(
            LoggedEntry(
                id=e.id,
                mentor=members[e.mentor_id],
                mentee=members[e.mentee_id],
                occurred_on=e.occurred_on,
                minutes=e.minutes,
                kind=e.kind,
                notes=e.notes,
                week_minutes=totals.get((e.mentor_id, e.mentee_id), (0, 0, 0))[0],
                year_minutes=totals.get((e.mentor_id, e.mentee_id), (0, 0, 0))[2],
                observed=members.get(e.observed_id) if e.observed_id else None,
            )
            for e in entries
        )
        return LogOutcome(
            logger,
            text,
            entries=logged,
            batch_id=entries[0].batch_id if entries else None,
            weekly_target=program.policy.weekly_target_minutes,
        )

    # ---- undo and edit -------------------------------------------------------------------
    def _editable(
        self, session: Session, program: ProgramInfo, actor: Member, entry: LogEntry
    ) -> None:
        if entry.logged_by_id != actor.id and not actor.is_coordinator:
            raise NotAllowed(
                "Only the person who logged this entry (or a coordinator) can change it."
            )

    def undo(self, slack_user_id: str, batch_id: str, now: datetime) -> list[LoggedEntry]:
        """Remove a batch of entries (soft delete, audited) — the author or a coordinator."""
        program = self.programs.current()
        with self.store.write() as session:
            actor = self.people.caller(session, program, slack_user_id)
            entries = list(session.scalars(select(LogEntry).where(LogEntry.batch_id == batch_id)))
            if not entries:
                raise Refusal("I can't find that entry any more.")
            for entry in entries:
                self._editable(session, program, actor, entry)
            live = [e for e in entries if e.deleted_at is None]
            if not live:
                raise Refusal("That entry was already undone.")
            for entry in live:
                before = _snapshot(entry)
                entry.deleted_at = now
                entry.updated_at = now
                session.add(
                    LogAudit(
                        log_entry_id=entry.id,
                        actor_id=actor.id,
                        action="undo",
                        at=now,
                        before=before,
                        after=_snapshot(entry),
                    )
                )
        return list(self._outcome(program, actor, "", live, now).entries)

    def entry_form(
        self, slack_user_id: str, entry_id: int, now: datetime
    ) -> tuple[FormDefaults, int]:
        """The edit form's values for an entry the caller may change."""
        program = self.programs.current()
        with self.store.read() as session:
            actor = self.people.caller(session, program, slack_user_id)
            entry = session.get(LogEntry, entry_id)
            if entry is None or entry.deleted_at is not None:
                raise Refusal("That entry no longer exists (it may have been undone).")
            self._editable(session, program, actor, entry)
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
    ) -> LoggedEntry:
        """Change an entry (the author or a coordinator); the audit keeps before and after."""
        program = self.programs.current()
        with self.store.write() as session:
            actor = self.people.caller(session, program, slack_user_id)
            entry = session.get(LogEntry, entry_id)
            if entry is None or entry.deleted_at is not None:
                raise Refusal("That entry no longer exists (it may have been undone).")
            self._editable(session, program, actor, entry)
            mentee = session.get(Person, entry.mentee_id)
            assert mentee is not None
            ctx = LogContext(
                now=now,
                timezone=program.tz,
                school_year_start=program.config.school_year_start,
                mentees=(MenteeOption(mentee.id, mentee.name, mentee.slack_user_id),),
            )
            parsed = form_request(duration_text, kind, on, ctx)
            if isinstance(parsed, ParseError):
                raise ParseRefused(parsed, parsed.message, example=parsed.example)
            if self._mentor_on(session, entry.mentee_id, parsed.occurred_on) != entry.mentor_id:
                raise Refusal(
                    "The assignment behind this entry didn't cover "
                    f"{format_day(parsed.occurred_on)}."
                )
            check_day_cap(
                session,
                entry.mentor_id,
                entry.mentee_id,
                parsed.occurred_on,
                parsed.minutes,
                program.policy.max_minutes_per_day,
                excluding=entry.id,
            )
            before = _snapshot(entry)
            entry.minutes = parsed.minutes
            entry.kind = parsed.kind
            entry.occurred_on = parsed.occurred_on
            entry.notes = (notes or "").strip() or None
            entry.updated_at = now
            after = _snapshot(entry)
            if after != before:
                session.add(
                    LogAudit(
                        log_entry_id=entry.id,
                        actor_id=actor.id,
                        action="edit",
                        at=now,
                        before=before,
                        after=after,
                    )
                )
        return self._outcome(program, actor, "", [entry], now).entries[0]

    def form_defaults(self, slack_user_id: str, now: datetime, text: str = "") -> FormDefaults:
        """The new-entry form, prefilled with whatever the text said."""
        program = self.programs.current()
        with self.store.read() as session:
            logger = self.people.caller(session, program, slack_user_id)
            mentees = tuple(
                self.people.members(
                    session, program, [p.id for p in self._active_mentees(session, logger.id)]
                )
            )
            if logger.is_coordinator:
                mentees = tuple(m for m in self.people.role_holders(session, program, "mentee"))
        defaults = FormDefaults(
            mentees=mentees,
            any_mentee=logger.is_coordinator,
            occurred_on=program.today(now),
            mentee_id=mentees[0].id if len(mentees) == 1 else None,
            school_year_start=program.config.school_year_start,
        )
        if text.strip():
            ctx = LogContext(
                now,
                program.tz,
                program.config.school_year_start,
                tuple(MenteeOption(m.id, m.name, m.slack_user_id) for m in mentees),
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
                )
        return defaults

    # ---- export --------------------------------------------------------------------------
    def export(
        self, *, year: str | None, include_notes: bool, as_email: str | None
    ) -> list[ExportRow]:
        """Every live entry of a school year, one row each; notes only for coordinators."""
        program = self.programs.current()
        year = year or program.school_year
        start, end = _year_bounds(year, program)
        with self.store.read() as session:
            if include_notes:
                if not as_email:
                    raise NotAllowed("--include-notes needs --as COORDINATOR_EMAIL.")
                actor = self.people.get(session, program, as_email)
                if not actor.is_coordinator:
                    raise NotAllowed(
                        f"{actor.name} is not a coordinator: notes are confidential to the pair."
                    )
            emails: dict[int, str] = {
                person_id: email
                for person_id, email in session.execute(
                    select(Person.id, Person.email).where(Person.program_id == program.id)
                )
            }
            rows = session.execute(
                select(LogEntry)
                .where(
                    LogEntry.program_id == program.id,
                    LogEntry.deleted_at.is_(None),
                    and_(LogEntry.occurred_on >= start, LogEntry.occurred_on <= end),
                )
                .order_by(LogEntry.occurred_on, LogEntry.id)
            ).scalars()
            return [
                ExportRow(
                    id=e.id,
                    date=e.occurred_on.isoformat(),
                    mentor_email=emails[e.mentor_id],
                    mentee_email=emails[e.mentee_id],
                    kind=e.kind,
                    minutes=e.minutes,
                    logged_by_email=emails[e.logged_by_id],
                    source=e.source,
                    created_at=e.created_at.isoformat(),
                    notes=e.notes if include_notes else None,
                )
                for e in rows
            ]


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
    """Refuse a pair's day over the cap (a typo). On PostgreSQL the pair is locked first, so
    concurrent logs can't both pass the check (SQLite writers already hold the lock)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:mentor, :mentee)"),
            {"mentor": mentor_id, "mentee": mentee_id},
        )
    query = select(func.coalesce(func.sum(LogEntry.minutes), 0)).where(
        LogEntry.mentor_id == mentor_id,
        LogEntry.mentee_id == mentee_id,
        LogEntry.occurred_on == day,
        LogEntry.deleted_at.is_(None),
    )
    if excluding is not None:
        query = query.where(LogEntry.id != excluding)
    day_total = int(session.scalar(query) or 0) + minutes
    if day_total > cap:
        raise Refusal(
            f"That would make {day_total} minutes with one mentee on {format_day(day)}, "
            f"over the {cap // 60}-hour day — probably a typo. Nothing was saved.",
            example="/logmeeting 45m",
        )


def is_mentee_logger(logger: Member) -> bool:
    """A mentee who is neither mentor nor coordinator: logs only their own `observed` visits."""
    return "mentee" in logger.roles and not logger.has("mentor", "coordinator")


def _year_bounds(year: str, program: ProgramInfo) -> tuple[date, date]:
    """First and last day of a school year label such as 2026-27 (July to June)."""
    if year == program.school_year:
        return program.config.school_year_start, program.config.school_year_end
    try:
        first = int(year.split("-", maxsplit=1)[0])
    except ValueError:
        raise Refusal(f"{year!r} is not a school year like 2026-27.") from None
    return date(first, 7, 1), date(first + 1, 6, 30)


def _with_only(ctx: LogContext, mentee_id: int, session: Session) -> LogContext:
    person = session.get(Person, mentee_id)
    if person is None:
        raise Refusal("That mentee is no longer on the roster.")
    options = tuple(m for m in ctx.mentees if m.person_id == mentee_id)
    if not options:
        options = (MenteeOption(person.id, person.name, person.slack_user_id),)
    return LogContext(ctx.now, ctx.timezone, ctx.school_year_start, options)


def _strip_dates(text: str, error: ParseError) -> str:
    """The text without its ambiguous numeric date (the chosen date is appended instead)."""
    import re

    return re.sub(r"(?<!\S)\d{1,2}/\d{1,2}(?:/\d{2,4})?(?!\S)", " ", text)
