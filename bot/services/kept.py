"""Program-wide figures kept between reads (issue 18: Home from kept totals). The coordinator's
Home shows the annual report's readiness and this month's pay, each computed by the function
that owns it over the whole program (two dozen statements, ~180 ms at 1,000 pairs). They are
stored as those functions returned them, with a watermark: one aggregate statement over every
table they read (the log's audit trail, the ledger's generation, the roster and its roles, the
assignments, support teams, milestones, sign-offs, activities, partnerships, erasures, surveys,
program years, the program's config) and the day. A read whose watermark is the one stored
reads the row; otherwise it computes the figures once, in its own snapshot, and stores them.
Nothing is recomputed differently: a kept figure is the owning function's output, as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.pay import PayPeriod, PayRow
from bot.domain.report import Readiness
from bot.services.programs import ProgramInfo
from bot.store.db import Store
from bot.store.models.core import (
    Activity,
    ActivityAttendee,
    ActivityLogBatch,
    Assignment,
    EntryReview,
    LogAudit,
    MilestoneDone,
    OutboxMessage,
    Partnership,
    Person,
    PersonRole,
    Program,
    ProgramYearConfig,
    SignedPeriod,
    SupportTeamMember,
)
from bot.store.models.erasures import Erasure
from bot.store.models.kept import KeptFigures
from bot.store.models.surveys import Survey, SurveyAnswer, SurveyRecipient, SurveyResponse

COORDINATOR_HOME = "coordinator_home"  # readiness, pay this month so far (or why none)


def _some(column: Any) -> ColumnElement[Any]:
    return func.count(case((column.is_not(None), 1)))


def _aggregates() -> list[Any]:
    """Every table the kept figures read: how many rows, the newest, and what changes in place."""
    parts: list[tuple[Any, list[Any]]] = [
        (Program, [func.max(Program.updated_at), func.sum(Program.ledger_generation)]),
        (
            ProgramYearConfig,
            [
                func.count(),
                func.max(ProgramYearConfig.id),
                func.max(ProgramYearConfig.loaded_at),
                func.max(ProgramYearConfig.rolled_over_at),
            ],
        ),
        (
            Person,
            [
                func.count(),
                func.max(Person.id),
                func.max(Person.updated_at),
                _some(Person.forgotten_at),
            ],
        ),
        (PersonRole, [func.count(), func.max(PersonRole.id)]),
        (
            Assignment,
            [
                func.count(),
                func.max(Assignment.id),
                _some(Assignment.ended_on),
                func.max(Assignment.ended_on),
                func.max(Assignment.started_on),
            ],
        ),
        (
            SupportTeamMember,
            [
                func.count(),
                func.max(SupportTeamMember.id),
                _some(SupportTeamMember.removed_on),
                func.max(SupportTeamMember.removed_on),
            ],
        ),
        (LogAudit, [func.max(LogAudit.id)]),
        (
            MilestoneDone,
            [
                func.count(),
                func.max(MilestoneDone.id),
                _some(MilestoneDone.confirmed_at),
                func.max(MilestoneDone.confirmed_at),
                func.max(MilestoneDone.done_on),
            ],
        ),
        (
            SignedPeriod,
            [
                func.count(),
                func.max(SignedPeriod.id),
                func.max(SignedPeriod.signed_at),
                _some(SignedPeriod.reopened_at),
                func.max(SignedPeriod.reopened_at),
            ],
        ),
        (Activity, [func.count(), func.max(Activity.id), func.max(Activity.occurred_on)]),
        (ActivityAttendee, [func.count()]),
        (ActivityLogBatch, [func.count()]),
        (
            Partnership,
            [func.count(), func.max(Partnership.id), func.max(Partnership.created_at)],
        ),
        (Erasure, [func.count(), func.max(Erasure.id)]),
        (  # pay counts only confirmed entries under confirmation_required_for_pay
            EntryReview,
            [
                func.count(),
                func.max(EntryReview.reviewed_at),
                func.count(case((EntryReview.verdict == "confirmed", 1))),
            ],
        ),
        (
            Survey,
            [
                func.count(),
                func.max(Survey.id),
                func.max(Survey.opens_on),
                func.max(Survey.closes_on),
            ],
        ),
        (SurveyRecipient, [func.count(), func.count(case((SurveyRecipient.responded, 1)))]),
        (SurveyResponse, [func.count()]),
        (SurveyAnswer, [func.count(), func.sum(SurveyAnswer.value)]),
    ]
    return [
        _program_rows(select(column).select_from(table), table)
        for table, columns in parts
        for column in columns
    ]


def _program_rows(statement: Select[Any], table: Any) -> Any:
    """A table's aggregate over the program's rows when the table names its program (many
    programs share a database: another's writes leave these figures kept), else over all."""
    if table is Program:
        return statement.where(Program.id == bindparam("program_id")).scalar_subquery()
    owner = getattr(table, "program_id", None)
    if owner is not None:
        statement = statement.where(owner == bindparam("program_id"))
    return statement.scalar_subquery()


def _outbox() -> list[Any]:
    """The outbox: what was sent (a lead mentor's digest leaves out items already reached)."""
    columns = [
        func.count(),
        func.max(OutboxMessage.id),
        _some(OutboxMessage.sent_at),
        func.max(OutboxMessage.sent_at),
        func.count(case((OutboxMessage.status == "pending", 1))),
    ]
    return [
        _program_rows(select(column).select_from(OutboxMessage), OutboxMessage)
        for column in columns
    ]


def watermark(session: Session, today: date, program_id: int, *, outbox: bool = False) -> str:
    """What a program's kept figures were computed from, in one statement: equal watermarks,
    equal figures. `outbox`: the outbox too (the lead mentors' digest reads what was sent)."""
    statement = select(*_aggregates(), *(_outbox() if outbox else []))
    row = session.execute(statement, {"program_id": program_id}).one()
    return json.dumps([today.isoformat(), *(str(v) for v in row)])


class KeptFigureService:
    """Reads and stores kept figures (one row per program and kind)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def figures(
        self,
        session: Session,
        program: ProgramInfo,
        kind: str,
        today: date,
        now: datetime,
        compute: Callable[[], dict[str, Any]],
    ) -> dict[str, Any]:
        """The kept figures of `kind` when nothing they read changed since; else `compute()`'s,
        stored for the next read."""
        mark = watermark(session, today, program.id)
        kept = session.scalar(
            select(KeptFigures).where(
                KeptFigures.program_id == program.id, KeptFigures.kind == kind
            )
        )
        if kept is not None and kept.watermark == mark:
            return dict(kept.figures)
        fresh = compute()
        self._store(program.id, kind, mark, now, fresh)
        return fresh

    def _store(
        self, program_id: int, kind: str, mark: str, now: datetime, figures: dict[str, Any]
    ) -> None:
        try:
            with self.store.write() as session:
                session.execute(
                    delete(KeptFigures).where(
                        KeptFigures.program_id == program_id, KeptFigures.kind == kind
                    )
                )
                session.add(
                    KeptFigures(
                        program_id=program_id,
                        kind=kind,
                        watermark=mark,
                        computed_at=now,
                        figures=figures,
                    )
                )
        except IntegrityError:
            pass  # another reader stored the same figures first


# ---- the coordinator's Home: the owning functions' outputs as JSON and back ----------------


def coordinator_figures(
    readiness: Readiness, pay: PayPeriod | None, refusal: str | None
) -> dict[str, Any]:
    """The report's readiness and this month's pay, as kept."""
    return {
        "readiness": {
            "year": readiness.year,
            "headlines": list(readiness.headlines),
            "missing": list(readiness.missing),
        },
        "pay": None
        if pay is None
        else {
            "first": pay.first.isoformat(),
            "last": pay.last.isoformat(),
            "rows": [asdict(row) for row in pay.rows],
            "notes": list(pay.notes),
        },
        "refusal": refusal,
    }


def coordinator_from(figures: dict[str, Any]) -> tuple[Readiness, PayPeriod | None, str | None]:
    """What `coordinator_figures` kept."""
    r = figures["readiness"]
    readiness = Readiness(r["year"], tuple(r["headlines"]), tuple(r["missing"]))
    p = figures["pay"]
    pay = None
    if p is not None:
        pay = PayPeriod(
            date.fromisoformat(p["first"]),
            date.fromisoformat(p["last"]),
            tuple(PayRow(**row) for row in p["rows"]),
            tuple(p["notes"]),
        )
    return readiness, pay, figures["refusal"]
