"""Statement budgets for the scheduler's jobs (issue 18, Must 6), on SQLite and PostgreSQL.

Counted with a `before_cursor_execute` listener on the store's engine (as Django's
`assertNumQueries` does), never timed: the deadline sweep, the weekly digest and the contact
nudges send the same number of statements at 10 pairs and at 1,000 (no per-pair query), and a
steady tick — the snapshot and the ledger's totals kept from the tick before — reads nothing of
the ledger but what changed since (`bot/services/ledger_watch.py`). The 1,000-pair world is bulk
inserted (executemany, then `ledger rebuild`), as the benchmarks build theirs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, insert, select

from bot.bootstrap import Services
from bot.services.ledger_watch import GAP_TICKS, KeptLedgerReads, _Mark
from bot.store.models.core import Assignment, LogEntry, Person, PersonRole
from schedules.jobs import PRODUCERS
from tests.support.scheduler import at

MONDAY = at("2026-11-16", 7, 45)  # after the 07:30 digest: every job below has work to do
JOBS = ("deadline-sweep", "weekly-digest", "contact-nudges")
SCHOOLS = ("Lincoln", "Jefferson", "Adams", "Baker", "Carver")
SCHOOL_YEAR = "2026-27"
FIRST_GROWN = 10  # the first id `grow` gives (after the roster's nine people)


def mentor_of_pair(i: int) -> str:
    """The Slack id of the mentor of the i-th pair the first `grow` added."""
    return f"UG{FIRST_GROWN + 2 * i}"


TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)
# Each job alone, the roster just changed: the snapshot's fingerprint and its six bulk reads
# (people, roles, pairs, ended pairs, milestones, support teams), then the job's own reads —
# the sweep: the coordinators' last alert (outbox); the digest: the week's pairs, its totals,
# last contacts, standards coverage; the contact nudges: last contacts.
BUDGETS = {"deadline-sweep": 8, "weekly-digest": 5, "contact-nudges": 2}
# A steady tick of all three: the snapshot's fingerprint, the outbox, the digest week's pairs,
# the ledger's generation and the audit trail past the watermark.
STEADY_TICK = 5


@contextmanager
def counting(services: Services) -> Iterator[Counter[str]]:
    """The statements sent inside the block, by verb and first table (transactions left out)."""
    seen: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            table = TABLE.search(statement)
            seen[f"{verb} {table.group(1) if table else '?'}"] += 1

    event.listen(services.store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(services.store.engine, "before_cursor_execute", count)


def grow(services: Services, pairs: int) -> None:
    """Add `pairs` mentor–mentee pairs over five schools (a lead mentor each), beginning
    teachers without a mentor (the overdue alert), year-2 teachers (the 50 hours), three log
    entries per pair, one of them tagged with standards — by bulk insert, then a rebuild."""
    program = services.programs.current()
    with services.store.write() as session:
        conn = session.connection()
        first = int(session.scalar(select(func.max(Person.id))) or 0) + 1
        people: list[dict[str, Any]] = []
        roles: list[dict[str, Any]] = []
        assignments: list[dict[str, Any]] = []
        logs: list[dict[str, Any]] = []

        def person(role: str, school: str, hired: date, kind: str | None = None) -> int:
            pid = first + len(people)
            people.append(
                {"id": pid, "program_id": program.id, "email": f"p{pid}@grow.example",
                 "name": f"Person {pid:06d}", "school": school, "subject": "Math", "grade": "4",
                 "educator_type": kind, "license": "Initial", "hire_date": hired,
                 "slack_user_id": f"UG{pid}", "active": True}
            )  # fmt: skip
            roles.append({"person_id": pid, "role": role, "school_year": SCHOOL_YEAR})
            return pid

        for i in range(pairs):
            school = SCHOOLS[i % len(SCHOOLS)]
            mentor = person("mentor", school, date(2012, 8, 27))
            if i < len(SCHOOLS):
                roles.append({"person_id": mentor, "role": "lead_mentor", "school_year": SCHOOL_YEAR})  # fmt: skip
            hired = date(2025, 8, 25) if i % 5 == 4 else date(2026, 8, 24)  # every 5th: year 2
            mentee = person("mentee", school, hired, "beginning_teacher")
            assignments.append(
                {"program_id": program.id, "mentor_id": mentor, "mentee_id": mentee,
                 "started_on": date(2026, 8, 31)}
            )  # fmt: skip
            for n, (day, kind, tags) in enumerate(
                ((date(2026, 10, 5), "meeting", "I,II"), (date(2026, 11, 2), "observation", None),
                 (date(2026, 11, 10), "meeting", None))
            ):  # fmt: skip
                if i % 7 == 6 and n:  # every 7th pair: quiet since October (a contact nudge)
                    continue
                logs.append(
                    {"program_id": program.id, "mentor_id": mentor, "mentee_id": mentee,
                     "logged_by_id": mentor, "occurred_on": day, "minutes": 45, "kind": kind,
                     "standards": tags, "source": "test", "batch_id": f"g{mentee}-{n}",
                     "created_at": MONDAY, "updated_at": MONDAY}
                )  # fmt: skip
        for i in range(max(pairs // 10, 1)):
            person("mentee", SCHOOLS[i % len(SCHOOLS)], date(2026, 8, 24), "beginning_teacher")
        conn.execute(insert(Person), people)
        conn.execute(insert(PersonRole), roles)
        conn.execute(insert(Assignment), assignments)
        conn.execute(insert(LogEntry), logs)
    services.ledger.rebuild()


def job_statements(services: Services, now: datetime) -> dict[str, int]:
    """Each job alone (no tick: nothing kept from a previous one), its statements."""
    found = {}
    for job in JOBS:
        with counting(services) as seen:
            notes = PRODUCERS[job][1](services, now)
        assert notes, f"{job} produced nothing: the world should give it work"
        found[job] = sum(seen.values())
    return found


def test_the_jobs_send_as_many_statements_at_1000_pairs_as_at_10(
    services: Services, pairs: None
) -> None:
    grow(services, 10)
    small = job_statements(services, MONDAY)
    grow(services, 990)
    large = job_statements(services, MONDAY + timedelta(seconds=1))

    assert large == small
    assert small == BUDGETS


def tick(services: Services, now: datetime) -> Counter[str]:
    """The three jobs at one instant inside the tick's scope, as `jobs.tick` runs them."""
    with counting(services) as seen, services.nudges.shared_reads():
        for job in JOBS:
            assert PRODUCERS[job][1](services, now) is not None
    return seen


