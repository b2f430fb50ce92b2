"""The lead mentors' weekly digest of the previous school week: every pair active during it,
its time from the ledger, flags and what is due next."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from bot.domain.calendar import OutsideSchoolYearError, local_datetime, week_target
from bot.domain.deadlines import (
    DueItem,
    is_send_day,
    school_days_since,
    upcoming_within,
)
from bot.domain.ledger import ZERO, total
from bot.domain.members import Member
from bot.domain.notices import (
    Digest,
    DigestPair,
    Nudge,
)
from bot.domain.standards import Coverage, coverage
from bot.services import ledger
from bot.services.programs import ProgramInfo
from bot.services.snapshot import (
    DIGEST_HORIZON_DAYS,
    Missed,
    NudgeReads,
    ProgramSnapshot,
    note_missed,
    pairs_active_between,
    send_window_open,
    unreached_of,
)
from bot.services.standards import tagged_entries


class DigestJob(NudgeReads):
    """The weekly digest (a part of NudgeService)."""

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
        program = self.programs.current(now)
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
        period = (today - timedelta(days=today.weekday())).isoformat()
        digests = self._digests(program, snapshot, leads, week, now)
        notes: list[Nudge] = [
            Nudge("weekly-digest", str(lead.slack_user_id), "digest", period, digest)
            for lead, digest in zip(leads, digests, strict=True)
        ]
        return notes

    def cohort_digest(self, lead: Member, now: datetime) -> Digest:
        """A lead mentor's cohort as the digest shows it, for this week so far (their Home):
        the same rows, flags and prorated target as the Monday digest."""
        program = self.programs.current(now)
        today = program.today(now)
        monday = today - timedelta(days=today.weekday())
        snapshot = self._snapshot(program, now)
        week = (monday, monday + timedelta(days=6))
        return self._digests(program, snapshot, [lead], week, now)[0]

    def _digests(
        self,
        program: ProgramInfo,
        snapshot: ProgramSnapshot,
        leads: list[Member],
        week: tuple[date, date],
        now: datetime,
    ) -> list[Digest]:
        """Each lead mentor's digest of a week as of `now` (in the order of `leads`)."""
        today = program.today(now)
        with self.store.read() as session:
            week_pairs = pairs_active_between(session, program, week[0], week[1])
            totals = ledger.pairs_between(session, program, week[0], week[1])
            contacts = ledger.last_contacts(session, program)
            paces = (
                ledger.paces(
                    session,
                    program,
                    ledger.pair_summaries(
                        session,
                        program,
                        {(m, e) for m, e, _, _ in week_pairs},
                        program.periods(now),
                    ),
                    today,
                )
                if program.policy.paced_minutes
                else {}
            )
            tagged = (
                tagged_entries(session, program, program.year_of(today))
                if program.policy.standards
                else {}
            )
        done = self._done(snapshot, program) | set(snapshot.reported)  # done, to a lead
        by_school: dict[str | None, list[Member]] = defaultdict(list)
        for member in snapshot.members.values():
            if "mentee" in member.roles:
                by_school[member.school].append(member)
        pairs_of: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        started_of: dict[tuple[int, int], date] = {}
        for mentor_id, mentee_id, started, ended in week_pairs:
            listed = {m for m, _, _ in pairs_of[mentee_id]}
            if mentor_id in snapshot.members and mentor_id not in listed:
                pairs_of[mentee_id].append((mentor_id, started, ended))
            first = started_of.get((mentor_id, mentee_id), started)
            started_of[(mentor_id, mentee_id)] = min(first, started)
        target = week_target(program.calendar, program.policy.weekly_target_minutes, week[0])
        digests: list[Digest] = []
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
                            pace=paces.get((mentor_id, mentee.id)),
                        )
                    )
            covered: list[Coverage] = [
                coverage(
                    p.mentor,
                    p.mentee,
                    started_of[(p.mentor.id, p.mentee.id)],
                    None,
                    program.policy.vocabulary,
                    tagged.get((p.mentor.id, p.mentee.id), ()),
                    program.calendar,
                    today,
                )
                for p in pairs
                if p.ended_on is None and program.policy.standards
            ]
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
                coverage=tuple(covered),
            )
            digests.append(digest)
        return digests

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
