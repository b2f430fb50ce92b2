"""One ledger (issue 7): every surface counts the same hours, on SQLite and PostgreSQL.

Each scenario is one of the disagreements found on the old main: a log after the school year's
last day, a pair reassigned mid-week, (b) against (d), a mentee's visit and a group session,
a scope of more than 40 pairs — and the kept totals checked against the log rows."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text, update

from bot.bootstrap import Services
from bot.cli.main import main
from bot.cli.report_format import report_json
from bot.config import ENV_NAMES
from bot.domain.policy import parse_program_toml
from bot.services.errors import Refusal
from bot.services.programs import ProgramInfo
from bot.store.db import alembic_config, upgrade
from bot.store.models.core import LogEntry, MentorBucket, PairYear, ScopeTotal
from schedules import claims
from tests.support.hillside import NOW, PROGRAM_TOML, ROSTER_CSV
from tests.support.raw_rows import insert_program

LEE, MIA, MAX, CORA = "U0LEE", "U0MIA", "U0MAX", "U0CORA"
BEA, IKE, BO, NIA = "U0BEA", "U0IKE", "U0BO", "U0NIA"


def at(day: str, hour: int = 15) -> datetime:
    """An instant on a day (15:00 UTC is 10:00 in New York)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def log(services: Services, user: str, line: str, now: datetime = NOW) -> Any:
    outcome = services.logs.log_text(user, line, now)
    assert outcome.ok, outcome.error
    return outcome


def add_people(services: Services, rows: list[str]) -> None:
    """The test roster plus more rows (a roster import upserts everyone in the file)."""
    report = services.roster.import_csv(ROSTER_CSV + "\n".join(rows) + "\n")
    assert report.ok, report.problems


def verified(services: Services) -> None:
    assert services.ledger.verify().differences == ()


# ---- every date is in one program year ------------------------------------------------------


def test_a_log_after_the_school_years_last_day_counts_everywhere(
    services: Services, pairs: None
) -> None:
    after_school = at("2027-06-25")  # school year ended Fri 18 Jun; program year 2026-27 runs on
    log(services, LEE, "1h meeting 2026-11-02", after_school)
    outcome = log(services, LEE, "45m meeting", after_school)

    assert outcome.entries[0].year_minutes == 105
    hours = services.hours.report(LEE, after_school, period="year")
    assert hours.total("year") == 105
    report = services.reports.annual(None, after_school)
    (bea,) = [line for line in report.teachers.served if line.email == "bea@hillside.example"]
    assert bea.minutes == 105
    assert report.teachers.minutes_together == 105
    exported = services.log_export.rows(year="2026-27", include_notes=False, as_email=None)
    assert sorted(r.minutes for r in exported) == [45, 60]
    verified(services)


def test_a_log_in_july_belongs_to_the_next_program_year(services: Services, pairs: None) -> None:
    july = at("2027-07-06")
    log(services, LEE, "30m meeting 2027-06-30", july)
    log(services, LEE, "20m meeting", july)  # Tue 6 Jul 2027: program year 2027-28

    assert [r.minutes for r in services.log_export.rows(year="2026-27", include_notes=False, as_email=None)] == [30]  # fmt: skip
    assert [r.minutes for r in services.log_export.rows(year="2027-28", include_notes=False, as_email=None)] == [20]  # fmt: skip
    hours = services.hours.report(BEA, july, period="year")
    (pair,) = hours.pairs
    assert (pair.year, pair.since_start, hours.year and hours.year.label) == (20, 50, "2027-28")
    verified(services)


# ---- the digest --------------------------------------------------------------------------------


def digest_text(services: Services, when: datetime, lead: str = LEE) -> str:
    nudges = services.nudges.weekly_digest(when)
    assert nudges is not None
    notes = claims.notifications(nudges)
    return json.dumps([n.payload for n in notes if n.recipient == lead], ensure_ascii=False)


