"""The scheduler over a simulated school year, on SQLite and PostgreSQL: `schedules.jobs.tick` at fixed
instants (the FixedClock, no sleeping), what reaches the fake Slack Web API, and the buttons on
those DMs pressed through the Bolt app.

The contract program: America/New_York, 2026-08-31..2027-06-18, holidays Sep 7, Oct 12, Nov 11.
Nia New is a beginning teacher hired Mon 19 Oct 2026 and unassigned: her mentor is due Mon 2 Nov.
Every DM seen is checked with slack_sdk's models and for note text (tests/support/scheduler.py)."""

from __future__ import annotations

import json
import warnings
from collections import Counter
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import select

from bot.bootstrap import Services
from bot.services.programs import ProgramInfo
from bot.store.models.core import Assignment, MilestoneDone, Person
from schedules import jobs
from tests.support.bolt_requests import press_for_answer
from tests.support.hillside import NIA
from tests.support.scheduler import SECRET, Sent, Ticker, at
from tests.support.slack_api import FakeSlackApi

pytestmark = pytest.mark.usefixtures("no_note_reaches_slack")

CORA, LEE, MIA, MAX, NIA_U = "U0CORA", "U0LEE", "U0MIA", "U0MAX", "U0NIA"


@pytest.fixture
def ticker(services: Services, pairs: None, slack_api: FakeSlackApi) -> Ticker:
    """The roster with Lee→Bea, Mia→Ike, Max→Bo assigned and Nia not; a ticker over it."""
    return Ticker(services, slack_api)


def days_of(sent: list[Sent]) -> list[str]:
    return [s.day.isoformat() for s in sent]


def buttons(sent: Sent) -> list[dict[str, Any]]:
    return [
        element
        for block in sent.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ] + [block["accessory"] for block in sent.blocks if "accessory" in block]


def mentor_of(services: Services, email: str) -> str | None:
    with services.store.read() as session:
        mentee = session.scalars(select(Person).where(Person.email == email)).one()
        mentor_id = session.scalar(
            select(Assignment.mentor_id).where(
                Assignment.mentee_id == mentee.id, Assignment.ended_on.is_(None)
            )
        )
        if mentor_id is None:
            return None
        return session.get(Person, mentor_id).email  # type: ignore[union-attr]


# ---- the jobs run under the project's warning policy ------------------------------------------


