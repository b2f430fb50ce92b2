"""The scheduled jobs' rules over the store: what to send, to whom, as of an instant.

Each job returns Nudges keyed (rule, recipient, subject, period) — records the Slack layer
renders (`schedules.claims.notifications`) before the outbox claims them; the outbox makes
every key go out once. Jobs compute from data, so a tick after downtime catches up: today's
items go out, a digest for a week already gone does not.
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import func, select

from bot.domain.deadlines import (
    ASSIGNMENT_RULE,
    YEAR2_RULE,
    DueItem,
    Subject,
    due_date,
    items_for_day,
    reassignment_due,
    school_days_since,
)
from bot.domain.formatting import format_minutes
from bot.domain.members import Member
from bot.domain.milestones import MilestoneMark
from bot.domain.notices import (
    AlertRow,
    ContactNudge,
    DailyNudge,
    Nudge,
    OverdueAlert,
)
from bot.services.digest import DigestJob
from bot.services.monthly import MonthlySummaryJob
from bot.services.programs import ProgramInfo
from bot.services.snapshot import (
    ALERT_RULE,
    MAX_SUGGESTIONS,
    SUGGESTED,
    MentorPool,
    Missed,
    ProgramSnapshot,
    is_year2,
    mentors_administrators,
    note_missed,
    send_window_open,
    unreached_of,
)
from bot.store.models.core import OutboxMessage

log = logging.getLogger(__name__)


class NudgeService(DigestJob, MonthlySummaryJob):
    """Deadline nudges, overdue-assignment alerts, weekly digests, the coordinators' monthly
    summary and contact nudges."""

    # ---- deadline sweep ----------------------------------------------------------------
    def deadline_sweep(self, now: datetime) -> list[Nudge] | None:
        """Today's to-do DMs (one per person) and the coordinators' overdue-assignment alert.

        None when it is not the time to send (weekend, holiday, quiet hours)."""
        program = self.programs.current(now)
        self.unreached = ()
        if not send_window_open(program, now):
            return None
        today = program.today(now)
        snapshot = self._snapshot(program, now)
        missed: Missed = {}
        done = self._done(snapshot, program)
        due_today: list[DueItem] = self._per_day(
            snapshot,
            program,
            "items_for_day",
            today,
            lambda: items_for_day(
                program.policy, program.calendar, self._subjects(snapshot, program), done, today
            ),
        )
        items, year2 = self._without_reached(program, due_today, snapshot, now)
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
                if self.reaches(coordinator):
                    per_person.setdefault(coordinator.id, [])  # their to-do carries them
        notes = [
            Nudge(
                rule="daily-nudge",
                recipient=snapshot.members[pid].slack_user_id or "",
                subject="todo",
                period=today.isoformat(),
                content=DailyNudge(
                    snapshot.members[pid],
                    tuple(entries),
                    today,
                    reports if snapshot.members[pid].is_coordinator else (),
                    unreached if snapshot.members[pid].is_coordinator else (),
                ),
                person=snapshot.members[pid],
            )
            for pid, entries in per_person.items()
        ]
        return notes + alerts

    def _note_unlinked_senders(
        self, program: ProgramInfo, snapshot: ProgramSnapshot, missed: Missed
    ) -> None:
        """The other jobs' people no message reaches (no Slack id, no email) — lead mentors (no
        digest) and mentors of active pairs (no contact nudges) — so that the coordinators'
        to-do names them too."""
        for lead in snapshot.holders("lead_mentor"):
            if not self.reaches(lead):
                note_missed(missed, lead, f"the weekly digest of {lead.school or program.name}")
        for mentor_id, _ in snapshot.started_on:
            mentor = snapshot.members[mentor_id]
            if not self.reaches(mentor):
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
        """Coordinators whose last alert (the outbox remembers it, by Slack id or by email) is
        at least the policy's repeat in school days ago, or who have had none: one cycle per
        coordinator."""
        keys = {c.id: [k for k in (c.slack_user_id, c.email) if k] for c in coordinators}
        ids = [k for found in keys.values() for k in found]
        with self.store.read() as session:
            last = dict(
                session.execute(
                    select(OutboxMessage.recipient, func.max(OutboxMessage.period))
                    .where(
                        OutboxMessage.program_id == program.id,
                        OutboxMessage.rule == ALERT_RULE,
                        OutboxMessage.recipient.in_(ids),
                        OutboxMessage.period < today.isoformat(),  # a rerun today: the same
                    )
                    .group_by(OutboxMessage.recipient)
                ).all()
            )
        repeat = program.policy.overdue_alert_repeat_school_days
        due = []
        for c in coordinators:
            sent = [last[k] for k in keys[c.id] if k in last]
            if not sent or (
                program.calendar.school_days_between(date.fromisoformat(max(sent)), today) >= repeat
            ):
                due.append(c)
        return due

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
        coordinators = [c for c in snapshot.holders("coordinator") if self.reaches(c)]
        unlinked = [c for c in snapshot.holders("coordinator") if not self.reaches(c)]
        recipients = self._alert_due_for(program, coordinators, today) if coordinators else []
        if not recipients and not (unlinked and missed is not None):
            return []
        alert_rows = self._unassigned_rows(program, snapshot, today, overdue_only=True)
        if not alert_rows:
            return []
        if missed is not None:
            what = f"the overdue-assignment alert ({len(alert_rows)} without a mentor)"
            for coordinator in unlinked:
                note_missed(missed, coordinator, what)
        alert = OverdueAlert(tuple(alert_rows), today)
        return [
            Nudge(ALERT_RULE, c.slack_user_id or "", "unassigned", today.isoformat(), alert, c)
            for c in recipients
        ]

    def unassigned_rows(self, now: datetime) -> tuple[AlertRow, ...]:
        """Every beginning educator in their induction year without a mentor today, overdue
        first, the first ones with suggested mentors (the alert's rows, also those not due yet:
        `days_overdue` 0) — the coordinator's Home."""
        program = self.programs.current(now)
        snapshot = self._snapshot(program, now)
        today = program.today(now)
        return tuple(self._unassigned_rows(program, snapshot, today, overdue_only=False))

    def _unassigned_rows(
        self, program: ProgramInfo, snapshot: ProgramSnapshot, today: date, *, overdue_only: bool
    ) -> list[AlertRow]:
        """Beginning educators without a mentor (past the deadline only, with `overdue_only`),
        most overdue first, with up to three suggestions each for the first SUGGESTED."""
        rule = program.policy.deadline(ASSIGNMENT_RULE)
        if rule is None:
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
            if today > due or not overdue_only:
                rows.append((member, due, max((today - due).days, 0)))
        rows.sort(key=lambda r: (-r[2], r[0].name))
        pool = self.mentor_pool(snapshot)
        administrators = self._mentors_of_administrators(snapshot) if rows else frozenset()
        alert_rows = []
        for i, (member, due, days) in enumerate(rows):
            cap = program.policy.caseload_cap
            offered = (
                tuple(self.suggest(member, pool, cap, administrators)) if i < SUGGESTED else ()
            )
            untrained = frozenset(m.id for m, _ in offered if m.id not in pool[2])
            alert_rows.append(AlertRow(member, due, days, offered, untrained))
        return alert_rows

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

    def suggest_for(
        self, mentee: Member, now: datetime, *, exclude: frozenset[int] = frozenset()
    ) -> tuple[list[tuple[Member, int]], frozenset[int]]:
        """The alert's suggestions for one mentee now (under the caseload cap), leaving out
        `exclude` (say, the mentor being replaced): (mentor, load) pairs, and which of them are
        not trained yet."""
        program = self.programs.current(now)
        everyone, load, trained = self.mentor_pool(self._snapshot(program, now))
        pool = ([m for m in everyone if m.id not in exclude], load, trained)
        offered = self.suggest(mentee, pool, program.policy.caseload_cap)
        return offered, frozenset(m.id for m, _ in offered if m.id not in trained)

    def _mentors_of_administrators(self, snapshot: ProgramSnapshot) -> frozenset[int]:
        """The ids of the mentors who mentor administrators (worked out once per snapshot)."""
        derived = self._derived_of(snapshot)
        key = ("administrators", 0)
        if key not in derived:
            derived[key] = frozenset(
                m.id for m in snapshot.holders("mentor") if mentors_administrators(m)
            )
        found: frozenset[int] = derived[key]
        return found

    @staticmethod
    def suggest(
        mentee: Member,
        pool: MentorPool,
        cap: int | None = None,
        administrators: Collection[int] | None = None,
    ) -> list[tuple[Member, int]]:
        """Up to three mentors: administrators for an administrator and teachers for a
        teacher, under the policy's caseload cap; trained ones when any are; same subject,
        then grade, then school; fewest mentees. `administrators`: the pool's mentors of
        administrators, when already known (else worked out here)."""
        everyone, load, trained = pool
        administrator = (mentee.educator_type or "").endswith("_administrator")
        if administrators is None:
            administrators = {m.id for m in everyone if mentors_administrators(m)}
        candidates = [
            m
            for m in everyone
            if m.id != mentee.id
            and (m.id in administrators) == administrator
            and (cap is None or load[m.id] < cap)
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

    # ---- contact nudges ------------------------------------------------------------------
    def contact_nudges(self, now: datetime) -> list[Nudge] | None:
        """Nudge a mentor whose mentee has had no logged contact for N school days (once a gap).

        None when it is not the time to send."""
        program = self.programs.current(now)
        self.unreached = ()
        if not send_window_open(program, now):
            return None
        today = program.today(now)
        threshold = program.policy.no_contact_school_days
        snapshot = self._snapshot(program, now)
        with self.store.read() as session:
            contacts = self._ledger(session, program, now).last_contacts(session, program)
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
            if not self.reaches(mentor):
                note_missed(missed, mentor, f"a no-contact nudge about {mentee.name}")
                continue
            notes.append(
                Nudge(
                    "contact-nudge",
                    mentor.slack_user_id or "",
                    f"mentee-{mentee_id}",
                    since.isoformat(),
                    ContactNudge(mentor, mentee, last, quiet),
                    mentor,
                )
            )
        self.unreached = unreached_of(missed)
        return notes
