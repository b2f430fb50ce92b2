"""Hold-harmless reassignment requests: a mentor or mentee asks for a change of their pairing
(and may withdraw it); coordinators list them, reassign or decline. Every step is audited;
every read is checked against who is reading: only coordinators ever see a request or its
reason.

Messages go out through the outbox in the same transaction as the change they report, rendered
by the caller's `render` (the Slack layer), so this service never builds Block Kit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.formatting import format_day_long
from bot.domain.members import Member
from bot.domain.reassignment import (
    END_REASON,
    NOTE_MAX,
    ChangeRequest,
    CoordinatorAlert,
    PairOption,
    ReassignChoice,
    RequestAnswer,
    RequesterNotice,
    RequestForm,
    RequestNotice,
    Status,
    clean_text,
    reason_problem,
)
from bot.services.assignments import AssignmentService
from bot.services.errors import NotAllowed, Refusal
from bot.services.nudges import NudgeService
from bot.services.outbox import Outbox
from bot.services.pair_entries import count_after
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models.core import Assignment
from bot.store.models.requests import ReassignmentAudit, ReassignmentRequest

Renderer = Callable[[RequestNotice], dict[str, Any]]
ASK_RULE = "change-request"  # outbox rule of the coordinators' DM
ANSWER_RULE = "change-request-answer"  # outbox rule of the requester's DM
OPEN_LISTED = 50  # open requests listed for a coordinator, oldest first
CHANGE_EXAMPLE = "/induction change @person our schedules never line up"
NO_PAIR = (
    "You have no active mentoring pair, so there is nothing to ask a change of. If you expected "
    "one, ask your induction coordinator."
)
COORDINATORS_ONLY = (
    "Only induction coordinators answer requests for a change of pairing; nothing was changed."
)


class RequestService:
    """Reassignment requests: asked by either side of a pair, answered by coordinators."""

    def __init__(
        self,
        store: Store,
        programs: ProgramService,
        people: PeopleService,
        assignments: AssignmentService,
        nudges: NudgeService,
        outbox: Outbox,
    ) -> None:
        self.store = store
        self.programs = programs
        self.people = people
        self.assignments = assignments
        self.nudges = nudges
        self.outbox = outbox

    # ---- asking ------------------------------------------------------------------------------
    def roles_of(self, slack_user_id: str) -> frozenset[str]:
        """The caller's roles this school year (none for someone not on the roster)."""
        program = self.programs.current()
        with self.store.read() as session:
            member = self.people.find(session, program, slack_user_id)
        return member.roles if member is not None and member.active else frozenset()

    def form(
        self, slack_user_id: str, now: datetime, assignment_id: int | None = None
    ) -> RequestForm:
        """What the request form offers the caller: their active pairs (refused without one)."""
        program = self.programs.current(now)
        with self.store.read() as session:
            asker = self.people.caller(session, program, slack_user_id)
            pairs = self._pairs_of(session, program, asker, program.today(now))
        if not pairs:
            raise Refusal(NO_PAIR)
        if assignment_id is not None and all(p.assignment_id != assignment_id for p in pairs):
            raise Refusal(
                "That pairing isn't one of your active pairs any more (it may have ended). "
                + _pairs_text(asker, pairs),
                example=CHANGE_EXAMPLE,
            )
        return RequestForm(asker, tuple(pairs), assignment_id)

    def ask(
        self,
        slack_user_id: str,
        now: datetime,
        render: Renderer,
        *,
        assignment_id: int | None = None,
        other_ref: str | None = None,
        reason: str | None = None,
    ) -> ChangeRequest:
        """File a request for a change of one of the caller's pairs (named by assignment, by
        the other person, or the only one) and tell every coordinator; nothing is stored when
        it is refused."""
        program = self.programs.current(now)
        today = program.today(now)
        reason = clean_text(reason)
        problem = reason_problem(reason)
        if problem:
            raise Refusal(f"{problem} Nothing was sent.", example=CHANGE_EXAMPLE)
        try:
            with self.store.write() as session:
                asker = self.people.caller(session, program, slack_user_id)
                pairs = self._pairs_of(session, program, asker, today)
                pair = self._choose(session, program, asker, pairs, assignment_id, other_ref)
                self._refuse_second(session, program, asker, pair)
                row = ReassignmentRequest(
                    program_id=program.id,
                    assignment_id=pair.assignment_id,
                    requester_id=asker.id,
                    reason=reason,
                    status="open",
                    created_at=now,
                )
                session.add(row)
                session.flush()
                _audit(session, row.id, asker.id, "asked", now, assignment_id=pair.assignment_id)
                request = ChangeRequest(row.id, asker, pair, reason, now, today, "open", today)
                coordinators = self.people.role_holders(session, program, "coordinator")
                notes = [
                    note
                    for c in coordinators
                    if c.id != asker.id
                    for note in self.outbox.route(
                        c,
                        c.slack_user_id or "",
                        (ASK_RULE, f"request-{row.id}", "asked"),
                        [(f"request-{row.id}", render(CoordinatorAlert(c, request)))],
                        CoordinatorAlert(c, request),
                        program.name,
                    )
                ]
                self.outbox.claim_all(session, notes, now)
        except IntegrityError:  # the same request, filed at the same moment by a second click
            raise Refusal(
                "You already have an open request for a change of this pairing; a coordinator "
                "will answer it. Nothing new was sent."
            ) from None
        return request

    def withdraw(self, slack_user_id: str, request_id: int, now: datetime) -> ChangeRequest:
        """The requester withdraws their open request (nobody else may); audited, and the
        coordinators' buttons then say so."""
        program = self.programs.current(now)
        today = program.today(now)
        with self.store.write() as session:
            asker = self.people.caller(session, program, slack_user_id)
            request = self._request(session, program, request_id, today)
            if request.requester.id != asker.id:
                raise NotAllowed("Only the person who asked can withdraw a request.")
            self._take_open(session, program, request_id, "withdrawn", asker, now)
            _audit(
                session, request_id, asker.id, "withdrawn", now,
                assignment_id=request.pair.assignment_id,
            )  # fmt: skip
            return self._request(session, program, request_id, today)

    def _choose(
        self,
        session: Session,
        program: ProgramInfo,
        asker: Member,
        pairs: list[PairOption],
        assignment_id: int | None,
        other_ref: str | None,
    ) -> PairOption:
        """The pair a request is about; refused when none or several could be meant."""
        if not pairs:
            raise Refusal(NO_PAIR)
        if assignment_id is not None:
            found = [p for p in pairs if p.assignment_id == assignment_id]
            if not found:
                raise Refusal(
                    "That pairing isn't one of your active pairs any more (it may have ended). "
                    + _pairs_text(asker, pairs),
                    example=CHANGE_EXAMPLE,
                )
            return found[0]
        if other_ref is not None:
            other = self.people.find(session, program, other_ref)
            found = [p for p in pairs if other and p.other_than(asker.id).id == other.id]
            if not found:
                who = other.name if other else "The person you named"
                raise Refusal(
                    f"{who} isn't in an active mentoring pair with you. "
                    + _pairs_text(asker, pairs),
                    example=_example_with(asker, pairs),
                )
            return found[0]
        if len(pairs) > 1:
            raise Refusal(
                f"You have {len(pairs)} active pairs, so name the person the request is about. "
                + _pairs_text(asker, pairs),
                example=_example_with(asker, pairs),
            )
        return pairs[0]

    @staticmethod
    def _refuse_second(
        session: Session, program: ProgramInfo, asker: Member, pair: PairOption
    ) -> None:
        """Refuse a second open request by the same person for the same pair."""
        asked = session.scalar(
            select(ReassignmentRequest.created_at).where(
                ReassignmentRequest.requester_id == asker.id,
                ReassignmentRequest.assignment_id == pair.assignment_id,
                ReassignmentRequest.status == "open",
            )
        )
        if asked is not None:
            raise Refusal(
                f"You already asked for a change of your pairing with "
                f"{pair.other_than(asker.id).name} on {format_day_long(program.today(asked))}; a "
                "coordinator will answer it, and you'll get a message when they do. "
                "Nothing new was sent."
            )

    def _pairs_of(
        self, session: Session, program: ProgramInfo, person: Member, today: date
    ) -> list[PairOption]:
        """The person's active pairs today, as mentor or mentee, oldest first."""
        rows = session.execute(
            select(Assignment.id, Assignment.mentor_id, Assignment.mentee_id, Assignment.started_on)
            .where(
                Assignment.program_id == program.id,
                (Assignment.mentor_id == person.id) | (Assignment.mentee_id == person.id),
                Assignment.started_on <= today,
                Assignment.ended_on.is_(None),
            )
            .order_by(Assignment.started_on, Assignment.id)
        ).all()
        ids = {r.mentor_id for r in rows} | {r.mentee_id for r in rows}
        members = {m.id: m for m in self.people.members(session, program, ids)}
        return [
            PairOption(r.id, members[r.mentor_id], members[r.mentee_id], r.started_on) for r in rows
        ]

    # ---- coordinators ------------------------------------------------------------------------
    def open_for(self, viewer_slack_id: str, now: datetime) -> tuple[ChangeRequest, ...]:
        """The program's open requests, oldest first, for a coordinator (refused for anyone
        else: the other side of the pair, evaluators and lead mentors never see them)."""
        program = self.programs.current(now)
        with self.store.read() as session:
            self._coordinator(session, program, viewer_slack_id)
            rows = session.execute(
                _REQUESTS.where(
                    ReassignmentRequest.program_id == program.id,
                    ReassignmentRequest.status == "open",
                )
                .order_by(ReassignmentRequest.created_at, ReassignmentRequest.id)
                .limit(OPEN_LISTED)
            ).all()
            return tuple(self._requests(session, program, rows, program.today(now)))

    def reassign_choice(self, slack_user_id: str, request_id: int, now: datetime) -> ReassignChoice:
        """The Reassign form for an open request: mentors suggested for the pair's mentee by
        the overdue alert's rules, the current mentor left out (coordinators)."""
        program = self.programs.current(now)
        with self.store.read() as session:
            self._coordinator(session, program, slack_user_id)
            request = self._request(session, program, request_id, program.today(now))
            _refuse_answered(request)
            _refuse_ended(session, request)
            today = program.today(now)
            pair = request.pair
            logged = count_after(session, pair.mentor.id, pair.mentee.id, today - timedelta(days=1))
        offered, untrained = self.nudges.suggest_for(
            request.pair.mentee, now, exclude=frozenset({request.pair.mentor.id})
        )
        return ReassignChoice(request, tuple(offered), untrained, entries_today=logged)

    def answerable(self, slack_user_id: str, request_id: int, now: datetime) -> ChangeRequest:
        """An open request a coordinator may answer (for the Decline form)."""
        program = self.programs.current(now)
        with self.store.read() as session:
            self._coordinator(session, program, slack_user_id)
            request = self._request(session, program, request_id, program.today(now))
        _refuse_answered(request)
        return request

    def reassign(
        self,
        slack_user_id: str,
        request_id: int,
        mentor_id: int,
        now: datetime,
        render: Renderer,
        *,
        move_entries: bool = False,
    ) -> RequestAnswer:
        """Answer a request by reassigning: the pair ends ("reassigned on request"), the mentee
        gets `mentor_id` from today, the requester is told; all or nothing (coordinators).
        Entries the pair logged today are refused, or with `move_entries` moved to the new
        mentor (audited)."""
        program = self.programs.current(now)
        today = program.today(now)
        with self.store.write() as session:
            actor = self._coordinator(session, program, slack_user_id)
            self._take_open(session, program, request_id, "reassigned", actor, now)
            request = self._request(session, program, request_id, today)
            _refuse_ended(session, request)
            found = self.people.members(session, program, [mentor_id])
            if not found or not found[0].active:
                raise Refusal("That mentor is no longer on the roster; pick another.")
            mentor = found[0]
            result, new_id = self.assignments.assign_in(
                session, program, actor, mentor, request.pair.mentee, today, now,
                end_reason=END_REASON, move_entries=move_entries,
            )  # fmt: skip
            if new_id is None:
                raise Refusal(f"{mentor.name} already mentors {request.pair.mentee.name}.")
            session.execute(
                update(ReassignmentRequest)
                .where(ReassignmentRequest.id == request_id)
                .values(new_assignment_id=new_id)
            )
            _audit(
                session, request_id, actor.id, "reassigned", now,
                assignment_id=request.pair.assignment_id, new_assignment_id=new_id,
                new_mentor_id=mentor.id,
            )  # fmt: skip
            answer = RequestAnswer(
                request, "reassigned", actor, new_mentor=mentor, on=today, assignment=result
            )
            self._tell_requester(session, answer, now, render)
        return answer

    def decline(
        self, slack_user_id: str, request_id: int, note: str | None, now: datetime, render: Renderer
    ) -> RequestAnswer:
        """Answer a request by keeping the pair, with a note sent to the requester
        (coordinators)."""
        note = clean_text(note)
        if note is None:
            raise Refusal("Write a note for the person who asked: it is sent to them.")
        problem = reason_problem(note, NOTE_MAX, "note")
        if problem:
            raise Refusal(f"{problem} Nothing was sent.")
        program = self.programs.current(now)
        with self.store.write() as session:
            actor = self._coordinator(session, program, slack_user_id)
            self._take_open(session, program, request_id, "declined", actor, now, note=note)
            request = self._request(session, program, request_id, program.today(now))
            _audit(
                session, request_id, actor.id, "declined", now,
                assignment_id=request.pair.assignment_id,
            )  # fmt: skip
            answer = RequestAnswer(request, "declined", actor, note=note)
            self._tell_requester(session, answer, now, render)
        return answer

    def _tell_requester(
        self, session: Session, answer: RequestAnswer, now: datetime, render: Renderer
    ) -> None:
        requester = answer.request.requester
        subject = f"request-{answer.request.id}"
        notes = self.outbox.route(
            requester,
            requester.slack_user_id or "",
            (ANSWER_RULE, subject, answer.outcome),
            [(subject, render(RequesterNotice(answer)))],
            RequesterNotice(answer),
            self.programs.current(now).name,
        )
        self.outbox.claim_all(session, notes, now)

    def _take_open(
        self,
        session: Session,
        program: ProgramInfo,
        request_id: int,
        status: Status,
        actor: Member,
        now: datetime,
        *,
        note: str | None = None,
    ) -> None:
        """Close an open request (one statement, so of two coordinators answering at once one
        wins); refuse one already answered, saying how and by whom."""
        result = session.execute(
            update(ReassignmentRequest)
            .where(
                ReassignmentRequest.id == request_id,
                ReassignmentRequest.program_id == program.id,
                ReassignmentRequest.status == "open",
            )
            .values(status=status, answered_at=now, answered_by_id=actor.id, note=note)
        )
        if (result.rowcount or 0) == 1:  # type: ignore[attr-defined]
            return
        request = self._request(session, program, request_id, program.today(now))
        _refuse_answered(request)

    # ---- reading -----------------------------------------------------------------------------
    def _coordinator(self, session: Session, program: ProgramInfo, slack_user_id: str) -> Member:
        """The caller, who must be a coordinator now (not when a button was sent)."""
        actor = self.people.caller(session, program, slack_user_id)
        if not actor.is_coordinator:
            raise NotAllowed(COORDINATORS_ONLY)
        return actor

    def _request(
        self, session: Session, program: ProgramInfo, request_id: int, today: date
    ) -> ChangeRequest:
        rows = session.execute(
            _REQUESTS.where(
                ReassignmentRequest.id == request_id,
                ReassignmentRequest.program_id == program.id,
            )
        ).all()
        found = self._requests(session, program, rows, today)
        if not found:
            raise Refusal("That request is no longer there; nothing was changed.")
        return found[0]

    def _requests(
        self, session: Session, program: ProgramInfo, rows: Sequence[Any], today: date
    ) -> list[ChangeRequest]:
        ids = {r.requester_id for r in rows} | {r.mentor_id for r in rows}
        ids |= {r.mentee_id for r in rows} | {r.answered_by_id for r in rows if r.answered_by_id}
        members = {m.id: m for m in self.people.members(session, program, ids)}
        return [
            ChangeRequest(
                id=r.id,
                requester=members[r.requester_id],
                pair=PairOption(
                    r.assignment_id, members[r.mentor_id], members[r.mentee_id], r.started_on
                ),
                reason=r.reason,
                asked_at=r.created_at,
                asked_on=program.today(r.created_at),
                status=r.status,
                today=today,
                answered_by=members.get(r.answered_by_id) if r.answered_by_id else None,
                answered_on=program.today(r.answered_at) if r.answered_at else None,
            )
            for r in rows
        ]