def test_the_jobs_use_no_deprecated_sqlalchemy_api(services: Services, pairs: None) -> None:
    """Every job runs with deprecation warnings as errors (SQLAlchemy 2.1 deprecated, e.g.,
    Result.tuples(); `tick` would only log "job … failed")."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for name in jobs.PRODUCERS:
            jobs.produce(services, name, at("2026-11-03"))


# ---- the overdue-assignment alert ---------------------------------------------------------


def test_the_overdue_assignment_alert_follows_a_late_hire_until_she_is_assigned(
    services: Services, ticker: Ticker, program: ProgramInfo
) -> None:
    """Nia (hired 19 Oct, due 2 Nov): the coordinator hears on the first school day after the
    deadline, every 3 school days after, and not from the morning she is assigned (an alert
    day: the assignment is made at 07:15, before the 07:45 tick)."""
    ticker.days("2026-10-30", "2026-11-19")
    services.assignments.assign(None, "mia@hillside.example", NIA, None, at("2026-11-20", 7, 15))
    ticker.days("2026-11-20", "2026-11-25")

    alerts = ticker.of("alert")
    assert days_of(alerts) == ["2026-11-03", "2026-11-06", "2026-11-12", "2026-11-17"]
    assert {s.channel for s in alerts} == {CORA}
    gaps = [program.calendar.school_days_between(a.day, b.day) for a, b in pairwise(alerts)]
    assert set(gaps) == {3}
    reminders = [s for s in ticker.of("todo", CORA) if "Mentor assigned for Nia New" in s.text]
    assert days_of(reminders) == ["2026-10-30", "2026-11-02"]  # as the date nears
    # nothing on weekends, on Veterans Day, or in the DST weekend
    assert all(program.calendar.is_school_day(s.day) for s in ticker.sent)


def test_the_alert_lists_days_overdue_placement_and_three_suggested_mentors(
    ticker: Ticker, roster: dict[str, int]
) -> None:
    ticker.tick(at("2026-11-03"))
    ticker.tick(at("2026-12-03"))
    first, later = ticker.of("alert", CORA)
    assert first.text.splitlines() == [
        "1 beginning educator without a mentor",
        "Nia New — 1 day overdue (due Mon 2 Nov) · Jefferson, Science, grade 8",
    ]
    assert "Nia New — 31 days overdue (due Mon 2 Nov)" in later.text
    nia = roster[NIA]
    # same subject first (Mia, Science), then school (Max, Jefferson), then the rest (Lee);
    # nobody's training is marked done yet, so each says so
    assert [(b["text"]["text"], b["action_id"], json.loads(b["value"])) for b in buttons(first)] == [
        ("Assign Mia Mentor · 1 mentee · not trained yet", f"assign_suggested:{nia}:{roster['mia@hillside.example']}", {"mentor": roster["mia@hillside.example"], "mentee": nia, "had": None}),
        ("Assign Max Mentor · 1 mentee · not trained yet", f"assign_suggested:{nia}:{roster['max@hillside.example']}", {"mentor": roster["max@hillside.example"], "mentee": nia, "had": None}),
        ("Assign Lee Lead · 1 mentee · not trained yet", f"assign_suggested:{nia}:{roster['lee@hillside.example']}", {"mentor": roster["lee@hillside.example"], "mentee": nia, "had": None}),
    ]  # fmt: skip


def test_only_trained_mentors_are_suggested_once_any_is_trained(
    services: Services, ticker: Ticker
) -> None:
    services.milestones.mark_done(
        CORA, "mentor_training", "max@hillside.example", date(2026, 8, 28), at("2026-11-02")
    )
    ticker.tick(at("2026-11-03"))
    (alert,) = ticker.of("alert", CORA)
    assert [b["text"]["text"] for b in buttons(alert)] == ["Assign Max Mentor · 1 mentee"]


def test_a_deadline_on_a_holiday_is_alerted_the_next_school_day(
    services: Services, ticker: Ticker
) -> None:
    header = "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id"
    hal = "hal@hillside.example,Hal Holiday,mentee,Jefferson,Art,6,beginning_teacher,Initial,2026-10-28,U0HAL"  # fmt: skip
    assert services.roster.import_csv(f"{header}\n{hal}\n").ok
    services.assignments.assign(None, "mia@hillside.example", NIA, None, at("2026-11-02"))
    for day in ("2026-11-10", "2026-11-11", "2026-11-12"):  # due Wed 11 Nov, Veterans Day
        ticker.tick(at(day))

    assert [s.day.isoformat() for s in ticker.sent if s.day.day == 11] == []
    assert [s.day.isoformat() for s in ticker.of("todo", CORA) if "Mentor assigned for Hal Holiday" in s.text] == ["2026-11-10"]  # fmt: skip
    (alert,) = ticker.of("alert", CORA)
    assert alert.day == date(2026, 11, 12)
    assert alert.text.splitlines()[1:] == ["Hal Holiday — 1 day overdue (due Wed 11 Nov) · Jefferson, Art, grade 6"]  # fmt: skip


def test_the_assign_button_works_for_the_coordinator_and_not_when_forwarded(
    services: Services, ticker: Ticker, app: App, slack_api: FakeSlackApi
) -> None:
    ticker.tick(at("2026-11-03"))
    (alert,) = ticker.of("alert", CORA)
    first_choice = buttons(alert)[0]

    refused = press_for_answer(app, slack_api, MIA, first_choice)  # Mia got the DM forwarded
    assert "coordinator" in refused
    assert mentor_of(services, NIA) is None

    services.clock.set(at("2026-11-06", 7, 0))  # type: ignore[attr-defined]
    done = press_for_answer(app, slack_api, CORA, first_choice)
    assert "Mia Mentor now mentors Nia New from Fri 6 Nov" in done
    assert mentor_of(services, NIA) == "mia@hillside.example"

    ticker.tick(at("2026-11-06"))  # an alert day, assigned that morning
    ticker.tick(at("2026-11-12"))  # the next one
    assert days_of(ticker.of("alert")) == ["2026-11-03"]


def test_an_assign_button_pressed_after_the_mentee_got_a_mentor_changes_nothing(
    services: Services, ticker: Ticker, app: App, slack_api: FakeSlackApi
) -> None:
    """The alert's Assign (Mia→Nia) was drawn when Nia had no mentor; Lee got her since: the
    press ends nobody's pair and says so (issue 16, item 7). The same press after it worked is
    "already done"."""
    ticker.tick(at("2026-11-03"))
    (alert,) = ticker.of("alert", CORA)
    mia_button, _, lee_button = buttons(alert)
    services.clock.set(at("2026-11-04", 9, 0))  # type: ignore[attr-defined]
    cora = services.assignments.coordinator(CORA)
    services.assignments.assign(cora, "lee@hillside.example", NIA, None, services.clock.now())

    stale = press_for_answer(app, slack_api, CORA, mia_button)
    assert "Nia New now has a mentor (Lee Lead)" in stale and "nothing changed" in stale
    assert mentor_of(services, NIA) == "lee@hillside.example"
    again = press_for_answer(app, slack_api, CORA, lee_button)  # the mentor she has: nothing to do
    assert "Mia Mentor" not in again and "out of date" not in again
    assert mentor_of(services, NIA) == "lee@hillside.example"


# ---- daily to-dos ---------------------------------------------------------------------------


def test_support_teams_get_one_dm_a_day_listing_all_their_items(ticker: Ticker) -> None:
    ticker.days("2026-08-24", "2026-09-08")

    per_day = Counter((s.day, s.channel) for s in ticker.of("todo"))
    assert max(per_day.values()) == 1
    (cora,) = [s for s in ticker.of("todo", CORA) if s.day == date(2026, 8, 24)]
    assert cora.text.splitlines()[0] == "Induction to-dos · Mon 24 Aug"
    assert sorted(cora.text.splitlines()[1:]) == [
        "Mentor training for Lee Lead — :calendar: due Sun 30 Aug (in 6 days)",
        "Mentor training for Max Mentor — :calendar: due Sun 30 Aug (in 6 days)",
        "Mentor training for Mia Mentor — :calendar: due Sun 30 Aug (in 6 days)",
        "Orientation for Bea Beginner — :calendar: due Mon 31 Aug (in 7 days)",
        "Orientation for Bo Beginner — :calendar: due Mon 31 Aug (in 7 days)",
        "Orientation for Ike Incoming — :calendar: due Mon 31 Aug (in 7 days)",
        "Support team formed and first meeting for Bea Beginner — :calendar: due Sun 30 Aug (in 6 days)",
        "Support team formed and first meeting for Bo Beginner — :calendar: due Sun 30 Aug (in 6 days)",
    ]  # fmt: skip
    (lee,) = [s for s in ticker.of("todo", LEE) if s.day == date(2026, 8, 24)]
    assert sorted(lee.text.splitlines()[1:]) == [
        "Mentor training — :calendar: due Sun 30 Aug (in 6 days)",  # his own
    ]  # fmt: skip: Bea's support team is not his yet: his assignment begins Wed 26 Aug
    (lee_wed,) = [s for s in ticker.of("todo", LEE) if s.day == date(2026, 8, 27)]
    assert "Support team formed and first meeting for Bea Beginner" in lee_wed.text
    # the Lincoln evaluator hears about the Lincoln beginner only
    # (the Sunday due date's reminder reaches her on Monday, with the item now overdue)
    assert [s.day.isoformat() for s in ticker.of("todo", "U0PAT")] == ["2026-08-24", "2026-08-27", "2026-08-31"]  # fmt: skip
    assert all("Bea Beginner" in s.text and "Bo " not in s.text for s in ticker.of("todo", "U0PAT"))
    # nothing on the weekends or on Labor Day; a send day every weekday before the year (the
    # first contact nudges wait for 5 complete school days: Tue 8 Sep, not Fri 4 Sep)
    assert sorted({s.day.isoformat() for s in ticker.sent}) == ["2026-08-24", "2026-08-27", "2026-08-28", "2026-08-31", "2026-09-01", "2026-09-08"]  # fmt: skip
    # the first digest: Tuesday after Labor Day, for the first school week
    (digest,) = ticker.of("digest")
    assert (digest.day, digest.channel) == (date(2026, 9, 8), LEE)
    assert digest.text.startswith("Weekly digest · Lincoln · Mon 31 Aug – Sun 6 Sep")


def test_marking_a_milestone_done_stops_its_nudges_at_once(
    services: Services, ticker: Ticker, roster: dict[str, int]
) -> None:
    ticker.tick(at("2026-10-19"))
    assert sorted(s.channel for s in ticker.of("todo") if "Orientation" in s.text) == [CORA, NIA_U]

    services.milestones.mark_done(CORA, "orientation", roster[NIA], None, at("2026-10-23", 7, 0))
    for day in ("2026-10-23", "2026-10-26", "2026-10-27"):  # reminders, due day, escalation
        ticker.tick(at(day))
    later = [s for s in ticker.sent if s.day > date(2026, 10, 19)]
    assert later, "the support-team reminders for Nia still go out"
    assert [s for s in later if s.kind == "todo" and "Orientation" in s.text] == []


def test_the_mark_done_button_works_for_the_coordinator_and_not_when_forwarded(
    services: Services, ticker: Ticker, app: App, slack_api: FakeSlackApi, roster: dict[str, int]
) -> None:
    ticker.tick(at("2026-10-19"))
    (todo,) = ticker.of("todo", CORA)
    (mark,) = buttons(todo)
    assert (mark["action_id"], json.loads(mark["value"])) == ("milestone_done", {"k": "orientation", "p": roster[NIA]})  # fmt: skip

    refused = press_for_answer(
        app, slack_api, MAX, mark
    )  # Max isn't Nia's mentor nor a coordinator
    assert "Only a coordinator" in refused
    services.clock.set(at("2026-10-20", 9, 0))  # type: ignore[attr-defined]
    assert "Orientation for Nia New marked done on Tue 20 Oct 2026" in press_for_answer(
        app, slack_api, CORA, mark
    )
    with services.store.read() as session:
        row = session.scalars(select(MilestoneDone)).one()
        assert (row.person_id, row.milestone, row.done_on, row.marked_by_id) == (roster[NIA], "orientation", date(2026, 10, 20), roster["cora@hillside.example"])  # fmt: skip

    ticker.tick(at("2026-10-23"))
    assert [s for s in ticker.sent if s.day > date(2026, 10, 19)] == []  # only orientation was due


# ---- quiet hours, DST ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "quiet", "first_send", "digest_early", "digest_on_time", "first_kinds"),
    [
        ("2026-11-02", "06:30", "07:00", "07:29", "07:30", {"todo", "contact", "monthly"}),  # first Monday of standard time, first school day of November; Nia due today
        ("2027-03-15", "06:59", "07:00", "07:29", "07:30", {"alert", "contact"}),  # first Monday of daylight time; an alert day
    ],
)  # fmt: skip
def test_quiet_hours_and_digest_time_in_local_time_across_dst(
    ticker: Ticker,
    day: str,
    quiet: str,
    first_send: str,
    digest_early: str,
    digest_on_time: str,
    first_kinds: set[str],
) -> None:
    def tick(hhmm: str) -> list[Sent]:
        hour, minute = map(int, hhmm.split(":"))
        return ticker.tick(at(day, hour, minute))

    assert tick("05:00") == []
    assert tick(quiet) == []
    assert {s.kind for s in tick(first_send)} == first_kinds
    assert tick(digest_early) == []
    assert [s.kind for s in tick(digest_on_time)] == ["digest"]
    assert tick("17:59") == []  # nothing left to send today
    assert tick("18:00") == []


def test_quiet_hours_hold_a_claimed_message_until_the_next_send_morning(
    ticker: Ticker, slack_api: FakeSlackApi
) -> None:
    slack_api.set_down(True)
    ticker.tick(at("2026-11-06", 17, 55))  # Friday: Nia's alert claimed, Slack unreachable
    slack_api.set_down(False)
    for when in (at("2026-11-06", 18, 30), at("2026-11-07"), at("2026-11-09", 6, 59)):
        assert ticker.tick(when) == []  # quiet hours, Saturday, before 07:00
    delivered = ticker.tick(at("2026-11-09", 7, 0))
    (alert,) = [s for s in delivered if s.kind == "alert"]
    assert "Fri 6 Nov" in alert.blocks[1]["elements"][0]["text"]


# ---- the weekly digest --------------------------------------------------------------------


def log(services: Services, user: str, text: str, when: Any, notes: str | None = None) -> None:
    outcome = services.logs.log_text(user, text, when, notes=notes)
    assert outcome.ok, outcome.error


def test_the_weekly_digest_shows_last_weeks_minutes_against_the_target_and_no_notes(
    services: Services, ticker: Ticker
) -> None:
    log(services, LEE, "45m observation", at("2026-11-03", 16), notes=f"{SECRET} about Bea")
    log(services, LEE, "30m", at("2026-11-05", 16), notes=SECRET)
    log(services, MIA, "20m", at("2026-11-04", 16), notes=SECRET)
    ticker.tick(at("2026-11-09", 7, 29))
    assert ticker.of("digest") == []  # before 07:30
    log(services, LEE, "50m", at("2026-11-09", 7, 40), notes=SECRET)  # this week: not in it
    ticker.tick(at("2026-11-09", 7, 45))
    ticker.tick(at("2026-11-10"))

    (digest,) = ticker.of("digest")
    assert digest.channel == LEE and digest.day == date(2026, 11, 9)
    lines = [b["text"]["text"] for b in digest.blocks if b["type"] == "section"]
    title, summary = digest.text.splitlines()[:2]
    assert title == "Weekly digest · Lincoln · Mon 2 Nov – Sun 8 Nov"
    assert summary.startswith("2 pairs · 1 met the 1 h target · 1 h 35 in all · 1 observation")
    assert lines[-2:] == [
        "*Bea Beginner* with Lee Lead\n▰▰▰▰▰▰▰▰▰▰ 1 h 15 of 1 h ✓ · 1 observation · last contact Mon 9 Nov",
        "*Ike Incoming* with Mia Mentor\n▰▰▰▱▱▱▱▱▱▱ 20 min of 1 h · 0 observations · last contact Wed 4 Nov",
    ]  # fmt: skip


def test_a_digest_three_weeks_stale_is_not_sent_after_an_outage(ticker: Ticker) -> None:
    ticker.tick(at("2026-11-09"))
    ticker.tick(at("2026-12-02"))  # the scheduler was down from 9 Nov to Wed 2 Dec
    assert [(s.day.isoformat(), s.text.splitlines()[0]) for s in ticker.of("digest")] == [
        ("2026-11-09", "Weekly digest · Lincoln · Mon 2 Nov – Sun 8 Nov"),
        ("2026-12-02", "Weekly digest · Lincoln · Mon 23 Nov – Sun 29 Nov"),
    ]


# ---- contact nudges -----------------------------------------------------------------------


def test_contact_nudges_go_out_once_per_gap(services: Services, ticker: Ticker) -> None:
    ticker.tick(at("2026-11-02"))  # no logs yet: each mentor hears once about the old gap
    log(services, LEE, "30m", at("2026-11-02", 16), notes=SECRET)
    ticker.days("2026-11-03", "2026-11-11")
    log(services, LEE, "30m", at("2026-11-12", 7, 0), notes=SECRET)
    ticker.days("2026-11-12", "2026-11-20")

    nudges = ticker.of("contact")
    assert sorted((s.day.isoformat(), s.channel) for s in nudges) == [
        ("2026-11-02", LEE),
        ("2026-11-02", MAX),
        ("2026-11-02", MIA),
        ("2026-11-10", LEE),  # 5 complete school days after the 2 Nov meeting
        ("2026-11-20", LEE),  # 5 complete school days after the 12 Nov meeting
    ]
    nudges.sort(key=lambda s: s.day)
    assert nudges[3].text == (
        "No mentoring with Bea Beginner logged since Mon 2 Nov — 5 school days. "
        "A quick check-in counts."
    )
    (log_button,) = buttons(nudges[3])
    assert (log_button["action_id"], log_button["value"]) == ("open_log_modal", "<@U0BEA>")


# ---- large cohorts ------------------------------------------------------------------------


def test_a_cohort_of_60_pairs_splits_the_digest_and_the_alert_stays_under_50_blocks(
    services: Services, ticker: Ticker, program: ProgramInfo
) -> None:
    rows = ["email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id"]
    for i in range(62):
        rows.append(f"m{i}@hillside.example,Mentor {i:02d},mentor,Lincoln,Math,4,,Professional,2010-08-30,U1M{i:03d}")  # fmt: skip
        rows.append(f"t{i}@hillside.example,Teacher {i:02d},mentee,Lincoln,Math,4,beginning_teacher,Initial,2026-08-24,U1T{i:03d}")  # fmt: skip
    for i in range(20):
        rows.append(f"late{i}@hillside.example,Late {i:02d},mentee,Lincoln,Art,2,beginning_teacher,Initial,2026-10-19,U1L{i:03d}")  # fmt: skip
    report = services.roster.import_csv("\n".join(rows) + "\n")
    assert report.ok, report.problems
    with services.store.write() as session:
        ids = {email: pid for email, pid in session.execute(select(Person.email, Person.id))}
        session.add_all(
            Assignment(
                program_id=program.id,
                mentor_id=ids[f"m{i}@hillside.example"],
                mentee_id=ids[f"t{i}@hillside.example"],
                started_on=date(2026, 10, 28),  # begun during the digest's week (26 Oct–1 Nov)
            )
            for i in range(62)
        )

    ticker.tick(at("2026-11-03"))  # the digest goes out late on Tuesday, with the alert

    parts = ticker.of("digest", LEE)
    assert len(parts) >= 2
    assert all(len(p.blocks) <= 50 for p in parts)
    shown = Counter(
        line.split("*")[1]
        for p in parts
        for b in p.blocks
        if b["type"] == "section" and (line := b["text"]["text"]).startswith("*")
    )
    assert len(shown) == 64 and set(shown.values()) == {1}  # every pair once, across the parts
    (alert,) = ticker.of("alert", CORA)
    assert len(alert.blocks) <= 50
    assert alert.text.splitlines()[0] == "21 beginning educators without a mentor"
    assert "…and 6 more" in json.dumps(alert.blocks, ensure_ascii=False)