def test_the_digest_covers_a_pair_that_ended_mid_week_and_none_not_yet_begun(
    services: Services, pairs: None
) -> None:
    add_people(
        services,
        [
            "una@hillside.example,Una Upcoming,mentee,Lincoln,Art,2,beginning_teacher,Initial,2026-10-01,U0UNA",
            "val@hillside.example,Val Midweek,mentee,Lincoln,Art,3,beginning_teacher,Initial,2026-10-01,U0VAL",
        ],
    )  # fmt: skip
    log(services, LEE, "2h meeting 2026-11-03", at("2026-11-03"))  # Tue, with Lee
    services.assignments.assign(None, "mia@hillside.example", "bea@hillside.example", date(2026, 11, 4), at("2026-11-04"))  # fmt: skip
    log(services, MIA, "1h40 meeting <@U0BEA> 2026-11-05", at("2026-11-05"))  # Thu, with Mia
    services.assignments.assign(None, "max@hillside.example", "val@hillside.example", date(2026, 11, 6), at("2026-11-06"))  # fmt: skip
    services.assignments.assign(None, "max@hillside.example", "una@hillside.example", date(2026, 11, 9), at("2026-11-06"))  # fmt: skip

    body = digest_text(services, at("2026-11-09", 13))  # Mon 9 Nov 08:00 New York
    assert "3 h 40 in all" in body
    assert "*Bea Beginner* with Lee Lead · ended Tue 3 Nov" in body  # the day before Mia began
    assert "*Bea Beginner* with Mia Mentor" in body
    assert "*Val Midweek* with Max Mentor" in body  # begun on Friday: in the week
    assert "Una Upcoming* with" not in body  # begins next Monday: not yet
    assert "4 pairs · " in body  # Bea twice, Ike, Val


# ---- the report ------------------------------------------------------------------------------


def test_report_d_and_e_sum_exactly_the_educators_listed_in_b(
    services: Services, program: ProgramInfo, pairs: None
) -> None:
    add_people(
        services,
        ["yan@hillside.example,Yan Second,mentee,Lincoln,Math,4,beginning_teacher,Initial,2025-08-20,U0YAN"],
    )  # fmt: skip
    services.assignments.assign(None, "lee@hillside.example", "yan@hillside.example", date(2026, 9, 1), NOW)  # fmt: skip
    log(services, LEE, "45m observation <@U0BEA> 2026-11-02")
    log(services, LEE, "30m observation <@U0YAN> 2026-11-02")  # year 2: listed apart
    log(services, MIA, "40m observation 2026-11-03")  # Ike, an incoming teacher: served
    log(services, MAX, "50m meeting 2026-11-04")

    report = services.reports.annual(None, NOW).teachers
    served = {line.email: (line.minutes, line.observations) for line in report.served}
    assert served == {
        "bea@hillside.example": (45, 1),
        "ike@hillside.example": (40, 1),
        "bo@hillside.example": (50, 0),
        "nia@hillside.example": (0, 0),
    }
    assert [line.email for line in report.beyond_induction] == ["yan@hillside.example"]
    assert report.observations == 2 == sum(o for _, o in served.values())
    assert report.minutes_together == 135 == sum(m for m, _ in served.values())
    body = json.loads(report_json(services.reports.annual(None, NOW)))["teachers"]
    assert (body["b"]["value"], body["d"]["value"], body["e"]["minutes"], body["e"]["value"]) == (4, 2, 135, 2.25)  # fmt: skip
    assert {row["email"]: row["mentors"] for row in body["b"]["rows"]}["bea@hillside.example"] == ["lee@hillside.example"]  # fmt: skip


def test_the_report_lists_every_mentor_an_educator_had_this_year(
    services: Services, pairs: None
) -> None:
    log(services, LEE, "45m meeting 2026-11-02", at("2026-11-02"))
    services.assignments.assign(None, "mia@hillside.example", "bea@hillside.example", date(2026, 11, 4), at("2026-11-04"))  # fmt: skip
    log(services, MIA, "30m meeting <@U0BEA>", at("2026-11-05"))

    (bea,) = [x for x in services.reports.annual(None, NOW).teachers.served if x.email == "bea@hillside.example"]  # fmt: skip
    assert [m.email for m in bea.mentors] == ["lee@hillside.example", "mia@hillside.example"]
    assert bea.minutes == 75


