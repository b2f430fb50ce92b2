"""Who may log what with whom: one authorisation for every write path (text, form, Edit).

Checked against the store inside the writer's transaction, never against what a client sent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.domain.entries import CHANGE_DAYS_AFTER_END
from bot.domain.ledger import VISIT
from bot.domain.members import Member
from bot.services.errors import NotAllowed, Refusal
from bot.services.people import (
    MEMBER_COLUMNS,
    MEMBER_QUERY,
    PeopleService,
    load_members,
    member_of_row,
)
from bot.services.programs import ProgramInfo
from bot.store.models.core import Assignment, Person, PersonRole

Target = tuple[int, int, int | None]  # mentor, mentee, observed teacher (mentees' `observed`)
MENTEE_VISIT_EXAMPLE = "/logmeeting 30m observed @teacher"

_MENTOR_ON: Select[Any] = (
    select(Assignment.mentor_id)
    .where(
        Assignment.mentee_id == bindparam("mentee_id"),
        Assignment.started_on <= bindparam("day"),
        or_(Assignment.ended_on.is_(None), Assignment.ended_on >= bindparam("day")),
    )
    .order_by(Assignment.started_on.desc(), Assignment.id.desc())  # a same-day change wins
    .limit(1)
)


def is_mentee_logger(logger: Member) -> bool:
    """A mentee who is neither mentor nor coordinator: logs only their own `observed` visits."""
    return "mentee" in logger.roles and not logger.has("mentor", "coordinator")


_ACTIVE_MENTEES: Select[Any] = MEMBER_QUERY.where(
    Person.id.in_(
        select(Assignment.mentee_id).where(
            Assignment.mentor_id == bindparam("mentor_id"), Assignment.ended_on.is_(None)
        )
    ),
    Person.active.is_(True),
).order_by(Person.name, Person.id)


@dataclass(frozen=True)
class LogContextRows:
    """What a log write reads before parsing, in one statement: the logger, their active
    mentees (by name), and each one's latest assignment begun by `today` (enough to decide
    `mentor_on` for any day it covers)."""

    logger: Member | None
    mentees: list[Member]
    today: date
    # per person read: their latest assignment begun by today (mentor, first day, last day)
    latest: dict[int, tuple[int, date, date | None] | None] = field(default_factory=dict)
    locked: frozenset[int] = frozenset()  # mentors whose ledger lock this statement took

    def mentor_on(self, session: Session, mentee_id: int, day: date) -> int | None:
        """`mentor_on`, from what was read when it decides: the latest assignment begun by today
        outranks every other begun by `day` (≤ today), so when it covers `day` it is the one."""
        if day <= self.today and mentee_id in self.latest:
            latest = self.latest[mentee_id]
            if latest is None:
                return None  # no assignment begun by today, so none by `day`
            mentor, first, last = latest
            if first <= day and (last is None or day <= last):
                return mentor
        return mentor_on(session, mentee_id, day)


@cache
def _context_statement(postgres: bool) -> Select[Any]:
    """The logger (by Slack id) and their active mentees, each row with the person's latest
    assignment begun by `today` (as mentee); on PostgreSQL the logger's ledger lock is taken by
    the same statement (ledger writes of one mentor queue on it: `rollups.lock_mentors`)."""
    logger = aliased(Person)
    theirs = (
        select(Assignment.mentee_id)
        .join(logger, logger.id == Assignment.mentor_id)
        .where(
            logger.program_id == bindparam("program_id"),
            logger.slack_user_id == bindparam("key"),
            Assignment.ended_on.is_(None),
        )
    )

    def latest(column: Any) -> Any:
        return (
            select(column)
            .where(Assignment.mentee_id == Person.id, Assignment.started_on <= bindparam("today"))
            .order_by(Assignment.started_on.desc(), Assignment.id.desc())
            .limit(1)
            .correlate(Person)
            .scalar_subquery()
        )

    is_logger = Person.slack_user_id == bindparam("key")
    columns: list[Any] = [
        *MEMBER_COLUMNS,
        PersonRole.role,
        is_logger,
        latest(Assignment.mentor_id),
        latest(Assignment.started_on),
        latest(Assignment.ended_on),
    ]
    if postgres:
        columns.append(case((is_logger, func.pg_advisory_xact_lock(Person.id, 0)), else_=None))
    return (
        select(*columns)
        .outerjoin(
            PersonRole,
            (PersonRole.person_id == Person.id)
            & (PersonRole.school_year == bindparam("school_year")),
        )
        .where(
            Person.program_id == bindparam("program_id"),
            or_(is_logger, Person.id.in_(theirs) & Person.active.is_(True)),
        )
        .order_by(Person.name, Person.id)
    )


def log_context_rows(
    session: Session, program: ProgramInfo, slack_user_id: str, today: date
) -> LogContextRows:
    """The logger, their active mentees and their latest assignments, in one statement."""
    postgres = session.get_bind().dialect.name == "postgresql"
    params = {
        "program_id": program.id,
        "key": slack_user_id,
        "school_year": program.school_year,
        "today": today,
    }
    rows: dict[int, tuple[Any, ...]] = {}
    roles: dict[int, set[str]] = defaultdict(set)
    found: dict[int, tuple[int, date, date | None] | None] = {}
    logger_id: int | None = None
    width = len(MEMBER_COLUMNS)
    for row in session.connection().execute(_context_statement(postgres), params):
        person_id = row[0]
        rows.setdefault(person_id, tuple(row[:width]))
        if row[width] is not None:
            roles[person_id].add(row[width])
        if row[width + 1]:
            logger_id = person_id
        mentor, first, last = row[width + 2 : width + 5]
        found[person_id] = (mentor, first, last) if mentor is not None else None
    members = {pid: member_of_row(values, frozenset(roles[pid])) for pid, values in rows.items()}
    logger = members.get(logger_id) if logger_id is not None else None
    mentees = [m for pid, m in members.items() if pid != logger_id]
    return LogContextRows(
        logger,
        mentees,
        today,
        found,
        frozenset({logger_id}) if postgres and logger_id is not None else frozenset(),
    )


def mentor_on(session: Session, mentee_id: int, day: date) -> int | None:
    """The mentee's mentor on a day, or None: the latest assignment covering it (an assignment
    covers its first and last day; a reassignment ends the old one the day before it starts,
    and on a same-day change the newer one wins)."""
    found: int | None = (
        session.connection().execute(_MENTOR_ON, {"mentee_id": mentee_id, "day": day}).scalar()
    )
    return found


def changeable_mentees(mentor_id: Any, today: date | None = None) -> Select[Any]:
    """The mentees whose entries a mentor may still change (Edit, Undo): those of a pair still
    open, or ended within CHANGE_DAYS_AFTER_END days (a reassignment never takes away the
    chance to correct what was just logged). One rule for the buttons and the Home's list.
    Without `today`, for a statement built once: bound by `changeable_since(today)`."""
    since: Any = (
        bindparam("changeable_since")
        if today is None
        else today - timedelta(days=CHANGE_DAYS_AFTER_END)
    )
    return select(Assignment.mentee_id).where(
        Assignment.mentor_id == mentor_id,
        or_(Assignment.ended_on.is_(None), Assignment.ended_on >= since),
    )


def changeable_since(today: date) -> dict[str, date]:
    """The parameter `changeable_mentees(mentor)` (built without `today`) is bound by."""
    return {"changeable_since": today - timedelta(days=CHANGE_DAYS_AFTER_END)}


def still_mentors(session: Session, mentor_id: int, mentee_id: int, today: date) -> bool:
    """True while the mentor may change their entries with the mentee (`changeable_mentees`)."""
    found = session.connection().execute(
        changeable_mentees(mentor_id, today).where(Assignment.mentee_id == mentee_id).limit(1)
    )
    return found.first() is not None


def active_mentees(session: Session, program: ProgramInfo, mentor_id: int) -> list[Member]:
    """A mentor's current mentees, by name (one statement)."""
    return load_members(session, program, _ACTIVE_MENTEES, {"mentor_id": mentor_id})


