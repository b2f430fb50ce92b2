"""`[[surveys]]` in the program file: what is accepted, what `program load` refuses (with the
problem named, nothing stored), the TOML round trip, and the school days a survey runs on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.domain.calendar import SchoolCalendar
from bot.domain.policy import ProgramConfigError, parse_program_toml, program_to_toml
from bot.domain.policy.surveys import survey_dates
from tests.support.hillside import PROGRAM_TOML

GOOD = """
[[surveys]]
name = "midyear"
title = "Mid-year check-in"
audience = "both"
send_on = [2027-01-11, 2027-05-03]
questions = ["My mentor meetings help my teaching.", "I get feedback I can use."]
comment = true
"""


def survey(**changes: str) -> str:
    fields = {
        "name": '"fall"',
        "title": '"Fall check-in"',
        "audience": '"mentees"',
        "send_on": "[2026-10-05]",
        "questions": '["I feel supported."]',
    } | changes
    return "\n[[surveys]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items() if v)


def test_a_survey_is_read_and_written_back_equal() -> None:
    config = parse_program_toml(PROGRAM_TOML + GOOD)
    (midyear,) = config.surveys
    assert (midyear.audience, midyear.send_on, midyear.close_after_school_days, midyear.comment) == ("both", (date(2027, 1, 11), date(2027, 5, 3)), 10, True)  # fmt: skip
    assert parse_program_toml(program_to_toml(config)) == config


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        (survey(questions="[]"), "surveys[0].questions: a survey needs at least one question"),
        (survey(questions=""), "surveys[0].questions: missing required key"),
        (survey(questions='["  "]'), "a question must not be empty"),
        (survey(audience='"parents"'), "surveys[0].audience: input should be 'mentees', 'mentors' or 'both'"),
        (survey() + survey(), "surveys[1].name: 'fall' is already the name of surveys[0]"),
        (survey(send_on="[2027-07-01]"), "surveys[0].send_on[0]: 2027-07-01 is outside the school year (2026-08-31 to 2027-06-18)"),
        (survey(send_on="[2026-08-01, 2026-10-01]"), "surveys[0].send_on[0]: 2026-08-01 is outside the school year"),
        (survey(send_on="[]"), "surveys[0].send_on: needs one or more dates, e.g. send_on = [2027-01-11]"),
        (survey(name='"Mid Year!"'), "surveys[0].name: 'Mid Year!' is not a survey name: up to 40 lowercase letters"),
        (survey(name='"exit-ticket-3"'), 'surveys[0].name: names starting "exit-ticket-" are kept for exit tickets'),
        (survey(close_after_school_days="1"), "surveys[0].close_after_school_days: input should be greater than or equal to 3"),
        (survey(colour='"blue"'), "surveys[0].colour: unknown key"),
    ],
)  # fmt: skip
def test_a_bad_survey_is_refused_with_the_problem_named(toml: str, problem: str) -> None:
    with pytest.raises(ProgramConfigError) as refused:
        parse_program_toml(PROGRAM_TOML + toml)
    assert any(problem in line for line in refused.value.problems), refused.value.problems


def test_a_bad_survey_and_a_bad_key_elsewhere_are_named_together() -> None:
    text = PROGRAM_TOML.replace('policy = "ma"', 'policy = "zz"') + survey() + survey()
    with pytest.raises(ProgramConfigError) as refused:
        parse_program_toml(text)
    problems = "\n".join(refused.value.problems)
    assert "policy: unknown preset" in problems and "'fall' is already the name" in problems


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_program_load_refuses_a_survey_without_questions_and_stores_nothing(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MENTOR_MINUTES_NOW", "2026-11-18T10:00:00-05:00")
    path = tmp_path / "program.toml"
    path.write_text(PROGRAM_TOML + survey(questions="[]"), encoding="utf-8")
    assert main(["program", "load", str(path)]) != 0
    assert "a survey needs at least one question" in capsys.readouterr().err
    assert main(["program", "show"]) != 0  # nothing was stored
    assert "no program yet" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("send_on", "close_after", "opens", "reminder", "closes"),
    [
        ("2026-11-21", 10, "2026-11-23", "2026-11-26", "2026-12-07"),  # a Saturday: Monday
        ("2026-11-11", 3, "2026-11-12", "2026-11-17", "2026-11-17"),  # a holiday: the next day
        ("2027-06-16", 10, "2027-06-16", "2027-06-18", "2027-06-18"),  # held to the last day
    ],
)  # fmt: skip
def test_survey_dates_are_school_days(
    send_on: str, close_after: int, opens: str, reminder: str, closes: str
) -> None:
    calendar = SchoolCalendar.from_config(parse_program_toml(PROGRAM_TOML))
    dates = survey_dates(calendar, date.fromisoformat(send_on), close_after, calendar.end)
    assert (dates.opens, dates.reminder, dates.closes) == tuple(
        date.fromisoformat(d) for d in (opens, reminder, closes)
    )
