"""What the scheduled jobs read: the snapshot of people and pairs, loaded with one query per
table (no per-person loops) as plain records and kept between ticks while the store's
fingerprint of it holds; milestones done, recipients, people not reached."""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.domain.calendar import in_quiet_hours
from bot.domain.deadlines import (
    ASSIGNMENT_RULE,
    YEAR2_RULE,
    DueItem,
    Subject,
    is_send_day,
)
from bot.domain.ledger import Totals, in_induction_year, minutes_beyond_induction
from bot.domain.members import Member
from bot.domain.notices import (
    Unreached,
)
from bot.domain.reach import reach
from bot.services import ledger
from bot.services.ledger_watch import KeptLedgerReads, LedgerReads
from bot.services.people import MEMBER_COLUMNS, member_of_row
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models.core import Assignment, MilestoneDone, Person, PersonRole, SupportTeamMember

log = logging.getLogger(__name__)

ALERT_RULE = "overdue-assignment"
UNMARKABLE = frozenset({ASSIGNMENT_RULE, YEAR2_RULE})  # done by assigning / by logged hours
DIGEST_HORIZON_DAYS = 14
MAX_SUGGESTIONS = 3
SUGGESTED = 15  # alert rows that get suggested mentors (the alert shows these in full)
ADMINISTRATION_SUBJECTS = frozenset({"administration", "administrator", "administrators"})
MentorPool = tuple[list[Member], dict[int, int], set[int]]  # candidates, loads, trained


def mentors_administrators(mentor: Member) -> bool:
    """A mentor for administrators: one who evaluates (a principal), an administrator on the
    roster, or one flagged with the roster subject "Administration". They mentor
    administrators only: a teacher's mentor supports and must not evaluate."""
    return (
        mentor.has("evaluator")
        or (mentor.educator_type or "").endswith("_administrator")
        or (mentor.subject or "").strip().lower() in ADMINISTRATION_SUBJECTS
    )


Missed = dict[int, tuple[Member, list[str]]]  # person → (who, what they were not sent)


def note_missed(missed: Missed, person: Member, what: str) -> None:
    """Remember that `person` (no Slack id, and no email) was not sent `what`."""
    entry = missed.setdefault(person.id, (person, []))
    if what not in entry[1]:
        entry[1].append(what)


def unreached_of(missed: Missed) -> tuple[Unreached, ...]:
    """The people not reached, by name."""
    found = [Unreached(person, tuple(what)) for person, what in missed.values()]
    return tuple(sorted(found, key=lambda u: (u.person.name, u.person.id)))


def send_window_open(program: ProgramInfo, now: datetime) -> bool:
    """True on a send day outside quiet hours, in the program's timezone."""
    return is_send_day(program.calendar, program.today(now)) and not in_quiet_hours(
        now, program.tz, program.policy.quiet_hours
    )


def subjects_of(snapshot: ProgramSnapshot, program: ProgramInfo) -> list[Subject]:
    """Every mentee and mentor the rules may be about, and the program itself."""
    subjects: list[Subject] = []
    for member in snapshot.members.values():
        if "mentee" in member.roles and member.educator_type:
            subjects.append(Subject(member.id, member.name, member.educator_type, member.hire_date))
        if "mentor" in member.roles:
            subjects.append(Subject(member.id, member.name, is_mentor=True))
    subjects.append(Subject(None, program.name))
    return subjects


def is_year2(member: Member, program: ProgramInfo) -> bool:
    """Hired before this school year (beyond the induction year)."""
    return not in_induction_year(
        member.hire_date,
        program.config.school_year_start,
        induction=member.induction_school_year,
        start_month=program.year_start_month,
    )


def year2_minutes(member: Member, program: ProgramInfo, years: dict[date, Totals]) -> int:
    """Pair time toward the 50 hours: every program year after the induction year."""
    return minutes_beyond_induction(
        years, ledger.induction_of(member, program), program.year_start_month
    )


