"""`/hours` totals (bot/services/hours.py), who may see what, and that notes never leak."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import update

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.services.errors import NotAllowed, NotOnRoster, Refusal
from bot.store.models.core import LogEntry, Person
from tests.support.bolt_requests import all_text, command, open_home
from tests.support.hillside import BEA, BO, IKE, LEE, MAX, MIA, NOW, SIGNING_SECRET
from tests.support.slack_api import FakeSlackApi

SECRET = "SECRET-NOTE-123"
SECRET_REASON = "SECRET-REASON-77"
EVERYONE = ("U0CORA", "U0LEE", "U0MIA", "U0MAX", "U0BEA", "U0IKE", "U0BO", "U0NIA", "U0PAT")

# mentor, mentee, day, minutes, kind, deleted
LOGS: tuple[tuple[str, str, date, int, str, bool], ...] = (
    (LEE, BEA, date(2026, 8, 27), 15, "observation", False),  # before the school year: in the program year
    (LEE, BEA, date(2026, 10, 30), 25, "meeting", False),
    (LEE, BEA, date(2026, 11, 2), 60, "observation", False),
    (LEE, BEA, date(2026, 11, 10), 15, "observed", False),  # the mentee observed: a visit, not pair time
    (LEE, BEA, date(2026, 11, 15), 20, "meeting", False),  # Sunday before this week
    (LEE, BEA, date(2026, 11, 16), 45, "observation", False),  # Monday of this week
    (LEE, BEA, date(2026, 11, 17), 100, "meeting", True),  # deleted
    (LEE, BEA, date(2026, 11, 18), 30, "meeting", False),  # today
    (LEE, BEA, date(2026, 11, 19), 200, "planning", False),  # tomorrow
    (LEE, BEA, date(2026, 12, 1), 10, "meeting", False),  # next month
    (MIA, IKE, date(2026, 11, 3), 40, "observation", False),
    (MIA, IKE, date(2026, 11, 17), 50, "meeting", False),
    (MAX, BO, date(2026, 11, 18), 90, "co-teaching", False),
)  # fmt: skip


def add_logs(services: Services, roster: dict[str, int], until: date) -> None:
    """The log entries above dated by `until` (what had happened by then), every one with the
    confidential note, stored directly and counted by rebuilding the ledger."""
    program = services.programs.current()
    with services.store.write() as session:
        for mentor, mentee, day, minutes, kind, deleted in LOGS:
            if day > until:
                continue
            session.add(
                LogEntry(
                    program_id=program.id,
                    mentor_id=roster[mentor],
                    mentee_id=roster[mentee],
                    logged_by_id=roster[mentor],
                    occurred_on=day,
                    minutes=minutes,
                    kind=kind,
                    notes=f"{SECRET} about {kind}",
                    source="test",
                    deleted_at=NOW if deleted else None,
                )
            )
    services.ledger.rebuild()


@pytest.fixture
def logs(services: Services, roster: dict[str, int], pairs: None) -> None:
    """The log entries above up to today (Wed 18 Nov)."""
    add_logs(services, roster, date(2026, 11, 18))


# ---- totals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "week", "month", "year", "since", "observations", "last"),
    [
        pytest.param(NOW, 75, 155, 195, 195, 3, date(2026, 11, 18), id="wed-18-nov"),
        pytest.param(datetime(2026, 11, 23, 3, 0, tzinfo=UTC), 275, 355, 395, 395, 3, date(2026, 11, 19), id="sun-22-nov-22h-local"),
        pytest.param(datetime(2026, 11, 23, 5, 30, tzinfo=UTC), 0, 355, 395, 395, 3, date(2026, 11, 19), id="mon-23-nov-00h30-local"),
        pytest.param(datetime(2026, 12, 1, 14, 0, tzinfo=UTC), 10, 10, 405, 405, 3, date(2026, 12, 1), id="tue-1-dec"),
        pytest.param(datetime(2026, 10, 31, 16, 0, tzinfo=UTC), 25, 25, 40, 40, 1, date(2026, 10, 30), id="sat-31-oct"),
        pytest.param(datetime(2026, 8, 28, 16, 0, tzinfo=UTC), 15, 15, 15, 15, 1, date(2026, 8, 27), id="before-the-school-year"),
    ],
)  # fmt: skip
def test_pair_totals(
    services: Services,
    roster: dict[str, int],
    pairs: None,
    now: datetime,
    week: int,
    month: int,
    year: int,
    since: int,
    observations: int,
    last: date,
) -> None:
    add_logs(services, roster, services.programs.current().today(now))
    report = services.hours.report("U0BEA", now)
    (pair,) = report.pairs
    assert (pair.mentor.email, pair.mentee.email) == (LEE, BEA)
    assert (pair.week, pair.month, pair.year, pair.since_start) == (week, month, year, since)
    assert pair.observations == observations
    assert pair.last_contact == last


@pytest.mark.parametrize(
    ("period", "start", "total"),
    [
        ("week", date(2026, 11, 16), 75 + 50 + 90),
        ("month", date(2026, 11, 1), 155 + 90 + 90),
        ("year", date(2026, 7, 1), 195 + 90 + 90),  # the program year: 1 July – 30 June
    ],
)  # fmt: skip
def test_report_totals_for_each_period(
    services: Services, logs: None, period: Any, start: date, total: int
) -> None:
    report = services.hours.report("U0CORA", NOW, period=period)
    assert report.period_start == start
    assert report.today == date(2026, 11, 18)
    assert report.total(period) == total
    assert report.observations == 4
    assert report.weekly_target == 60


def test_a_pair_without_logs_is_all_zero(services: Services, pairs: None) -> None:
    (pair,) = services.hours.report("U0BO", NOW).pairs
    assert (pair.week, pair.month, pair.year, pair.since_start, pair.observations) == (0, 0, 0, 0, 0)  # fmt: skip
    assert pair.last_contact is None


def test_hours_reply_shows_the_totals(app: Any, logs: None) -> None:
    reply = command(app, SIGNING_SECRET, "/hours", "", "U0BEA")
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"] == "Your mentoring: 1 h 15 this week"
    line = reply["blocks"][2]["text"]["text"]
    assert line.startswith("with *Lee Lead* (mentor)\n")
    for part in ("this week 1 h 15 of 1 h ✓", "this year 3 h 15", "since Wed 26 Aug 3 h 15", "3 observations", "last Wed 18 Nov"):  # fmt: skip
        assert part in line, (part, line)


def test_hours_month_reply_shows_the_month(app: Any, logs: None) -> None:
    reply = command(app, SIGNING_SECRET, "/hours", "month", "U0LEE")
    assert reply["blocks"][0]["text"]["text"] == "Lincoln: 4 h 05 this month"
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    bea = next(text for text in sections if text.startswith("*Bea Beginner*"))
    assert "this month 2 h 35" in bea  # the mentee's own `observed` visit is not pair time


def test_hours_in_the_week_follow_the_program_timezone(
    app: Any, services: Services, roster: dict[str, int], pairs: None, clock: FixedClock
) -> None:
    add_logs(services, roster, date(2026, 11, 22))
    clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))  # Sun 22 Nov 22:00 in New York
    reply = command(app, SIGNING_SECRET, "/hours", "week", "U0BEA")
    assert reply["blocks"][0]["text"]["text"] == "Your mentoring: 4 h 35 this week"


# ---- who sees what ----------------------------------------------------------------------------

ALL_PAIRS = {(LEE, BEA), (MIA, IKE), (MAX, BO)}


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        pytest.param("U0CORA", ALL_PAIRS, id="coordinator-everyone"),
        pytest.param("U0LEE", {(LEE, BEA), (MIA, IKE)}, id="lead-mentor-their-school"),
        pytest.param("U0MIA", {(MIA, IKE)}, id="mentor-own-pairs"),
        pytest.param("U0MAX", {(MAX, BO)}, id="other-mentor-own-pairs"),
        pytest.param("U0BEA", {(LEE, BEA)}, id="mentee-themselves"),
        pytest.param("U0BO", {(MAX, BO)}, id="other-mentee-themselves"),
        pytest.param("U0NIA", set(), id="unassigned-mentee"),
        pytest.param("U0PAT", {(LEE, BEA), (MIA, IKE)}, id="evaluator-their-school"),
    ],
)  # fmt: skip
def test_visibility(
    services: Services, logs: None, viewer: str, visible: set[tuple[str, str]]
) -> None:
    report = services.hours.report(viewer, NOW)
    assert {(p.mentor.email, p.mentee.email) for p in report.pairs} == visible


def test_a_lead_mentor_without_a_school_sees_the_whole_program(
    services: Services, logs: None
) -> None:
    with services.store.write() as session:
        session.execute(update(Person).where(Person.email == LEE).values(school=None))
    report = services.hours.report("U0LEE", NOW)
    assert {(p.mentor.email, p.mentee.email) for p in report.pairs} == ALL_PAIRS


@pytest.mark.parametrize(
    ("viewer", "target", "refusal"),
    [
        ("U0MIA", "<@U0BEA|bea>", "You can see hours for your own mentoring pairs only, and Bea Beginner isn't in one of them."),
        ("U0MIA", "bo@hillside.example", "and Bo Beginner isn't in one of them"),
        ("U0MAX", "U0MIA", "and Mia Mentor isn't in one of them"),
        ("U0BEA", "<@U0IKE>", "and Ike Incoming isn't in one of them"),
        ("U0BEA", "<@U0MAX>", "and Max Mentor isn't in one of them"),
        ("U0LEE", "<@U0BO>", "Bo Beginner has no mentoring pair at Lincoln that you can see."),
        ("U0PAT", "<@U0MAX>", "Max Mentor has no mentoring pair at Lincoln that you can see."),
        ("U0CORA", "<@U0NIA>", "Nia New has no mentoring pair this program year."),
        ("U0MIA", "<@U0ZED>", "The person you mentioned is not on the Hillside Public Schools roster"),
    ],
)  # fmt: skip
def test_hours_for_someone_outside_the_scope_is_refused(
    app: Any, logs: None, viewer: str, target: str, refusal: str
) -> None:
    reply = command(app, SIGNING_SECRET, "/hours", target, viewer)
    assert reply["response_type"] == "ephemeral"
    assert refusal in reply["text"]
    assert reply["blocks"][0]["text"]["text"].startswith(":warning:")
    assert "this week" not in all_text(reply)


@pytest.mark.parametrize(
    ("viewer", "target", "mentees"),
    [
        ("U0CORA", "<@U0BO>", {"Bo Beginner"}),
        ("U0LEE", "<@U0IKE|ike>", {"Ike Incoming"}),
        ("U0PAT", "mia@hillside.example", {"Ike Incoming"}),
        ("U0BEA", "<@U0LEE>", {"Bea Beginner"}),
        ("U0MIA", "<@U0MIA>", {"Ike Incoming"}),
    ],
)  # fmt: skip
def test_hours_for_someone_inside_the_scope(
    services: Services, logs: None, viewer: str, target: str, mentees: set[str]
) -> None:
    report = services.hours.report(viewer, NOW, person_ref=target)
    assert {p.mentee.name for p in report.pairs} == mentees


@pytest.mark.parametrize(
    ("viewer", "error"),
    [
        ("U0NOBODY", NotOnRoster),
        ("U0NIA", NotAllowed),
    ],
)  # fmt: skip
def test_hours_refusals_from_the_service(
    services: Services, logs: None, viewer: str, error: type[Refusal]
) -> None:
    with pytest.raises(error):
        services.hours.report(viewer, NOW, person_ref="<@U0BEA>")


# ---- confidentiality ---------------------------------------------------------------------------


def every_payload(app: Any, slack_api: FakeSlackApi, viewer: str) -> list[dict[str, Any]]:
    """Everything the viewer can get to see: /hours in every form, Home tab, /induction."""
    payloads = [
        command(app, SIGNING_SECRET, "/hours", text, viewer)
        for text in ("", "week", "month", "year", "<@U0BEA>", "<@U0BO>", "<@U0LEE>", "help")
    ]
    payloads += [
        command(app, SIGNING_SECRET, "/induction", text, viewer)
        for text in ("status", "status <@U0BEA>", "status <@U0LEE>", "report", "help")
    ]
    before = len(slack_api.calls_to("views.publish"))
    assert open_home(app, SIGNING_SECRET, viewer) == 200
    published = slack_api.calls_to("views.publish")
    assert len(published) == before + 1
    assert published[-1].params["user_id"] == viewer
    payloads.append(published[-1].params["view"])
    return payloads


@pytest.mark.parametrize("viewer", EVERYONE)
def test_notes_never_appear_anywhere(
    app: Any, services: Services, logs: None, slack_api: FakeSlackApi, viewer: str
) -> None:
    services.assignments.unassign(None, BO, f"{SECRET_REASON} asked for a change", date(2026, 11, 18), NOW)  # fmt: skip
    payloads = every_payload(app, slack_api, viewer)
    *replies, home = payloads
    assert SECRET not in json.dumps(replies)
    # Home shows a mentee their pairs' entries with their notes, and a mentor those they may
    # still change (every entry here carries the secret; Max's pair with Bo ended above, today:
    # his entries stay on his Home for 14 days); no one else's Home carries any
    in_a_pair = viewer in ("U0LEE", "U0BEA", "U0MIA", "U0IKE", "U0BO", "U0MAX")
    assert (SECRET in json.dumps(home)) is in_a_pair
    dumped = json.dumps(payloads)
    if viewer != "U0CORA":
        assert SECRET_REASON not in dumped  # reassignment requests: coordinators only
    assert all(p.get("blocks") for p in payloads)


def test_the_coordinator_sees_hours_but_no_notes(
    app: Any, logs: None, slack_api: FakeSlackApi
) -> None:
    payloads = every_payload(app, slack_api, "U0CORA")
    hours, status = payloads[0], payloads[8]
    assert "Whole program: 3 h 35 this week" in all_text(hours)
    assert "Hillside Public Schools — assignments" in all_text(status)
    home = payloads[-1]
    assert home["type"] == "home"
    assert "*Nia New* — :red_circle:" in all_text(home)  # the coordinator's unassigned
    assert SECRET not in json.dumps(payloads)


def test_a_pair_assigned_twice_is_listed_once_from_its_first_start(
    services: Services, pairs: None
) -> None:
    """Lee→Bea, then Mia→Bea, then Lee→Bea again: two pairs, Lee's listed once, current."""
    services.assignments.assign(None, MIA, BEA, date(2026, 10, 1), NOW)
    services.assignments.assign(None, LEE, BEA, date(2026, 11, 2), NOW)
    report = services.hours.report("U0BEA", NOW)
    listed = [(p.mentor.email, p.started_on, p.ended_on) for p in report.pairs]
    assert report.pair_count == 2
    assert listed[0] == (LEE, date(2026, 8, 26), None)  # current, from its first start
    assert listed[1][0] == MIA and listed[1][2] is not None


def test_the_weekly_target_is_prorated_in_a_short_week(services: Services, pairs: None) -> None:
    """The week of Wed 11 Nov (Veterans Day) has four school days: 48 of the hour is owed."""
    short_week = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)
    assert services.hours.report("U0LEE", short_week).weekly_target == 48
    assert services.hours.report("U0LEE", NOW).weekly_target == 60
    outcome = services.logs.log_text("U0LEE", "50m meeting 2026-11-10", short_week)
    assert outcome.ok and outcome.weekly_target == 48
