"""`mentor-minutes` commands (bot/cli/main.py, bot/cli/commands.py) through `main([...])`."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

import bot.cli.base
from bot.cli.log_setup import configure_logging
from bot.domain.policy import load_program_toml, parse_program_toml
from bot.store.db import head_revision
from bot.store.models.core import Assignment, Person
from tests.support.cli import Cli, clean_environment
from tests.support.hillside import PROGRAM_TOML, ROSTER_CSV
from tests.support.slack_api import FakeSlackApi

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # engine-independent
RICH_TOML = (
    PROGRAM_TOML
    + """vacations = [{ start = 2026-12-24, end = 2027-01-01, name = "Winter break" }]

[overrides]
weekly_target_minutes = 90
hourly_rate_cents = 3000
"""
)


@pytest.fixture
def fresh_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """The CLI against a SQLite file that was never migrated."""
    clean_environment(monkeypatch, tmp_path)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return Cli(capsys, tmp_path, url)


# ---- db ------------------------------------------------------------------------------------------


def test_db_upgrade_on_a_migrated_database(cli: Cli) -> None:
    result = cli("db", "upgrade")
    assert result.code == 0
    assert result.out.startswith(f"Database at {head_revision()}: ")
    assert cli("db", "current").out.strip() == head_revision()


def test_db_upgrade_migrates_a_new_database(fresh_cli: Cli) -> None:
    assert fresh_cli("db", "current").out.strip() == "not migrated"
    result = fresh_cli("db", "upgrade")
    assert result.code == 0
    assert fresh_cli("db", "current").out.strip() == head_revision()
    assert (
        fresh_cli("program", "show")
        .err.strip()
        .endswith("no program yet: run `mentor-minutes program load FILE.toml`")
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("program", "show"),
        ("program", "load", "program.toml"),
        ("roster", "import", "roster.csv"),
        ("assign", "lee@hillside.example", "bea@hillside.example"),
    ],
)
def test_an_unmigrated_database_says_to_run_db_upgrade(
    fresh_cli: Cli, argv: tuple[str, ...]
) -> None:
    fresh_cli.write("program.toml", PROGRAM_TOML)
    fresh_cli.write("roster.csv", ROSTER_CSV)
    (fresh_cli.workdir / "fresh.db").touch()
    result = fresh_cli(*argv)
    assert result.code == 1
    assert "is not up to date: run `mentor-minutes db upgrade` first" in result.err
    assert fresh_cli("db", "current").out.strip() == "not migrated"


@pytest.mark.parametrize(
    "argv",
    [("program", "show"), ("export", "logs"), ("report", "annual"), ("db", "current"), ("ledger", "verify")],
)  # fmt: skip
def test_a_read_against_a_missing_sqlite_file_does_not_create_it(
    fresh_cli: Cli, argv: tuple[str, ...]
) -> None:
    result = fresh_cli(*argv)
    assert not (fresh_cli.workdir / "fresh.db").exists()
    assert "Traceback" not in result.err
    if argv == ("db", "current"):
        assert (result.code, result.out) == (0, "not migrated\n")
    else:
        assert result.code == 1
        assert result.err == (
            f"mentor-minutes: there is no database at {fresh_cli.workdir / 'fresh.db'} "
            "(DATABASE_URL): run `mentor-minutes db upgrade` first\n"
        )


@pytest.mark.parametrize("argv", [("db", "upgrade"), ("program", "show"), ("console",), ("export", "logs")])  # fmt: skip
def test_database_url_in_a_missing_directory_is_one_line(
    fresh_cli: Cli, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    missing = fresh_cli.workdir / "no-such-dir"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}/mm.db")
    result = fresh_cli(*argv)
    assert result.code == 2
    assert result.err == (
        f"mentor-minutes: DATABASE_URL (sqlite:///{missing}/mm.db): cannot open the database: "
        f"the directory {missing} does not exist\n"
    )
    assert not missing.exists()


def test_database_url_to_an_unreachable_server_is_one_line_without_the_password(
    fresh_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("DATABASE_URL", f"postgresql://mm:s3cret@127.0.0.1:{port}/mm")
        result = fresh_cli("program", "show")
    assert result.code == 2
    assert result.err.startswith(
        f"mentor-minutes: DATABASE_URL (postgresql+psycopg://mm:***@127.0.0.1:{port}/mm): "
        "cannot open the database: connection failed:"
    )
    assert result.err.count("\n") == 1
    assert "s3cret" not in result.err


def test_a_database_error_during_a_command_is_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection\ndetail"))

    monkeypatch.setattr(bot.cli.base, "is_up_to_date", fail)
    result = cli("program", "show")
    assert result.code == 1
    assert result.err.endswith("): server closed the connection\n")
    assert result.err.startswith("mentor-minutes: DATABASE_URL (")


def test_export_logs_of_a_year_with_no_entries_says_so(loaded: Cli) -> None:
    result = loaded("export", "logs", "--year", "2025-26")
    assert result.code == 0
    assert (
        result.out
        == "id,date,mentor_email,mentee_email,kind,minutes,logged_by_email,source,created_at\n"
    )
    assert result.err == (
        "mentor-minutes: nothing to export: no log entries in 2025-26 (Tue 1 Jul 2025 – "
        "Tue 30 Jun 2026); the output has the header only.\n"
    )
    as_json = loaded("export", "logs", "--year", "2025-26", "--format", "json")
    assert (as_json.out, as_json.err.startswith("mentor-minutes: nothing to export")) == (
        "[]\n",
        True,
    )


# ---- program -------------------------------------------------------------------------------------


def test_program_load_creates_then_updates(cli: Cli) -> None:
    path = cli.write("program.toml", PROGRAM_TOML)
    first = cli("program", "load", path)
    assert (first.code, first.out) == (
        0,
        "Created Hillside Public Schools (2026-27, policy ma, America/New_York).\n",
    )
    renamed = cli.write("renamed.toml", PROGRAM_TOML.replace("Hillside", "Hillview"))
    second = cli("program", "load", renamed, "--yes")
    assert (second.code, second.out) == (
        0,
        "renamed.toml changes Hillside Public Schools (2026-27):\n"
        "  name: Hillside Public Schools → Hillview Public Schools\n"
        "Updated Hillview Public Schools (2026-27, policy ma, America/New_York).\n",
    )
    assert 'name = "Hillview Public Schools"' in cli("program", "show").out


OTHER_DISTRICT = (
    PROGRAM_TOML.replace("Hillside", "Riverside")
    .replace('policy = "ma"', 'policy = "ca"')
    .replace("2026-10-12, ", "")
    .replace("2026-11-11]", "2026-11-11, 2026-11-26]")
)


def test_program_load_of_another_district_shows_the_differences_and_asks_for_yes(
    cli: Cli,
) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    before = cli("program", "show").out
    other = cli.write("other.toml", OTHER_DISTRICT)
    differences = (
        "other.toml changes Hillside Public Schools (2026-27):\n"
        "  name: Hillside Public Schools → Riverside Public Schools\n"
        "  policy: ma → ca\n"
        "  non_school_days: + 2026-11-26; - 2026-10-12\n"
    )
    refused = cli("program", "load", other)
    assert (refused.code, refused.out) == (1, differences)
    assert refused.err == (
        "mentor-minutes: other.toml: nothing changed: this replaces the program's name, policy, "
        "non_school_days. Check the differences above, then run "
        "`mentor-minutes program load other.toml --yes`.\n"
    )
    assert cli("program", "show").out == before
    dry = cli("program", "load", other, "--dry-run", "--yes")
    assert (dry.code, dry.out) == (0, differences + "Dry run, nothing changed.\n")
    assert cli("program", "show").out == before
    applied = cli("program", "load", other, "--yes")
    assert (applied.code, applied.out) == (
        0,
        differences + "Updated Riverside Public Schools (2026-27, policy ca, America/New_York).\n",
    )
    assert 'policy = "ca"' in cli("program", "show").out


def test_program_load_of_policy_values_alone_applies_and_lists_them(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", RICH_TOML)).code == 0
    tuned = RICH_TOML.replace("weekly_target_minutes = 90", "weekly_target_minutes = 60")
    result = cli("program", "load", cli.write("tuned.toml", tuned))
    assert (result.code, result.out) == (
        0,
        "tuned.toml changes Hillside Public Schools (2026-27):\n"
        "  overrides.weekly_target_minutes: 90 → 60\n"
        "Updated Hillside Public Schools (2026-27, policy ma, America/New_York).\n",
    )
    same = cli("program", "load", "tuned.toml")
    assert (same.code, same.out) == (
        0,
        "Hillside Public Schools: the file matches the program; nothing changed.\n",
    )


def test_program_load_dry_run_before_any_program_creates_nothing(cli: Cli) -> None:
    result = cli("program", "load", cli.write("program.toml", PROGRAM_TOML), "--dry-run")
    assert (result.code, result.out) == (
        0,
        "Dry run, nothing changed: would create Hillside Public Schools (2026-27, policy ma, "
        "America/New_York).\n",
    )
    assert "no program yet" in cli("program", "show").err


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        pytest.param('timezone = "America/New_York"', 'timezone = "America/Springfield"', "timezone: unknown timezone 'America/Springfield'", id="unknown-timezone"),
        pytest.param("school_year_end = 2027-06-18", "school_year_end = 2026-06-18", "school_year_end: 2026-06-18 is before school_year_start 2026-08-31", id="end-before-start"),
        pytest.param('policy = "ma"', 'policy = "zz"', "policy: unknown preset 'zz' (expected one of: ma, ca, tx, il, ny, ok)", id="unknown-preset"),
        pytest.param("school_year_start", "school_yaer_start", "did you mean 'school_year_start'?", id="misspelt-key"),
        pytest.param('name = "Hillside Public Schools"', "", "name: missing required key", id="missing-name"),
        pytest.param("2026-11-11]", "2027-07-04]", "non_school_days[2]: 2027-07-04 is outside the school year", id="holiday-outside-year"),
        pytest.param('policy = "ma"', 'policy = "ma', "TOML syntax error", id="toml-syntax"),
    ],
)  # fmt: skip
def test_program_load_rejects_bad_toml_and_keeps_the_program(
    cli: Cli, old: str, new: str, problem: str
) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    before = cli("program", "show").out
    assert old in PROGRAM_TOML
    result = cli("program", "load", cli.write("bad.toml", PROGRAM_TOML.replace(old, new)))
    assert result.code != 0
    assert result.out == ""
    assert "bad.toml: nothing changed, because:" in result.err
    assert problem in result.err
    assert cli("program", "show").out == before


def test_program_load_of_a_missing_file(cli: Cli) -> None:
    result = cli("program", "load", "nowhere.toml")
    assert result.code == 1
    assert "nowhere.toml" in result.err and "file not found" in result.err


def test_program_show_round_trips(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", RICH_TOML)).code == 0
    shown = cli("program", "show")
    assert shown.code == 0
    assert parse_program_toml(shown.out) == load_program_toml(cli.workdir / "program.toml")
    assert cli("program", "load", cli.write("shown.toml", shown.out)).out.endswith(
        "the file matches the program; nothing changed.\n"
    )
    assert cli("program", "show").out == shown.out


def test_program_show_without_a_program(cli: Cli) -> None:
    result = cli("program", "show")
    assert result.code == 1
    assert "no program yet" in result.err


# ---- roster --------------------------------------------------------------------------------------


def test_roster_import(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    result = cli("roster", "import", cli.write("roster.csv", ROSTER_CSV))
    assert (result.code, result.out) == (0, "Imported 9 people: 9 new, 0 updated, 0 unchanged.\n")
    assert cli.people() == 9
    again = cli("roster", "import", "roster.csv")
    assert (again.code, again.out) == (0, "Imported 9 people: 0 new, 0 updated, 9 unchanged.\n")


def test_roster_import_with_bad_rows_imports_nothing(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    bad = ROSTER_CSV.replace(
        "mia@hillside.example,Mia Mentor,mentor,", "mia@hillside.example,Mia Mentor,mentor;boss,"
    ).replace("2026-10-19,U0NIA", "19/10/2026,U0NIA")
    result = cli("roster", "import", cli.write("staff.csv", bad))
    assert result.code == 1
    assert result.out.splitlines() == [
        "staff.csv:4 (mia@hillside.example): unknown role boss (expected some of: mentee mentor lead_mentor coordinator evaluator)",
        "staff.csv:9 (nia@hillside.example): hire_date '19/10/2026' is not an ISO date like 2026-08-24",
        "2 rows rejected; nothing was imported.",
    ]
    assert cli.people() == 0


def test_roster_import_dry_run(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    result = cli("roster", "import", cli.write("roster.csv", ROSTER_CSV), "--dry-run")
    assert (result.code, result.out) == (
        0,
        "Dry run, nothing changed: would import 9 people: 9 new, 0 updated, 0 unchanged.\n",
    )
    assert cli.people() == 0
    bad = cli(
        "roster", "import", cli.write("bad.csv", ROSTER_CSV + "x,,mentor,,,,,,,\n"), "--dry-run"
    )
    assert bad.code == 1
    assert bad.out.startswith("bad.csv:11 (x): email 'x' is not an email address\n")


def test_roster_import_reports_people_without_slack(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    result = cli("roster", "import", cli.write("roster.csv", ROSTER_CSV.replace(",U0BO\n", ",\n")))
    assert result.code == 0
    assert result.out.splitlines() == [
        "1 person not linked to Slack (no slack_user_id and no Slack token to look it up): bo@hillside.example. They get no Slack messages until linked: add their slack_user_id, or import again with SLACK_BOT_TOKEN set.",
        "Imported 9 people: 9 new, 0 updated, 0 unchanged.",
    ]


def test_roster_import_summarises_people_without_slack_in_one_line(cli: Cli) -> None:
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    unlinked = re.sub(r",U0[A-Z]+$", ",", ROSTER_CSV, flags=re.MULTILINE)
    for run in (1, 2):
        result = cli("roster", "import", cli.write("roster.csv", unlinked))
        assert result.code == 0, run
        lines = result.out.splitlines()
        assert len(lines) == 2, run
        assert lines[0].startswith(
            "9 people not linked to Slack (no slack_user_id and no Slack token to look it up): "
        ), run
        assert lines[0].count("@hillside.example") == 5
        assert " and 4 more. They get no Slack messages until linked" in lines[0]


def test_roster_import_looks_people_up_in_slack(
    cli: Cli, slack_api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli-test")
    monkeypatch.setenv("SLACK_API_URL", slack_api.url)
    slack_api.add_user("bo@hillside.example", "U0BOSLACK")
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    text_ = ROSTER_CSV.replace(",U0BO\n", ",\n").replace(",U0IKE\n", ",\n")
    result = cli("roster", "import", cli.write("roster.csv", text_))
    assert result.code == 0
    assert result.out.splitlines() == [
        "1 person not linked to Slack (Slack lookup by email failed: users_not_found): ike@hillside.example. They get no Slack messages until linked: add their slack_user_id, or check the email matches their Slack profile.",
        "Imported 9 people: 9 new, 0 updated, 0 unchanged.",
    ]
    assert (
        cli.scalar(select(Person.slack_user_id).where(Person.email == "bo@hillside.example"))
        == "U0BOSLACK"
    )
    assert {c.token for c in slack_api.calls_to("users.lookupByEmail")} == {"xoxb-cli-test"}


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "missing.csv: No such file or directory"),
        ("latin1.csv", "email,name,roles\nzoë@x.org,Zoë,mentor\n", "latin1.csv: not UTF-8 text"),
    ],
)
def test_roster_import_of_an_unreadable_file(
    cli: Cli, name: str, content: str | None, message: str
) -> None:
    if content is not None:
        (cli.workdir / name).write_bytes(content.encode("latin-1"))
    result = cli("roster", "import", name)
    assert result.code == 1
    assert message in result.err


def test_roster_import_before_a_program(cli: Cli) -> None:
    result = cli("roster", "import", cli.write("roster.csv", ROSTER_CSV))
    assert result.code == 1
    assert "No program is set up yet" in result.err
    assert cli.people() == 0


# ---- assign --------------------------------------------------------------------------------------


def test_assign_by_email(loaded: Cli) -> None:
    result = loaded("assign", "lee@hillside.example", "BEA@hillside.example")
    assert (result.code, result.out) == (
        0,
        "Assigned Lee Lead → Bea Beginner from Wed 18 Nov 2026.\n",
    )
    # Lee's training is not marked done: the assignment happens, with a warning on stderr
    assert result.err.startswith("mentor-minutes: warning: Assigned anyway — Lee Lead may not")
    assert "mentor training" in result.err and ":large_orange_diamond:" not in result.err
    again = loaded("assign", "lee@hillside.example", "bea@hillside.example", "--on", "2026-11-20")
    assert (again.code, again.out) == (0, "Lee Lead already mentors Bea Beginner.\n")


def test_assign_by_slack_id_and_reassign(loaded: Cli) -> None:
    first = loaded("assign", "U0MIA", "U0NIA", "--on", "2026-11-02")
    assert (first.code, first.out) == (0, "Assigned Mia Mentor → Nia New from Mon 2 Nov 2026.\n")
    second = loaded("assign", "<@U0MAX>", "U0NIA", "--on", "2026-11-16")
    assert second.code == 0
    assert second.out.splitlines() == [
        "Ended Mia Mentor → Nia New on Sun 15 Nov 2026.",  # the day before the new start
        "Assigned Max Mentor → Nia New from Mon 16 Nov 2026.",
    ]
    assert loaded.scalar(select(func.count()).select_from(Assignment)) == 2


@pytest.mark.parametrize(
    ("mentor", "mentee", "message"),
    [
        ("bea@hillside.example", "nia@hillside.example", "Bea Beginner is a mentee this year, and a mentee can't mentor."),
        ("zed@hillside.example", "nia@hillside.example", "zed@hillside.example is not on the Hillside Public Schools roster."),
        ("lee", "nia@hillside.example", "I can't tell who 'lee' is"),
    ],
)  # fmt: skip
def test_assign_refusals(loaded: Cli, mentor: str, mentee: str, message: str) -> None:
    result = loaded("assign", mentor, mentee)
    assert result.code == 1
    assert message in result.err
    assert loaded.scalar(select(func.count()).select_from(Assignment)) == 0


@SQLITE_ONLY
def test_assign_with_a_bad_date_is_a_usage_error(loaded: Cli) -> None:
    with pytest.raises(SystemExit) as caught:
        loaded("assign", "lee@hillside.example", "bea@hillside.example", "--on", "18/11/2026")
    assert caught.value.code == 2
    assert "'18/11/2026' is not an ISO date like 2026-09-14" in loaded.capsys.readouterr().err


# ---- settings ------------------------------------------------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("MENTOR_MINUTES_NOW", "yesterday", "MENTOR_MINUTES_NOW"),
        ("MENTOR_MINUTES_NOW", "2026-11-18T10:00:00", "MENTOR_MINUTES_NOW: expected ISO 8601 with an offset"),
        ("SLACK_BOT_TOKEN", "abc", "SLACK_BOT_TOKEN: expected a bot token starting with xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "SLACK_APP_TOKEN: expected an app-level token starting with xapp-"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: expected an http(s) URL"),
        ("DATABASE_URL", "mysql://db/mentor", "DATABASE_URL: expected a sqlite:///path or postgresql://user@host/db URL"),
        ("SMTP_URL", "mail.example.org:25", "SMTP_URL: expected smtp://host:25, smtp+starttls://user:pass@host:587 or smtps://user:pass@host:465"),
        ("SMTP_URL", "smtp://mail.example.org:99999", "SMTP_URL: expected smtp://host:25"),
        ("EMAIL_FROM", "induction at district", "EMAIL_FROM: expected an address such as induction@district.org"),
    ],
)  # fmt: skip
def test_malformed_settings_exit_2_naming_the_variable(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    result = cli("program", "show")
    assert result.code == 2
    assert result.err.startswith("mentor-minutes: configuration error: ")
    assert expected in result.err
    assert result.err.strip().count("\n") == 0  # refused in one line


@SQLITE_ONLY
def test_a_dotenv_in_the_working_directory_is_read(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.write(".env", "SLACK_BOT_TOKEN=abc\n")
    assert cli("program", "show").code == 2
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")  # the environment wins
    result = cli("program", "show")
    assert result.code == 1
    assert "no program yet" in result.err


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_database_url_with_postgres_scheme_is_accepted(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = cli.url.replace("postgresql+psycopg://", "postgres://", 1)
    monkeypatch.setenv("DATABASE_URL", bare)
    assert cli("db", "current").out.strip() == head_revision()
    assert cli.scalar(text("SELECT 1")) == 1


def test_verbose_logging_never_opens_the_libraries_debug_lines() -> None:
    """`serve -v` logs our modules at DEBUG, but slack_sdk and Bolt log request bodies (a log
    form's notes among them) at DEBUG and SQLAlchemy statements at INFO: they stay at WARNING."""

    root = logging.getLogger()
    names = ["bot", "handlers", "schedules", "migrations", *logging.root.manager.loggerDict]
    saved = {name: logging.getLogger(name).level for name in names}
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging(verbose=True, serving=True)
    try:
        assert logging.getLogger("bot.services.logs").getEffectiveLevel() == logging.DEBUG
        for name in ("slack_sdk.web.base_client", "slack_bolt.App", "sqlalchemy.engine"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:  # the loggers are the process's: leave them as they were for other tests
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)


def test_roster_import_says_how_people_are_reached(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nia has no Slack id and Pat asks for email: without SMTP_URL Nia is not reachable and
    Pat stays on Slack; with it, both go by email."""
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    lines = ROSTER_CSV.strip().splitlines()
    rows = [lines[0] + ",notify"] + [
        line.replace(",U0NIA", ",") + ("," if "pat@" not in line else ",email")
        for line in lines[1:]
    ]
    path = cli.write("roster.csv", "\n".join(rows) + "\n")
    result = cli("roster", "import", path, "--dry-run")
    assert (
        "Reached: 8 on Slack, 0 by email, 1 not reachable: no Slack id, and email is not set up (SMTP_URL)."
        in result.out
    )
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:2525")
    result = cli("roster", "import", path)
    assert "Reached: 7 on Slack, 2 by email." in result.out
    assert result.code == 0
