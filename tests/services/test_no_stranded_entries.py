"""No entry outside its pair (issue 19): Max logs 3 × 20 min with Bo on Wed 18 Nov, and the
coordinator reassigns Bo to Mia from that day. Every path that ends an assignment refuses to
leave entries after the end, says how many on which days and the ways on; `move-entries` moves
them (audited, every kept total exact); the entries a mentor may still change stay on their
Home. A log racing a reassignment (threads, PostgreSQL) never leaves an entry outside a pair."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import exists, func, or_, select

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.domain.grammar.command_text import parse_induction
from bot.domain.policy import parse_program_toml
from bot.services.errors import NotAllowed, Refusal
from bot.services.programs import ProgramInfo
from bot.slack import request_views
from bot.store.models.core import Assignment, LogAudit, LogEntry
from tests.support.cli import Cli
from tests.support.hillside import BO, BO_ID, MAX, MAX_ID, MIA, MIA_ID, NOW, PAID_TOML
from tests.support.races import race
from tests.support.years import NEXT_ROSTER, NEXT_TOML, at

WED = date(2026, 11, 18)  # NOW's day
THU = WED + timedelta(days=1)


@pytest.fixture
def program(services: Services) -> ProgramInfo:
    """The contract's program with hourly pay (overrides conftest's)."""
    info, _ = services.programs.load(parse_program_toml(PAID_TOML))
    return info


@pytest.fixture
def logged(services: Services, pairs: None) -> list[int]:
    """Max logs 3 × 20 min with Bo today (Wed 18 Nov); the entries' ids."""
    ids = []
    for _ in range(3):
        outcome = services.logs.log_text(MAX_ID, "20m meeting", NOW)
        assert outcome.ok, outcome.error
        ids.extend(e.id for e in outcome.entries)
    return ids


def stranded(services: Services) -> list[tuple[int, int, date]]:
    """Live entries no assignment of their own pair covers: (mentor, mentee, day)."""
    covering = exists().where(
        Assignment.mentor_id == LogEntry.mentor_id,
        Assignment.mentee_id == LogEntry.mentee_id,
        Assignment.started_on <= LogEntry.occurred_on,
        or_(Assignment.ended_on.is_(None), Assignment.ended_on >= LogEntry.occurred_on),
    )
    with services.store.read() as session:
        rows = session.execute(
            select(LogEntry.mentor_id, LogEntry.mentee_id, LogEntry.occurred_on).where(
                LogEntry.deleted_at.is_(None), ~covering
            )
        ).all()
    return [(a, b, c) for a, b, c in rows]


def open_mentor(services: Services, roster: dict[str, int], mentee: str) -> list[int]:
    with services.store.read() as session:
        return list(
            session.scalars(
                select(Assignment.mentor_id).where(
                    Assignment.mentee_id == roster[mentee], Assignment.ended_on.is_(None)
                )
            )
        )


def pay_minutes(services: Services, email: str) -> int:
    paid = services.pay.period(date(2026, 11, 1), date(2026, 11, 30))
    return sum(row.minutes for row in paid.rows if row.email == email and row.basis == "hourly")


def test_a_back_dated_reassignment_that_would_strand_entries_is_refused(
    services: Services, roster: dict[str, int], logged: list[int]
) -> None:
    coordinator = services.assignments.coordinator("U0CORA")
    with pytest.raises(Refusal) as refused:
        services.assignments.assign(coordinator, MIA, BO, WED, NOW)
    message = refused.value.message
    assert "Max Mentor logged 3 entries on Wed 18 Nov with Bo Beginner" in message
    assert "Tuesday 17 November" in message or "17 Nov" in message
    assert "move-entries" in message and "--move-entries" in message
    assert refused.value.example == "/induction assign @mentor @mentee 2026-11-19"
    assert open_mentor(services, roster, BO) == [roster[MAX]]  # nothing changed
    assert pay_minutes(services, MAX) == 60 and stranded(services) == []


