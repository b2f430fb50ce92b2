"""Who is who: people of the program and the roles they hold this school year."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from bot.domain.members import Member
from bot.services.errors import NotOnRoster, Refusal
from bot.services.programs import ProgramInfo
from bot.store.db import Store
from bot.store.models.core import Person, PersonRole

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def member_from(person: Person, school_year: str) -> Member:
    """A Member from a Person row and its roles in the school year."""
    return Member(
        id=person.id,
        email=person.email,
        name=person.name,
        school=person.school,
        subject=person.subject,
        grade=person.grade,
        educator_type=person.educator_type,
        license=person.license,
        hire_date=person.hire_date,
        slack_user_id=person.slack_user_id,
        active=person.active,
        roles=frozenset(r.role for r in person.roles if r.school_year == school_year),
        induction_school_year=person.induction_school_year,
        notify=person.notify,
    )


def parse_person_ref(ref: str) -> tuple[str, str]:
    """Classify a reference as ("slack", id) or ("email", address); raise Refusal otherwise."""
    ref = ref.strip()
    match = MENTION.match(ref)
    if match:
        return "slack", match.group(1)
    if SLACK_ID.match(ref):
        return "slack", ref
    if "@" in ref and not ref.startswith("@") and "." in ref.split("@", 1)[1]:
        return "email", ref.lower()
    raise Refusal(
        f"I can't tell who {ref!r} is: use an @mention, a Slack user id or an email address.",
        example="/induction status @jane",
    )


MEMBER_COLUMNS = (
    Person.id,
    Person.email,
    Person.name,
    Person.school,
    Person.subject,
    Person.grade,
    Person.educator_type,
    Person.license,
    Person.hire_date,
    Person.slack_user_id,
    Person.active,
    Person.induction_school_year,  # last two: Member's fields after the roles
    Person.notify,
)


def member_of_row(values: tuple[Any, ...], roles: frozenset[str]) -> Member:
    """A Member from a row of MEMBER_COLUMNS and the person's roles."""
    *columns, induction, notify = values
    return Member(  # type: ignore[misc]
        *columns, roles=roles, induction_school_year=induction, notify=notify
    )


MEMBER_QUERY: Select[Any] = cast(
    "Select[Any]",
    select(*MEMBER_COLUMNS, PersonRole.role).outerjoin(
        PersonRole,
        (PersonRole.person_id == Person.id) & (PersonRole.school_year == bindparam("school_year")),
    ),
)


BY_SLACK_ID = MEMBER_QUERY.where(
    Person.program_id == bindparam("program_id"), Person.slack_user_id == bindparam("key")
)
BY_IDS = MEMBER_QUERY.where(
    Person.id.in_(bindparam("ids", expanding=True)), Person.program_id == bindparam("program_id")
).order_by(Person.id)
BY_EMAIL = MEMBER_QUERY.where(
    Person.program_id == bindparam("program_id"), func.lower(Person.email) == bindparam("key")
)


def load_members(
    session: Session,
    program: ProgramInfo,
    query: Select[Any],
    params: dict[str, Any] | None = None,
) -> list[Member]:
    """Members from a MEMBER_QUERY (one statement: people and this year's roles), in its order."""
    roles: dict[int, set[str]] = defaultdict(set)
    rows: dict[int, tuple[Any, ...]] = {}
    values = {"school_year": program.school_year} | (params or {})
    for row in session.connection().execute(query, values):
        rows.setdefault(row[0], tuple(row[:-1]))
        if row[-1] is not None:
            roles[row[0]].add(row[-1])
    return [member_of_row(values, frozenset(roles[pid])) for pid, values in rows.items()]


