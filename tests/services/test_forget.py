"""Forgetting a person (issue 21, Must 5): every text of theirs and their identity go, from every
table; the minutes, totals, pay and report stay exactly; refused while their periods are not
signed off unless `yes`; a dry run changes nothing; audited by counts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text, update

from bot.bootstrap import Services
from bot.cli.report_format import report_json
from bot.domain.erasure import tombstone_email, tombstone_name
from bot.domain.policy import parse_program_toml
from bot.domain.signoff import Period
from bot.services.errors import Refusal
from bot.services.outbox import Notification
from bot.slack import request_views
from bot.store.base import Base
from bot.store.models.core import Activity, Assignment, LogEntry, OutboxMessage, Person
from bot.store.models.erasures import Erasure
from bot.store.models.surveys import Survey, SurveyResponse
from tests.services.test_races import THREADS, failures, race
from tests.support.hillside import BEA, BO, LEE, NOW, PROGRAM_TOML
from tests.support.home import NOTE_BEA_VISIT, NOTE_LEE_BEA, NOTE_MAX_BO, NOTE_MIA_IKE

FLAG = "FLAG-REASON-Bea-was-absent"
ASKED = "CHANGE-REASON-schedules"
COMMENT_NAMING = "Bea Beginner made the sessions worth it"
COMMENT_OTHER = "COMMENT-KEPT the sessions were useful"
PAID = PROGRAM_TOML + "[overrides]\nhourly_rate_cents = 3000\nlead_stipend_cents = 120000\n"
BEA_TRACES = ("Bea Beginner", BEA, "U0BEA", NOTE_LEE_BEA, NOTE_BEA_VISIT, FLAG, ASKED)


def everything_stored(services: Services) -> str:
    """Every row of every table, as text: what a database dump would hold."""
    found = []
    with services.store.read() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                found.append(f"{table.name}: {json.dumps(list(row), default=str)}")
    return "\n".join(found)


def numbers(services: Services) -> dict[str, Any]:
    """The annual report's figures, with every name and email left out."""
    shaped = json.loads(report_json(services.reports.annual(None, NOW)))
    teachers = shaped["teachers"]
    return {
        "values": {key: item.get("value") for key, item in teachers.items()},
        "served": sorted((r["minutes"], r["observations"]) for r in teachers["b"]["rows"]),
        "e_minutes": teachers["e"].get("minutes"),
    }


def pay(services: Services) -> list[tuple[str, str, int, int | None]]:
    period = services.pay.period(date(2026, 11, 1), date(2026, 11, 30))
    return sorted((r.role, r.basis, r.minutes, r.amount_cents) for r in period.rows)


def person_id(services: Services, email: str) -> int:
    with services.store.read() as session:
        found = session.scalar(select(Person.id).where(Person.email == email))
    assert found is not None
    return int(found)


@pytest.fixture
def traces(services: Services, week: Services) -> int:
    """Bea's week of logs (with notes) plus a flag reason on her mentor's entry, a change
    request with a reason, a survey comment naming her, a message waiting for her and one to
    her mentor naming her; her person id."""
    services.programs.load(parse_program_toml(PAID))
    bea = person_id(services, BEA)
    with services.store.read() as session:
        entry = session.scalar(
            select(LogEntry.id).where(LogEntry.mentee_id == bea, LogEntry.kind == "observation")
        )
    assert entry is not None
    services.signoff.review("U0BEA", entry, "flagged", FLAG, NOW)
    services.requests.ask("U0BEA", NOW, request_views.render_notice, reason=ASKED)
    program = services.programs.current(NOW)
    with services.store.write() as session:
        survey = session.execute(
            insert(Survey).returning(Survey.id),
            [{"program_id": program.id, "name": "mid", "kind": "survey", "school_year": "2026-27",
              "title": "Mid-year", "audience": "mentee", "questions": ["Q"], "comment": True,
              "opens_on": date(2026, 11, 2), "closes_on": date(2026, 11, 20)}],
        ).scalar_one()  # fmt: skip
        session.execute(
            insert(SurveyResponse),
            [{"id": "a" * 32, "survey_id": survey, "comment": COMMENT_NAMING},
             {"id": "b" * 32, "survey_id": survey, "comment": COMMENT_OTHER}],
        )  # fmt: skip
        services.outbox.claim_all(
            session,
            [
                Notification("todo", "U0BEA", "bea", "2026-11-19", {"text": "Hi Bea"}),
                Notification("todo", "U0LEE", "lee", "2026-11-19", {"text": "Bea Beginner: 1h"}),
                Notification("todo", "U0LEE", "kept", "2026-11-19", {"text": "Ike: 1h"}),
            ],
            NOW,
        )
    return bea


