"""The lead mentors' weekly digest of the previous school week: every pair active during it,
its time from the ledger, flags and what is due next."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.domain.calendar import OutsideSchoolYearError, local_datetime
from bot.domain.deadlines import (
    DueItem,
    is_send_day,
    school_days_since,
    upcoming_within,
)
from bot.domain.ledger import ZERO, Totals, total
from bot.domain.members import Member
from bot.domain.notices import (
    Digest,
    DigestPair,
    Nudge,
)
from bot.domain.pacing import met_week
from bot.domain.standards import Coverage, StandardCoverage, kept_coverage
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
from bot.services.standards import weeks_memo


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
        leads = [m for m in snapshot.holders("lead_mentor") if self.reaches(m)]
        missed: Missed = {}
        for lead in snapshot.holders("lead_mentor"):
            if not self.reaches(lead):
                note_missed(missed, lead, f"the weekly digest of {lead.school or program.name}")
        self.unreached = unreached_of(missed)
        if not leads:
            return []
        period = (today - timedelta(days=today.weekday())).isoformat()
        digests = self._digests(program, snapshot, leads, week, now)
        notes: list[Nudge] = [
            Nudge("weekly-digest", lead.slack_user_id or "", "digest", period, digest, lead)
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
        """Each lead mentor's digest of a week as of `now` (in the order of `leads`).

        A fixed number of statements whatever the number of pairs; each pair's row and
        coverage is worked out once, however many lead mentors' cohorts hold it."""
        today = program.today(now)
        standards = bool(program.policy.standards)
        with self.store.read() as session:
            week_pairs = pairs_active_between(session, program, week[0], week[1])
            reads = self._ledger(session, program, now)
            totals = reads.pairs_between(session, program, week[0], week[1])
            contacts = reads.last_contacts(session, program)
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
            kept = reads.coverage(session, program, program.year_of(today)) if standards else {}
        done = self._done(snapshot, program) | set(snapshot.reported)  # done, to a lead
        by_school: dict[str | None, list[Member]] = defaultdict(list)
        for member in snapshot.members.values():
            if "mentee" in member.roles:
                by_school[member.school].append(member)
        pairs_of, started_of = _pairs_by_mentee(week_pairs, snapshot)
        target = program.weekly_target(week[0])  # None: the policy's pace speaks instead
        vocabulary = program.policy.vocabulary
        weeks = weeks_memo(program.calendar)
        quiet_days: dict[date, int] = {}

        def days_since(since: date) -> int:
            found = quiet_days.get(since)
            if found is None:
                found = quiet_days[since] = school_days_since(program.calendar, since, today)
            return found

        rows_of: dict[int, list[tuple[DigestPair, Totals, Coverage | None]]] = {}
        untouched: dict[tuple[date, date], tuple[StandardCoverage, ...]] = {}

        def rows(mentee: Member) -> list[tuple[DigestPair, Totals, Coverage | None]]:
            """The mentee's pairs as every digest shows them (worked out once)."""
            found = rows_of.get(mentee.id)
            if found is not None:
                return found
            found = []
            for mentor_id, started, ended in pairs_of.get(mentee.id, []):
                mentor = snapshot.members[mentor_id]
                week_total = totals.get((mentor_id, mentee.id), ZERO)
                last = contacts.get((mentor_id, mentee.id))
                pair = DigestPair(
                    mentor,
                    mentee,
                    week_total.minutes,
                    week_total.observations,
                    last,
                    days_since(max(last or date.min, started)),
                    ended_on=ended if ended is not None and ended <= week[1] else None,
                    pace=paces.get((mentor_id, mentee.id)),
                )
                covered = (
                    kept_coverage(
                        mentor,
                        mentee,
                        started_of[(mentor_id, mentee.id)],
                        None,
                        vocabulary,
                        kept.get((mentor_id, mentee.id), {}),
                        today,
                        weeks,
                        untouched,
                    )
                    if pair.ended_on is None and standards
                    else None
                )
                found.append((pair, week_total, covered))
            rows_of[mentee.id] = found
            return found

        open_items = self._open_items(program, snapshot, done, now)
        school_days = program.calendar.school_days_in(week[0], week[1])
        cohorts: dict[str | None, Digest] = {}  # a school's digest, but for its lead mentor
        digests: list[Digest] = []
        for lead in leads:
            if lead.school not in cohorts:
                cohort = sorted(
                    by_school.get(lead.school, [])
                    if lead.school
                    else [m for group in by_school.values() for m in group],
                    key=lambda m: m.name,
                )
                listed = [row for mentee in cohort for row in rows(mentee)]
                week_totals = [week_total for _, week_total, _ in listed]
                cohorts[lead.school] = Digest(
                    lead=lead,
                    cohort=lead.school or program.name,
                    week=week,
                    weekly_target=target,
                    pairs=tuple(pair for pair, _, _ in listed),
                    no_contact_days=program.policy.no_contact_school_days,
                    unassigned=tuple(m for m in cohort if m.id not in snapshot.mentor_of),
                    overdue=tuple(i for m in cohort for i in open_items.get(m.id, ([], []))[0]),
                    upcoming=tuple(i for m in cohort for i in open_items.get(m.id, ([], []))[1]),
                    today=today,
                    total=total(week_totals),
                    met_target=sum(
                        met_week(week_total.minutes, target, pair.pace)
                        for pair, week_total, _ in listed
                    ),
                    school_days=school_days,
                    coverage=tuple(covered for _, _, covered in listed if covered is not None),
                )
            digest = replace(cohorts[lead.school], lead=lead)
            digests.append(digest)
        return digests

    def _open_items(
        self,
        program: ProgramInfo,
        snapshot: ProgramSnapshot,
        done: set[tuple[int | None, str]],
        now: datetime,
    ) -> dict[int, tuple[list[DueItem], list[DueItem]]]:
        """Overdue and next-two-weeks items per mentee (computed once for every digest)."""
        today = program.today(now)
        mentees = [
            s for s in self._subjects(snapshot, program) if s.id is not None and not s.is_mentor
        ]
        overdue, soon = self._per_day(
            snapshot,
            program,
            "upcoming_within",
            today,
            lambda: upcoming_within(
                program.policy, program.calendar, mentees, done, today, DIGEST_HORIZON_DAYS
            ),
        )
        overdue, _ = self._without_reached(program, overdue, snapshot, now)
        soon, _ = self._without_reached(program, soon, snapshot, now)
        result: dict[int, tuple[list[DueItem], list[DueItem]]] = {}
        for item in overdue:
            assert item.subject.id is not None
            result.setdefault(item.subject.id, ([], []))[0].append(item)
        for item in soon:
            assert item.subject.id is not None
            result.setdefault(item.subject.id, ([], []))[1].append(item)
        return result


def _pairs_by_mentee(
    week_pairs: list[tuple[int, int, date, date | None]], snapshot: ProgramSnapshot
) -> tuple[dict[int, list[tuple[int, date, date | None]]], dict[tuple[int, int], date]]:
    """The week's pairs by mentee (each mentor once: mentor, start, end), and each pair's
    first start."""
    pairs_of: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    started_of: dict[tuple[int, int], date] = {}
    for mentor_id, mentee_id, started, ended in week_pairs:
        listed = {m for m, _, _ in pairs_of[mentee_id]}
        if mentor_id in snapshot.members and mentor_id not in listed:
            pairs_of[mentee_id].append((mentor_id, started, ended))
        first = started_of.get((mentor_id, mentee_id), started)
        started_of[(mentor_id, mentee_id)] = min(first, started)
    return pairs_of, started_of