class PeopleService:
    """Looks people up and checks who the caller is."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def members(self, session: Session, program: ProgramInfo, ids: Iterable[int]) -> list[Member]:
        """Members for ids, in id order."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        return load_members(session, program, BY_IDS, {"ids": wanted, "program_id": program.id})

    def all_members(self, session: Session, program: ProgramInfo) -> list[Member]:
        """Everyone in the program."""
        return load_members(
            session,
            program,
            MEMBER_QUERY.where(Person.program_id == program.id).order_by(Person.name, Person.id),
        )

    def find(self, session: Session, program: ProgramInfo, ref: str) -> Member | None:
        """The member a mention, Slack id or email names, or None."""
        kind, key = parse_person_ref(ref)
        query = BY_SLACK_ID if kind == "slack" else BY_EMAIL
        found = load_members(session, program, query, {"program_id": program.id, "key": key})
        return found[0] if found else None

    def get(self, session: Session, program: ProgramInfo, ref: str) -> Member:
        """The member a reference names; raise Refusal when nobody matches."""
        member = self.find(session, program, ref)
        if member is None:
            kind, key = parse_person_ref(ref)
            who = "The person you mentioned" if kind == "slack" else key
            raise Refusal(
                f"{who} is not on the {program.name} roster. "
                "A coordinator can add them with `mentor-minutes roster import`."
            )
        return member

    def caller(self, session: Session, program: ProgramInfo, slack_user_id: str) -> Member:
        """The active member behind a Slack user; raise NotOnRoster otherwise."""
        return self.checked_caller(program, self.find(session, program, slack_user_id))

    @staticmethod
    def checked_caller(program: ProgramInfo, member: Member | None) -> Member:
        """The member found for a caller, if on the roster and active; else NotOnRoster."""
        if member is None:
            raise NotOnRoster(
                f"You're not on the {program.name} roster yet, so I can't do that. "
                "Ask your induction coordinator to add you."
            )
        if not member.active:
            raise NotOnRoster(
                "Your account in the induction program is deactivated. "
                "Ask your induction coordinator if that's a mistake."
            )
        return member

    def role_holders(self, session: Session, program: ProgramInfo, role: str) -> list[Member]:
        """Active members who hold a role this school year."""
        holders = select(PersonRole.person_id).where(
            PersonRole.role == role, PersonRole.school_year == program.school_year
        )
        return load_members(
            session,
            program,
            MEMBER_QUERY.where(
                Person.program_id == program.id,
                Person.active.is_(True),
                Person.id.in_(holders),
            ).order_by(Person.name, Person.id),
        )

    def handles(self, program: ProgramInfo) -> dict[str, str]:
        """Handle → Slack id, for the console's @mention escaping (email local part, first name)."""
        with self.store.read() as session:
            rows = session.execute(
                select(Person.email, Person.name, Person.slack_user_id).where(
                    Person.program_id == program.id, Person.slack_user_id.is_not(None)
                )
            ).all()
        handles: dict[str, str] = {}
        for email, name, slack_id in rows:
            if slack_id is None:
                continue
            handles.setdefault(email.split("@", 1)[0].lower(), slack_id)
            handles.setdefault(name.split()[0].lower(), slack_id)
        return handles

    def hand_back(self, program: ProgramInfo) -> list[PersonRow]:
        """Everyone of the program as `export all` hands them back."""
        with self.store.read() as session:
            return people_rows(session, program)


@dataclass(frozen=True)
class PersonRow:
    """One person as `export all` hands them back: the roster's columns (their roles this
    school year), what the program added (exit, induction year, forgotten), roles by year."""

    id: int
    email: str
    name: str
    roles: str  # this school year's, `;`-separated as the roster has them
    school: str | None
    subject: str | None
    grade: str | None
    educator_type: str | None
    license: str | None
    hire_date: str | None
    induction_year: str | None
    exit_date: str | None
    slack_user_id: str | None
    active: bool
    forgotten_at: str | None
    roles_by_year: str  # "2026-27:mentee;2027-28:mentee"


def people_rows(session: Session, program: ProgramInfo) -> list[PersonRow]:
    """Everyone of the program, by id (two statements: people, then every year's roles)."""
    by_year: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for person_id, year, role in session.execute(
        select(PersonRole.person_id, PersonRole.school_year, PersonRole.role)
        .join(Person, Person.id == PersonRole.person_id)
        .where(Person.program_id == program.id)
        .order_by(PersonRole.school_year, PersonRole.role)
    ):
        by_year[person_id].append((year, role))
    return [
        PersonRow(
            id=p.id,
            email=p.email,
            name=p.name,
            roles=";".join(r for y, r in by_year[p.id] if y == program.school_year),
            school=p.school,
            subject=p.subject,
            grade=p.grade,
            educator_type=p.educator_type,
            license=p.license,
            hire_date=p.hire_date.isoformat() if p.hire_date else None,
            induction_year=p.induction_school_year,
            exit_date=p.exit_date.isoformat() if p.exit_date else None,
            slack_user_id=p.slack_user_id,
            active=p.active,
            forgotten_at=p.forgotten_at.isoformat() if p.forgotten_at else None,
            roles_by_year=";".join(f"{y}:{r}" for y, r in by_year[p.id]),
        )
        for p in session.scalars(
            select(Person).where(Person.program_id == program.id).order_by(Person.id)
        )
    ]