def test_starting_after_the_last_entry_keeps_them_in_the_old_pair_and_on_its_home(
    services: Services, roster: dict[str, int], logged: list[int], clock: FixedClock
) -> None:
    coordinator = services.assignments.coordinator("U0CORA")
    result = services.assignments.assign(coordinator, MIA, BO, THU, NOW)
    assert result.ended and result.ended[0][1] == WED and result.moved == 0
    assert stranded(services) == []
    clock.set(NOW + timedelta(days=2))  # Fri: the pair ended yesterday
    home = services.home.home(MAX_ID, clock.now())
    assert home.mentor is not None
    assert {e.id for e in home.mentor.entries} >= set(logged)
    assert services.logs.undo(MAX_ID, services_batch(services, logged[0]), clock.now())
    assert pay_minutes(services, MAX) == 40
    # Past the window a mentor no longer changes them (a coordinator still can).
    late = NOW + timedelta(days=16)
    clock.set(late)
    assert services.home.home(MAX_ID, late).mentor is not None
    assert not {e.id for e in services.home.home(MAX_ID, late).mentor.entries} & set(logged)  # type: ignore[union-attr]
    with pytest.raises(NotAllowed, match="pairing ended more than 14 days ago"):
        services.logs.undo(MAX_ID, services_batch(services, logged[1]), late)


def services_batch(services: Services, entry_id: int) -> str:
    with services.store.read() as session:
        batch = session.scalar(select(LogEntry.batch_id).where(LogEntry.id == entry_id))
    assert batch is not None
    return batch


def test_move_entries_gives_them_to_the_new_mentor_audited_and_exact(
    services: Services, roster: dict[str, int], logged: list[int]
) -> None:
    coordinator = services.assignments.coordinator("U0CORA")
    result = services.assignments.assign(coordinator, MIA, BO, WED, NOW, move_entries=True)
    assert result.moved == 3
    assert stranded(services) == []
    with services.store.read() as session:
        moved = (
            session.execute(select(LogEntry.mentor_id).where(LogEntry.id.in_(logged)))
            .scalars()
            .all()
        )
        audits = session.execute(
            select(LogAudit.actor_id, LogAudit.before, LogAudit.after).where(
                LogAudit.action == "move"
            )
        ).all()
    assert set(moved) == {roster[MIA]}
    assert len(audits) == 3
    assert {a.actor_id for a in audits} == {roster["cora@hillside.example"]}
    assert all(
        a.before["mentor_id"] == roster[MAX] and a.after["mentor_id"] == roster[MIA] for a in audits
    )
    assert services.ledger.verify().differences == ()
    assert pay_minutes(services, MAX) == 0 and pay_minutes(services, MIA) == 60


def test_unassign_dated_before_entries_is_refused(
    services: Services, roster: dict[str, int], logged: list[int]
) -> None:
    coordinator = services.assignments.coordinator("U0CORA")
    with pytest.raises(Refusal) as refused:
        services.assignments.unassign(coordinator, BO, "moved school", WED - timedelta(days=1), NOW)
    assert "3 entries on Wed 18 Nov" in refused.value.message
    assert refused.value.example is not None and "2026-11-18" in refused.value.example
    assert open_mentor(services, roster, BO) == [roster[MAX]]
    services.assignments.unassign(coordinator, BO, "moved school", WED, NOW)
    assert stranded(services) == []


def test_a_request_answered_with_a_reassignment_offers_the_move_box(
    services: Services, roster: dict[str, int], logged: list[int]
) -> None:
    request = services.requests.ask(BO_ID, NOW, request_views.render_notice, reason="schedules")
    choice = services.requests.reassign_choice("U0CORA", request.id, NOW)
    assert choice.entries_today == 3
    form = request_views.reassign_form(choice)
    assert request_views.MOVE_BLOCK in {b.get("block_id") for b in form["blocks"]}
    with pytest.raises(Refusal, match="3 entries on Wed 18 Nov"):
        services.requests.reassign(
            "U0CORA", request.id, roster[MIA], NOW, request_views.render_notice
        )
    assert open_mentor(services, roster, BO) == [roster[MAX]]
    answer = services.requests.reassign(
        "U0CORA", request.id, roster[MIA], NOW, request_views.render_notice, move_entries=True
    )
    assert answer.assignment is not None and answer.assignment.moved == 3
    assert stranded(services) == [] and services.ledger.verify().differences == ()


