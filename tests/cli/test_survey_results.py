"""`mentor-minutes survey results NAME [--format csv|json]` and `survey list` on SQLite and
PostgreSQL: anonymised answers (no names, Slack ids or emails; ordered by the answers, never by
person), nothing below 5 answers, and the aggregate on stderr / in the list."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from bot.bootstrap import Services
from bot.cli.main import main
from bot.domain.policy import parse_program_toml
from bot.services.programs import ProgramInfo
from bot.store.models.surveys import Survey
from tests.support.hillside import PROGRAM_TOML, ROSTER_CSV
from tests.support.scheduler import at

SURVEY_TOML = (
    PROGRAM_TOML
    + """
[[surveys]]
name = "midyear"
title = "Mid-year check-in"
audience = "both"
send_on = [2026-11-23]
questions = ["My mentor meetings help my teaching.", "I get feedback I can use."]
comment = true

[[surveys]]
name = "spring"
title = "Spring check-in"
audience = "mentees"
send_on = [2027-04-05]
questions = ["I feel ready for next year."]
"""
)
OPENS = date(2026, 11, 23)
ANSWERS = {  # in the order people answer: the export must not keep it
    "U0NIA": ((5, 5), '=HYPERLINK("x")'),
    "U0BEA": ((2, 3), None),
    "U0LEE": ((4, 4), "Thanks, Bea & co"),
    "U0IKE": ((1, 5), None),
    "U0MIA": ((4, 2), None),
}


@pytest.fixture
def program(services: Services) -> ProgramInfo:
    info, _ = services.programs.load(parse_program_toml(SURVEY_TOML))
    return info


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MENTOR_MINUTES_NOW", "2026-11-24T12:00:00-05:00")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def opened(services: Services, answers: dict[str, tuple[tuple[int, int], str | None]]) -> None:
    nudges = services.surveys.due(at(OPENS))
    assert nudges is not None and len(nudges) == 7
    survey_id = nudges[0].content.survey_id  # type: ignore[union-attr]
    for user, (values, comment) in answers.items():
        services.surveys.answer(user, survey_id, dict(enumerate(values, 1)), comment, at(OPENS, 12))


def test_results_csv_and_json_carry_answers_without_identities(
    services: Services, roster: dict[str, int], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    opened(services, ANSWERS)
    code, out, err = run(capsys, "survey", "results", "midyear")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["survey", "opened_on", "q1", "q2", "comment"]
    assert [row[2:4] for row in rows[1:]] == [["1", "5"], ["2", "3"], ["4", "2"], ["4", "4"], ["5", "5"]]  # fmt: skip
    assert rows[5][4] == '\'=HYPERLINK("x")'  # a formula stays text (the one CSV boundary)
    for line in ROSTER_CSV.splitlines()[1:]:
        email, name, *_rest, slack_id = line.split(",")
        for identity in (email, name, slack_id):
            assert identity not in out
    assert "7 asked, 5 answered (71.43 %); means q1 3.20, q2 3.80" in err

    code, out, _ = run(capsys, "survey", "results", "midyear", "--format", "json")
    records = json.loads(out)
    assert code == 0 and [r["q1"] for r in records] == [1, 2, 4, 4, 5]
    assert set(records[0]) == {"survey", "opened_on", "q1", "q2", "comment"}
    assert records[3]["comment"] == "Thanks, Bea & co" and records[0]["opened_on"] == "2026-11-23"


def test_fewer_than_five_answers_export_nothing(
    services: Services, roster: dict[str, int], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    opened(services, dict(list(ANSWERS.items())[:4]))
    code, out, err = run(capsys, "survey", "results", "midyear")
    assert code == 0
    assert out == "survey,opened_on,q1,q2,comment\n"
    assert "too few answers to show (fewer than 5)" in err and "answered" not in err
    code, out, _ = run(capsys, "survey", "list")
    assert code == 0
    assert out.splitlines() == [
        "midyear opened 2026-11-23 (closes 2026-12-07): 7 asked; too few answers to show (fewer than 5)",
        "spring: scheduled (mentees) on 2027-04-05",
    ]


def test_an_unknown_survey_names_the_ones_sent(
    services: Services, roster: dict[str, int], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    opened(services, {})
    code, out, err = run(capsys, "survey", "results", "winter")
    assert code == 1 and out == ""
    assert "No survey called 'winter' has been sent. Surveys sent: midyear." in err


def test_report_item_g_is_in_aggregate_only(services: Services, roster: dict[str, int]) -> None:
    opened(services, ANSWERS)
    exit_ticket = [roster[f"{n}@hillside.example"] for n in ("bea", "ike", "bo")]
    services.surveys.exit_ticket_for(7, exit_ticket, at(OPENS, 15))
    services.surveys.answer("U0BEA", _exit_id(services), {1: 5}, None, at(OPENS, 16))
    item = services.surveys.report_summary("2026-27").report_item()
    assert (item.source, item.value, item.reason) == ("surveyed", 71.43, None)  # 5 of 7 shown
    midyear = [r for r in item.rows if r["survey"] == "midyear"]
    assert [(r["asked"], r["answered"], r["response_rate"], r["mean"]) for r in midyear] == [(7, 5, 71.43, 3.2), (7, 5, 71.43, 3.8)]  # fmt: skip
    (ticket,) = [r for r in item.rows if r["kind"] == "exit_ticket"]
    assert (ticket["asked"], ticket["answered"], ticket["response_rate"], ticket["mean"]) == (3, None, None, None)  # fmt: skip
    assert "3 asked; too few answers to show." in item.notes[1]
    assert set(item.columns) == set(item.rows[0])
    text = json.dumps(item.rows) + "".join(item.notes)
    for slack_id in ANSWERS:
        assert slack_id not in text


def test_report_item_g_without_surveys_says_why(services: Services, roster: dict[str, int]) -> None:
    item = services.surveys.report_summary(None).report_item()
    assert (item.source, item.value, item.rows) == ("none", None, ())
    assert item.reason is not None and item.reason.startswith("no participant surveys")


def _exit_id(services: Services) -> int:

    with services.store.read() as session:
        found = session.scalar(select(Survey.id).where(Survey.name == "exit-ticket-7"))
    assert isinstance(found, int)
    return found


def test_survey_list_before_a_program_is_loaded_says_so(
    services: Services, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "survey", "list")
    assert (code, out) == (1, "")
    assert "No program is set up yet" in err


def test_survey_list_shows_results_once_five_have_answered(
    services: Services, roster: dict[str, int], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    opened(services, ANSWERS)
    code, out, _ = run(capsys, "survey", "list")
    assert code == 0
    assert out.splitlines()[0] == (
        "midyear opened 2026-11-23 (closes 2026-12-07): 7 asked, 5 answered (71.43 %); "
        "means q1 3.20, q2 3.80"
    )


def test_the_annual_report_carries_item_g_from_the_surveys(
    services: Services, roster: dict[str, int], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    opened(services, ANSWERS)
    code, out, err = run(capsys, "report", "annual", "--format", "json")
    assert code == 0, err
    item = json.loads(out)["teachers"]["g"]
    assert (item["source"], item["value"]) == ("surveyed", 71.43)
    assert [(r["survey"], r["asked"], r["answered"], r["mean"]) for r in item["rows"]] == [("midyear", 7, 5, 3.2), ("midyear", 7, 5, 3.8)]  # fmt: skip
    for slack_id in ANSWERS:
        assert slack_id not in out
    code, markdown, _ = run(capsys, "report", "annual", "--format", "md")
    assert code == 0 and "5 of 7 answered (71.43 %)" in markdown