class NudgeReads:
    """What every scheduled job reads: the snapshot kept between ticks, what it derives, and
    who a rule's roles name."""

    def __init__(self, store: Store, programs: ProgramService) -> None:
        self.store = store
        self.programs = programs
        self._memo: tuple[datetime, ProgramSnapshot] | None = None
        self._sharing = False
        self._kept: tuple[tuple[object, ...], date, ProgramSnapshot] | None = None
        self._derived: tuple[ProgramSnapshot | None, dict[tuple[str, int], Any]] = (None, {})
        self.unreached: tuple[Unreached, ...] = ()  # whom the last job run could not reach
        self._kept_ledger = KeptLedgerReads()  # the tick's ledger reads, kept between ticks
        self._ledger_caught_up: datetime | None = None  # the tick that last caught it up

    def reaches(self, person: Member) -> bool:
        """True when a notification can reach `person`: on Slack, or by email."""
        return reach(person, self.programs.email_on).reachable

    # ---- shared ----------------------------------------------------------------------------
    @contextmanager
    def shared_reads(self) -> Iterator[None]:
        """Within this block (one tick), jobs at the same instant share one snapshot. The tick
        runs with the cycle collector paused (`collector_paused`)."""
        self._sharing, self._memo = True, None
        try:
            with collector_paused():
                yield
        finally:
            self._sharing, self._memo = False, None

    def forget_kept(self) -> None:
        """Drop what is kept between ticks: the next tick reads the snapshot and the ledger
        afresh, in bulk (as after a start)."""
        self._kept = None
        self._kept_ledger.forget()

    def _ledger(
        self, session: Session, program: ProgramInfo, now: datetime
    ) -> KeptLedgerReads | LedgerReads:
        """The ledger reads for a job at `now`: inside a tick (`shared_reads`), those kept
        between ticks, caught up once per tick with what changed since the last; elsewhere
        (Home, `jobs run`, other threads) straight from the store."""
        if not self._sharing:
            return LedgerReads()
        if self._ledger_caught_up != now:
            self._kept_ledger.refresh(session, program)
            self._ledger_caught_up = now
        return self._kept_ledger

    def _snapshot(self, program: ProgramInfo, now: datetime) -> ProgramSnapshot:
        """The program's people and pairs: read once per tick inside `shared_reads`, and kept
        from one tick to the next while the store's fingerprint of them and the day stay the
        same (a state's hundred thousand people are read again only when something changed)."""
        if self._memo is not None and self._memo[0] == now:
            return self._memo[1]
        today = program.today(now)
        with self.store.read() as session:
            version = snapshot_version(session, program)
            kept = self._kept
            if kept is not None and kept[0] == version and kept[1] == today:
                snapshot = kept[2]
            else:
                snapshot = load_snapshot(session, program, today)
                self._kept = (version, today, snapshot)
        if self._sharing:
            self._memo = (now, snapshot)
        return snapshot

    def _subjects(self, snapshot: ProgramSnapshot, program: ProgramInfo) -> list[Subject]:
        """`subjects_of` once per snapshot (the sweep and the digest both need them)."""
        derived = self._derived_of(snapshot)
        key = ("subjects", program.id)
        if key not in derived:
            derived[key] = subjects_of(snapshot, program)
        subjects: list[Subject] = derived[key]
        return subjects

    def _per_day(
        self,
        snapshot: ProgramSnapshot,
        program: ProgramInfo,
        name: str,
        today: date,
        work: Callable[[], Any],
    ) -> Any:
        """`work()` once per snapshot, program and day (a steady tick works out again only
        what its data changed): the rules' items of the day depend on nothing else."""
        derived = self._derived_of(snapshot)
        key = (name, today.toordinal())
        found = derived.get(key)
        if found is None or found[0] is not program:
            found = derived[key] = (program, work())
        return found[1]

    def _derived_of(self, snapshot: ProgramSnapshot) -> dict[tuple[str, int], Any]:
        """What is worked out from one snapshot, kept while that snapshot is the current one."""
        if self._derived[0] is not snapshot:
            self._derived = (snapshot, {})
        return self._derived[1]

    def _done(self, snapshot: ProgramSnapshot, program: ProgramInfo) -> set[tuple[int | None, str]]:
        """Milestones marked done, plus those done by data: assigned, or not in year 2+
        (worked out once per snapshot; callers get their own copy)."""
        derived = self._derived_of(snapshot)
        key = ("done", program.id)
        if key not in derived:
            derived[key] = self._count_done(snapshot, program)
        return set(derived[key])

    @staticmethod
    def _count_done(snapshot: ProgramSnapshot, program: ProgramInfo) -> set[tuple[int | None, str]]:
        done = set(snapshot.done)
        done |= {(mentee, ASSIGNMENT_RULE) for mentee in snapshot.mentor_of}
        for member in snapshot.members.values():
            if "mentee" not in member.roles:
                continue
            # the assignment window is the induction year's; the 50 hours come after it
            done.add((member.id, ASSIGNMENT_RULE if is_year2(member, program) else YEAR2_RULE))
        return done

    def _year2_progress(
        self,
        program: ProgramInfo,
        items: list[DueItem],
        snapshot: ProgramSnapshot,
        now: datetime,
    ) -> dict[int, int]:
        """Pair time toward the 50 hours of the teachers today's items are about (one query)."""
        ids = sorted({i.subject.id for i in items if i.rule.key == YEAR2_RULE and i.subject.id})
        if not ids:
            return {}
        with self.store.read() as session:
            years = self._ledger(session, program, now).mentee_years(session, program, ids)
        return {
            mentee: year2_minutes(snapshot.members[mentee], program, years.get(mentee, {}))
            for mentee in ids
            if mentee in snapshot.members
        }

    def _without_reached(
        self,
        program: ProgramInfo,
        items: list[DueItem],
        snapshot: ProgramSnapshot,
        now: datetime,
    ) -> tuple[list[DueItem], dict[int, int]]:
        """Items less those of teachers who already logged the 50 hours, and everyone's hours."""
        progress = self._year2_progress(program, items, snapshot, now)
        target = program.policy.year2_target_hours * 60
        kept = [
            i
            for i in items
            if not (
                i.rule.key == YEAR2_RULE
                and i.subject.id is not None
                and progress.get(i.subject.id, 0) >= target
            )
        ]
        return kept, progress

    def _recipients(
        self,
        item: DueItem,
        roles: tuple[str, ...],
        snapshot: ProgramSnapshot,
        missed: Missed | None = None,
    ) -> list[Member]:
        """The people a rule's roles name for this item's subject (those without a Slack id
        are noted in `missed`)."""
        people: dict[int, Member] = {}
        subject = snapshot.members.get(item.subject.id) if item.subject.id is not None else None
        for role in roles:
            if role == "coordinator":
                people.update({m.id: m for m in snapshot.holders("coordinator")})
            elif subject is None:
                continue
            elif role == "mentee" and not item.subject.is_mentor:
                people[subject.id] = subject
            elif role == "mentor":
                mentor_id = (
                    subject.id if item.subject.is_mentor else snapshot.mentor_of.get(subject.id)
                )
                if mentor_id is not None and mentor_id in snapshot.members:
                    people[mentor_id] = snapshot.members[mentor_id]
            elif role == "evaluator" and not item.subject.is_mentor:
                team = [
                    snapshot.members[m]
                    for m, r in snapshot.team.get(subject.id, [])
                    if r == "evaluator" and m in snapshot.members
                ]
                if not team:
                    team = [e for e in snapshot.holders("evaluator") if e.school == subject.school]
                people.update({m.id: m for m in team})
            elif role == "lead_mentor" and not item.subject.is_mentor:
                people.update(
                    {
                        m.id: m
                        for m in snapshot.holders("lead_mentor")
                        if m.school in (None, subject.school)
                    }
                )
        email_on = self.programs.email_on
        if missed is not None:
            for person in people.values():
                if not reach(person, email_on).reachable:
                    about = item.subject.name if item.subject.id not in (None, person.id) else ""
                    note_missed(
                        missed, person, item.rule.title + (f" for {about}" if about else "")
                    )
        return [p for p in people.values() if reach(p, email_on).reachable]

    @staticmethod
    def can_mark(recipient: Member, item: DueItem, snapshot: ProgramSnapshot) -> bool:
        """Coordinators, the person it is about, or their mentor may mark an item done."""
        if item.rule.key in UNMARKABLE:
            return False
        if recipient.is_coordinator:
            return True
        subject_id = item.subject.id
        return subject_id is not None and (
            recipient.id == subject_id or snapshot.mentor_of.get(subject_id) == recipient.id
        )


