"""The demo program: a fictional district with several weeks of logged mentoring."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.bootstrap import Services, build_services
from bot.config import DEMO_NOW, Settings
from bot.domain.activities import ActivityRequest
from bot.domain.policy import load_program_toml
from bot.services.programs import ProgramInfo
from bot.store.db import is_up_to_date, upgrade
from bot.store.models.core import LogEntry, MilestoneDone

DEMO_DIR = Path(__file__).resolve().parent
SEED = 2026
PAIRS = (  # mentor, mentee, assigned on
    ("lena@maplevalley.example", "bea@maplevalley.example", date(2026, 8, 26)),
    ("marco@maplevalley.example", "ian@maplevalley.example", date(2026, 9, 2)),
    ("maya@maplevalley.example", "bo@maplevalley.example", date(2026, 8, 31)),
    ("tom@maplevalley.example", "ada@maplevalley.example", date(2026, 9, 10)),
)
NOTES = (
    "Worked on the unit 3 pacing calendar.",
    "Debriefed the fractions lesson: exit tickets showed gaps on equivalence.",
    "Classroom routines for transitions; try a visual timer.",
    "Planned the parent conference script.",
    None,
    None,
)
KINDS = ("meeting", "meeting", "observation", "planning", "co-teaching", "meeting")
TAGGED_SHARE = 0.5  # about half the demo entries name a standard


def _demo_standards(tagger: random.Random, standards: tuple[str, ...], pair: int) -> str | None:
    """A standard for a demo entry, or none; each pair leaves one standard untouched (so Home,
    `/hours` and the digest show "none yet" and the six-week flag)."""
    usable = [code for index, code in enumerate(standards) if index != pair % len(standards)]
    if not usable or tagger.random() >= TAGGED_SHARE:
        return None
    return tagger.choice(usable)


MINUTES = (20, 30, 45, 45, 60, 90)


def _demo_logs(
    today: date, calendar_is_school_day: object
) -> list[tuple[str, str, date, int, str, str | None]]:
    """Deterministic logs for each demo pair, from its start to the day before today."""
    rng = random.Random(SEED)
    is_school_day = calendar_is_school_day
    assert callable(is_school_day)
    rows = []
    for mentor, mentee, start in PAIRS:
        day = start
        while day < today:
            if is_school_day(day) and rng.random() < 0.45:
                rows.append(
                    (mentor, mentee, day, rng.choice(MINUTES), rng.choice(KINDS), rng.choice(NOTES))
                )
            day += timedelta(days=1)
    return rows


DONE = (  # what the demo district has already finished this year
    ("orientation", ("bea", "ian", "bo", "ada")),
    ("support_team_meeting", ("bea", "bo", "ada")),
    ("mentor_training", ("lena", "marco", "maya", "tom")),
)


def _mark_demo_milestones(services: Services, program: ProgramInfo) -> None:
    with services.store.write() as session:
        ids = {m.email.split("@")[0]: m.id for m in services.people.all_members(session, program)}
        for milestone, people in DONE:
            for name in people:
                session.add(
                    MilestoneDone(
                        program_id=program.id,
                        person_id=ids[name],
                        milestone=milestone,
                        school_year=program.school_year,
                        done_on=date(2026, 8, 28),
                        marked_by_id=ids["carmen"],
                    )
                )


ACTIVITIES = (  # kind, day, minutes, facilitator, attendees: no group session (the logs stay)
    ("training", date(2026, 8, 25), 180, "carmen", ("lena", "marco", "maya", "tom")),
    ("orientation", date(2026, 8, 27), 120, "carmen", ("bea", "ian", "bo", "ada")),
)
PARTNERSHIPS = (  # name, kind, what it supports
    ("Maple Valley Education Association", "association", "release time for mentors"),
    ("Westfield State University", "higher_education", "mentor training with course credit"),
)


def _record_demo_activities(services: Services) -> None:
    """The demo's program activities (report item a) and partnerships (item h)."""
    for kind, day, minutes, by, attendees in ACTIVITIES:
        request = ActivityRequest(
            kind,
            minutes,
            tuple(f"{who}@maplevalley.example" for who in attendees),
            day,
            f"{by}@maplevalley.example",
        )
        services.activities.record_from_cli(request, DEMO_NOW)
    for name, kind, supports in PARTNERSHIPS:
        services.partnerships.add(name, kind, supports, DEMO_NOW)


__all__ = ["DEMO_NOW", "seed_demo"]


def seed_demo(settings: Settings, *, reset: bool = False) -> str:
    """Load the demo program, roster, assignments and logs (once); return a summary."""
    if reset and settings.is_sqlite:
        path = settings.DATABASE_URL.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    if not is_up_to_date(settings.DATABASE_URL):
        upgrade(settings.DATABASE_URL)
    services = build_services(settings)
    try:
        if services.programs.find() is not None:
            return "The demo is already loaded (use `mentor-minutes demo --reset` to start over)."
        program, _ = services.programs.load(load_program_toml(DEMO_DIR / "program.toml"))
        report = services.roster.import_csv((DEMO_DIR / "roster.csv").read_text())
        if not report.ok:
            raise RuntimeError(f"demo roster rejected: {report.problems}")
        at = datetime.combine(date(2026, 8, 20), time(12), tzinfo=UTC)
        for mentor, mentee, start in PAIRS:
            services.assignments.assign(None, mentor, mentee, start, at)
        today = program.today(DEMO_NOW)
        tagger = random.Random(SEED + 1)  # apart from the logs' own draws, which stay as they were
        pair_index = {(mentor, mentee): index for index, (mentor, mentee, _) in enumerate(PAIRS)}
        with services.store.write() as session:
            members = {m.email: m for m in services.people.all_members(session, program)}
            ids = {email: m.id for email, m in members.items()}
            for number, (mentor, mentee, day, minutes, kind, notes) in enumerate(
                _demo_logs(today, program.calendar.is_school_day), start=1
            ):
                created = datetime.combine(day, time(20), tzinfo=UTC)
                session.add(
                    LogEntry(
                        program_id=program.id,
                        mentor_id=ids[mentor],
                        mentee_id=ids[mentee],
                        school=members[mentee].school,
                        logged_by_id=ids[mentor],
                        occurred_on=day,
                        minutes=minutes,
                        kind=kind,
                        notes=notes,
                        standards=_demo_standards(
                            tagger, program.policy.standards, pair_index[(mentor, mentee)]
                        ),
                        source="demo",
                        batch_id=f"demo-{number}",  # Undo works on it, from Home too
                        created_at=created,
                        updated_at=created,
                    )
                )
        services.ledger.rebuild()  # the logs went in directly: count them once
        _mark_demo_milestones(services, program)
        _record_demo_activities(services)
        with services.store.read() as session:
            count = session.scalar(select(func.count()).select_from(LogEntry))
        return (
            f"Loaded the demo: {program.name}, {len(report.created)} people, "
            f"{len(PAIRS)} pairs, {count} log entries."
        )
    finally:
        services.close()