# ---- visits and group sessions ------------------------------------------------------------------


def mentor_minutes(services: Services, email: str) -> int:
    report = services.reports.annual(None, NOW).teachers
    (line,) = [m for m in report.mentors if m.email == email]
    return line.minutes


def test_a_mentees_visit_is_hers_not_pair_time_nor_mentor_time(
    services: Services, pairs: None
) -> None:
    log(services, LEE, "45m meeting")
    outcome = log(services, BEA, "30m observed <@U0MIA>")

    assert outcome.entries[0].week_minutes == 45  # the pair's time is unchanged
    assert outcome.entries[0].year_visits == 1
    (pair,) = services.hours.report(BEA, NOW).pairs
    assert (pair.week, pair.year) == (45, 45)
    assert services.hours.report(BEA, NOW).visits == 1
    assert mentor_minutes(services, "lee@hillside.example") == 45
    verified(services)


def test_a_group_session_gives_each_pair_its_time_and_the_mentor_one_session(
    services: Services, pairs: None
) -> None:
    services.assignments.assign(None, "lee@hillside.example", "nia@hillside.example", date(2026, 11, 2), NOW)  # fmt: skip
    outcome = log(services, LEE, "60m group <@U0BEA> <@U0NIA>")

    assert [e.week_minutes for e in outcome.entries] == [60, 60]
    assert mentor_minutes(services, "lee@hillside.example") == 60
    services.logs.edit(LEE, outcome.entries[1].id, NOW, duration_text="45m", kind="group", on=date(2026, 11, 18), notes=None)  # fmt: skip
    assert mentor_minutes(services, "lee@hillside.example") == 60  # the longest of the batch
    services.logs.undo(LEE, outcome.batch_id, NOW)
    assert mentor_minutes(services, "lee@hillside.example") == 0
    verified(services)


def test_a_coordinator_logging_a_group_for_two_mentors_gives_each_mentor_the_session(
    services: Services, pairs: None
) -> None:
    log(services, CORA, "60m group <@U0BEA> <@U0IKE>")
    assert mentor_minutes(services, "lee@hillside.example") == 60
    assert mentor_minutes(services, "mia@hillside.example") == 60
    verified(services)


# ---- a scope of more than 40 pairs -----------------------------------------------------------------


def test_hours_over_more_than_40_pairs_count_every_pair(
    services: Services, program: ProgramInfo, pairs: None
) -> None:
    rows = []
    for i in range(45):
        school = "Lincoln" if i % 3 else "Jefferson"
        rows.append(f"m{i}@hillside.example,Mentor {i:02d},mentor,{school},Math,4,,Professional,2010-08-30,U1M{i:03d}")  # fmt: skip
        rows.append(f"t{i}@hillside.example,Teacher {i:02d},mentee,{school},Math,4,beginning_teacher,Initial,2026-08-24,U1T{i:03d}")  # fmt: skip
    add_people(services, rows)
    for i in range(45):
        services.assignments.assign(None, f"m{i}@hillside.example", f"t{i}@hillside.example", date(2026, 9, 1), NOW)  # fmt: skip
        log(services, f"U1M{i:03d}", f"{10 + i}m observation")
    log(services, LEE, "45m meeting")
    expected_all = sum(10 + i for i in range(45)) + 45
    expected_lincoln = sum(10 + i for i in range(45) if i % 3) + 45

    coordinator = services.hours.report(CORA, NOW)
    assert coordinator.pair_count == 48 and len(coordinator.pairs) == 40
    assert coordinator.total("week") == coordinator.total("month") == coordinator.total("year") == expected_all  # fmt: skip
    assert coordinator.observations == 45
    lead = services.hours.report(LEE, NOW)
    assert lead.pair_count == 32  # 30 Lincoln pairs, Bea and Ike
    assert lead.total("week") == expected_lincoln
    listed = sum(p.week for p in coordinator.pairs)
    assert listed < coordinator.total("week")  # the totals count the pairs not listed too
    verified(services)


