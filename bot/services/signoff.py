"""Sign-off before pay: the other side of a pair confirms or flags an entry; a sign-off role
signs a period off for a school or the program after seeing what is unconfirmed or flagged;
a signed-off period locks its entries until a coordinator reopens it, with a reason.

`check_open` is the one place the log's writes (log, Undo, Edit, group sessions, reviews) ask
whether a day is locked. A lock covers entries by the school kept on each entry when it was
logged, so a roster move afterwards changes nothing that was signed.

The database holds the invariants: one sign-off in force per (period, scope) is a unique key,
and a sign-off and the log writes of its program are ordered by `bot/store/locks.py`, so an
entry is either in the sign-off's count or refused."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot.domain.ledger import VISIT, Entry
from bot.domain.members import Member
from bot.domain.notices import Nudge, ReviewRequest, ToReview
from bot.domain.once import Once
from bot.domain.signoff import (
    MAX_REASON,
    REOPEN_EXAMPLE,
    FlaggedEntry,
    Lock,
    Period,
    Review,
    SignOffPreview,
    already_signed,
    lock_covering,
    locked_message,
    split_school,
)
from bot.services.errors import NotAllowed, Refusal
from bot.services.once import take as take_once
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store, is_unique_violation
from bot.store.locks import lock_for_log_write, lock_for_sign_off
from bot.store.models.core import EntryReview, LogEntry, Person, SignedPeriod

MAX_FLAGGED_SHOWN = 10
MAX_REVIEWS = 5  # entries with Confirm / Flag in one DM
REVIEW_DAYS = 14  # entries older than this are not asked about


class SignOffService:
    """Reviews, sign-offs, reopenings and the locks they make."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    # ---- signing off -----------------------------------------------------------------------

    def preview(
        self, slack_user_id: str, period: Period, rest: str, now: datetime
    ) -> SignOffPreview:
        """What signing `period` off for the school `rest` names (or the program) would lock;
        refused for someone who may not sign, a period not ended, or one signed already."""
        program = self.programs.current(now)
        with self.store.read() as session:
            actor = self.people.caller(session, program, slack_user_id)
            school, _ = self._school(session, program, rest)
            self._may_sign(actor, program, period, school, now, session)
            return _preview(session, program, period, school)

    def sign(
        self, slack_user_id: str, period: Period, school: str | None, now: datetime
    ) -> SignOffPreview:
        """Sign a period off (the checks of `preview` again, inside the write). The school is
        the button's, checked against the roster and the signer's own; a second sign-off of
        the same period and scope (a double press) is refused by the unique key."""
        program = self.programs.current(now)
        try:
            with self.store.write() as session:
                lock_for_sign_off(session, program.id)
                actor = self.people.caller(session, program, slack_user_id)
                school = self._named(session, program, school)
                self._may_sign(actor, program, period, school, now, session)
                preview = _preview(session, program, period, school)
                session.add(
                    SignedPeriod(
                        program_id=program.id,
                        first_day=period.first,
                        last_day=period.last,
                        school=school,
                        scope=school or "",
                        signed_by_id=actor.id,
                        signed_at=now,
                    )
                )
                session.flush()
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            with self.store.read() as session:
                row = _active(session, program, period, school)
                if row is None:
                    raise
                raise Refusal(already_signed(_lock(session, program, row))) from None
        return preview

    def reopen(
        self, slack_user_id: str, period: Period, rest: str, now: datetime
    ) -> tuple[Lock, str]:
        """Reopen a signed-off period (coordinators, with a reason); the lock and the reason."""
        program = self.programs.current(now)
        with self.store.write() as session:
            actor = self.people.caller(session, program, slack_user_id)
            if not actor.is_coordinator:
                raise NotAllowed("Only a coordinator can reopen a signed-off period.")
            school, reason = self._school(session, program, rest)
            if not reason:
                raise Refusal(
                    "Say why it is reopened: the reason is kept with the period.",
                    example=REOPEN_EXAMPLE,
                )
            if len(reason) > MAX_REASON:
                raise Refusal(f"Keep the reason under {MAX_REASON} characters.")
            row = _active(session, program, period, school)
            if row is None:
                raise Refusal(
                    f"{period.label} is not signed off for {school or 'the whole program'}: "
                    "there is nothing to reopen."
                )
            row.reopened_by_id = actor.id
            row.reopened_at = now
            row.reopen_reason = reason
            lock = _lock(session, program, row)
        return lock, reason

    def _school(self, session: Session, program: ProgramInfo, rest: str) -> tuple[str | None, str]:
        return split_school(rest, _schools(session, program))

    @staticmethod
    def _named(session: Session, program: ProgramInfo, school: str | None) -> str | None:
        """A button's school as the roster spells it; None (the program) for a blank one. A
        school the roster doesn't hold is refused: a lock nobody could name to reopen."""
        wanted = (school or "").strip().casefold()
        if not wanted:
            return None
        for name in _schools(session, program):
            if name.casefold() == wanted:
                return name
        raise Refusal("That button names a school no longer on the roster: nothing was signed.")

    @staticmethod
    def _may_sign(
        actor: Member,
        program: ProgramInfo,
        period: Period,
        school: str | None,
        now: datetime,
        session: Session,
    ) -> None:
        roles = program.policy.sign_off_roles
        if not actor.has(*roles):
            raise NotAllowed(
                f"Signing off is for {', '.join(r.replace('_', ' ') + 's' for r in roles)}."
            )
        if not actor.is_coordinator and school is None and actor.school:
            raise NotAllowed(f"You can sign off {actor.school} only; name it after the period.")
        if not actor.is_coordinator and school and actor.school and school != actor.school:
            raise NotAllowed(f"You can sign off {actor.school} only, not {school}.")
        today = program.today(now)
        if period.last >= today:
            raise Refusal(
                f"{period.label} has not ended yet (it runs to {period.last}): sign it off "
                "once it is over."
            )
        row = _active(session, program, period, school)
        if row is not None:
            raise Refusal(already_signed(_lock(session, program, row)))

    # ---- reviews ---------------------------------------------------------------------------

    def review(
        self,
        slack_user_id: str,
        entry_id: int,
        verdict: str,
        reason: str | None,
        now: datetime,
        once: Once | None = None,
    ) -> Review:
        """Confirm an entry, or flag it with a reason — only the other side of the pair (the
        mentee for the mentor's entries, the mentor for the mentee's; either when a coordinator
        logged it)."""
        program = self.programs.current(now)
        reason = (reason or "").strip() or None
        if verdict == "flagged" and not reason:
            raise Refusal("Say what is wrong with the entry: the author sees your reason.")
        if reason and len(reason) > MAX_REASON:
            raise Refusal(f"Keep the reason under {MAX_REASON} characters.")
        with self.store.write() as session:
            take_once(session, once, now)  # the flag form delivered twice: one review, one DM
            actor = self.people.caller(session, program, slack_user_id)
            entry = session.get(LogEntry, entry_id, with_for_update=True)
            if entry is None or entry.deleted_at is not None or entry.program_id != program.id:
                raise Refusal("That entry no longer exists (it may have been undone).")
            if actor.id not in _reviewers(entry):
                raise NotAllowed(
                    "Only the other side of the pair can confirm or flag an entry, and this one "
                    "isn't yours to review."
                )
            self.check_open(session, program, [(entry.school, entry.occurred_on)], "reviewed")
            row = session.get(EntryReview, entry.id)
            if row is None:
                row = EntryReview(log_entry_id=entry.id)
                session.add(row)
            row.verdict, row.reason = verdict, reason
            row.reviewed_by_id, row.reviewed_at = actor.id, now
            author = self.people.members(session, program, [entry.logged_by_id])[0]
            return Review(
                entry.id, verdict, reason, author, actor, entry.occurred_on, entry.minutes
            )

    def review_requests(self, now: datetime) -> list[Nudge]:
        """When the policy asks for confirmation: one DM a day per person with the entries the
        other side of their pairs logged in the last REVIEW_DAYS days and nobody reviewed."""
        program = self.programs.current(now)
        policy = program.policy
        if not (policy.ask_confirmation or policy.confirmation_required_for_pay):
            return []
        today = program.today(now)
        with self.store.read() as session:
            rows = session.execute(
                select(
                    LogEntry.id,
                    LogEntry.mentor_id,
                    LogEntry.mentee_id,
                    LogEntry.logged_by_id,
                    LogEntry.occurred_on,
                    LogEntry.minutes,
                    LogEntry.kind,
                )
                .outerjoin(EntryReview, EntryReview.log_entry_id == LogEntry.id)
                .where(
                    LogEntry.program_id == program.id,
                    LogEntry.deleted_at.is_(None),
                    LogEntry.kind != VISIT,
                    LogEntry.occurred_on >= today - timedelta(days=REVIEW_DAYS),
                    EntryReview.log_entry_id.is_(None),
                )
                .order_by(LogEntry.occurred_on, LogEntry.id)
            ).all()
            ids = {i for r in rows for i in (r.mentor_id, r.mentee_id, r.logged_by_id)}
            people = {m.id: m for m in self.people.members(session, program, ids)}
        waiting: dict[int, list[ToReview]] = {}
        for row in rows:
            reviewer = row.mentee_id if row.logged_by_id == row.mentor_id else row.mentor_id
            if row.logged_by_id not in (row.mentor_id, row.mentee_id) or reviewer not in people:
                continue
            author = people.get(row.logged_by_id)
            if author is None:
                continue
            waiting.setdefault(reviewer, []).append(
                ToReview(row.id, author, row.occurred_on, row.minutes, row.kind)
            )
        return [
            Nudge(
                "entry-review",
                people[reviewer].slack_user_id or "",
                "entries",
                today.isoformat(),
                ReviewRequest(
                    people[reviewer], tuple(items[:MAX_REVIEWS]), max(0, len(items) - MAX_REVIEWS)
                ),
            )
            for reviewer, items in sorted(waiting.items())
            if people[reviewer].slack_user_id
        ]

    # ---- locks -----------------------------------------------------------------------------

    def check_open(
        self,
        session: Session,
        program: ProgramInfo,
        items: Iterable[tuple[str | None, date]],
        action: str,
    ) -> None:
        """Refuse (naming the period and who can reopen it) when any (school, day) is locked."""
        check_open(session, program, items, action)

    def locks(self, now: datetime) -> list[Lock]:
        """The locks in force."""
        program = self.programs.current(now)
        with self.store.read() as session:
            return active_locks(session, program)