def test_the_assign_grammar_reads_the_word_that_moves_entries() -> None:
    args = parse_induction("assign <@U0MIA|mia> <@U0BO|bo> 2026-11-18 move-entries")
    assert args.move_entries and args.on == WED and args.people == ("<@U0MIA|mia>", "<@U0BO|bo>")
    assert not parse_induction("assign <@U0MIA|mia> <@U0BO|bo>").move_entries


def test_the_cli_refuses_then_moves_with_move_entries(
    services: Services, logged: list[int], cli: Cli
) -> None:
    refused = cli("assign", MIA, BO, "--on", "2026-11-18")
    assert refused.code != 0 and "3 entries on Wed 18 Nov" in refused.err
    moved = cli("assign", MIA, BO, "--on", "2026-11-18", "--move-entries")
    assert moved.code == 0, moved.err
    assert "Moved 3 entries to Mia Mentor" in moved.out
    with services.store.read() as session:
        actors = session.scalars(select(LogAudit.actor_id).where(LogAudit.action == "move")).all()
    assert list(actors) == [None, None, None]  # an operator at the command line
    assert cli("ledger", "verify").code == 0
    assert stranded(services) == []


# ---- a log racing a reassignment (PostgreSQL threads; SQLite writers queue) -------------------


def test_logs_racing_a_reassignment_never_leave_an_entry_outside_its_pair(
    services: Services, roster: dict[str, int], pairs: None, clock: FixedClock
) -> None:
    coordinator = services.assignments.coordinator("U0CORA")
    ids = {MAX: MAX_ID, MIA: MIA_ID}
    mentor = MAX
    outcomes = []
    for round_ in range(6):
        now = NOW + timedelta(days=round_)
        clock.set(now)
        other = MIA if mentor == MAX else MAX
        logs = [
            lambda who=ids[mentor], at=now: services.logs.log_text(who, "20m meeting <@U0BO>", at)
        ] * 6
        move = [lambda o=other, at=now: services.assignments.assign(coordinator, o, BO, None, at)]
        results = race(logs + move)
        broken = [
            repr(r)
            for r in results
            if isinstance(r, Exception) and not isinstance(r, Refusal | NotAllowed)
        ]
        assert not broken, broken
        logged = sum(1 for r in results[:-1] if not isinstance(r, Exception) and r.ok)
        reassigned = not isinstance(results[-1], Exception)
        assert stranded(services) == [], f"round {round_}: {logged} logged, {reassigned=}"
        outcomes.append((logged, reassigned))
        assert not (logged and reassigned), "a reassignment from today passed today's entries"
        if reassigned:
            mentor = other
    with services.store.read() as session:
        total = session.scalar(select(func.count()).select_from(LogEntry))
    assert total == sum(n for n, _ in outcomes)
    assert services.ledger.verify().differences == ()


def test_the_year_rollover_ends_a_pair_on_its_last_entry_in_the_new_year(
    year_one: Services, clock: FixedClock
) -> None:
    """A pair that logged in the new year before the rollover ran ends on that day, not on the
    old year's last: its entries stay inside it."""
    year_one.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    clock.set(at("2027-08-30", 12))  # the new school year's first day, before the rollover ran
    outcome = year_one.logs.log_text("U0LEE", "20m meeting", clock.now())
    assert outcome.ok, outcome.error
    assert year_one.years.roll_over(clock.now()) == 4
    with year_one.store.read() as session:
        ends = set(session.execute(select(Assignment.ended_on)).scalars())
    assert ends == {date(2027, 6, 30), date(2027, 8, 30)}
    assert stranded(year_one) == []
