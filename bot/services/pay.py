"""`export pay`: what to pay mentors (hourly, from mentor time) and lead mentors (a stipend
prorated by school days) for a period — the same mentor time `/hours` and the report read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.domain.ledger import MentorTime, ProgramYear
from bot.domain.members import Member
from bot.domain.pay import PayPeriod, PayRow
from bot.domain.signoff import Lock, lock_covering
from bot.services import ledger
from bot.services.errors import Refusal
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.signoff import Counted
from bot.store.db import Store

EXAMPLE = "mentor-minutes export pay --from 2026-11-01 --to 2026-11-30"


class PayService:
    """Pay for a period, from the ledger."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def period(self, first: date, last: date, *, signed_only: bool = False) -> PayPeriod:
        """One row per person and basis with something to be paid from `first` to `last`.

        With `signed_only` (or a policy requiring confirmation), hourly pay counts only the
        entries in signed-off periods (and confirmed by the other side of the pair), and the
        notes say how many were left out and why. With `signed_only` a lead mentor's stipend
        is prorated by the period's signed-off school days only (their school's, or the whole
        program's), and the notes say how many were not."""
        year = self._year_of(first, last)
        program = self.programs.for_year(year.label)  # that year's rates, roles and calendar
        policy = program.policy
        notes: list[str] = []
        locks: list[Lock] | None = None  # signed_only: what is signed off in the period
        with self.store.read() as session:
            mentors = {m.id: m for m in self.people.role_holders(session, program, "mentor")}
            leads = self.people.role_holders(session, program, "lead_mentor")
            confirm = policy.confirmation_required_for_pay
            if signed_only or confirm:
                counted = Counted(session, program, first, last, signed_only, confirm)
                time = ledger.mentor_time_of(session, program, first, last, counted.keep)
                notes += counted.notes()
                locks = counted.locks if signed_only else None
            else:
                time = ledger.mentor_time_between(session, program, first, last)
            others = set(time) - set(mentors)
            mentors |= {m.id: m for m in self.people.members(session, program, others)}
        rows = _hourly_rows(program, time, mentors, notes) + _stipend_rows(
            program, first, last, leads, locks, notes
        )
        rows.sort(key=lambda r: (r.name, r.email, r.basis))
        return PayPeriod(first, last, tuple(rows), tuple(notes))

    def _year_of(self, first: date, last: date) -> ProgramYear:
        """The program year a pay period lies in; a Refusal when it is not one."""
        program = self.programs.current()
        if last < first:
            raise Refusal(f"The period ends ({last}) before it starts ({first}). Try: {EXAMPLE}")
        year = program.year_of(first)
        if not year.contains(last):
            raise Refusal(
                f"A pay period lies within one program year: {first} is in {year.label} "
                f"({year.first} to {year.last}), {last} is not. Try: {EXAMPLE}"
            )
        return year


def _hourly_rows(
    program: ProgramInfo,
    time: Mapping[int, MentorTime],
    mentors: Mapping[int, Member],
    notes: list[str],
) -> list[PayRow]:
    """Mentor time at the hourly rate, one row per person with time; a note when no rate."""
    rate = program.policy.hourly_rate_cents
    if not rate:
        notes.append(
            "No hourly pay: the program sets no hourly rate (hourly_rate_cents under "
            "[overrides] in the program TOML)."
        )
        return []
    return [
        PayRow.hourly(person.email, person.name, spent.minutes, rate)
        for person_id, spent in sorted(time.items())
        if (person := mentors.get(person_id)) is not None and spent.minutes
    ]


def _stipend_rows(
    program: ProgramInfo,
    first: date,
    last: date,
    leads: Sequence[Member],
    locks: list[Lock] | None,
    notes: list[str],
) -> list[PayRow]:
    """Each lead mentor's stipend prorated by the period's school days (with `locks`: only
    those signed off for the lead mentor's school, or for the whole program); a note when there
    is no stipend, or when school days are left out for want of a sign-off."""
    stipend = program.policy.lead_stipend_cents
    if not stipend:
        if leads:
            notes.append(
                "No lead-mentor stipends: the program sets none (lead_stipend_cents under "
                "[overrides] in the program TOML)."
            )
        return []
    year_days = program.calendar.school_days
    days = [day for day in year_days if first <= day <= last]
    rows, unsigned = [], []
    for lead in leads:
        paid = days
        if locks is not None:
            paid = [day for day in days if lock_covering(locks, day, lead.school) is not None]
            if len(paid) < len(days):
                unsigned.append(f"{lead.name} {len(days) - len(paid)} of {len(days)}")
        row = PayRow.stipend(lead.email, lead.name, len(paid), len(year_days), stipend)
        if row.amount_cents:
            rows.append(row)
    if unsigned:
        notes.append(
            "Lead-mentor stipends: school days not signed off yet, not paid: "
            f"{', '.join(unsigned)} (a lead mentor's school days are signed with their "
            "school's or the whole program's period)."
        )
    return rows
