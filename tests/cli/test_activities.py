"""Program activities (report item a) on both databases: `/induction event` over real signed
requests and `mentor-minutes event add|list`; a group session logged once per mentor and fully per
mentee (ledger verify clean); every refusal stores nothing; the year's summary by kind; notes
kept from the list, the summary and evaluators; the exit-ticket hook."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.config import Settings
from bot.devtools.demo import DEMO_NOW
from bot.domain.activities import ActivityRequest
from bot.services import ledger
from bot.store.models.core import (
    Activity,
    ActivityAttendee,
    ActivityLogBatch,
    LogEntry,
    OutboxMessage,
    Person,
    SignedPeriod,
)
from tests.support.bolt_requests import all_text, slash
from tests.support.cli import Cli
from tests.support.hillside import NOW

SECRET_NOTE = "Bea cried after the observation"


def event(app: Any, text: str, user: str = "U0LEE") -> dict[str, Any]:
    """`/induction event TEXT` as a signed request; the ephemeral reply, validated."""
    return slash(app, "/induction", f"event {text}", user)


def stored(services: Services) -> tuple[int, int, int, int]:
    """Activities, attendees, log batches of activities, log entries."""
    with services.store.read() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (Activity, ActivityAttendee, ActivityLogBatch, LogEntry)
        )


def group_entries(services: Services) -> list[tuple[int, int, int, str, str | None]]:
    with services.store.read() as session:
        return [
            (row.mentor_id, row.mentee_id, row.minutes, row.batch_id or "", row.notes)
            for row in session.execute(
                select(LogEntry).where(LogEntry.kind == "group").order_by(LogEntry.id)
            ).scalars()
        ]


# ---- from Slack ------------------------------------------------------------------------------


def test_a_group_session_logs_each_mentee_once_and_each_mentor_once(
    app: Any, services: Services, roster: dict[str, int], pairs: None
) -> None:
    reply = event(
        app, f"group 2026-10-14 90m <@U0BEA> <@U0IKE> <@U0NIA> <@U0MIA> <@U0PAT> {SECRET_NOTE}"
    )
    text = all_text(reply)
    assert "Recorded a group mentoring session on" in text and "1 h 30," in text
    assert "facilitated by Lee Lead" in text
    assert "Lee Lead with Bea Beginner, Nia New" in text  # Nia's facilitator is a mentor
    assert "Mia Mentor with Ike Incoming" in text
    assert SECRET_NOTE not in text
    assert stored(services) == (1, 5, 2, 3)
    entries = group_entries(services)
    lee, mia = roster["lee@hillside.example"], roster["mia@hillside.example"]
    bea, ike, nia = (roster[f"{n}@hillside.example"] for n in ("bea", "ike", "nia"))
    assert sorted((m, e, minutes) for m, e, minutes, _, _ in entries) == sorted(
        [(lee, bea, 90), (lee, nia, 90), (mia, ike, 90)]
    )
    assert len({batch for m, _, _, batch, _ in entries if m == lee}) == 1  # one batch per mentor
    assert all(notes is None for *_, notes in entries)  # the notes stay with the activity
    program = services.programs.current()
    with services.store.read() as session:
        pair_time = ledger.pairs_in_year(session, program, program.year)
        mentor_time = ledger.mentor_time(session, program, program.year.first, program.year.last)
    assert pair_time[(lee, bea)].minutes == 90 and pair_time[(lee, nia)].minutes == 90
    assert pair_time[(mia, ike)].minutes == 90
    assert (mentor_time[lee].minutes, mentor_time[lee].sessions) == (90, 1)  # counted once
    assert (mentor_time[mia].minutes, mentor_time[mia].sessions) == (90, 1)
    assert services.ledger.verify().differences == ()
    with services.store.read() as session:
        roles = {
            person: role
            for person, role in session.execute(
                select(ActivityAttendee.person_id, ActivityAttendee.role)
            )
        }
        kept = session.scalars(select(Activity.notes)).one()
    assert roles[bea] == "mentee" and roles[mia] == "mentor"
    assert roles[roster["pat@hillside.example"]] == "other"
    assert kept == SECRET_NOTE


def test_an_orientation_records_attendance_and_logs_no_mentoring(
    app: Any, services: Services, roster: dict[str, int], pairs: None
) -> None:
    reply = event(app, "orientation 2026-08-27 2h <@U0BEA> <@U0BO> by <@U0CORA>", user="U0CORA")
    assert "Recorded an orientation session on Thu 27 Aug" in all_text(reply)
    assert "facilitated by Cora Coordinator" in all_text(reply)
    assert "Logged as group mentoring" not in all_text(reply)
    assert stored(services) == (1, 2, 0, 0)


def test_the_help_documents_event(app: Any, services: Services, roster: dict[str, int]) -> None:
    reply = slash(app, "/induction", "help", "U0LEE")
    assert "/induction event group 2026-10-14 90m @a @b @c" in all_text(reply)


REFUSALS = [
    ("U0LEE", "group 2026-10-14 90m", "nobody attended"),
    ("U0LEE", "group 2026-10-14 90m <@U0NOBODY>", "is not on the Hillside Public Schools roster"),
    ("U0LEE", "group 2026-12-01 90m <@U0BEA>", "is in the future"),
    ("U0LEE", "group 2026-06-15 90m <@U0BEA>", "before the 2026-27 program year"),
    ("U0LEE", "party 2026-10-14 90m <@U0BEA>", "I don't know the activity 'party'"),
    ("U0LEE", "group 2026-10-14 <@U0BEA>", "but not how long it was"),
    ("U0LEE", "group 2026-10-14 13h <@U0BEA>", "not a duration I can record"),
    ("U0LEE", "group 2026-10-14 90m @bea", "nobody in this workspace is called 'bea'"),
    ("U0LEE", "group 10/14 90m <@U0BEA>", "write it as YYYY-MM-DD"),
    ("U0LEE", "group 2026-10-14 90m <@U0LEE>", "Nobody attended but the facilitator"),
    ("U0LEE", "group 2026-10-14 90m notes then <@U0BEA>", "Put everyone before the notes"),
    ("U0BEA", "group 2026-10-14 90m <@U0IKE>", "Only lead mentors and coordinators"),
    ("U0PAT", "group 2026-10-14 90m <@U0BEA>", "Only lead mentors and coordinators"),
    ("U0MIA", "group 2026-10-14 90m <@U0IKE>", "Only lead mentors and coordinators"),
    ("U0LEE", "group 2026-10-14 90m <@U0GONE>", "is not in the 2026-27 program"),
]


@pytest.mark.parametrize(("user", "text", "says"), REFUSALS)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    app: Any,
    services: Services,
    roster: dict[str, int],
    pairs: None,
    user: str,
    text: str,
    says: str,
) -> None:
    with services.store.write() as session:  # on the roster, but with no role this year
        session.add(
            Person(
                program_id=services.programs.current().id,
                email="gone@hillside.example",
                name="Gus Gone",
                slack_user_id="U0GONE",
            )
        )
    reply = event(app, text, user=user)
    assert ":warning:" in all_text(reply)
    assert says in all_text(reply)
    if "Only lead mentors" not in says:
        assert "Try:" in all_text(reply)  # with a correct example
    assert stored(services) == (0, 0, 0, 0)


def test_a_group_session_over_a_mentees_day_cap_stores_nothing_at_all(
    app: Any, services: Services, roster: dict[str, int], pairs: None
) -> None:
    services.logs.log_text("U0LEE", "700m meeting with <@U0BEA> 2026-10-14", NOW)
    before = stored(services)
    reply = event(app, "group 2026-10-14 90m <@U0NIA> <@U0BEA>")
    assert "over the 12-hour day" in all_text(reply)
    assert stored(services) == before  # not Nia's entry either: one transaction
    assert services.ledger.verify().differences == ()


def test_a_group_session_in_a_signed_off_period_is_refused_whole(
    app: Any, services: Services, roster: dict[str, int], pairs: None
) -> None:
    with services.store.write() as session:
        session.add(
            SignedPeriod(
                program_id=services.programs.current().id,
                first_day=date(2026, 10, 1),
                last_day=date(2026, 10, 31),
                school="Lincoln",
                signed_by_id=roster["cora@hillside.example"],
                signed_at=NOW,
            )
        )
    reply = event(app, "group 2026-10-14 90m <@U0BO> <@U0BEA>")
    assert ":warning:" in all_text(reply) and "signed off" in all_text(reply)
    assert stored(services) == (0, 0, 0, 0)  # not Bo's entry (Jefferson) either
    assert "Recorded" in all_text(event(app, "orientation 2026-10-14 30m <@U0BEA>"))


# ---- the exit-ticket hook --------------------------------------------------------------------


def test_a_group_session_calls_the_exit_ticket_hook_with_its_attendees(
    services: Services, roster: dict[str, int], pairs: None
) -> None:
    calls: list[tuple[int, list[int], datetime]] = []
    services.activities.exit_tickets = lambda *args: calls.append(args)
    group = ActivityRequest("group", 45, ("bea@hillside.example", "mia@hillside.example"), date(2026, 11, 2), "lee@hillside.example")  # fmt: skip
    recorded = services.activities.record_from_cli(group, NOW)
    training = ActivityRequest("training", 60, ("mia@hillside.example",), date(2026, 11, 3), "cora@hillside.example")  # fmt: skip
    services.activities.record_from_cli(training, NOW)
    assert calls == [
        (recorded.id, [roster["bea@hillside.example"], roster["mia@hillside.example"]], NOW)
    ]


def test_a_failing_exit_ticket_hook_leaves_the_session_recorded(
    services: Services, roster: dict[str, int], pairs: None
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("surveys down")

    services.activities.exit_tickets = broken
    request = ActivityRequest("group", 45, ("bea@hillside.example",), date(2026, 11, 2), "lee@hillside.example")  # fmt: skip
    services.activities.record_from_cli(request, NOW)
    assert stored(services) == (1, 1, 1, 1)


# ---- the year's summary (report item a) -------------------------------------------------------


def test_the_summary_counts_activities_by_kind_and_mentoring_by_kind(
    app: Any, services: Services, roster: dict[str, int], pairs: None
) -> None:
    empty = services.activities.summary(None, NOW)
    assert empty.source.kind == "none" and "no program activities were recorded" in (
        empty.source.reason or ""
    )
    event(app, "orientation 2026-08-27 120m <@U0BEA> <@U0IKE> <@U0BO>", user="U0CORA")
    event(app, f"group 2026-10-14 90m <@U0BEA> <@U0IKE> <@U0MIA> {SECRET_NOTE}")
    event(app, "group 2026-11-04 60m <@U0BEA> <@U0BO> <@U0MAX>")
    event(app, "training 2026-09-12 3h <@U0MIA> <@U0MAX> by <@U0CORA>", user="U0CORA")
    services.logs.log_text("U0MAX", "45m observation with <@U0BO> 2026-11-05", NOW)
    summary = services.activities.summary("2026-27", NOW)
    assert summary.source.kind == "counted" and summary.year == "2026-27"
    assert summary.count == 4
    by_kind = {line.kind: line for line in summary.kinds}
    assert [line.kind for line in summary.kinds] == ["orientation", "group", "training", "support_team"]  # fmt: skip
    assert (by_kind["orientation"].count, by_kind["orientation"].attendance, by_kind["orientation"].hours) == (1, 3, 2.0)  # fmt: skip
    assert (by_kind["group"].count, by_kind["group"].attendance, by_kind["group"].attendances) == (2, 5, 6)  # fmt: skip
    assert by_kind["group"].minutes == 150 and by_kind["group"].hours == 2.5
    assert (by_kind["training"].count, by_kind["training"].minutes) == (1, 180)
    assert by_kind["support_team"].count == 0
    mentoring = {line.kind: line for line in summary.mentoring}
    # group: Lee–Bea 90, Mia–Ike 90, then Lee–Bea 60 (Lee facilitates), Max–Bo 60
    assert (mentoring["group"].entries, mentoring["group"].pair.minutes) == (4, 300)
    assert (mentoring["group"].mentor.minutes, mentoring["group"].mentor.sessions) == (300, 4)
    assert mentoring["observation"].pair.observations == 1
    assert mentoring["observation"].pair.minutes == 45
    assert SECRET_NOTE not in repr(summary)
    assert services.ledger.verify().differences == ()


def test_the_summary_of_a_year_not_kept_is_refused(
    services: Services, roster: dict[str, int]
) -> None:
    with pytest.raises(Exception, match="No program is loaded for 2027-28"):
        services.activities.summary("2027-28", NOW)


# ---- from the command line -------------------------------------------------------------------


@pytest.fixture
def loaded(loaded: Cli) -> Cli:
    """The contract's program and roster loaded, the three pairs assigned through the CLI."""
    cli = loaded
    for mentor, mentee in (("lee", "bea"), ("mia", "ike"), ("max", "bo")):
        assigned = cli("assign", f"{mentor}@hillside.example", f"{mentee}@hillside.example", "--on", "2026-08-31")  # fmt: skip
        assert assigned.code == 0, assigned.err
    return cli


