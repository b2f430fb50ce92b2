"""Milestones marked done, as records: who marked them, and whether a coordinator confirmed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.model import MilestoneMark
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo
from bot.store.models.core import MilestoneDone

MAX_AWAITING = 40  # reports listed in a status or a coordinator's to-do


def milestone_marks(
    session: Session,
    people: PeopleService,
    program: ProgramInfo,
    *,
    person_id: int | None = None,
    awaiting_only: bool = False,
) -> tuple[MilestoneMark, ...]:
    """This school year's marks: one person's (or everyone's when person_id is None), or only
    the reports awaiting confirmation; oldest first."""
    query: Any = select(MilestoneDone).where(MilestoneDone.school_year == program.school_year)
    if person_id is not None:
        query = query.where(MilestoneDone.person_id == person_id)
    if awaiting_only:
        query = query.where(MilestoneDone.confirmed.is_(False)).limit(MAX_AWAITING)
    rows = list(session.scalars(query.order_by(MilestoneDone.created_at, MilestoneDone.id)))
    ids = {
        pid
        for row in rows
        for pid in (row.person_id, row.marked_by_id, row.confirmed_by_id)
        if pid is not None
    }
    members = {m.id: m for m in people.members(session, program, ids)}

    def title(key: str) -> str:
        rule = program.policy.deadline(key)
        return rule.title if rule is not None else key

    return tuple(
        MilestoneMark(
            key=row.milestone,
            title=title(row.milestone),
            person=members.get(row.person_id) if row.person_id is not None else None,
            done_on=row.done_on,
            marked_by=members.get(row.marked_by_id) if row.marked_by_id is not None else None,
            marked_on=program.today(row.created_at),
            confirmed=row.confirmed,
            confirmed_by=(
                members.get(row.confirmed_by_id) if row.confirmed_by_id is not None else None
            ),
            confirmed_on=program.today(row.confirmed_at) if row.confirmed_at else None,
        )
        for row in rows
    )