def test_forgetting_erases_every_trace_and_keeps_every_number(
    services: Services, traces: int
) -> None:
    before_report, before_pay = numbers(services), pay(services)
    assert (75, 1) in before_report["served"] and before_pay  # Bea's minutes and observation
    stored = everything_stored(services)
    assert all(trace in stored for trace in BEA_TRACES)  # the world holds them to begin with

    outcome = services.erasure.forget(
        services.programs.current(NOW), BEA, NOW, ran_by="cli:test", yes=True
    )

    stored = everything_stored(services)
    for trace in (*BEA_TRACES, COMMENT_NAMING):
        assert trace not in stored, trace
    for kept in (NOTE_MIA_IKE, NOTE_MAX_BO, COMMENT_OTHER, "Ike: 1h"):
        assert kept in stored, kept
    assert tombstone_name(traces) in stored and tombstone_email(traces) in stored
    assert outcome.counts.as_dict() == {
        "log_notes": 2, "activity_notes": 0, "review_reasons": 1, "reopen_reasons": 0,
        "request_reasons": 1, "assignment_reasons": 0, "survey_comments": 1,
        "messages_cancelled": 3, "messages_scrubbed": 0,
    }  # fmt: skip
    assert [m.label for m in outcome.open_months] == ["November 2026"]
    assert numbers(services) == before_report
    assert pay(services) == before_pay
    assert services.ledger.verify().differences == ()
    with services.store.read() as session:
        audit = session.scalars(select(Erasure)).one()
        statuses = {
            subject: status
            for subject, status in session.execute(
                select(OutboxMessage.subject, OutboxMessage.status)
            )
        }
        entries = session.scalars(select(LogEntry).where(LogEntry.mentee_id == traces)).all()
    assert (audit.kind, audit.person_id, audit.ran_by, audit.at) == (
        "forget",
        traces,
        "cli:test",
        NOW,
    )
    assert audit.counts == outcome.counts.as_dict()
    # the message to her is cancelled, the one naming her deleted (its job composes it afresh)
    assert (
        statuses["bea"] == "cancelled" and "lee" not in statuses and statuses["kept"] == "pending"
    )
    assert sorted((e.occurred_on, e.minutes, e.kind) for e in entries) == [
        (date(2026, 11, 16), 45, "observation"), (date(2026, 11, 17), 30, "meeting"),
        (date(2026, 11, 17), 30, "observed"),
    ]  # fmt: skip


def test_forgetting_is_refused_while_their_periods_are_not_signed_off(
    services: Services, traces: int
) -> None:
    stored = everything_stored(services)
    with pytest.raises(Refusal) as refused:
        services.erasure.forget(services.programs.current(NOW), BEA, NOW, ran_by="cli:test")

    assert "November 2026 (3)" in refused.value.message and "--yes" in refused.value.message
    assert BEA not in refused.value.message  # the email being forgotten is never repeated
    assert everything_stored(services) == stored


def test_a_dry_run_counts_with_the_real_statements_and_changes_nothing(
    services: Services, traces: int
) -> None:
    stored = everything_stored(services)
    dry = services.erasure.forget(
        services.programs.current(NOW), BEA, NOW, ran_by="cli:test", dry_run=True
    )
    assert everything_stored(services) == stored
    real = services.erasure.forget(
        services.programs.current(NOW), BEA, NOW, ran_by="cli:test", yes=True
    )
    assert dry.dry_run and not real.dry_run
    assert dry.counts == real.counts and dry.counts.get("log_notes") == 2
    assert dry.open_months == real.open_months


