"""Who may log what with whom: one authorisation for every write path (text, form, Edit).

Checked against the store inside the writer's transaction, never against what a client sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from bot.domain.ledger import VISIT
from bot.domain.members import Member
from bot.services.errors import NotAllowed, Refusal
from bot.services.people import MEMBER_QUERY, PeopleService, load_members
from bot.services.programs import ProgramInfo
from bot.store.models.core import Assignment, Person

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


def mentor_on(session: Session, mentee_id: int, day: date) -> int | None:
    """The mentee's mentor on a day, or None: the latest assignment covering it (an assignment
    covers its first and last day; a reassignment ends the old one the day before it starts,
    and on a same-day change the newer one wins)."""
    found: int | None = (
        session.connection().execute(_MENTOR_ON, {"mentee_id": mentee_id, "day": day}).scalar()
    )
    return found


def still_mentors(session: Session, mentor_id: int, mentee_id: int) -> bool:
    """True while the mentor has an open assignment with the mentee."""
    found = session.connection().execute(_STILL_MENTORS, {"mentor": mentor_id, "mentee": mentee_id})
    return found.first() is not None


_STILL_MENTORS: Select[Any] = select(Assignment.id).where(
    Assignment.mentor_id == bindparam("mentor"),
    Assignment.mentee_id == bindparam("mentee"),
    Assignment.ended_on.is_(None),
)


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
) -> list[Target]:
    """(mentor, mentee, observed teacher) this logger may log on a day, or a Refusal saying why."""
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
        mentor_id = mentor_on(session, logger.id, day)
        if mentor_id is None:
            raise Refusal(
                f"You had no mentor assigned on {day:%a %d %b}, so I can't add this to "
                "your mentoring log yet. Ask your coordinator.",
            )
        return [(mentor_id, logger.id, mentioned[0].id if mentioned else mentor_id)]
    pairs: list[Target] = []
    for mentee_id in mentee_ids:
        if mentor_on(session, mentee_id, day) != logger.id:
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
        mentor_id = mentor_on(session, other.id, day)
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