# ---- the snapshot: one query per table ------------------------------------------------------


@dataclass
class ProgramSnapshot:
    """Everyone, every active pair, what is done — read once for a job run."""

    members: dict[int, Member]
    mentor_of: dict[int, int]  # mentee id → mentor id (active assignment)
    started_on: dict[tuple[int, int], date]  # (mentor, mentee) → start
    done: set[tuple[int | None, str]]  # confirmed (a coordinator marked or confirmed it)
    team: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # mentee → (member, role)
    by_role: dict[str, list[Member]] = field(default_factory=dict)
    last_ended: dict[int, date] = field(default_factory=dict)  # mentee → latest assignment end
    # reported by the person or their mentor, awaiting confirmation: (person, milestone) →
    # (marked by, done on, marked at)
    reported: dict[tuple[int | None, str], tuple[int | None, date, datetime]] = field(
        default_factory=dict
    )

    def holders(self, role: str) -> list[Member]:
        """Active members holding a role."""
        return self.by_role.get(role, [])

    def mentees_of(self, mentor_id: int) -> list[int]:
        """Active mentees of a mentor."""
        return [mentee for mentee, mentor in self.mentor_of.items() if mentor == mentor_id]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for the block (unless something else already paused it).

    A cold tick builds about a hundred thousand members and what the rules derive from them;
    without the pause the collector walks that growing heap again and again, about 40 % of the
    tick's CPU (profiled on bench/scheduler's state-scale world). Nothing the tick builds is
    freed only by the collector: reference counting frees it, and the collector's next regular
    pass after the block sees whatever cycles remain."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def load_snapshot(session: Session, program: ProgramInfo, today: date) -> ProgramSnapshot:
    """Read people, roles, active assignments, milestones and support teams in five queries."""
    conn = session.connection()  # plain rows: a state has a hundred thousand people
    roles: dict[int, set[str]] = defaultdict(set)
    for person_id, role in conn.execute(
        select(PersonRole.person_id, PersonRole.role).where(
            PersonRole.school_year == program.school_year
        )
    ).all():
        roles[person_id].add(role)
    role_sets: dict[frozenset[str], frozenset[str]] = {}  # a few distinct sets, shared
    members: dict[int, Member] = {}
    by_role: dict[str, list[Member]] = defaultdict(list)
    no_roles: frozenset[str] = frozenset()
    for row in conn.execute(
        select(*MEMBER_COLUMNS).where(Person.program_id == program.id, Person.active.is_(True))
    ).all():
        held = roles.get(row[0])
        key = frozenset(held) if held else no_roles
        shared = role_sets.setdefault(key, key)
        member = member_of_row(tuple(row), shared)
        members[row[0]] = member
        for role in shared:
            by_role[role].append(member)
    mentor_of: dict[int, int] = {}
    started_on: dict[tuple[int, int], date] = {}
    for mentor_id, mentee_id, start in conn.execute(
        select(Assignment.mentor_id, Assignment.mentee_id, Assignment.started_on)
        .where(
            Assignment.program_id == program.id,
            Assignment.started_on <= today,  # one that begins later: not a mentor yet
            # a pair covers its last day; one reassigned from a later day goes on until then
            Assignment.ended_on.is_(None) | (Assignment.ended_on >= today),
        )
        .order_by(Assignment.started_on, Assignment.id)  # a same-day change wins
    ).all():
        if mentor_id in members and mentee_id in members:
            mentor_of[mentee_id] = mentor_id
            started_on[(mentor_id, mentee_id)] = start
    done: set[tuple[int | None, str]] = set()
    reported: dict[tuple[int | None, str], tuple[int | None, date, datetime]] = {}
    for subject_id, milestone, confirmed, marked_by, done_on, marked_at in conn.execute(
        select(
            MilestoneDone.person_id,
            MilestoneDone.milestone,
            MilestoneDone.confirmed,
            MilestoneDone.marked_by_id,
            MilestoneDone.done_on,
            MilestoneDone.created_at,
        ).where(MilestoneDone.school_year == program.school_year)
    ).all():
        if confirmed:
            done.add((subject_id, milestone))
        else:
            reported[(subject_id, milestone)] = (marked_by, done_on, marked_at)
    team: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for mentee_id, member_id, role in conn.execute(
        select(
            SupportTeamMember.mentee_id, SupportTeamMember.member_id, SupportTeamMember.role
        ).where(SupportTeamMember.removed_on.is_(None))
    ).all():
        team[mentee_id].append((member_id, role))
    last_ended: dict[int, date] = {
        mentee_id: ended
        for mentee_id, ended in conn.execute(
            select(Assignment.mentee_id, func.max(Assignment.ended_on))
            .where(Assignment.program_id == program.id, Assignment.ended_on.is_not(None))
            .group_by(Assignment.mentee_id)
        ).all()
        if ended is not None
    }
    return ProgramSnapshot(
        members,
        mentor_of,
        started_on,
        done,
        dict(team),
        dict(by_role),
        reported=reported,
        last_ended=last_ended,
    )