def test_signed_off_periods_let_a_forget_through_and_a_reopened_one_stops_it(
    services: Services, pairs: None
) -> None:
    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    assert services.logs.log_text("U0MAX", "45m <@U0BO> 2026-10-20 NOTE-BO-OCT", NOW).ok
    services.signoff.sign("U0CORA", october, None, NOW)
    services.signoff.reopen("U0CORA", october, "a late entry to add", NOW)
    program = services.programs.current(NOW)

    with pytest.raises(Refusal, match=r"October 2026 \(1\)"):
        services.erasure.forget(program, BO, NOW, ran_by="cli:test")
    services.signoff.sign("U0CORA", october, None, NOW)
    outcome = services.erasure.forget(program, BO, NOW, ran_by="cli:test")

    assert outcome.open_months == () and outcome.counts.get("log_notes") == 1
    assert "NOTE-BO-OCT" not in everything_stored(services)


def test_a_forgotten_person_is_found_by_nobody_and_forgotten_once(
    services: Services, traces: int
) -> None:
    program = services.programs.current(NOW)
    services.erasure.forget(program, BEA, NOW, ran_by="cli:test", yes=True)

    with pytest.raises(Refusal, match="Nobody on the"):
        services.erasure.forget(program, BEA, NOW, ran_by="cli:test", yes=True)
    with pytest.raises(Refusal, match="forgotten already"):
        services.erasure.forget(program, tombstone_email(traces), NOW, ran_by="cli:test")
    with services.store.read() as session:
        person = session.get(Person, traces)
        assert person is not None
        assert (person.active, person.slack_user_id, person.subject, person.license) == (
            False, None, None, None,
        )  # fmt: skip
        assert (person.school, person.educator_type, person.hire_date) == (
            "Lincoln", "beginning_teacher", date(2026, 8, 24),
        )  # fmt: skip
        assert session.execute(text("SELECT count(*) FROM erasures")).scalar() == 1
    assert person.updated_at > NOW - timedelta(seconds=1)


def test_forgetting_the_same_person_at_once_forgets_them_once(
    services: Services, traces: int
) -> None:
    """Eight forgets of one person at the same moment (threads; on PostgreSQL too): the sign-off
    lock orders them, so one erases and writes the audit row, the others find nobody."""
    program = services.programs.current(NOW)
    results = race(
        [
            lambda: services.erasure.forget(program, BEA, NOW, ran_by="cli:test", yes=True)
            for _ in range(THREADS)
        ]
    )

    assert failures(results) == []
    done = [r for r in results if not isinstance(r, Exception)]
    assert len(done) == 1 and done[0].counts.get("log_notes") == 2
    assert all("Nobody on the" in r.message for r in results if isinstance(r, Refusal))
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Erasure)) == 1


def test_forgetting_a_mentor_erases_their_activities_reopen_and_end_reasons(
    services: Services, week: Services
) -> None:
    program = services.programs.current(NOW)
    lee = person_id(services, LEE)
    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    services.signoff.sign("U0CORA", october, None, NOW)
    services.signoff.reopen("U0CORA", october, "REOPEN Lee Lead forgot one", NOW)
    services.signoff.sign("U0CORA", october, None, NOW)
    with services.store.write() as session:
        session.execute(
            insert(Activity),
            [{"program_id": program.id, "kind": "group", "occurred_on": date(2026, 11, 3),
              "minutes": 60, "facilitator_id": lee, "notes": "ACTIVITY-NOTE", "source": "cli"}],
        )  # fmt: skip
        session.execute(
            update(Assignment)
            .where(Assignment.mentor_id == lee)
            .values(ended_on=date(2026, 11, 18), end_reason="END-REASON moved")
        )
    stored = everything_stored(services)
    assert all(t in stored for t in ("REOPEN Lee Lead", "ACTIVITY-NOTE", "END-REASON", LEE))

    outcome = services.erasure.forget(program, LEE, NOW, ran_by="cli:test", yes=True)

    stored = everything_stored(services)
    for trace in ("Lee Lead", LEE, "U0LEE", "REOPEN", "ACTIVITY-NOTE", "END-REASON", NOTE_LEE_BEA):
        assert trace not in stored, trace
    assert NOTE_MIA_IKE in stored and NOTE_MAX_BO in stored  # the other pairs keep theirs
    counts = outcome.counts
    assert (counts.get("activity_notes"), counts.get("reopen_reasons")) == (1, 1)
    assert (counts.get("assignment_reasons"), counts.get("log_notes")) == (1, 2)  # + the visit
    assert services.ledger.verify().differences == ()