# How many signed-off periods in force cover a day, as a scalar subquery bound by `program_id`
# and `day` (a write asks `check_open` only when one does).
SIGNED_PERIODS_ON = (
    select(func.count(SignedPeriod.id))
    .where(
        SignedPeriod.program_id == bindparam("program_id"),
        SignedPeriod.reopened_at.is_(None),
        SignedPeriod.first_day <= bindparam("day"),
        SignedPeriod.last_day >= bindparam("day"),
    )
    .scalar_subquery()
)


def check_open(
    session: Session,
    program: ProgramInfo,
    items: Iterable[tuple[str | None, date]],
    action: str,
    *,
    mentees: Iterable[int] = (),
) -> None:
    """Refuse when an entry of a school (the one kept on the entry) on a day falls in a
    signed-off period — or, for `mentees` logging anew, when the mentee's entries of that
    period were signed off under their school then (a roster move reopens nothing). Takes the
    log writers' lock first (`bot/store/locks.py`): a sign-off in progress is waited for."""
    lock_for_log_write(session, program.id)
    wanted = list(items)
    if not wanted:
        return
    days = [day for _, day in wanted]
    locks = active_locks(session, program, min(days), max(days))
    if not locks:
        return
    for school, day in wanted:
        lock = lock_covering(locks, day, school)
        if lock is not None:
            raise Refusal(locked_message(lock, day, action))
    mentee_ids = set(mentees)
    if mentee_ids:
        _check_signed_mentees(session, locks, mentee_ids, days, action)