_REQUESTS = select(
    ReassignmentRequest.id,
    ReassignmentRequest.assignment_id,
    ReassignmentRequest.requester_id,
    ReassignmentRequest.reason,
    ReassignmentRequest.status,
    ReassignmentRequest.created_at,
    ReassignmentRequest.answered_by_id,
    ReassignmentRequest.answered_at,
    Assignment.mentor_id,
    Assignment.mentee_id,
    Assignment.started_on,
).join(Assignment, Assignment.id == ReassignmentRequest.assignment_id)


def _audit(
    session: Session, request_id: int, actor_id: int, action: str, now: datetime, **detail: Any
) -> None:
    session.add(
        ReassignmentAudit(
            request_id=request_id, actor_id=actor_id, action=action, at=now, detail=detail
        )
    )


def _refuse_answered(request: ChangeRequest) -> None:
    """Refuse to answer a request that has been answered (or withdrawn), saying how and by
    whom."""
    if request.status == "open":
        return
    by = f" by {request.answered_by.name}" if request.answered_by else ""
    when = f" on {format_day_long(request.answered_on)}" if request.answered_on else ""
    if request.status == "withdrawn":
        raise Refusal(f"This request was withdrawn{by}{when}; nothing was changed.")
    raise Refusal(
        f"This request was already answered ({request.status}{by}{when}); nothing was changed."
    )


def _refuse_ended(session: Session, request: ChangeRequest) -> None:
    """Refuse to reassign a pair that has already ended (Decline closes the request)."""
    ended = session.scalar(
        select(Assignment.ended_on).where(Assignment.id == request.pair.assignment_id)
    )
    if ended is not None:
        raise Refusal(
            f"The pairing of {request.pair.mentor.name} and {request.pair.mentee.name} already "
            f"ended on {format_day_long(ended)}, so there is nothing to reassign. Decline the "
            "request with a note to close it."
        )


def _pairs_text(asker: Member, pairs: list[PairOption]) -> str:
    names = ", ".join(p.other_than(asker.id).name for p in pairs)
    return f"Your active pairs are with: {names}."


def _example_with(asker: Member, pairs: list[PairOption]) -> str:
    other = pairs[0].other_than(asker.id)
    return f"/induction change @{other.name.split()[0]} our schedules never line up"
