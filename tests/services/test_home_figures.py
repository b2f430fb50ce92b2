"""Home's figures from kept totals are the figures computed the old way (issue 18, Must 3):
on a world with two schools, a reassignment, undone entries and a signed period, as of several
days, on SQLite and PostgreSQL —

- this month's pay: mentor time with the cut bucket read from the kept totals when no pair has
  time after today, against a recount of the log rows by the same rule (`ledger.sessions`);
- the report's readiness: each mentor's mentees and each assignment's caseload, against the
  quadratic scans they replaced;
- the behind-pace list: against each pair's pace worked out from its raw week of log rows;
- the entries a mentor and a mentee see, with their batch sizes and reviews, against plain
  queries;
and `ledger verify` finds a tampered latest-contact day, the kept figure the pay reads."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.domain.assignments import mentor_caution
from bot.domain.ledger import VISIT, sessions
from bot.domain.pacing import pace_of
from bot.domain.policy import parse_program_toml
from bot.domain.signoff import Period
from bot.services import ledger
from bot.services.assignments import trained_mentors
from bot.services.home import this_month_so_far
from bot.store.models.core import Assignment, EntryReview, LogEntry, PairBucket
from bot.store.rollups import ENTRY_COLUMNS, entry_from_row
from tests.support.hillside import NOW, PAID_TOML

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
DAYS = (  # Home as of: a Wednesday mid-bucket, a Sunday (bucket end), the 1st, a Monday
    datetime(2026, 11, 18, 15, 0, tzinfo=UTC),
    datetime(2026, 11, 22, 15, 0, tzinfo=UTC),
    datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
    datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
)


@pytest.fixture
def seeded(services: Services, pairs: None, clock: FixedClock) -> Services:
    """Paid Hillside with October and November logged by every pair (one entry a group
    session of two mentees), a few entries undone, October signed off, and Bo moved from Max
    to Mia on 9 Nov (Max's entries with Bo stay his)."""
    services.programs.load(parse_program_toml(PAID_TOML))
    day = date(2026, 10, 1)
    n = 0
    while day <= date(2026, 11, 18):
        if day.weekday() < 5:
            now = datetime(day.year, day.month, day.day, 20, 0, tzinfo=UTC)
            clock.set(now)
            bo = "U0MIA" if day >= date(2026, 11, 9) else "U0MAX"
            lines = [
                ("U0LEE", f"{20 + n % 4 * 5}m meeting"),
                ("U0MIA", f"{15 + n % 3 * 10}m observation <@U0IKE>"),
                (bo, f"{30 + n % 2 * 15}m planning <@U0BO>"),
            ]
            if day.weekday() == 2:
                lines.append(("U0BEA", "25m observed <@U0MIA>"))  # a visit: no pay, no pace
            if day == date(2026, 11, 9):
                services.assignments.assign(None, "U0MIA", "U0BO", day, now)
            if day.weekday() == 4 and bo == "U0MIA":
                lines.append(("U0MIA", "40m group <@U0IKE> <@U0BO>"))  # one batch, two pairs
            for user, line in lines:
                logged = services.logs.log_text(user, line, now)
                assert logged.ok, line
                if n % 7 == 3 and logged.batch_id is not None:
                    services.logs.undo(user, logged.batch_id, now)
            n += 1
        day += timedelta(days=1)
    clock.set(datetime(2026, 11, 2, 15, 0, tzinfo=UTC))
    services.signoff.sign("U0CORA", OCTOBER, None, clock.now())
    clock.set(NOW)
    return services


def recounted(services: Services, first: date, last: date) -> dict[int, tuple[int, int]]:
    """Each mentor's time from `first` to `last` from the live log rows (the old way)."""
    with services.store.read() as session:
        rows = session.execute(
            select(*ENTRY_COLUMNS).where(
                LogEntry.deleted_at.is_(None), LogEntry.occurred_on.between(first, last)
            )
        )
        found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for (mentor, _, _), minutes in sessions(map(entry_from_row, rows)).items():
            found[mentor][0] += minutes
            found[mentor][1] += 1
    return {mentor: (m, s) for mentor, (m, s) in found.items()}


@pytest.mark.parametrize("now", DAYS, ids=lambda d: d.strftime("%a-%d-%b"))
def test_this_months_pay_on_home_is_the_recount_of_the_log_rows(
    seeded: Services, clock: FixedClock, now: datetime
) -> None:
    clock.set(now)
    program = seeded.programs.current(now)
    first, last = this_month_so_far(program, now)
    with seeded.store.read() as session:
        kept = ledger.mentor_time_between(session, program, first, last)
    assert {m: (t.minutes, t.sessions) for m, t in kept.items()} == recounted(seeded, first, last)
    coordinator = seeded.home.home("U0CORA", now).coordinator
    assert coordinator is not None and coordinator.pay is not None
    assert coordinator.pay == seeded.pay.period(first, last)


def test_an_entry_dated_after_today_is_still_counted_by_the_recount(
    seeded: Services, clock: FixedClock
) -> None:
    """A clock set back (the console's `:time`) leaves entries after "today" in its bucket:
    the kept bucket would count them, so that bucket is recounted from the log rows."""
    clock.set(datetime(2026, 11, 17, 15, 0, tzinfo=UTC))  # Tue: Wed 18 Nov is logged already
    program = seeded.programs.current(clock.now())
    first, last = date(2026, 11, 1), date(2026, 11, 17)
    with seeded.store.read() as session:
        assert not ledger._nothing_after(session, program, last)
        kept = ledger.mentor_time_between(session, program, first, last)
    assert {m: (t.minutes, t.sessions) for m, t in kept.items()} == recounted(seeded, first, last)


def test_the_reports_mentees_per_mentor_and_caseloads_are_the_old_scans(seeded: Services) -> None:
    report = seeded.reports.annual(None, NOW, brief=True)
    for part in (report.teachers, report.administrators):
        lines = part.served + part.beyond_induction
        for mentor in part.mentors:
            old = [line for line in lines if mentor.email in {m.email for m in line.mentors}]
            assert mentor.mentees == len(old), mentor.name
    program = seeded.programs.current(NOW)
    with seeded.store.read() as session:
        assigned = session.execute(
            select(
                Assignment.mentor_id,
                Assignment.mentee_id,
                Assignment.started_on,
                Assignment.ended_on,
            ).order_by(Assignment.started_on, Assignment.id)
        ).all()
        members = {m.id: m for m in seeded.people.all_members(session, program)}
        trained = trained_mentors(session, program, None)
    old = []
    for index, (mentor, mentee, on, _) in enumerate(assigned):
        caseload = len(
            {
                e
                for m, e, s, end in assigned[: index + 1]
                if m == mentor and s <= on and (end is None or end >= on)
            }
        )
        caution = mentor_caution(
            members[mentor],
            mentor in trained,
            on,
            caseload,
            program.policy.caseload_cap,
            rule=program.policy.mentor_rule,
        )
        if caution is not None:
            old.append((mentor, mentee, on, caution))
    new = [
        (c.mentor.id, c.mentee.id, c.started_on, c.caution)
        for c in (*report.teachers.cautioned, *report.administrators.cautioned)
    ]
    assert len(old) >= 4  # Bo's two mentors among them
    assert sorted(new, key=repr) == sorted(old, key=repr)


@pytest.mark.parametrize("now", DAYS, ids=lambda d: d.strftime("%a-%d-%b"))
def test_the_behind_list_is_each_pairs_pace_from_its_raw_week(
    seeded: Services, clock: FixedClock, now: datetime
) -> None:
    clock.set(now)
    program = seeded.programs.current(now)
    today = program.today(now)
    monday = today - timedelta(days=today.weekday())
    with seeded.store.read() as session:
        week = {
            (mentor, mentee): int(minutes)
            for mentor, mentee, minutes in session.execute(
                select(LogEntry.mentor_id, LogEntry.mentee_id, func.sum(LogEntry.minutes))
                .where(
                    LogEntry.deleted_at.is_(None),
                    LogEntry.kind != VISIT,
                    LogEntry.occurred_on.between(monday, monday + timedelta(days=6)),
                )
                .group_by(LogEntry.mentor_id, LogEntry.mentee_id)
            )
        }
        active = session.execute(
            select(Assignment.mentor_id, Assignment.mentee_id).where(
                Assignment.started_on <= today,
                (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= today),
            )
        ).all()
    period_pace = ledger.program_pace(program, today)
    assert period_pace is not None
    old = {}
    for mentor, mentee in set(active):
        pace = pace_of(
            program.weekly_target(today),
            period_pace.period,
            program.calendar,
            today,
            week.get((mentor, mentee), 0),
        )
        if not pace.on_track:
            old[(mentor, mentee)] = pace
    coordinator = seeded.home.home("U0CORA", now).coordinator
    assert coordinator is not None and coordinator.behind is not None
    behind = coordinator.behind
    assert {(p.mentor.id, p.mentee.id): p.pace for p in behind.pairs} == old
    assert behind.count == len(old) and behind.active == len(set(active))


def test_the_entries_on_home_carry_their_batch_sizes_and_reviews(seeded: Services) -> None:
    assert seeded.logs.log_text("U0MIA", "30m group <@U0IKE> <@U0BO>", NOW).ok
    home = seeded.home.home("U0MIA", NOW)
    assert home.mentor is not None and home.mentor.entries
    bea = seeded.home.home("U0BEA", NOW)
    assert bea.mentee is not None and bea.mentee.entries
    with seeded.store.read() as session:
        for entry in (*home.mentor.entries, *bea.mentee.entries):
            size = session.scalar(
                select(func.count()).where(
                    LogEntry.batch_id == entry.batch_id, LogEntry.deleted_at.is_(None)
                )
            )
            assert entry.batch_size == (size if entry.batch_id else 1)
            reviewed = session.get(EntryReview, entry.id) is not None
            row = session.get(LogEntry, entry.id)
            assert row is not None
            assert (
                entry.to_review
                == (row.kind != VISIT and not reviewed and row.logged_by_id != home.viewer.id)
                or entry.mentee.id == bea.viewer.id
            )
        count = session.scalar(
            select(func.count()).where(
                LogEntry.mentee_id == bea.viewer.id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on.between(bea.year.first, bea.year.last),
            )
        )
    assert bea.mentee.entry_count == count
    assert any(e.batch_size == 2 for e in home.mentor.entries)  # the group session


def test_verify_finds_a_tampered_latest_contact_that_the_pay_would_read(
    seeded: Services,
) -> None:
    with seeded.store.write() as session:
        session.execute(
            update(PairBucket)
            .where(PairBucket.bucket_start == date(2026, 11, 16))
            .values(last_contact=date(2026, 11, 22))
        )
    found = [str(d) for d in seeded.ledger.verify().differences]
    assert found and all(d.startswith("ledger_pair_buckets [") for d in found)
    assert all("last 2026-11-22" in d for d in found)
    seeded.ledger.rebuild()
    assert not seeded.ledger.verify().differences