def _check_signed_mentees(
    session: Session, locks: list[Lock], mentee_ids: set[int], days: list[date], action: str
) -> None:
    """Refuse a day inside a lock that counted these mentees' entries under their school then."""
    covering = [lock for lock in locks if any(_inside(lock, d) for d in days)]
    if not covering:
        return
    signed = session.execute(
        select(LogEntry.school, LogEntry.occurred_on).where(
            LogEntry.mentee_id.in_(mentee_ids),
            LogEntry.deleted_at.is_(None),
            LogEntry.occurred_on.between(
                min(lock.period.first for lock in covering),
                max(lock.period.last for lock in covering),
            ),
        )
    ).all()
    for lock in covering:
        counted = any(lock_covering([lock], on, school) is not None for school, on in signed)
        day = next((d for d in days if _inside(lock, d)), None)
        if counted and day is not None:
            raise Refusal(locked_message(lock, day, action))


def _inside(lock: Lock, day: date) -> bool:
    return lock.period.first <= day <= lock.period.last


def _schools(session: Session, program: ProgramInfo) -> list[str]:
    """The schools on the roster."""
    return [
        s
        for (s,) in session.execute(
            select(Person.school)
            .where(Person.program_id == program.id, Person.school.is_not(None))
            .distinct()
        )
        if s
    ]


def _reviewers(entry: LogEntry) -> set[int]:
    if entry.logged_by_id == entry.mentor_id:
        return {entry.mentee_id}
    if entry.logged_by_id == entry.mentee_id:
        return {entry.mentor_id}
    return {entry.mentor_id, entry.mentee_id}


def _active(
    session: Session, program: ProgramInfo, period: Period, school: str | None
) -> SignedPeriod | None:
    return session.scalars(
        select(SignedPeriod).where(
            SignedPeriod.program_id == program.id,
            SignedPeriod.first_day == period.first,
            SignedPeriod.last_day == period.last,
            SignedPeriod.scope == (school or ""),
            SignedPeriod.reopened_at.is_(None),
        )
    ).first()


