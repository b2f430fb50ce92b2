"""Forgetting a person and the retention of notes (the rules: `bot/domain/erasure.py`).

Both take the program they act on (one today; one per workspace later) and write an audit row
in `erasures` with counts, never text. Neither touches a minute, a date or a kind: the kept
totals, pay and the report read the same after as before (`ledger verify` finds nothing)."""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, true, update
from sqlalchemy.orm import Session

from bot.domain.erasure import (
    ErasureCounts,
    OpenMonth,
    names_person,
    open_months,
    open_refusal,
    retention_cutoff,
    tombstone_email,
    tombstone_name,
    tombstone_recipient,
)
from bot.domain.signoff import lock_covering
from bot.services.errors import Refusal
from bot.services.outbox import PENDING, REVIEW
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.signoff import active_locks
from bot.store.db import Store
from bot.store.locks import lock_for_sign_off
from bot.store.models.core import (
    Activity,
    Assignment,
    EntryReview,
    LogEntry,
    OutboxMessage,
    Person,
    SignedPeriod,
)
from bot.store.models.erasures import Erasure
from bot.store.models.requests import ReassignmentRequest
from bot.store.models.surveys import Survey, SurveyResponse

log = logging.getLogger(__name__)

CANCELLED = "cancelled"  # an outbox message never to be sent: its recipient was forgotten
ERASED_PAYLOAD: dict[str, Any] = {"erased": "a person named here was forgotten"}
REQUEST_RULES = ("change-request", "change-request-answer")  # bot/services/requests.py
SCAN_BATCH = 1_000  # outbox rows read at a time when looking for a forgotten name
SWEEP = "deadline-sweep"


@dataclass(frozen=True)
class ForgetOutcome:
    """What forgetting someone erased (or, in a dry run, would erase): counts only."""

    person_id: int
    counts: ErasureCounts
    open_months: tuple[OpenMonth, ...]  # unsigned months of theirs (forgotten anyway: --yes)
    dry_run: bool

    @property
    def tombstone(self) -> str:
        """The name they are shown by from now on."""
        return tombstone_name(self.person_id)


@dataclass(frozen=True)
class NotesErased:
    """Notes erased by the retention policy: dated before `before`."""

    before: date
    log_notes: int
    activity_notes: int


class _DryRun(Exception):
    """Raised inside the write to roll it back: a dry run computes with the real statements."""

    def __init__(self, outcome: ForgetOutcome) -> None:
        super().__init__("dry run")
        self.outcome = outcome


def _rows(result: Any) -> int:
    return int(result.rowcount or 0)