def snapshot_version(session: Session, program: ProgramInfo) -> tuple[object, ...]:
    """A fingerprint of everything `load_snapshot` reads (one statement): adding, changing or
    removing a person, a role, an assignment (or its end), a milestone or a team member
    changes it. Rows here are appended or ended, never edited in place, except people, whose
    `updated_at` moves with every change."""

    def one(*columns: Any) -> Any:
        return [select(column).scalar_subquery() for column in columns]

    people = select(func.count(), func.max(Person.updated_at)).where(
        Person.program_id == program.id
    )
    row = (
        session.connection()
        .execute(
            select(
                people.with_only_columns(func.count()).scalar_subquery(),
                people.with_only_columns(func.max(Person.updated_at)).scalar_subquery(),
                *one(func.count(PersonRole.id), func.max(PersonRole.id)),
                *one(
                    func.count(Assignment.id),
                    func.max(Assignment.id),
                    func.count(Assignment.ended_on),
                ),
                *one(
                    func.count(MilestoneDone.id),
                    func.max(MilestoneDone.id),
                    func.count(MilestoneDone.confirmed_at),  # a confirmation
                ),
                *one(
                    func.count(SupportTeamMember.id),
                    func.max(SupportTeamMember.id),
                    func.count(SupportTeamMember.removed_on),
                ),
            )
        )
        .one()
    )
    return (program.id, program.school_year, *row)


