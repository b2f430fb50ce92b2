"""Every CLI input is bounded, and the small things: nesting depth of a program file, dates within
the calendar's range, CSV field sizes, control characters shown inert on a terminal, the length
of an event's notes, who may facilitate an event, `1h99`, and forms over Slack's 100 options.
Each refusal is one clear message, no traceback, nothing stored."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select, update

from bot.clock import FixedClock
from bot.domain.entries import FormDefaults
from bot.domain.grammar import ParseError, parse_log
from bot.domain.grammar.types import LogContext, MenteeOption
from bot.domain.members import Member
from bot.domain.policy import parse_program_toml
from bot.domain.reassignment import PairOption, RequestForm
from bot.slack import log_views, request_views
from bot.store.base import CLOCK_OPTION
from bot.store.models.core import Activity, LogEntry, Person, Program
from tests.support.bolt_requests import all_text
from tests.support.cli import Cli
from tests.support.hillside import NOW, PROGRAM_TOML

HEADER = "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id\n"
COORDINATOR_ROW = "cora@hillside.example,Cora Coordinator,coordinator,,,,,,2015-08-24,U0CORA\n"
DEEP_TOML = PROGRAM_TOML + "extra = " + "[" * 5000 + "]" * 5000 + "\n"


def execute(cli: Cli, statement: Any) -> None:
    """Write to the CLI's database directly (committed), its timestamps by the frozen clock."""
    engine = create_engine(
        cli.url.replace("postgresql://", "postgresql+psycopg://", 1)
    ).execution_options(**{CLOCK_OPTION: FixedClock(NOW)})
    try:
        with engine.begin() as connection:
            connection.execute(statement)
    finally:
        engine.dispose()


def rows(cli: Cli, table: Any) -> int:
    return int(cli.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def assert_one_line_refusal(result: Any) -> None:
    """Exit 1 with what was wrong (the roster's rejected rows are its output), no traceback."""
    said = result.out + result.err
    assert result.code == 1
    assert "Traceback" not in said and "Error:" not in said
    assert said.strip(), "a refusal says why"


# ---- nesting depth ---------------------------------------------------------------------------


def test_a_deeply_nested_program_file_is_refused_in_one_line(cli: Cli) -> None:
    result = cli("program", "load", cli.write("deep.toml", DEEP_TOML))

    assert_one_line_refusal(result)
    assert "nested more than 8 levels" in result.err
    assert len(result.err.strip().splitlines()) == 2  # "nothing changed, because:" and why
    assert rows(cli, Program) == 0


def test_year_start_refuses_a_deeply_nested_file(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    roster = cli.write("next.csv", HEADER + COORDINATOR_ROW)

    result = cli("year", "start", "--roster", roster, cli.write("next.toml", DEEP_TOML))

    assert_one_line_refusal(result)
    assert "nested more than 8 levels" in result.err
    assert rows(cli, Program) == 1


def test_a_program_file_as_nested_as_a_real_one_still_loads() -> None:
    nested = PROGRAM_TOML + 'vacations = [{ start = 2026-12-24, end = 2027-01-01, name = "W" }]\n'
    assert parse_program_toml(nested).name == "Hillside Public Schools"


# ---- the roster: dates, field sizes, control characters --------------------------------------


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (
            "bea@x.example,Bea,mentee,L,,,beginning_teacher,,0001-01-01,",
            "hire_date 0001-01-01 is outside",
        ),
        (
            "bea@x.example,Bea,mentee,L,,,beginning_teacher,,9999-12-31,",
            "hire_date 9999-12-31 is outside",
        ),
        (
            "bea@x.example,Bea,mentee,L,,,beginning_teacher,,２０２６-08-24,",
            "is not an ISO date like 2026-08-24",
        ),
        (
            "bea@x.example,Bea\x1b[2J,mentee,L,,,beginning_teacher,,2026-08-24,",
            "name holds a control character",
        ),
        (
            "bea@x.example," + "B" * 140_000 + ",mentee,L,,,beginning_teacher,,2026-08-24,",
            "longer than 128 KiB",
        ),
    ],
    ids=["year-1", "year-9999", "fullwidth-digits", "escape-code", "140k-field"],
)
def test_a_roster_row_out_of_bounds_is_rejected_with_its_line(cli: Cli, row: str, says: str) -> None:  # fmt: skip
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0

    result = cli("roster", "import", cli.write("roster.csv", HEADER + COORDINATOR_ROW + row + "\n"))

    assert_one_line_refusal(result)
    said = result.out + result.err
    assert "roster.csv:3" in said and says in said and "nothing was imported" in said
    assert rows(cli, Person) == 0