# ---- concurrency ---------------------------------------------------------------------------------


def test_concurrent_logs_group_sessions_and_undos_keep_the_totals_exact(
    services: Services, pairs: None
) -> None:
    """Writers racing on one mentor's buckets (their own logs, a coordinator's group session
    naming two mentors, undos) leave the kept totals equal to a recount."""
    threads = 12
    barrier = threading.Barrier(threads)

    def one(i: int) -> None:
        barrier.wait()
        user, line = [
            (LEE, f"{10 + i}m meeting"),
            (MIA, f"{20 + i}m observation 2026-11-16"),
            (CORA, f"{30 + i}m group <@U0BEA> <@U0IKE> 2026-11-17"),
        ][i % 3]
        try:
            outcome = services.logs.log_text(user, line, NOW)
            if outcome.ok and i % 4 == 0:
                services.logs.undo(user, outcome.batch_id or "", NOW)
        except Refusal:
            pass

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(threads)))
    assert services.ledger.verify().differences == ()
    with services.store.read() as session:
        logged = session.scalar(select(func.count()).select_from(LogEntry))
    assert logged and logged >= threads  # the group sessions stored two entries each


# ---- the kept totals against the log rows -----------------------------------------------------


def test_ledger_verify_finds_a_tampered_total_and_rebuild_mends_it(
    services: Services, pairs: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
    capsys: pytest.CaptureFixture[str], settings: Any,
) -> None:  # fmt: skip
    log(services, LEE, "45m observation")
    log(services, MIA, "30m meeting 2026-11-16")
    monkeypatch.chdir(tmp_path)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", settings.DATABASE_URL)

    assert main(["ledger", "verify"]) == 0
    assert "2 log entries" in capsys.readouterr().out
    with services.store.write() as session:
        session.execute(update(PairYear).where(PairYear.minutes == 45).values(minutes=46))
        session.execute(update(MentorBucket).values(sessions=MentorBucket.sessions + 1))
    assert main(["ledger", "verify"]) == 1
    out = capsys.readouterr().out
    assert "ledger_pair_years" in out and "stored 46 min" in out and "log rows say 45 min" in out
    assert "ledger_mentor_buckets" in out and "3 differences" in out
    assert main(["ledger", "rebuild"]) == 0
    assert main(["ledger", "verify"]) == 0
    assert "0 differences" in capsys.readouterr().out


def test_moving_the_program_year_counts_the_years_anew(services: Services, pairs: None) -> None:
    log(services, LEE, "45m meeting 2026-11-02")
    config = parse_program_toml(PROGRAM_TOML + "program_year_start_month = 8\n")
    services.programs.load(config)

    with services.store.read() as session:
        years = set(session.scalars(select(PairYear.year_start)))
    assert years == {date(2026, 8, 1)}
    assert services.hours.report(LEE, NOW, period="year").total("year") == 45
    verified(services)


