"""The race suite (issue 16): N threads pressing Sign off, Assign and logging back-dated entries
against a sign-off at once, over several rounds, on SQLite and PostgreSQL. Each round asserts an
invariant the database holds — one sign-off per (period, school), at most one open mentor per
mentee, every entry of a signed period counted by the sign-off or refused — never a timing."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.domain.assignments import AssignmentResult
from bot.domain.signoff import Period, SignOffPreview
from bot.services import assignments as assignment_service
from bot.services import signoff as signoff_service
from bot.services.errors import Refusal
from bot.store.models.core import Assignment, LogEntry, SignedPeriod
from tests.support.hillside import LEE, LEE_ID, MAX, MAX_ID, MIA, MIA_ID, NIA
from tests.support.races import race

THREADS = 8
ROUNDS = 5
DECEMBER = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wed 2 Dec: October and November are over
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
MENTORS = (LEE, MIA, MAX)
LOGGERS = (LEE_ID, MIA_ID, MAX_ID)


def failures(results: list[Any]) -> list[str]:
    """Exceptions that are not a refusal: a traceback a person would have met."""
    return [repr(r) for r in results if isinstance(r, Exception) and not isinstance(r, Refusal)]


def refusals(results: list[Any]) -> list[str]:
    return [r.message for r in results if isinstance(r, Refusal)]


@pytest.fixture
def december(services: Services, pairs: None, clock: FixedClock) -> Services:
    """Lee→Bea, Mia→Ike, Max→Bo; Nia unassigned; the clock on Wed 2 Dec."""
    clock.set(DECEMBER)
    return services


def active_sign_offs(services: Services, period: Period) -> int:
    with services.store.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(SignedPeriod)
                .where(
                    SignedPeriod.first_day == period.first,
                    SignedPeriod.last_day == period.last,
                    SignedPeriod.school.is_(None),
                    SignedPeriod.reopened_at.is_(None),
                )
            )
            or 0
        )


def live_entries(services: Services, period: Period) -> int:
    with services.store.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(LogEntry)
                .where(
                    LogEntry.deleted_at.is_(None),
                    LogEntry.occurred_on.between(period.first, period.last),
                )
            )
            or 0
        )


def open_mentors(services: Services, mentee_id: int) -> list[int]:
    with services.store.read() as session:
        return list(
            session.scalars(
                select(Assignment.mentor_id).where(
                    Assignment.mentee_id == mentee_id, Assignment.ended_on.is_(None)
                )
            )
        )


# ---- one sign-off per (period, school) -------------------------------------------------------


def test_sign_off_pressed_at_once_makes_one_lock_and_one_reopen_unlocks(
    december: Services, clock: FixedClock
) -> None:
    services = december
    rows, signed, unlocked, broken = [], [], [], []
    for round_ in range(ROUNDS):
        results = race(
            [lambda: services.signoff.sign("U0CORA", OCTOBER, None, clock.now())] * THREADS
        )
        broken.append(len(failures(results)))
        rows.append(active_sign_offs(services, OCTOBER))
        signed.append(sum(isinstance(r, SignOffPreview) for r in results))
        assert all("already signed off" in m for m in refusals(results)), refusals(results)
        services.signoff.reopen("U0CORA", OCTOBER, "all a late entry to add", clock.now())
        try:
            logged = services.logs.log_text(
                "U0LEE", f"5m meeting 2026-10-{14 + round_}", clock.now()
            ).ok
        except Refusal:
            logged = False
        unlocked.append(logged)
    report = f"active rows per round {rows}, signed {signed}, log after reopen {unlocked}, {broken}"
    assert broken == [0] * ROUNDS, report
    assert rows == [1] * ROUNDS, report
    assert signed == [1] * ROUNDS, report
    assert unlocked == [True] * ROUNDS, report


def test_without_the_sign_off_lock_the_unique_key_alone_holds_and_answers(
    december: Services, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unique key is the last word: with the advisory lock taken away, presses that pass
    the check together still store one lock, and the others are told who signed it."""
    monkeypatch.setattr(signoff_service, "lock_for_sign_off", lambda *_: None)
    services = december
    rows, broken = [], []
    for _ in range(ROUNDS):
        results = race(
            [lambda: services.signoff.sign("U0CORA", OCTOBER, None, clock.now())] * THREADS
        )
        broken.append(len(failures(results)))
        rows.append(active_sign_offs(services, OCTOBER))
        assert all(
            "already signed off for the whole program by Cora" in m for m in refusals(results)
        )
        services.signoff.reopen("U0CORA", OCTOBER, "all next round", clock.now())
    report = f"active rows per round {rows}, tracebacks {broken}"
    assert broken == [0] * ROUNDS, report
    assert rows == [1] * ROUNDS, report


# ---- logs and a sign-off of the same period are serialised ----------------------------------


def test_logs_racing_a_sign_off_are_either_counted_or_refused(
    december: Services, clock: FixedClock
) -> None:
    services = december
    uncounted: list[int] = []
    broken: list[int] = []
    errors: set[str] = set()
    for round_ in range(ROUNDS):
        logs = [
            (
                lambda who=LOGGERS[i % 3], day=2 + (i + round_) % 27: services.logs.log_text(
                    who, f"5m meeting 2026-11-{day:02d}", clock.now()
                )
            )
            for i in range(3 * THREADS)
        ]
        sign = [lambda: services.signoff.sign("U0CORA", NOVEMBER, None, clock.now())]
        results = race(logs + sign)
        broken.append(len(failures(results)))
        errors |= set(failures(results))
        preview = results[-1]
        assert isinstance(preview, SignOffPreview), preview
        # Every entry dated in November is in the sign-off's count; a log after it was refused.
        uncounted.append(live_entries(services, NOVEMBER) - preview.entries)
        assert all("signed off" in m for m in refusals(results[:-1])), refusals(results)
        services.signoff.reopen("U0CORA", NOVEMBER, "all next round", clock.now())
    report = (
        f"entries stored after the sign-off counted, per round: {uncounted}, {broken}, {errors}"
    )
    assert broken == [0] * ROUNDS, report
    assert uncounted == [0] * ROUNDS, report