def check_kind(logger: Member, kind: str) -> None:
    """Mentees log their own `observed` visits and nothing else, whatever the path."""
    if is_mentee_logger(logger) and kind != VISIT:
        raise NotAllowed(
            "Mentees can log visits to observe another teacher "
            f"(`{MENTEE_VISIT_EXAMPLE}`); your mentor logs your meetings.",
            example=MENTEE_VISIT_EXAMPLE,
        )


def authorize(
    session: Session,
    program: ProgramInfo,
    people: PeopleService,
    logger: Member,
    *,
    kind: str,
    day: date,
    mentee_ids: tuple[int, ...],
    mentioned: list[Member],
    known: LogContextRows | None = None,
) -> list[Target]:
    """(mentor, mentee, observed teacher) this logger may log on a day, or a Refusal saying why
    (who mentored whom that day from `known` when it was read with the logger)."""

    def mentor_of(mentee_id: int) -> int | None:
        if known is not None:
            return known.mentor_on(session, mentee_id, day)
        return mentor_on(session, mentee_id, day)

    check_kind(logger, kind)
    if is_mentee_logger(logger):
        if len(mentioned) > 1:
            raise Refusal("Name one teacher you observed.", example=MENTEE_VISIT_EXAMPLE)
        if mentioned and not mentioned[0].has("mentor", "lead_mentor", "mentee", "evaluator"):
            raise Refusal(
                f"{mentioned[0].name} isn't a teacher in the program: a visit counts when you "
                "observe an educator teach.",
                example=MENTEE_VISIT_EXAMPLE,
            )
        mentor_id = mentor_of(logger.id)
        if mentor_id is None:
            raise Refusal(
                f"You had no mentor assigned on {day:%a %d %b}, so I can't add this to "
                "your mentoring log yet. Ask your coordinator.",
            )
        return [(mentor_id, logger.id, mentioned[0].id if mentioned else mentor_id)]
    pairs: list[Target] = []
    for mentee_id in mentee_ids:
        if mentor_of(mentee_id) != logger.id:
            mentee = people.members(session, program, [mentee_id])[0]
            raise Refusal(
                f"Your assignment with {mentee.name} didn't cover {day:%a %d %b}, "
                "so I can't log it on that day.",
                example="/logmeeting 45m yesterday",
            )
        pairs.append((logger.id, mentee_id, None))
    for other in mentioned:
        if not other.active:
            raise Refusal(f"{other.name} is deactivated in the program.")
        mentor_id = mentor_of(other.id)
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