def ledger_reads(seen: Counter[str]) -> Counter[str]:
    return Counter({k: n for k, n in seen.items() if " ledger_" in k})


def test_a_steady_tick_reads_only_what_changed_since_the_last(
    services: Services, pairs: None
) -> None:
    grow(services, 100)
    cold = tick(services, MONDAY)
    steady = tick(services, MONDAY + timedelta(minutes=1))
    logged = services.logs.log_text(
        mentor_of_pair(3), "45m #III", MONDAY + timedelta(minutes=1)
    )  # a mentor
    assert logged.ok, logged.error
    caught_up = tick(services, MONDAY + timedelta(minutes=2))

    assert ledger_reads(cold)  # the first tick reads the ledger in bulk
    assert ledger_reads(steady) == Counter()  # nothing written since: nothing of it read
    assert sum(steady.values()) == STEADY_TICK, steady
    assert sum(steady.values()) < sum(cold.values())
    # one write since: the totals of its mentee, once per kept read (a statement each)
    assert ledger_reads(caught_up) == Counter(
        {"SELECT ledger_pair_buckets": 1, "SELECT ledger_pair_years": 1,
         "SELECT ledger_pair_standards": 1}
    )  # fmt: skip
    assert sum(caught_up.values()) == sum(steady.values()) + 3


def test_a_steady_tick_sees_a_log_written_since_the_last(services: Services, pairs: None) -> None:
    """The kept totals are caught up from the audit trail: the contact nudge about a pair
    quiet since October stops once they log, and the digest counts the new minutes."""
    grow(services, 10)
    quiet_mentor = mentor_of_pair(6)  # every 7th pair has logged nothing since October
    first = tick_notes(services, MONDAY)
    assert any(n.recipient == quiet_mentor for n in first["contact-nudges"])
    outcome = services.logs.log_text(quiet_mentor, "30m #IV 2026-11-13", MONDAY)
    assert outcome.ok, outcome.error

    later = tick_notes(services, MONDAY + timedelta(minutes=1))

    assert not any(n.recipient == quiet_mentor for n in later["contact-nudges"])
    (row,) = [
        p for d in later["weekly-digest"] for p in d.content.pairs
        if p.mentor.slack_user_id == quiet_mentor
    ]  # fmt: skip
    assert (row.minutes, row.last_contact) == (30, date(2026, 11, 13))
    coverage = [
        c for d in later["weekly-digest"] for c in d.content.coverage
        if c.mentor.slack_user_id == quiet_mentor
    ]  # fmt: skip
    assert {(s.code, s.last) for c in coverage for s in c.standards if s.code in ("I", "IV")} == {
        ("I", date(2026, 10, 5)),
        ("IV", date(2026, 11, 13)),
    }
    assert services.ledger.verify().differences == ()


def tick_notes(services: Services, now: datetime) -> dict[str, list[Any]]:
    with services.nudges.shared_reads():
        return {job: list(PRODUCERS[job][1](services, now) or []) for job in JOBS}


def test_an_audit_id_committed_late_is_still_read_and_a_lost_one_given_up() -> None:
    """PostgreSQL hands out ids at insert and commits in any order: an id below the watermark
    not there yet is asked for again, for `GAP_TICKS` ticks (a rollback leaves it out for good)."""
    mark = _Mark(program_id=1, generation=0, last_id=5)
    KeptLedgerReads._advance(mark, {7, 9})  # 6 and 8 still open
    assert (mark.last_id, sorted(mark.gaps)) == (9, [6, 8])
    KeptLedgerReads._advance(mark, {8, 10})  # 8 committed late
    assert (mark.last_id, sorted(mark.gaps)) == (10, [6])
    for _ in range(GAP_TICKS - 2):
        KeptLedgerReads._advance(mark, set())
    assert sorted(mark.gaps) == [6]
    KeptLedgerReads._advance(mark, set())  # rolled back: given up
    assert (mark.last_id, mark.gaps) == (10, {})


FIRST_OF_DECEMBER = at("2026-12-01", 7, 45)  # Tue 1 Dec: the first school day, November summarised
# The snapshot's fingerprint and its six bulk reads, then the month's pairs, their totals and
# the schools' kept totals (issue 20).
MONTHLY_BUDGET = 10


def test_the_monthly_summary_sends_as_many_statements_at_1000_pairs_as_at_10(
    services: Services, pairs: None
) -> None:
    found = []
    for grown, instant in ((10, FIRST_OF_DECEMBER), (990, FIRST_OF_DECEMBER + timedelta(seconds=1))):  # fmt: skip
        grow(services, grown)
        with counting(services) as seen:
            notes = PRODUCERS["monthly-summary"][1](services, instant)
        assert notes, "the summary of November should go to the coordinator"
        found.append(sum(seen.values()))
    assert found == [MONTHLY_BUDGET, MONTHLY_BUDGET]
