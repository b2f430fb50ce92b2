"""`export record EMAIL`: one educator's induction record across program years, read from the
ledger (pair time per year, and its breakdown by kind by the same rule), the assignments and the
milestones marked done. No notes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.ledger import (
    ZERO,
    ProgramYear,
    Totals,
    minutes_beyond_induction,
    program_year_by_label,
)
from bot.domain.members import Member
from bot.domain.reassignment import shown_end_reason
from bot.domain.record import (
    RECORD_YEARS,
    InductionRecord,
    KindLine,
    RecordMentor,
    RecordMilestone,
    RecordYear,
)
from bot.domain.signoff import lock_covering
from bot.services import ledger, signoff
from bot.services.errors import Refusal
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models.core import (
    Assignment,
    EntryReview,
    LogEntry,
    MilestoneDone,
    Person,
    PersonRole,
)


class RecordService:
    """Builds induction records."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def of_id(self, person_id: int, now: datetime) -> InductionRecord:
        """The record of a person by id (a button's value)."""
        program = self.programs.current(now)
        with self.store.read() as session:
            found = self.people.members(session, program, [person_id])
        if not found:
            raise Refusal("That person is no longer on the roster.")
        return self.of(found[0].email, now)

    def of(self, ref: str, now: datetime) -> InductionRecord:
        """The record of the educator an email or Slack id names; a Refusal for someone who was
        never a mentee here."""
        program = self.programs.current(now)
        month = program.year_start_month
        with self.store.read() as session:
            member = self.people.get(session, program, ref)
            mentee_years = sorted(
                session.scalars(
                    select(PersonRole.school_year).where(
                        PersonRole.person_id == member.id, PersonRole.role == "mentee"
                    )
                )
            )
            assignments = session.execute(
                select(
                    Person.name,
                    Person.email,
                    Assignment.started_on,
                    Assignment.ended_on,
                    Assignment.end_reason,
                )
                .join(Person, Person.id == Assignment.mentor_id)
                .where(Assignment.mentee_id == member.id)
                .order_by(Assignment.started_on, Assignment.id)
            ).all()
            if not mentee_years and not assignments:
                raise Refusal(
                    f"{member.name} has no induction record: they were never a mentee in "
                    f"{program.name}."
                )
            induction = ledger.induction_of(member, program)
            if induction is None:  # no hire date, no roster year: their first year as a mentee
                induction = program_year_by_label(
                    mentee_years[0] if mentee_years else program.year.label, month
                )
            totals = ledger.mentee_years(session, program, [member.id]).get(member.id, {})
            kinds = ledger.mentee_kinds(session, program, member.id)
            marks = session.execute(
                select(
                    MilestoneDone.milestone,
                    MilestoneDone.school_year,
                    MilestoneDone.done_on,
                    MilestoneDone.confirmed,
                )
                .where(MilestoneDone.person_id == member.id)
                .order_by(MilestoneDone.done_on, MilestoneDone.id)
            ).all()
            sign_off = _sign_off(session, program, member)
        titles = {rule.key: rule.title for rule in program.policy.deadlines}
        years = tuple(
            _year(year, number, totals, kinds)
            for number, year in enumerate(_record_years(induction, program.year), start=1)
        )
        return InductionRecord(
            program=program.name,
            name=member.name,
            email=member.email,
            school=member.school or "",
            educator_type=member.educator_type or "",
            license=member.license or "",
            hire_date=member.hire_date,
            induction_year=induction.label,
            induction_inferred=member.induction_school_year is None,
            generated_on=program.today(now),
            years=years,
            mentors=tuple(
                RecordMentor(name, email, start, end, shown_end_reason(reason))
                for name, email, start, end, reason in assignments
            ),
            milestones=tuple(
                RecordMilestone(key, titles.get(key, key), school_year, done_on, confirmed)
                for key, school_year, done_on, confirmed in marks
            ),
            beyond_minutes=minutes_beyond_induction(totals, induction, month),
            beyond_target=program.policy.year2_target_hours * 60,
            sign_off=sign_off,
        )


def _record_years(induction: ProgramYear, current: ProgramYear) -> list[ProgramYear]:
    """The induction year and the years after it, up to RECORD_YEARS and no later than now."""
    years = [induction]
    while len(years) < RECORD_YEARS and years[-1].last < current.last:
        years.append(years[-1].following())
    return years


def _year(
    year: ProgramYear,
    number: int,
    totals: dict[date, Totals],
    kinds: dict[tuple[date, str], Totals],
) -> RecordYear:
    kept = totals.get(year.first, ZERO)
    lines = tuple(
        KindLine(kind, t.contacts + t.visits, t.minutes, t.visit_minutes)
        for (first, kind), t in sorted(kinds.items())
        if first == year.first
    )
    return RecordYear(
        year.label,
        number,
        kept.minutes,
        kept.observations,
        kept.visits,
        lines,
    )


def _sign_off(session: Session, program: ProgramInfo, member: Member) -> str:
    """How many of the educator's entries lie in signed-off periods, and how many the other
    side of the pair confirmed."""
    rows = session.execute(
        select(LogEntry.occurred_on, LogEntry.school, EntryReview.verdict)
        .outerjoin(EntryReview, EntryReview.log_entry_id == LogEntry.id)
        .where(LogEntry.mentee_id == member.id, LogEntry.deleted_at.is_(None))
    ).all()
    if not rows:
        return "no entries logged"
    days = [day for day, _, _ in rows]
    locks = signoff.active_locks(session, program, min(days), max(days))
    signed = sum(1 for day, school, _ in rows if lock_covering(locks, day, school) is not None)
    confirmed = sum(1 for _, _, verdict in rows if verdict == "confirmed")
    return (
        f"{signed} of {len(rows)} entries in signed-off periods; {confirmed} confirmed by the "
        "other side of the pair"
    )