def test_undos_racing_a_sign_off_are_either_before_its_count_or_refused(
    december: Services, clock: FixedClock
) -> None:
    services = december
    miscounted, broken = [], []
    for round_ in range(ROUNDS):
        batches = [
            services.logs.log_text(
                LOGGERS[i % 3], f"5m meeting 2026-11-{2 + (i + round_) % 27:02d}", clock.now()
            ).batch_id
            for i in range(THREADS)
        ]
        undos = [
            (
                lambda who=LOGGERS[i % 3], batch=batches[i]: services.logs.undo(
                    who, batch or "", clock.now()
                )
            )
            for i in range(THREADS)
        ]
        sign = [lambda: services.signoff.sign("U0CORA", NOVEMBER, None, clock.now())]
        results = race(undos + sign)
        broken.append(len(failures(results)))
        preview = results[-1]
        assert isinstance(preview, SignOffPreview), preview
        # An Undo the sign-off counted before was refused: what it counted is what is there.
        miscounted.append(live_entries(services, NOVEMBER) - preview.entries)
        assert all("signed off" in m for m in refusals(results[:-1])), refusals(results)
        services.signoff.reopen("U0CORA", NOVEMBER, "all next round", clock.now())
    report = f"live entries minus counted, per round: {miscounted}, tracebacks {broken}"
    assert broken == [0] * ROUNDS, report
    assert miscounted == [0] * ROUNDS, report


# ---- at most one active mentor per mentee ---------------------------------------------------


def test_assign_pressed_for_one_mentee_with_different_mentors_gives_one_mentor(
    december: Services, roster: dict[str, int], clock: FixedClock
) -> None:
    services = december
    cora = services.assignments.coordinator("U0CORA")
    nia = roster[NIA]
    mentors = [roster[m] for m in MENTORS]
    open_rows, made, broken = [], [], []
    for _ in range(ROUNDS):
        results = race(
            [
                (
                    lambda m=mentors[i % 3]: services.assignments.assign_ids(
                        cora, m, nia, clock.now()
                    )
                )
                for i in range(THREADS)
            ]
        )
        broken.append(len(failures(results)))
        open_rows.append(len(open_mentors(services, nia)))
        made.append(sum(isinstance(r, AssignmentResult) and not r.unchanged for r in results))
        services.assignments.unassign(cora, NIA, "next round", None, clock.now())
    report = f"open assignments per round {open_rows}, assigned {made}, tracebacks {broken}"
    assert broken == [0] * ROUNDS, report
    assert open_rows == [1] * ROUNDS, report
    assert made == [1] * ROUNDS, report  # the other presses' buttons were drawn with no mentor


def test_without_the_mentee_lock_the_unique_index_alone_holds_and_answers(
    december: Services,
    roster: dict[str, int],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the mentee row lock taken away, the partial unique index still leaves one open
    assignment, and a press that lost the insert gets an answer, not a traceback."""
    monkeypatch.setattr(assignment_service, "lock_mentee", lambda *_: None)
    services = december
    cora = services.assignments.coordinator("U0CORA")
    nia = roster[NIA]
    mentors = [roster[m] for m in MENTORS]
    seen: list[str] = []
    open_rows, broken = [], []
    for _ in range(ROUNDS):
        results = race(
            [
                (
                    lambda m=mentors[i % 3]: services.assignments.assign_ids(
                        cora, m, nia, clock.now()
                    )
                )
                for i in range(THREADS)
            ]
        )
        seen.extend(failures(results))
        broken.append(len(failures(results)))
        open_rows.append(len(open_mentors(services, nia)))
        services.assignments.unassign(cora, NIA, "next round", None, clock.now())
    report = f"open assignments per round {open_rows}, tracebacks {broken} {seen}"
    assert broken == [0] * ROUNDS, report
    assert open_rows == [1] * ROUNDS, report


def test_the_same_assign_pressed_at_once_assigns_once_without_a_traceback(
    december: Services, roster: dict[str, int], clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    services = december
    cora = services.assignments.coordinator("U0CORA")
    nia, mia = roster[NIA], roster["mia@hillside.example"]
    open_rows, made, broken = [], [], []
    with caplog.at_level(logging.ERROR):
        for _ in range(ROUNDS):
            results = race(
                [lambda: services.assignments.assign_ids(cora, mia, nia, clock.now())] * 6
            )
            broken.append(len(failures(results)))
            open_rows.append(open_mentors(services, nia))
            made.append(sum(isinstance(r, AssignmentResult) and not r.unchanged for r in results))
            services.assignments.unassign(cora, NIA, "next round", None, clock.now())
    report = f"open mentors per round {open_rows}, assigned {made}, tracebacks {broken}"
    assert broken == [0] * ROUNDS, report
    assert open_rows == [[mia]] * ROUNDS, report
    assert made == [1] * ROUNDS, report
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