def active_locks(
    session: Session, program: ProgramInfo, first: date | None = None, last: date | None = None
) -> list[Lock]:
    signer = aliased(Person)
    statement = (
        select(SignedPeriod, signer.name)
        .join(signer, signer.id == SignedPeriod.signed_by_id)
        .where(SignedPeriod.program_id == program.id, SignedPeriod.reopened_at.is_(None))
    )
    if first is not None and last is not None:
        statement = statement.where(SignedPeriod.first_day <= last, SignedPeriod.last_day >= first)
    return [
        Lock(
            row.id,
            Period(row.first_day, row.last_day),
            row.school,
            name,
            program.today(row.signed_at),
        )
        for row, name in session.execute(statement.order_by(SignedPeriod.first_day))
    ]


def _lock(session: Session, program: ProgramInfo, row: SignedPeriod) -> Lock:
    signer = session.get(Person, row.signed_by_id)
    return Lock(
        row.id,
        Period(row.first_day, row.last_day),
        row.school,
        signer.name if signer else "someone",
        program.today(row.signed_at),
    )


def _preview(
    session: Session, program: ProgramInfo, period: Period, school: str | None
) -> SignOffPreview:
    mentee, mentor = aliased(Person), aliased(Person)
    in_scope = [
        LogEntry.program_id == program.id,
        LogEntry.deleted_at.is_(None),
        LogEntry.occurred_on.between(period.first, period.last),
    ]
    if school is not None:
        in_scope.append(func.lower(LogEntry.school) == school.lower())
    counts: dict[str | None, int] = {
        verdict: int(n)
        for verdict, n in session.execute(
            select(EntryReview.verdict, func.count())
            .select_from(LogEntry)
            .join(mentee, mentee.id == LogEntry.mentee_id)
            .outerjoin(EntryReview, EntryReview.log_entry_id == LogEntry.id)
            .where(*in_scope)
            .group_by(EntryReview.verdict)
        )
    }
    flagged = session.execute(
        select(mentor.name, mentee.name, LogEntry.occurred_on, LogEntry.minutes)
        .select_from(LogEntry)
        .join(mentee, mentee.id == LogEntry.mentee_id)
        .join(mentor, mentor.id == LogEntry.mentor_id)
        .join(EntryReview, EntryReview.log_entry_id == LogEntry.id)
        .where(*in_scope, EntryReview.verdict == "flagged")
        .order_by(LogEntry.occurred_on, LogEntry.id)
        .limit(MAX_FLAGGED_SHOWN)
    ).all()
    return SignOffPreview(
        period,
        school,
        entries=sum(counts.values()),
        confirmed=int(counts.get("confirmed", 0)),
        flagged=tuple(FlaggedEntry(*row) for row in flagged),
        flagged_count=int(counts.get("flagged", 0)),
    )


class Counted:
    """Which entries of a pay period count when pay waits for sign-off (and confirmation), and
    how many were left out, by reason and school."""

    def __init__(
        self,
        session: Session,
        program: ProgramInfo,
        first: date,
        last: date,
        signed_only: bool,
        confirmed_only: bool,
    ) -> None:
        self.signed_only, self.confirmed_only = signed_only, confirmed_only
        self.locks = active_locks(session, program, first, last)
        # Each entry's own school (kept when logged): the locks counted entries by it.
        self.schools: dict[int, str | None] = dict(
            session.execute(
                select(LogEntry.id, LogEntry.school).where(
                    LogEntry.program_id == program.id, LogEntry.occurred_on.between(first, last)
                )
            ).all()
        )
        self.confirmed: set[int] = set(
            session.scalars(
                select(EntryReview.log_entry_id)
                .join(LogEntry, LogEntry.id == EntryReview.log_entry_id)
                .where(
                    LogEntry.program_id == program.id,
                    LogEntry.occurred_on.between(first, last),
                    EntryReview.verdict == "confirmed",
                )
            )
        )
        self.unsigned: dict[str, int] = {}
        self.unconfirmed = 0

    def keep(self, entry: Entry) -> bool:
        """True when the entry counts toward pay."""
        if entry.kind == VISIT:
            return False
        school = self.schools.get(entry.id)
        if self.signed_only and lock_covering(self.locks, entry.day, school) is None:
            key = school or "no school"
            self.unsigned[key] = self.unsigned.get(key, 0) + 1
            return False
        if self.confirmed_only and entry.id not in self.confirmed:
            self.unconfirmed += 1
            return False
        return True

    def notes(self) -> list[str]:
        """What was left out, for the export's notes (call after counting)."""
        found = []
        if self.unsigned:
            by_school = ", ".join(f"{school} {n}" for school, n in sorted(self.unsigned.items()))
            found.append(
                f"Not signed off yet, not paid: {sum(self.unsigned.values())} entries "
                f"({by_school}). Sign them off with `/induction signoff MONTH SCHOOL`."
            )
        if self.unconfirmed:
            found.append(
                f"Not confirmed by the other side of the pair, not paid: {self.unconfirmed} "
                "entries (the policy requires confirmation for pay)."
            )
        return found