def test_an_induction_year_that_only_looks_like_a_digit_is_rejected(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    header = HEADER.rstrip("\n") + ",induction_year\n"
    row = "bea@x.example,Bea,mentee,L,,,beginning_teacher,,2026-08-24,,²\n"

    result = cli("roster", "import", cli.write("roster.csv", header + row))

    assert_one_line_refusal(result)
    assert "roster.csv:2" in result.out and "induction_year '²' is not a year" in result.out
    assert rows(cli, Person) == 0


# ---- control characters on a terminal ----------------------------------------------------------


def test_names_with_control_characters_print_inert(loaded: Cli) -> None:
    """A name stored before the roster refused control characters, and a partnership typed with
    one: the report and the list show them escaped."""
    assigned = loaded("assign", "lee@hillside.example", "bea@hillside.example", "--on", "2026-08-31")  # fmt: skip
    assert assigned.code == 0, assigned.err
    execute(
        loaded,
        update(Person).where(Person.email == "bea@hillside.example").values(name="Bea\x1b[2J\rB"),
    )
    added = loaded("partnership", "add", "Acme\x1b]0;owned\x07", "--kind", "higher_education", "--supports", "coaching\x1b[31m")  # fmt: skip
    assert added.code == 0, added.err

    report = loaded("report", "annual", "--format", "md")
    listing = loaded("partnership", "list")

    for out in (report.out, listing.out, added.out):
        assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "Acme\\x1b]0;owned\\x07" in listing.out
    assert "coaching\\x1b[31m" in listing.out
    assert "Bea\\x1b" in report.out  # the cell escapes its own brackets after it


# ---- events ----------------------------------------------------------------------------------


def test_event_notes_are_capped_as_slack_notes_are(loaded: Cli) -> None:
    result = loaded(
        "event", "add", "group", "2026-11-02", "1h", "--by", "cora@hillside.example",
        "--attendee", "bo@hillside.example", "--notes", "n" * 100_000,
    )  # fmt: skip

    assert_one_line_refusal(result)
    assert "keep them to 2,000" in result.err
    assert rows(loaded, Activity) == 0 and rows(loaded, LogEntry) == 0


def test_a_mentee_cannot_facilitate_an_event(loaded: Cli) -> None:
    result = loaded(
        "event", "add", "group", "2026-11-02", "1h", "--by", "bea@hillside.example",
        "--attendee", "bo@hillside.example",
    )  # fmt: skip

    assert_one_line_refusal(result)
    assert "Bea Beginner is a mentee, so they can't facilitate" in result.err
    assert rows(loaded, Activity) == 0 and rows(loaded, LogEntry) == 0


# ---- 1h99 ------------------------------------------------------------------------------------

CTX = LogContext(NOW, ZoneInfo("America/New_York"), date(2026, 8, 31), (MenteeOption(1, "Bea Beginner", "U0BEA"),))  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "says", "example"),
    [
        (
            "1h99 meeting",
            "I can't read 1h99: the minutes after the hours run from 0 to 59; if you meant 2 h 39, write 2h39 or 159m.",
            "/logmeeting 2h39 meeting",
        ),
        (
            "1:75 planning",
            "I can't read 1:75: the minutes after the hours run from 0 to 59; if you meant 2 h 15, write 2h15 or 135m.",
            "/logmeeting 2h15 planning",
        ),
        ("2h60", "I can't read 2h60", "/logmeeting 3h"),
        (
            "11h99",
            "I can't read 11h99: the minutes after the hours run from 0 to 59.",
            "/logmeeting 45m",
        ),
    ],
)
def test_minutes_after_the_hours_past_59_are_refused(typed: str, says: str, example: str) -> None:
    result = parse_log(typed, CTX)

    assert isinstance(result, ParseError)
    assert result.code == "duration_out_of_range"
    assert result.message.startswith(says)
    assert result.example.startswith(example)
    assert "duration" not in result.understood


@pytest.mark.parametrize(("typed", "minutes"), [("1h59", 119), ("1h05", 65), ("1:59", 119), ("1h 30m", 90)])  # fmt: skip
def test_minutes_after_the_hours_up_to_59_are_read(typed: str, minutes: int) -> None:
    result = parse_log(typed, CTX)
    assert not isinstance(result, ParseError) and result.minutes == minutes


# ---- forms over Slack's 100 options ----------------------------------------------------------


def member(number: int, roles: str = "mentee") -> Member:
    return Member(number, f"p{number}@x.example", f"Person {number:03d}", "Lincoln", None, None, None, None, None, None, True, frozenset({roles}))  # fmt: skip


@pytest.mark.parametrize(("mentees", "note"), [(120, "…and 20 more"), (100, None)])
def test_the_log_form_says_how_many_mentees_it_does_not_list(mentees: int, note: str | None) -> None:  # fmt: skip
    defaults = FormDefaults(tuple(member(n) for n in range(1, mentees + 1)), False, date(2026, 11, 18))  # fmt: skip

    form = log_views.log_form(defaults)

    options = next(b for b in form["blocks"] if b.get("block_id") == "mentee")["element"]["options"]
    assert len(options) == 100
    shown = all_text(form["blocks"])
    if note is None:
        assert "more" not in shown
    else:
        assert f"The list shows 100 of your {mentees} mentees {note}" in shown
        assert "/logmeeting 45m @name" in shown


def test_the_request_form_says_how_many_pairings_it_does_not_list() -> None:
    mentor = member(1000, "mentor")
    pairs = tuple(PairOption(n, mentor, member(n), date(2026, 9, 1)) for n in range(1, 121))

    form = request_views.request_form(RequestForm(mentor, pairs))

    shown = all_text(form["blocks"])
    assert "The list shows 100 of your 120 pairings …and 20 more" in shown
    assert "/induction change @person" in shown


@pytest.mark.parametrize(
    "args",
    [
        ("export", "pay", "--from", "0001-01-01", "--to", "9999-12-31"),
        ("assign", "lee@hillside.example", "bea@hillside.example", "--on", "9999-12-31"),
        ("event", "add", "group", "0001-01-01", "1h", "--by", "cora@hillside.example"),
    ],
    ids=["pay-from-year-1", "assign-on-9999", "event-on-year-1"],
)
def test_a_date_argument_outside_the_calendar_is_a_usage_error(
    loaded: Cli, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit) as exited:
        loaded(*args)

    assert exited.value.code == 2
    assert "is outside the dates the program works with (1900-01-01 to 2199-12-31)" in (
        capsys.readouterr().err
    )