def pairs_active_between(
    session: Session,
    program: ProgramInfo,
    first: date,
    last: date,
    *,
    involving: int | None = None,
) -> list[tuple[int, int, date, date | None]]:
    """(mentor, mentee, start, end) of every assignment active on any day from first to last:
    begun by the last day and not ended before the first (ended or begun mid-way included);
    with `involving`, only those where that person is the mentor or the mentee."""
    params = {"program_id": program.id, "first": first, "last": last, "involving": involving}
    statement = _ACTIVE_INVOLVING if involving is not None else _ACTIVE
    return [
        (mentor, mentee, start, end)
        for mentor, mentee, start, end in session.connection().execute(statement, params)
    ]


_ACTIVE = (  # pairs_active_between's statement, built once (its values bound per call)
    select(Assignment.mentor_id, Assignment.mentee_id, Assignment.started_on, Assignment.ended_on)
    .where(
        Assignment.program_id == bindparam("program_id"),
        Assignment.started_on <= bindparam("last"),
        (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= bindparam("first")),
    )
    .order_by(Assignment.started_on, Assignment.id)
)
_ACTIVE_INVOLVING = _ACTIVE.where(
    (Assignment.mentor_id == bindparam("involving"))
    | (Assignment.mentee_id == bindparam("involving"))
)