def count_rows(cli: Cli, table: Any) -> int:
    return int(cli.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def test_event_add_from_the_cli_logs_the_group_and_lists_it_without_notes(loaded: Cli) -> None:
    added = loaded(
        "event", "add", "group", "2026-11-02", "1h", "--by", "cora@hillside.example",
        "--attendee", "bo@hillside.example", "--attendee", "max@hillside.example",
        "--attendee", "ike@hillside.example", "--notes", SECRET_NOTE,
    )  # fmt: skip
    assert added.code == 0, added.err
    assert added.out.splitlines() == [
        "Recorded #1: a group mentoring session on Mon 2 Nov, 1 h, facilitated by "
        "cora@hillside.example; 3 attended.",
        "Logged as group mentoring: max@hillside.example with bo@hillside.example.",
        "Not logged as mentoring (no mentor of theirs present): ike@hillside.example.",
    ]
    assert count_rows(loaded, LogEntry) == 1
    listing = loaded("event", "list")
    assert listing.code == 0
    assert listing.out.splitlines() == [
        "#1 2026-11-02 group 1 h by cora@hillside.example: 3 attended, 1 mentoring entries",
        "1 activity.",
    ]
    assert SECRET_NOTE not in listing.out
    verify = loaded("ledger", "verify")
    assert verify.code == 0 and "0 differences" in verify.out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            (
                "party",
                "2026-11-02",
                "60",
                "--by",
                "cora@hillside.example",
                "--attendee",
                "bo@hillside.example",
            ),
            "unknown activity kind 'party'",
        ),
        (("group", "2026-11-02", "60", "--by", "cora@hillside.example"), "needs its attendees"),
        (
            (
                "group",
                "2026-11-02",
                "0",
                "--by",
                "cora@hillside.example",
                "--attendee",
                "bo@hillside.example",
            ),
            "not a duration",
        ),
        (
            (
                "group",
                "2026-12-02",
                "60",
                "--by",
                "cora@hillside.example",
                "--attendee",
                "bo@hillside.example",
            ),
            "is in the future",
        ),
        (
            (
                "group",
                "2026-11-02",
                "60",
                "--by",
                "cora@hillside.example",
                "--attendee",
                "zed@elsewhere.example",
            ),
            "zed@elsewhere.example (attendee) is not on the",
        ),
        (
            (
                "group",
                "2026-11-02",
                "60",
                "--by",
                "nobody@hillside.example",
                "--attendee",
                "bo@hillside.example",
            ),
            "(facilitator) is not on the",
        ),
    ],
)
def test_event_add_refusals_store_nothing(loaded: Cli, args: tuple[str, ...], says: str) -> None:
    result = loaded("event", "add", *args)
    assert result.code == 1
    assert says in result.err
    assert count_rows(loaded, Activity) == 0 and count_rows(loaded, LogEntry) == 0


