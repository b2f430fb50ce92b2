"""`export pay`: what to pay mentors (hourly, from mentor time) and lead mentors (a stipend
prorated by school days) for a period — the same mentor time `/hours` and the report read."""

from __future__ import annotations

from datetime import date

from bot.domain.ledger import MentorTime
from bot.domain.pay import PayPeriod, PayRow, hourly_amount, prorated_stipend
from bot.services import ledger
from bot.services.errors import Refusal
from bot.services.people import PeopleService
from bot.services.programs import ProgramService
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
        notes say how many were left out and why."""
        program = self.programs.current()
        if last < first:
            raise Refusal(f"The period ends ({last}) before it starts ({first}). Try: {EXAMPLE}")
        year = program.year_of(first)
        if not year.contains(last):
            raise Refusal(
                f"A pay period lies within one program year: {first} is in {year.label} "
                f"({year.first} to {year.last}), {last} is not. Try: {EXAMPLE}"
            )
        program = self.programs.for_year(year.label)  # that year's rates, roles and calendar
        policy = program.policy
        notes: list[str] = []
        rows: list[PayRow] = []
        with self.store.read() as session:
            mentors = {m.id: m for m in self.people.role_holders(session, program, "mentor")}
            leads = self.people.role_holders(session, program, "lead_mentor")
            confirm = policy.confirmation_required_for_pay
            if signed_only or confirm:
                counted = Counted(session, program, first, last, signed_only, confirm)
                time = ledger.mentor_time_of(session, program, first, last, counted.keep)
                notes += counted.notes()
            else:
                time = ledger.mentor_time_between(session, program, first, last)
            others = set(time) - set(mentors)
            extra = {m.id: m for m in self.people.members(session, program, others)}
        if not policy.hourly_rate_cents:
            notes.append(
                "No hourly pay: the program sets no hourly rate (hourly_rate_cents under "
                "[overrides] in the program TOML)."
            )
        else:
            for person_id, spent in sorted(time.items()):
                person = mentors.get(person_id) or extra.get(person_id)
                if person is None or not spent.minutes:
                    continue
                rows.append(
                    PayRow(
                        person.email,
                        person.name,
                        "mentor",
                        "hourly",
                        spent.minutes,
                        policy.hourly_rate_cents,
                        hourly_amount(spent.minutes, policy.hourly_rate_cents),
                    )
                )
        if not policy.lead_stipend_cents:
            if leads:
                notes.append(
                    "No lead-mentor stipends: the program sets none (lead_stipend_cents under "
                    "[overrides] in the program TOML)."
                )
        else:
            calendar = program.calendar
            year_days = len(calendar.school_days)
            period_days = calendar.school_days_in(first, last)
            for lead in leads:
                amount = prorated_stipend(policy.lead_stipend_cents, period_days, year_days)
                if amount:
                    rows.append(
                        PayRow(
                            lead.email,
                            lead.name,
                            "lead_mentor",
                            "stipend",
                            time.get(lead.id, MentorTime()).minutes,
                            policy.lead_stipend_cents,
                            amount,
                        )
                    )
        rows.sort(key=lambda r: (r.name, r.email, r.basis))
        return PayPeriod(first, last, tuple(rows), tuple(notes))
