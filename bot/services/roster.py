"""Roster import: validate everything, look up Slack ids, then upsert by email — or nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select

from bot.roster import RosterRow, RowProblem, parse_roster
from bot.services.programs import ProgramService
from bot.store.db import Store
from bot.store.models import Person, PersonRole

log = logging.getLogger(__name__)

PERSON_FIELDS = (
    "name",
    "school",
    "subject",
    "grade",
    "educator_type",
    "license",
    "hire_date",
)


class _DryRunRollback(Exception):
    """Raised inside the write transaction of a dry run so nothing commits."""


class DirectoryError(Exception):
    """A Slack lookup that did not find the person (the reason is Slack's error code)."""


class SlackDirectory(Protocol):
    """Finds a Slack user id by email (users.lookupByEmail)."""

    def lookup_by_email(self, email: str) -> str:
        """The Slack user id for an email; raise DirectoryError when not found."""
        ...


@dataclass
class ImportReport:
    """What an import did, or would do with --dry-run."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    unlinked: list[RowProblem] = field(default_factory=list)  # imported, but no Slack account
    applied: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return not self.problems


class RosterService:
    """Imports the roster CSV for the current school year."""

    def __init__(self, store: Store, programs: ProgramService) -> None:
        self.store = store
        self.programs = programs

    def import_csv(
        self, text: str, *, dry_run: bool = False, directory: SlackDirectory | None = None
    ) -> ImportReport:
        """Validate every row; if all are good (and not a dry run), upsert them in one go."""
        program = self.programs.current()
        parsed = parse_roster(text)
        report = ImportReport(problems=list(parsed.problems), dry_run=dry_run)
        if report.problems:
            return report
        with self.store.read() as session:
            existing = {
                p.email.lower(): p
                for p in session.scalars(select(Person).where(Person.program_id == program.id))
            }
        slack_ids = self._resolve_slack_ids(parsed.rows, existing, directory, report)
        taken = {p.slack_user_id: email for email, p in existing.items() if p.slack_user_id}
        claimed: dict[str, RosterRow] = {}
        for row in parsed.rows:
            slack_id = slack_ids.get(row.email)
            if not slack_id:
                continue
            owner = taken.get(slack_id)
            first = claimed.setdefault(slack_id, row)
            if owner and owner != row.email and all(r.email != owner for r in parsed.rows):
                report.problems.append(
                    RowProblem(row.line, row.email, f"slack_user_id {slack_id} belongs to {owner}")
                )
            elif first is not row:
                report.problems.append(
                    RowProblem(
                        row.line,
                        row.email,
                        f"slack_user_id {slack_id} belongs to {first.email} (line {first.line})",
                    )
                )
        if report.problems:
            report.unlinked.clear()
            return report
        try:
            self._apply(program.id, program.school_year, parsed.rows, slack_ids, report)
        except _DryRunRollback:
            return report
        report.applied = True
        return report

    def _apply(
        self,
        program_id: int,
        school_year: str,
        rows: list[RosterRow],
        slack_ids: dict[str, str],
        report: ImportReport,
    ) -> None:
        """Upsert the rows in one transaction; a dry run rolls it back."""
        with self.store.write() as session:
            people = {
                p.email.lower(): p
                for p in session.scalars(select(Person).where(Person.program_id == program_id))
            }
            for row in rows:
                person = people.get(row.email)
                if person is None:
                    person = Person(program_id=program_id, email=row.email, active=True)
                    session.add(person)
                    report.created.append(row.email)
                    changed = True
                else:
                    changed = False
                for name in PERSON_FIELDS:
                    value = getattr(row, name)
                    if getattr(person, name) != value:
                        setattr(person, name, value)
                        changed = True
                slack_id = slack_ids.get(row.email)
                if slack_id and person.slack_user_id != slack_id:
                    person.slack_user_id = slack_id
                    changed = True
                current = {r.role: r for r in person.roles if r.school_year == school_year}
                for role in set(current) - set(row.roles):
                    person.roles.remove(current[role])
                    changed = True
                for role in set(row.roles) - set(current):
                    person.roles.append(PersonRole(role=role, school_year=school_year))
                    changed = True
                if row.email not in report.created:
                    (report.updated if changed else report.unchanged).append(row.email)
            session.flush()
            if report.dry_run:
                raise _DryRunRollback

    def _resolve_slack_ids(
        self,
        rows: list[RosterRow],
        existing: dict[str, Person],
        directory: SlackDirectory | None,
        report: ImportReport,
    ) -> dict[str, str]:
        """Slack ids from the file, from the store, or looked up by email."""
        resolved: dict[str, str] = {}
        for row in rows:
            known = existing.get(row.email)
            if row.slack_user_id:
                resolved[row.email] = row.slack_user_id
            elif known is not None and known.slack_user_id:
                resolved[row.email] = known.slack_user_id
            elif directory is None:
                report.unlinked.append(
                    RowProblem(
                        row.line, row.email, "no slack_user_id and no Slack token to look it up"
                    )
                )
            else:
                try:
                    resolved[row.email] = directory.lookup_by_email(row.email)
                except DirectoryError as exc:
                    report.unlinked.append(
                        RowProblem(row.line, row.email, f"Slack lookup by email failed: {exc}")
                    )
        return resolved
