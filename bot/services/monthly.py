"""The coordinators' monthly summary: on the first school day of a month, the month gone —
pair time by school and week, read from the kept scope totals, and the pairs that fell short
of their share of the weekly target."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.domain.calendar import OutsideSchoolYearError, SchoolCalendar, period_target
from bot.domain.formatting import format_minutes
from bot.domain.ledger import (
    PROGRAM_SCOPE,
    ZERO,
    bucket_last,
    bucket_of,
    school_scope,
    total,
)
from bot.domain.members import Member
from bot.domain.notices import BehindPair, MonthlySummary, Nudge, SchoolMonth
from bot.domain.pacing import LABELS, paced_share
from bot.services import ledger
from bot.services.programs import ProgramInfo
from bot.services.snapshot import (
    Missed,
    NudgeReads,
    ProgramSnapshot,
    note_missed,
    pairs_active_between,
    send_window_open,
    unreached_of,
)

RULE = "monthly-summary"
CATCH_UP = 2  # school days after the first on which a missed summary still goes


def month_gone(calendar: SchoolCalendar, today: date) -> tuple[date, date] | None:
    """The month to summarise as of `today`: the previous one, on the first school day of this
    month (or, when that day was missed — the scheduler down — on the next CATCH_UP school
    days); None on other days, or when the previous month had no part in the school year."""
    try:
        first_school_day = calendar.next_school_day(today.replace(day=1))
    except OutsideSchoolYearError:
        return None
    try:
        latest = calendar.add_school_days(first_school_day, CATCH_UP)
    except OutsideSchoolYearError:
        latest = calendar.end
    if not first_school_day <= today <= latest or first_school_day.month != today.month:
        return None
    last = today.replace(day=1) - timedelta(days=1)
    if last < calendar.start:
        return None
    return last.replace(day=1), last


class MonthlySummaryJob(NudgeReads):
    """The monthly summary (a part of NudgeService)."""

    def monthly_summary(self, now: datetime) -> list[Nudge] | None:
        """Each coordinator's summary of the month gone, once (the outbox key holds the month).

        None when it is not the time to send (weekend, holiday, quiet hours)."""
        program = self.programs.current(now)
        self.unreached = ()
        if not send_window_open(program, now):
            return None
        month = month_gone(program.calendar, program.today(now))
        if month is None:
            return []
        snapshot = self._snapshot(program, now)
        missed: Missed = {}
        coordinators = []
        for person in snapshot.holders("coordinator"):
            if person.slack_user_id:
                coordinators.append(person)
            else:
                note_missed(missed, person, f"the monthly summary of {month[0]:%B %Y}")
        self.unreached = unreached_of(missed)
        if not coordinators:
            return []
        summary = self.month_summary(program, snapshot, month, coordinators[0])
        period = f"{month[0]:%Y-%m}"
        return [
            Nudge(RULE, str(c.slack_user_id), "summary", period, replace(summary, coordinator=c))
            for c in coordinators
        ]

    def month_summary(
        self,
        program: ProgramInfo,
        snapshot: ProgramSnapshot,
        month: tuple[date, date],
        coordinator: Member,
    ) -> MonthlySummary:
        """The month's figures for a coordinator: three statements, whatever the number of
        pairs — the month's pairs, their totals, the scopes' kept totals."""
        first, last = month
        with self.store.read() as session:
            active = pairs_active_between(session, program, first, last)
            totals = ledger.pairs_between(session, program, first, last)
            kept = ledger.scope_buckets(session, program, first, last)
        weeks = tuple(
            week
            for week in sorted({bucket_of(first + timedelta(days=n)) for n in range(last.day)})
            if program.calendar.school_days_in(week, bucket_last(week))
            or kept.get((PROGRAM_SCOPE, week), ZERO).minutes
        )  # a week's part in the month, unless it had no school and no mentoring
        schools = sorted(
            {m.school for m in snapshot.members.values() if "mentee" in m.roles}
            | {
                scope.removeprefix("school:") or None for scope, _ in kept if scope != PROGRAM_SCOPE
            },
            key=lambda school: (school is None, school or ""),
        )
        by_school = tuple(
            SchoolMonth(
                school,
                tuple(kept.get((school_scope(school), week), ZERO).minutes for week in weeks),
            )
            for school in schools
        )
        weekly = program.policy.weekly_target_minutes
        paced = program.policy.paced_minutes
        measure = "weekly target"
        if not weekly and paced:  # a policy without a weekly target: its own pace (`tx`)
            name = program.policy.paced_period
            measure = f"{format_minutes(paced)} minimum {LABELS[name].replace('this ', 'per ')}"

        def share(since: date, until: date) -> int:
            """What the policy owes over these days: the weekly target's or the pace's share."""
            if not weekly and paced:
                return paced_share(
                    paced, program.policy.paced_period, program.calendar, program.year, since, until
                )
            return period_target(program.calendar, weekly, since, until)

        spans: dict[tuple[int, int], tuple[date, date]] = {}
        for mentor, mentee, started, ended in active:
            span = (max(first, started), min(last, ended or last))
            known = spans.get((mentor, mentee))
            spans[(mentor, mentee)] = (
                span if known is None else (min(known[0], span[0]), max(known[1], span[1]))
            )
        behind = []
        for (mentor, mentee), (since, until) in spans.items():
            if mentor not in snapshot.members or mentee not in snapshot.members:
                continue
            target = share(since, until)
            minutes = totals.get((mentor, mentee), ZERO).minutes
            if minutes < target:
                behind.append(
                    BehindPair(snapshot.members[mentor], snapshot.members[mentee], minutes, target)
                )
        behind.sort(key=lambda b: (b.minutes - b.target, b.mentee.name, b.mentee.id))
        return MonthlySummary(
            coordinator=coordinator,
            program=program.name,
            month=month,
            weeks=weeks,
            schools=by_school,
            total=total(kept.get((PROGRAM_SCOPE, week), ZERO) for week in weeks).minutes,
            pairs=len(spans),
            target=share(first, last),
            behind=tuple(behind),
            measure=measure,
        )