# ---- the demo ----------------------------------------------------------------------------------


def test_the_demo_records_its_orientation_training_and_partnerships(
    demo: tuple[Settings, Services],
) -> None:
    _, services = demo
    summary = services.activities.summary(None, DEMO_NOW)
    counts = {line.kind: (line.count, line.attendance) for line in summary.kinds}
    assert counts == {"orientation": (1, 4), "group": (0, 0), "training": (1, 4), "support_team": (0, 0)}  # fmt: skip
    assert services.partnerships.summary(DEMO_NOW).count == 2
    assert services.ledger.verify().differences == ()


def test_a_group_session_claims_an_exit_ticket_per_attendee_in_the_outbox(
    services: Services, roster: dict[str, int], pairs: None
) -> None:
    def outbox() -> int:
        with services.store.read() as session:
            return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)

    request = ActivityRequest("group", 45, ("bea@hillside.example", "ike@hillside.example", "mia@hillside.example"), date(2026, 11, 2), "lee@hillside.example")  # fmt: skip
    services.activities.record_from_cli(request, NOW)
    assert outbox() == 3  # Bea, Ike, Mia: one exit ticket each
    training = ActivityRequest("training", 60, ("mia@hillside.example",), date(2026, 11, 3), "cora@hillside.example")  # fmt: skip
    services.activities.record_from_cli(training, NOW)
    assert outbox() == 3