def test_the_migration_backfills_the_totals_from_existing_logs(db_url: str) -> None:
    """A database at the first schema with logs in it gets its totals counted on upgrade."""
    config = alembic_config(db_url)
    command.downgrade(config, "0001")
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    now = datetime(2026, 11, 18, tzinfo=UTC)
    with engine.begin() as conn:
        insert_program(conn, now)
        for pid, name in ((1, "Lee"), (2, "Bea"), (3, "Ike")):
            conn.execute(
                text(
                    "INSERT INTO people (id, program_id, email, name, active, created_at, "
                    "updated_at) VALUES (:id, 1, :email, :name, true, :now, :now)"
                ),
                {"id": pid, "email": f"{name.lower()}@x.example", "name": name, "now": now},
            )
        rows = [
            (1, 2, "2026-06-30", 30, "meeting", "a"),
            (1, 2, "2026-11-02", 45, "group", "g"),
            (1, 3, "2026-11-02", 45, "group", "g"),
            (1, 2, "2026-11-03", 20, "observed", None),
        ]
        for i, (mentor, mentee, day, minutes, kind, batch) in enumerate(rows, start=1):
            conn.execute(
                text(
                    "INSERT INTO log_entries (id, program_id, mentor_id, mentee_id, logged_by_id, "
                    "occurred_on, minutes, kind, source, batch_id, created_at, updated_at) VALUES "
                    "(:id, 1, :mentor, :mentee, :mentor, :day, :minutes, :kind, 'test', :batch, "
                    ":now, :now)"
                ),
                {"id": i, "mentor": mentor, "mentee": mentee, "day": date.fromisoformat(day),
                 "minutes": minutes, "kind": kind, "batch": batch, "now": now},
            )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO log_entries (id, program_id, mentor_id, mentee_id, logged_by_id, "
                "occurred_on, minutes, kind, notes, source, created_at, updated_at, deleted_at) "
                "VALUES (5, 1, 1, 2, 1, :day, 50, 'meeting', 'SECRET-NOTE', 'test', :now, :now, "
                ":now)"
            ),
            {"day": date(2026, 11, 4), "now": now},
        )
        conn.execute(
            text(
                'INSERT INTO log_audit (id, log_entry_id, actor_id, action, at, "before", "after") '
                "VALUES (1, 5, 1, 'undo', :now, :before, :after)"
            ),
            {
                "now": now,
                "before": json.dumps({"minutes": 50, "notes": "SECRET-NOTE", "deleted": False}),
                "after": json.dumps({"minutes": 50, "notes": "SECRET-NOTE", "deleted": True}),
            },
        )
    engine.dispose()
    upgrade(db_url)

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        years = {
            (r.mentee_id, r.year_start): (r.minutes, r.visits)
            for r in conn.execute(select(PairYear))
        }
        mentor = conn.execute(select(MentorBucket.minutes, MentorBucket.sessions)).all()
        live = conn.execute(select(LogEntry.id).where(LogEntry.deleted_at.is_(None))).all()
        undone_notes = conn.execute(select(LogEntry.notes).where(LogEntry.id == 5)).scalar()
        audit = conn.execute(text('SELECT "before", "after" FROM log_audit')).one()
        scopes = {
            (r.scope, r.period_start): (r.minutes, r.visits)
            for r in conn.execute(select(ScopeTotal).where(ScopeTotal.grain == "year"))
        }
    engine.dispose()
    assert undone_notes is None  # an undone entry keeps no notes
    assert "SECRET-NOTE" not in str(audit)
    after = audit[1] if isinstance(audit[1], dict) else json.loads(audit[1])
    assert (after["has_notes"], after["deleted"]) == (True, True)  # that it had notes, no more
    assert years == {
        (2, date(2025, 7, 1)): (30, 0),
        (2, date(2026, 7, 1)): (45, 1),
        (3, date(2026, 7, 1)): (45, 0),
    }
    assert sorted(tuple(r) for r in mentor) == [(30, 1), (45, 1)]  # the group once
    assert scopes == {  # the program's and each school's (no school: "") kept totals
        ("program", date(2025, 7, 1)): (30, 0),
        ("school:", date(2025, 7, 1)): (30, 0),
        ("program", date(2026, 7, 1)): (90, 1),
        ("school:", date(2026, 7, 1)): (90, 1),
    }
    assert len(live) == 4


def test_racing_undos_of_one_batch_count_it_out_once(services: Services, pairs: None) -> None:
    """A double-tapped Undo (two requests at once) removes the batch's time once."""
    outcome = log(services, CORA, "60m group <@U0BEA> <@U0IKE>")
    log(services, LEE, "30m meeting")
    barrier = threading.Barrier(4)

    def undo(_: int) -> bool:
        barrier.wait()
        try:
            services.logs.undo("U0CORA", outcome.batch_id or "", NOW)
            return True
        except Refusal:
            return False

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sum(pool.map(undo, range(4))) == 1
    verified(services)
    (pair,) = services.hours.report(BEA, NOW).pairs
    assert pair.week == 30