class ErasureService:
    """`forget` and the retention of notes, each audited by counts."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    # ---- forget ----------------------------------------------------------------------------

    def forget(
        self,
        program: ProgramInfo,
        ref: str,
        now: datetime,
        *,
        ran_by: str,
        dry_run: bool = False,
        yes: bool = False,
    ) -> ForgetOutcome:
        """Erase a person's notes, reasons, comments and identity (the roster's email or Slack
        id), keeping their minutes under a tombstone; refused while a period of theirs is not
        signed off, unless `yes`. A dry run runs the same statements and rolls them back."""
        try:
            with self.store.write() as session:
                outcome = self._forget(session, program, ref, now, ran_by, dry_run, yes)
                if dry_run:
                    raise _DryRun(outcome)
        except _DryRun as rolled_back:
            return rolled_back.outcome
        log.info("forgot person %d: %d texts erased", outcome.person_id, outcome.counts.total)
        return outcome

    def _forget(
        self,
        session: Session,
        program: ProgramInfo,
        ref: str,
        now: datetime,
        ran_by: str,
        dry_run: bool,
        yes: bool,
    ) -> ForgetOutcome:
        # Ordered against log writes and sign-offs (bot/store/locks.py): a log write in
        # progress commits before the erase reads (and its notes go with the rest), and the
        # open periods are those in force when the erase runs.
        lock_for_sign_off(session, program.id)
        member = self.people.find(session, program, ref)
        if member is None:
            raise Refusal(
                f"Nobody on the {program.name} roster has that email or Slack id: nothing was "
                "erased (a forgotten person keeps no email to be found by)."
            )
        person = session.get(Person, member.id, with_for_update=True)
        assert person is not None  # found just now, in this transaction
        if person.forgotten_at is not None:
            raise Refusal(
                f"Person #{person.id} was forgotten already "
                f"({program.today(person.forgotten_at).isoformat()}): nothing was erased."
            )
        months = self._open_months(session, program, person.id, program.today(now))
        if months and not (yes or dry_run):
            raise Refusal(open_refusal(person.id, months))
        counts = self._erase_texts(session, program, person, now)
        self._tombstone(session, program, person, now)
        session.add(
            Erasure(
                program_id=program.id,
                kind="forget",
                person_id=person.id,
                ran_by=ran_by[:200],
                at=now,
                counts=counts.as_dict(),
            )
        )
        session.flush()
        return ForgetOutcome(person.id, counts, months, dry_run)

    @staticmethod
    def _open_months(
        session: Session, program: ProgramInfo, person_id: int, today: date
    ) -> tuple[OpenMonth, ...]:
        """The months of their live entries up to today that no sign-off in force covers."""
        rows = session.execute(
            select(LogEntry.school, LogEntry.occurred_on).where(
                LogEntry.program_id == program.id,
                LogEntry.deleted_at.is_(None),
                or_(LogEntry.mentor_id == person_id, LogEntry.mentee_id == person_id),
                LogEntry.occurred_on <= today,
            )
        ).all()
        if not rows:
            return ()
        locks = active_locks(
            session, program, min(r.occurred_on for r in rows), max(r.occurred_on for r in rows)
        )
        return open_months(
            r.occurred_on for r in rows if lock_covering(locks, r.occurred_on, r.school) is None
        )

    def _erase_texts(
        self, session: Session, program: ProgramInfo, person: Person, now: datetime
    ) -> ErasureCounts:
        pid = person.id
        theirs = (
            (LogEntry.mentor_id == pid)
            | (LogEntry.mentee_id == pid)
            | (LogEntry.observed_id == pid)
        )
        their_entries = select(LogEntry.id).where(LogEntry.program_id == program.id, theirs)
        counts: dict[str, int] = {}
        counts["log_notes"] = _rows(
            session.execute(
                update(LogEntry)
                .where(LogEntry.program_id == program.id, theirs, LogEntry.notes.is_not(None))
                .values(notes=None, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        counts["activity_notes"] = _rows(
            session.execute(
                update(Activity)
                .where(
                    Activity.program_id == program.id,
                    (Activity.facilitator_id == pid) | (Activity.recorded_by_id == pid),
                    Activity.notes.is_not(None),
                )
                .values(notes=None)
                .execution_options(synchronize_session=False)
            )
        )
        counts["review_reasons"] = _rows(
            session.execute(
                update(EntryReview)
                .where(
                    EntryReview.reason.is_not(None),
                    (EntryReview.reviewed_by_id == pid)
                    | EntryReview.log_entry_id.in_(their_entries),
                )
                .values(reason=None)
                .execution_options(synchronize_session=False)
            )
        )
        needles = (person.name, person.email)
        reopened = [
            row_id
            for row_id, by, reason in session.execute(
                select(
                    SignedPeriod.id, SignedPeriod.reopened_by_id, SignedPeriod.reopen_reason
                ).where(
                    SignedPeriod.program_id == program.id, SignedPeriod.reopen_reason.is_not(None)
                )
            )
            if by == pid or names_person(reason, needles)
        ]
        counts["reopen_reasons"] = self._clear(
            session, SignedPeriod, SignedPeriod.id, reopened, reopen_reason=None
        )
        their_pairs = select(Assignment.id).where(
            Assignment.program_id == program.id,
            (Assignment.mentor_id == pid) | (Assignment.mentee_id == pid),
        )
        # Their requests and those about their pairs lose reason and answer; requests they
        # answered as a coordinator lose the answer they wrote.
        requests = list(
            session.scalars(
                select(ReassignmentRequest.id).where(
                    ReassignmentRequest.program_id == program.id,
                    (ReassignmentRequest.requester_id == pid)
                    | ReassignmentRequest.assignment_id.in_(their_pairs),
                    ReassignmentRequest.reason.is_not(None) | ReassignmentRequest.note.is_not(None),
                )
            )
        )
        answered = list(
            session.scalars(
                select(ReassignmentRequest.id).where(
                    ReassignmentRequest.program_id == program.id,
                    ReassignmentRequest.answered_by_id == pid,
                    ReassignmentRequest.note.is_not(None),
                    ReassignmentRequest.id.not_in(requests) if requests else true(),
                )
            )
        )
        counts["request_reasons"] = self._clear(
            session, ReassignmentRequest, ReassignmentRequest.id, requests, reason=None, note=None
        ) + self._clear(session, ReassignmentRequest, ReassignmentRequest.id, answered, note=None)
        counts["assignment_reasons"] = _rows(
            session.execute(
                update(Assignment)
                .where(
                    Assignment.program_id == program.id,
                    (Assignment.mentor_id == pid)
                    | (Assignment.mentee_id == pid)
                    | (Assignment.ended_by_id == pid),
                    Assignment.end_reason.is_not(None),
                )
                .values(end_reason=None)
                .execution_options(synchronize_session=False)
            )
        )
        comments = [
            response_id
            for response_id, comment in session.execute(
                select(SurveyResponse.id, SurveyResponse.comment)
                .join(Survey, Survey.id == SurveyResponse.survey_id)
                .where(Survey.program_id == program.id, SurveyResponse.comment.is_not(None))
            )
            if names_person(comment, needles)
        ]
        counts["survey_comments"] = self._clear(
            session, SurveyResponse, SurveyResponse.id, comments, comment=None
        )
        cancelled, scrubbed = self._outbox(session, person, [f"request-{r}" for r in requests])
        counts["messages_cancelled"], counts["messages_scrubbed"] = cancelled, scrubbed
        return ErasureCounts(counts)

    @staticmethod
    def _clear(session: Session, table: Any, key: Any, ids: list[Any], **values: Any) -> int:
        """Set `values` on the rows with these ids; how many."""
        if not ids:
            return 0
        return _rows(
            session.execute(
                update(table)
                .where(key.in_(ids))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        )

    @staticmethod
    def _outbox(session: Session, person: Person, request_subjects: list[str]) -> tuple[int, int]:
        """Messages to them: never sent (pending or held ones cancelled), all emptied and
        addressed to a tombstone. Messages to others that name them (or carry a request of
        theirs): a pending one is deleted, so its job composes it afresh without them; the
        rest are emptied. (cancelled, emptied)."""
        cancelled = scrubbed = 0
        tombstone = tombstone_recipient(person.id)
        addresses = [k for k in (person.slack_user_id, person.email) if k]  # DMs and emails
        if addresses:
            to_them = OutboxMessage.recipient.in_(addresses) & (
                OutboxMessage.program_id == person.program_id
            )
            cancelled = _rows(
                session.execute(
                    update(OutboxMessage)
                    .where(to_them, OutboxMessage.status.in_((PENDING, REVIEW)))
                    .values(status=CANCELLED, payload=ERASED_PAYLOAD, recipient=tombstone)
                    .execution_options(synchronize_session=False)
                )
            )
            scrubbed = _rows(
                session.execute(
                    update(OutboxMessage)
                    .where(to_them)
                    .values(payload=ERASED_PAYLOAD, recipient=tombstone)
                    .execution_options(synchronize_session=False)
                )
            )
        needles = [
            n
            for n in {person.name, html.escape(person.name, quote=False), person.email}
            | ({f"<@{person.slack_user_id}>"} if person.slack_user_id else set())
            if n
        ]
        to_delete: list[int] = []
        to_cancel: list[int] = []
        to_empty: list[int] = []
        for row in session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.status,
                OutboxMessage.rule,
                OutboxMessage.subject,
                OutboxMessage.payload,
            )
            .where(
                OutboxMessage.recipient != tombstone,
                OutboxMessage.program_id == person.program_id,
            )
            .execution_options(yield_per=SCAN_BATCH)
        ):
            request = row.rule in REQUEST_RULES and row.subject in request_subjects
            text = json.dumps(row.payload, ensure_ascii=False)
            if not (request or any(needle in text for needle in needles)):
                continue
            if row.status == PENDING and not request:
                to_delete.append(row.id)
            elif row.status in (PENDING, REVIEW):
                to_cancel.append(row.id)
            else:
                to_empty.append(row.id)
        if to_delete:
            cancelled += _rows(
                session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(to_delete)))
            )
        for ids, values in (
            (to_cancel, {"status": CANCELLED, "payload": ERASED_PAYLOAD}),
            (to_empty, {"payload": ERASED_PAYLOAD}),
        ):
            if ids:
                changed = _rows(
                    session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id.in_(ids))
                        .values(**values)
                        .execution_options(synchronize_session=False)
                    )
                )
                if values.get("status") == CANCELLED:
                    cancelled += changed
                else:
                    scrubbed += changed
        return cancelled, scrubbed

    @staticmethod
    def _tombstone(session: Session, program: ProgramInfo, person: Person, now: datetime) -> None:
        """Name and email become a tombstone; what identifies them goes; they stop taking part.
        `updated_at` moves past every other person's, so the scheduler's kept snapshot (keyed
        by the latest `updated_at`: bot/services/snapshot.py) is read afresh."""
        latest = session.scalar(
            select(func.max(Person.updated_at)).where(Person.program_id == program.id)
        )
        person.name = tombstone_name(person.id)
        person.email = tombstone_email(person.id)
        person.slack_user_id = None
        person.subject = person.grade = person.license = person.exit_reason = None
        person.active = False
        person.forgotten_at = now
        person.updated_at = max(now, latest + timedelta(microseconds=1)) if latest else now

    # ---- retention of notes ----------------------------------------------------------------

    def erase_old_notes(self, program: ProgramInfo, now: datetime) -> NotesErased | None:
        """Under `notes_retention_years`, erase the notes of log entries and activities dated
        before the cutoff, in bulk (the same statements for ten entries or a million), and
        audit how many; None when the policy keeps notes."""
        years = program.policy.notes_retention_years
        if years is None:
            return None
        before = retention_cutoff(program.today(now), years)
        with self.store.write() as session:
            log_notes = _rows(
                session.execute(
                    update(LogEntry)
                    .where(
                        LogEntry.program_id == program.id,
                        LogEntry.occurred_on < before,
                        LogEntry.notes.is_not(None),
                    )
                    .values(notes=None, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
            )
            activity_notes = _rows(
                session.execute(
                    update(Activity)
                    .where(
                        Activity.program_id == program.id,
                        Activity.occurred_on < before,
                        Activity.notes.is_not(None),
                    )
                    .values(notes=None)
                    .execution_options(synchronize_session=False)
                )
            )
            if log_notes or activity_notes:
                session.add(
                    Erasure(
                        program_id=program.id,
                        kind="notes_retention",
                        before=before,
                        ran_by=SWEEP,
                        at=now,
                        counts={"log_notes": log_notes, "activity_notes": activity_notes},
                    )
                )
        if log_notes or activity_notes:
            log.info(
                "notes retention: %d log notes and %d activity notes dated before %s erased",
                log_notes,
                activity_notes,
                before.isoformat(),
            )
        return NotesErased(before, log_notes, activity_notes)
