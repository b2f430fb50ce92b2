"""The workspaces this deployment serves: each Slack workspace (team) has one program, found by
its team id (an org-wide install, which has none, by its enterprise id)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Table, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.services.errors import Refusal
from bot.store.base import Base
from bot.store.db import Store, is_unique_violation
from bot.store.models.core import Program

log = logging.getLogger(__name__)

DEFAULT_RETENTION_AFTER_UNINSTALL_DAYS = 30  # a program with no year loaded (the policy's default)


@dataclass(frozen=True)
class Tenant:
    """One program and the workspace it belongs to (no team: the single-workspace program)."""

    program_id: int
    name: str
    team_id: str | None
    enterprise_id: str | None
    uninstalled_at: datetime | None

    @property
    def active(self) -> bool:
        """Installed: its jobs run and its messages are sent."""
        return self.uninstalled_at is None

    def erase_on(self, retention_days: int) -> datetime | None:
        """When an uninstalled program's rows are erased (None: installed)."""
        if self.uninstalled_at is None:
            return None
        return self.uninstalled_at + timedelta(days=retention_days)

    @property
    def label(self) -> str:
        """The workspace as logs and refusals name it: its team id, never a person's name."""
        return self.team_id or self.enterprise_id or f"program {self.program_id}"


def _tenant(program: Program) -> Tenant:
    return Tenant(
        program.id, program.name, program.team_id, program.enterprise_id, program.uninstalled_at
    )


class TenantDirectory:
    """Programs by workspace: list them, find one by team, bind one, mark one uninstalled."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        # called after every change here: whoever keeps a team → program map reads it afresh
        self.on_change: list[Callable[[], None]] = []

    def _changed(self) -> None:
        for listener in self.on_change:
            listener()

    def all(self) -> list[Tenant]:
        """Every program, in the order they were created."""
        with self.store.read() as session:
            return [_tenant(p) for p in session.scalars(select(Program).order_by(Program.id))]

    def get(self, program_id: int) -> Tenant | None:
        """One program by id, or None."""
        with self.store.read() as session:
            program = session.get(Program, program_id)
            return _tenant(program) if program is not None else None

    def for_team(self, enterprise_id: str | None, team_id: str | None) -> Tenant | None:
        """The program of a workspace: by team id first; else (an org-wide install, whose
        program names no team) by its enterprise id. None when the workspace has none; an
        uninstalled one is returned (`active` says so)."""
        if not team_id and not enterprise_id:
            return None
        with self.store.read() as session:
            program = None
            if team_id:
                program = session.scalars(select(Program).where(Program.team_id == team_id)).first()
            if program is None and enterprise_id:
                program = session.scalars(
                    select(Program)
                    .where(Program.enterprise_id == enterprise_id, Program.team_id.is_(None))
                    .order_by(Program.id)
                    .limit(1)
                ).first()
            return _tenant(program) if program is not None else None

    def bind(self, program_id: int, team_id: str | None, enterprise_id: str | None) -> Tenant:
        """Give a program its workspace (and mark it installed again); a Refusal when another
        program has that team (the unique key on programs.team_id holds it, also when two
        binds race: the first to commit wins)."""
        try:
            with self.store.write() as session:
                program = session.get(Program, program_id)
                if program is None:
                    raise Refusal(f"No program {program_id}.")
                program.team_id = team_id or None
                program.enterprise_id = enterprise_id or None
                program.uninstalled_at = None
                session.flush()
                tenant = _tenant(program)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise Refusal(f"Workspace {team_id} already has a program.") from None
        self._changed()
        return tenant

    def mark_uninstalled(
        self, enterprise_id: str | None, team_id: str | None, now: datetime
    ) -> Tenant | None:
        """The app left the workspace (uninstalled, or its bot token revoked): from now on its
        program runs no job and is sent nothing. The first mark stands (its retention counts
        from it). A single-workspace deployment's one program, which names no team, is that
        workspace's. None when the workspace has no program."""
        tenant = self.for_team(enterprise_id, team_id)
        if tenant is None:
            everyone = self.all()
            if len(everyone) == 1 and everyone[0].team_id is None:
                tenant = everyone[0]
        if tenant is None:
            return None
        with self.store.write() as session:
            session.execute(
                update(Program)
                .where(Program.id == tenant.program_id, Program.uninstalled_at.is_(None))
                .values(uninstalled_at=now)
            )
            program = session.get(Program, tenant.program_id)
            marked = _tenant(program) if program is not None else None
        self._changed()
        return marked

    def erase(self, tenant: Tenant, now: datetime) -> int:
        """Erase every row of an uninstalled program, the program too, in one transaction;
        how many rows went. Audited by a log line (its team id and counts, never a name): the
        erasures table is the program's own, and goes with it."""
        if tenant.active:
            raise Refusal(f"Workspace {tenant.label} is installed: its program is kept.")
        counts: dict[str, int] = {}
        with self.store.write() as session:
            for table in reversed(Base.metadata.sorted_tables):  # children before parents
                owned = _owned_by(table, tenant.program_id, set())
                if owned is None:
                    continue
                result = session.execute(delete(table).where(owned))
                gone = int(getattr(result, "rowcount", 0) or 0)
                if gone:
                    counts[table.name] = gone
        self._changed()
        total = sum(counts.values())
        log.info(
            "erased the program of workspace %s (uninstalled %s) at %s: %d rows (%s)",
            tenant.label,
            f"{tenant.uninstalled_at:%Y-%m-%d}" if tenant.uninstalled_at else "-",
            f"{now:%Y-%m-%d}",
            total,
            ", ".join(f"{name} {n}" for name, n in sorted(counts.items())),
        )
        return total


def _owned_by(table: Table, program_id: int, seen: set[str]) -> ColumnElement[bool] | None:
    """The rows of `table` a program owns: by its own program_id, else through a foreign key
    to a table it owns rows of (people, log entries, surveys …); None: not a program's table."""
    if table.name == Program.__tablename__:
        return table.c.id == program_id
    if "program_id" in table.c:
        return table.c.program_id == program_id
    seen = seen | {table.name}
    # a required key first: a nullable one (an audit row with no actor) would miss rows
    for key in sorted(table.foreign_keys, key=lambda k: (k.parent.nullable, k.parent.name)):
        parent = key.column.table
        if not isinstance(parent, Table) or parent.name in seen:
            continue
        inner = _owned_by(parent, program_id, seen)
        if inner is not None:
            return key.parent.in_(select(key.column).where(inner))
    return None
