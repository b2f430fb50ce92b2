"""The scheduled jobs' rules over the store: what to send, to whom, as of an instant.

Each job returns Nudges keyed (rule, recipient, subject, period) — records the Slack layer
renders (`bot.jobs.notifications`) before the outbox claims them; the outbox makes
every key go out once. Jobs compute from data, so a tick after downtime catches up: today's
items go out, a digest for a week already gone does not.
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.calendar import OutsideSchoolYearError, in_quiet_hours, local_datetime, week_target
from bot.deadlines import (
    ASSIGNMENT_RULE,
    YEAR2_RULE,
    DueItem,
    Subject,
    due_date,
    is_send_day,
    items_for_day,
    reassignment_due,
    school_days_since,
    upcoming_within,
)
from bot.formatting import format_minutes
from bot.ledger import ZERO, Totals, beyond_induction_year, in_induction_year, total
from bot.model import Member, MilestoneMark
from bot.notices import (
    AlertRow,
    ContactNudge,
    DailyNudge,
    Digest,
    DigestPair,
    Nudge,
    OverdueAlert,
    Unreached,
)
from bot.services import ledger
from bot.services.programs import ProgramInfo, ProgramService
from bot.services.schedule_data import (
    ProgramSnapshot,
    load_snapshot,
    pairs_active_between,
    snapshot_version,
)
from bot.store.db import Store
from bot.store.models import OutboxMessage

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
    """Remember that `person` (no Slack id) was not sent `what`."""
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
    return not in_induction_year(member.hire_date, program.config.school_year_start)


def year2_minutes(member: Member, program: ProgramInfo, years: dict[date, Totals]) -> int:
    """Pair time toward the 50 hours: every program year after the induction year."""
    start = program.config.school_year_start
    return sum(
        totals.minutes
        for first, totals in years.items()
        if beyond_induction_year(program.year_of(first), member.hire_date, start)
    )


class NudgeService:
    """Deadline nudges, overdue-assignment alerts, weekly digests and contact nudges."""

    def __init__(self, store: Store, programs: ProgramService) -> None:
        self.store = store
        self.programs = programs
        self._memo: tuple[datetime, ProgramSnapshot] | None = None
        self._sharing = False
        self._kept: tuple[tuple[object, ...], date, ProgramSnapshot] | None = None
        self._derived: tuple[ProgramSnapshot | None, dict[tuple[str, int], Any]] = (None, {})
        self.unreached: tuple[Unreached, ...] = ()  # whom the last job run could not reach

    # ---- shared ----------------------------------------------------------------------------
    @contextmanager
    def shared_reads(self) -> Iterator[None]:
        """Within this block (one tick), jobs at the same instant share one snapshot."""
        self._sharing, self._memo = True, None
        try:
            yield
        finally:
            self._sharing, self._memo = False, None

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
        self, program: ProgramInfo, items: list[DueItem], snapshot: ProgramSnapshot
    ) -> dict[int, int]:
        """Pair time toward the 50 hours of the teachers today's items are about (one query)."""
        ids = sorted({i.subject.id for i in items if i.rule.key == YEAR2_RULE and i.subject.id})
        if not ids:
            return {}
        with self.store.read() as session:
            years = ledger.mentee_years(session, program, ids)
        return {
            mentee: year2_minutes(snapshot.members[mentee], program, years.get(mentee, {}))
            for mentee in ids
            if mentee in snapshot.members
        }

    def _without_reached(
        self, program: ProgramInfo, items: list[DueItem], snapshot: ProgramSnapshot
    ) -> tuple[list[DueItem], dict[int, int]]:
        """Items less those of teachers who already logged the 50 hours, and everyone's hours."""
        progress = self._year2_progress(program, items, snapshot)
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
        if missed is not None:
            for person in people.values():
                if not person.slack_user_id:
                    about = item.subject.name if item.subject.id not in (None, person.id) else ""
                    note_missed(
                        missed, person, item.rule.title + (f" for {about}" if about else "")
                    )
        return [p for p in people.values() if p.slack_user_id]

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

    # ---- deadline sweep ----------------------------------------------------------------
    def deadline_sweep(self, now: datetime) -> list[Nudge] | None:
        """Today's to-do DMs (one per person) and the coordinators' overdue-assignment alert.

        None when it is not the time to send (weekend, holiday, quiet hours)."""
        program = self.programs.current()
        self.unreached = ()
        if not send_window_open(program, now):
            return None
        today = program.today(now)
        snapshot = self._snapshot(program, now)
        missed: Missed = {}
        done = self._done(snapshot, program)
        items, year2 = self._without_reached(
            program,
            items_for_day(
                program.policy, program.calendar, self._subjects(snapshot, program), done, today
            ),
            snapshot,
        )
        per_person: dict[int, list[tuple[DueItem, bool, str | None]]] = defaultdict(list)
        target = program.policy.year2_target_hours * 60
        for item in items:
            if item.rule.key == ASSIGNMENT_RULE and item.state == "overdue":
                continue  # the coordinators' alert carries it, on its own cycle
            detail = None
            if item.rule.key == YEAR2_RULE and item.subject.id is not None:
                logged = year2.get(item.subject.id, 0)
                detail = f"{format_minutes(logged)} of {format_minutes(target)} logged"
            if (item.subject.id, item.rule.key) in snapshot.reported:
                continue  # reported done: coordinators confirm it below, others are not reminded
            for person in self._recipients(item, item.notify, snapshot, missed):
                per_person[person.id].append((item, self.can_mark(person, item, snapshot), detail))
        alerts = self._overdue_alerts(program, snapshot, today, missed)
        reports = self.awaiting_confirmation(program, snapshot)
        self._note_unlinked_senders(program, snapshot, missed)
        self.unreached = unreached = unreached_of(missed)
        if reports or unreached:
            for coordinator in snapshot.holders("coordinator"):
                if coordinator.slack_user_id:
                    per_person.setdefault(coordinator.id, [])  # their to-do carries them
        notes = [
            Nudge(
                rule="daily-nudge",
                recipient=str(snapshot.members[pid].slack_user_id),
                subject="todo",
                period=today.isoformat(),
                content=DailyNudge(
                    snapshot.members[pid],
                    tuple(entries),
                    today,
                    reports if snapshot.members[pid].is_coordinator else (),
                    unreached if snapshot.members[pid].is_coordinator else (),
                ),
            )
            for pid, entries in per_person.items()
        ]
        return notes + alerts

    @staticmethod
    def _note_unlinked_senders(
        program: ProgramInfo, snapshot: ProgramSnapshot, missed: Missed
    ) -> None:
        """The other jobs' people without a Slack id — lead mentors (no digest) and mentors of
        active pairs (no contact nudges) — so that the coordinators' to-do names them too."""
        for lead in snapshot.holders("lead_mentor"):
            if not lead.slack_user_id:
                note_missed(missed, lead, f"the weekly digest of {lead.school or program.name}")
        for mentor_id, _ in snapshot.started_on:
            mentor = snapshot.members[mentor_id]
            if not mentor.slack_user_id:
                note_missed(missed, mentor, "reminders when a mentee has had no contact")

    @staticmethod
    def awaiting_confirmation(
        program: ProgramInfo, snapshot: ProgramSnapshot
    ) -> tuple[MilestoneMark, ...]:
        """Milestones reported done by the person or their mentor, for a coordinator to
        confirm (oldest first)."""
        marks = []
        for (subject_id, key), (marker, done_on, marked_at) in snapshot.reported.items():
            rule = program.policy.deadline(key)
            marks.append(
                MilestoneMark(
                    key=key,
                    title=rule.title if rule is not None else key,
                    person=snapshot.members.get(subject_id) if subject_id is not None else None,
                    done_on=done_on,
                    marked_by=snapshot.members.get(marker) if marker is not None else None,
                    marked_on=program.today(marked_at),
                    confirmed=False,
                )
            )
        return tuple(sorted(marks, key=lambda m: (m.marked_on, m.title)))

    def _alert_due_for(
        self, program: ProgramInfo, coordinators: list[Member], today: date
    ) -> list[Member]:
        """Coordinators whose last alert (the outbox remembers it) is at least the policy's
        repeat in school days ago, or who have had none: one cycle per coordinator."""
        ids = [str(c.slack_user_id) for c in coordinators]
        with self.store.read() as session:
            last = dict(
                session.execute(
                    select(OutboxMessage.recipient, func.max(OutboxMessage.period))
                    .where(
                        OutboxMessage.rule == ALERT_RULE,
                        OutboxMessage.recipient.in_(ids),
                        OutboxMessage.period < today.isoformat(),  # a rerun today: the same
                    )
                    .group_by(OutboxMessage.recipient)
                ).all()
            )
        repeat = program.policy.overdue_alert_repeat_school_days
        return [
            c
            for c in coordinators
            if c.slack_user_id not in last
            or program.calendar.school_days_between(
                date.fromisoformat(last[c.slack_user_id]), today
            )
            >= repeat
        ]

    def _overdue_alerts(
        self,
        program: ProgramInfo,
        snapshot: ProgramSnapshot,
        today: date,
        missed: Missed | None = None,
    ) -> list[Nudge]:
        """The alert to each coordinator due one today, listing every beginning educator
        overdue for a mentor (none when nobody is); coordinators without a Slack id are
        noted in `missed` whenever someone is overdue."""
        rule = program.policy.deadline(ASSIGNMENT_RULE)
        if rule is None:
            return []
        coordinators = [c for c in snapshot.holders("coordinator") if c.slack_user_id]
        unlinked = [c for c in snapshot.holders("coordinator") if not c.slack_user_id]
        recipients = self._alert_due_for(program, coordinators, today) if coordinators else []
        if not recipients and not (unlinked and missed is not None):
            return []
        window = program.policy.reassignment_window_days
        dues: dict[date | None, date] = {}
        rows = []
        for member in snapshot.members.values():
            if "mentee" not in member.roles or member.id in snapshot.mentor_of:
                continue
            if is_year2(member, program):
                continue  # the assignment window is the induction year's
            subject = Subject(member.id, member.name, member.educator_type, member.hire_date)
            if not member.educator_type or member.educator_type not in rule.applies_to:
                continue
            if member.hire_date not in dues:
                dues[member.hire_date] = due_date(rule, subject, program.calendar)
            ended = snapshot.last_ended.get(member.id)
            due = reassignment_due(dues[member.hire_date], ended, window)
            if today > due:
                rows.append((member, due, (today - due).days))
        rows.sort(key=lambda r: (-r[2], r[0].name))
        pool = self.mentor_pool(snapshot)
        alert_rows = []
        for i, (member, due, days) in enumerate(rows):
            offered = tuple(self.suggest(member, pool)) if i < SUGGESTED else ()
            untrained = frozenset(m.id for m, _ in offered if m.id not in pool[2])
            alert_rows.append(AlertRow(member, due, days, offered, untrained))
        if not alert_rows:
            return []
        if missed is not None:
            what = f"the overdue-assignment alert ({len(alert_rows)} without a mentor)"
            for coordinator in unlinked:
                note_missed(missed, coordinator, what)
        alert = OverdueAlert(tuple(alert_rows), today)
        return [
            Nudge(ALERT_RULE, str(c.slack_user_id), "unassigned", today.isoformat(), alert)
            for c in recipients
        ]

    @staticmethod
    def mentor_pool(snapshot: ProgramSnapshot) -> MentorPool:
        """Mentors who may take a mentee, their current loads, and who is trained."""
        load: dict[int, int] = defaultdict(int)
        for mentor_id in snapshot.mentor_of.values():
            load[mentor_id] += 1
        trained = {
            pid for pid, key in snapshot.done if key == "mentor_training" and pid is not None
        }
        candidates = [m for m in snapshot.holders("mentor") if "mentee" not in m.roles]
        return candidates, load, trained

    @staticmethod
    def suggest(mentee: Member, pool: MentorPool) -> list[tuple[Member, int]]:
        """Up to three mentors: administrators for an administrator and teachers for a
        teacher; trained ones when any are; same subject, then grade, then school; fewest
        mentees."""
        everyone, load, trained = pool
        administrator = (mentee.educator_type or "").endswith("_administrator")
        candidates = [
            m for m in everyone if m.id != mentee.id and mentors_administrators(m) == administrator
        ]
        if any(m.id in trained for m in candidates):
            candidates = [m for m in candidates if m.id in trained]

        def rank(mentor: Member) -> tuple[bool, bool, bool, int, str]:
            return (
                not (mentee.subject and mentor.subject == mentee.subject),
                not (mentee.grade and mentor.grade == mentee.grade),
                not (mentee.school and mentor.school == mentee.school),
                load[mentor.id],
                mentor.name,
            )

        best = heapq.nsmallest(MAX_SUGGESTIONS, candidates, key=rank)
        return [(m, load[m.id]) for m in best]

    # ---- weekly digest -------------------------------------------------------------------
    def digest_slot(self, program: ProgramInfo, today: date) -> date | None:
        """This week's digest day: the first send day on or after the policy weekday."""
        monday = today - timedelta(days=today.weekday())
        for offset in range(program.policy.digest_weekday, 7):
            day = monday + timedelta(days=offset)
            if is_send_day(program.calendar, day) and program.calendar.contains(day):
                return day
        return None

    def weekly_digest(self, now: datetime) -> list[Nudge] | None:
        """Each lead mentor's digest of the previous school week, once a week, on time or late.

        None before this week's digest time or when it is not the time to send."""
        program = self.programs.current()
        self.unreached = ()
        if not send_window_open(program, now):
            return None
        today = program.today(now)
        slot = self.digest_slot(program, today)
        if slot is None or now < local_datetime(slot, program.policy.digest_time, program.tz):
            return None
        try:
            week = program.calendar.previous_school_week(today)
        except OutsideSchoolYearError:
            return []
        snapshot = self._snapshot(program, now)
        leads = [m for m in snapshot.holders("lead_mentor") if m.slack_user_id]
        missed: Missed = {}
        for lead in snapshot.holders("lead_mentor"):
            if not lead.slack_user_id:
                note_missed(missed, lead, f"the weekly digest of {lead.school or program.name}")
        self.unreached = unreached_of(missed)
        if not leads:
            return []
        with self.store.read() as session:
            week_pairs = pairs_active_between(session, program, week[0], week[1])
            totals = ledger.pairs_between(session, program, week[0], week[1])
            contacts = ledger.last_contacts(session, program)
        done = self._done(snapshot, program) | set(snapshot.reported)  # done, to a lead
        by_school: dict[str | None, list[Member]] = defaultdict(list)
        for member in snapshot.members.values():
            if "mentee" in member.roles:
                by_school[member.school].append(member)
        pairs_of: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        for mentor_id, mentee_id, started, ended in week_pairs:
            listed = {m for m, _, _ in pairs_of[mentee_id]}
            if mentor_id in snapshot.members and mentor_id not in listed:
                pairs_of[mentee_id].append((mentor_id, started, ended))
        period = (today - timedelta(days=today.weekday())).isoformat()
        target = week_target(program.calendar, program.policy.weekly_target_minutes, week[0])
        notes: list[Nudge] = []
        open_items = self._open_items(program, snapshot, done, today)
        for lead in leads:
            cohort = (
                by_school.get(lead.school, [])
                if lead.school
                else [m for group in by_school.values() for m in group]
            )
            pairs = []
            for mentee in sorted(cohort, key=lambda m: m.name):
                for mentor_id, started, ended in pairs_of.get(mentee.id, []):
                    week_total = totals.get((mentor_id, mentee.id), ZERO)
                    last = contacts.get((mentor_id, mentee.id))
                    since = max(last or date.min, started)
                    pairs.append(
                        DigestPair(
                            snapshot.members[mentor_id],
                            mentee,
                            week_total.minutes,
                            week_total.observations,
                            last,
                            school_days_since(program.calendar, since, today),
                            ended_on=ended if ended is not None and ended <= week[1] else None,
                        )
                    )
            overdue = [i for m in cohort for i in open_items.get(m.id, ([], []))[0]]
            upcoming = [i for m in cohort for i in open_items.get(m.id, ([], []))[1]]
            week_totals = [totals.get((p.mentor.id, p.mentee.id), ZERO) for p in pairs]
            digest = Digest(
                lead=lead,
                cohort=lead.school or program.name,
                week=week,
                weekly_target=target,
                pairs=tuple(pairs),
                no_contact_days=program.policy.no_contact_school_days,
                unassigned=tuple(m for m in cohort if m.id not in snapshot.mentor_of),
                overdue=tuple(overdue),
                upcoming=tuple(upcoming),
                today=today,
                total=total(week_totals),
                met_target=sum(1 for t in week_totals if t.minutes >= target),
                school_days=program.calendar.school_days_in(week[0], week[1]),
            )
            notes.append(Nudge("weekly-digest", str(lead.slack_user_id), "digest", period, digest))
        return notes

    def _open_items(
        self,
        program: ProgramInfo,
        snapshot: ProgramSnapshot,
        done: set[tuple[int | None, str]],
        today: date,
    ) -> dict[int, tuple[list[DueItem], list[DueItem]]]:
        """Overdue and next-two-weeks items per mentee (computed once for every digest)."""
        mentees = [
            s for s in self._subjects(snapshot, program) if s.id is not None and not s.is_mentor
        ]
        overdue, soon = upcoming_within(
            program.policy, program.calendar, mentees, done, today, DIGEST_HORIZON_DAYS
        )
        overdue, _ = self._without_reached(program, overdue, snapshot)
        soon, _ = self._without_reached(program, soon, snapshot)
        result: dict[int, tuple[list[DueItem], list[DueItem]]] = {}
        for item in overdue:
            assert item.subject.id is not None
            result.setdefault(item.subject.id, ([], []))[0].append(item)
        for item in soon:
            assert item.subject.id is not None
            result.setdefault(item.subject.id, ([], []))[1].append(item)
        return result

    # ---- contact nudges ------------------------------------------------------------------
    def contact_nudges(self, now: datetime) -> list[Nudge] | None:
        """Nudge a mentor whose mentee has had no logged contact for N school days (once a gap).

        None when it is not the time to send."""
        program = self.programs.current()
        self.unreached = ()
        if not send_window_open(program, now):
            return None
        today = program.today(now)
        threshold = program.policy.no_contact_school_days
        snapshot = self._snapshot(program, now)
        with self.store.read() as session:
            contacts = ledger.last_contacts(session, program)
        notes = []
        missed: Missed = {}
        for (mentor_id, mentee_id), started in snapshot.started_on.items():
            last = contacts.get((mentor_id, mentee_id))
            since = max(last or date.min, started)
            quiet = school_days_since(program.calendar, since, today)
            mentor = snapshot.members[mentor_id]
            if quiet < threshold:
                continue
            mentee = snapshot.members[mentee_id]
            if not mentor.slack_user_id:
                note_missed(missed, mentor, f"a no-contact nudge about {mentee.name}")
                continue
            notes.append(
                Nudge(
                    "contact-nudge",
                    mentor.slack_user_id,
                    f"mentee-{mentee_id}",
                    since.isoformat(),
                    ContactNudge(mentor, mentee, last, quiet),
                )
            )
        self.unreached = unreached_of(missed)
        return notes
