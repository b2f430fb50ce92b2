"""Surveys end to end on SQLite and PostgreSQL: defined in the program file, opened by the
scheduler on a school day and sent once, reminded once, answered through the modal (signed
requests into the Bolt app, the fake Web API), every refusal with nothing stored, the
fewer-than-5 rule, and results without identities.

The survey: sent on Sat 21 Nov 2026 → opens Mon 23 Nov, reminder Thu 26 Nov (3 school days
later), closes Mon 7 Dec (10 school days later). Its audience ("both") is the roster's four
mentees and three mentors, all with Slack ids: seven recipients."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.domain.policy import parse_program_toml
from bot.services.errors import Refusal
from bot.services.programs import ProgramInfo
from bot.store.models.surveys import Survey, SurveyAnswer, SurveyRecipient, SurveyResponse
from schedules import jobs
from tests.support.bolt_requests import all_text, dispatch, reply_of
from tests.support.hillside import PROGRAM_TOML
from tests.support.scheduler import Sent, Ticker, at
from tests.support.signing import block_action_body, view_submission_body
from tests.support.slack_api import FakeSlackApi

SURVEY_TOML = (
    PROGRAM_TOML
    + """
[[surveys]]
name = "midyear"
title = "Mid-year check-in"
audience = "both"
send_on = [2026-11-21]
close_after_school_days = 10
questions = ["My mentor meetings help my teaching.", "I get feedback I can use."]
comment = true
"""
)
EVERYONE = ("U0LEE", "U0MIA", "U0MAX", "U0BEA", "U0IKE", "U0BO", "U0NIA")
OPENS, REMINDER, CLOSES = date(2026, 11, 23), date(2026, 11, 26), date(2026, 12, 7)


@pytest.fixture
def program(services: Services) -> ProgramInfo:
    """The contract's program with the mid-year survey (overrides conftest's)."""
    info, _ = services.programs.load(parse_program_toml(SURVEY_TOML))
    return info


@pytest.fixture
def ticker(services: Services, roster: dict[str, int], slack_api: FakeSlackApi) -> Ticker:
    return Ticker(services, slack_api)


def surveys_in(sent: list[Sent]) -> list[Sent]:
    """The survey DMs among a tick's (to-do nudges go out the same morning)."""
    return [s for s in sent if "check-in" in s.text]


def answer_button(sent: Sent) -> dict[str, Any]:
    (button,) = [
        e for b in sent.blocks if b["type"] == "actions" for e in b["elements"]
    ]  # fmt: skip
    assert button["action_id"] == "survey_answer"
    return button


def open_modal(app: App, slack_api: FakeSlackApi, user: str, survey_id: str) -> dict[str, Any]:
    """Press Answer; the modal views.open received."""
    before = len(slack_api.calls_to("views.open"))
    body = block_action_body(user, "survey_answer", survey_id, response_url=slack_api.response_url)
    dispatch(app, body)
    opened = slack_api.calls_to("views.open")
    assert len(opened) == before + 1
    return dict(opened[-1].params["view"])


def state(*values: str | None, comment: str | None = None) -> dict[str, Any]:
    """The view state Slack sends: each question's chosen option, then the comment."""
    picked: dict[str, Any] = {}
    for number, value in enumerate(values, start=1):
        option = None if value is None else {"text": {"type": "plain_text", "text": value}, "value": value}  # fmt: skip
        picked[f"q{number}"] = {"value": {"type": "static_select", "selected_option": option}}
    picked["comment"] = {"value": {"type": "plain_text_input", "value": comment}}
    return picked


def submit(app: App, user: str, survey_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Submit the modal; the ack's JSON body (every answer is acknowledged with a body)."""
    reply = reply_of(dispatch(app, view_submission_body(user, "survey_submit", survey_id, values)))
    assert reply is not None
    return reply


def stored(services: Services) -> tuple[int, int, int]:
    """(responses, answers, recipients marked answered)."""
    with services.store.read() as session:
        return (
            int(session.scalar(select(func.count()).select_from(SurveyResponse)) or 0),
            int(session.scalar(select(func.count()).select_from(SurveyAnswer)) or 0),
            int(
                session.scalar(
                    select(func.count())
                    .select_from(SurveyRecipient)
                    .where(SurveyRecipient.responded.is_(True))
                )
                or 0
            ),
        )


def survey_id(services: Services) -> int:
    (result,) = services.surveys.results("midyear")
    with services.store.read() as session:
        found = session.scalar(select(Survey.id).where(Survey.name == result.name))
    assert isinstance(found, int)
    return found


def answer(services: Services, user: str, *values: int, when: date = OPENS) -> None:
    services.surveys.answer(
        user, survey_id(services), dict(enumerate(values, 1)), None, at(when, 12)
    )


# ---- sending --------------------------------------------------------------------------------


def test_the_survey_opens_on_the_next_school_day_and_is_sent_once(ticker: Ticker) -> None:
    ticker.days("2026-11-20", "2026-11-22")  # Friday (before), the Saturday it names, Sunday
    assert [s for s in ticker.sent if "check-in" in s.text] == []
    first = surveys_in(ticker.tick(at(OPENS)))
    assert sorted(s.channel for s in first) == sorted(EVERYONE)
    for sent in first:
        assert sent.text.startswith("Mid-year check-in — 2 questions, answer by")
        assert answer_button(sent)["value"].isdigit()
    ticker.ran.clear()  # a restarted process: the memo is gone, the outbox still holds
    assert [s for s in ticker.tick(at(OPENS, 11)) if "check-in" in s.text] == []
    assert [s for s in ticker.tick(at("2026-11-24")) if "check-in" in s.text] == []


def test_one_reminder_goes_to_those_who_have_not_answered(
    ticker: Ticker, services: Services
) -> None:
    ticker.tick(at(OPENS))
    answer(services, "U0BEA", 4, 5)
    answer(services, "U0LEE", 3, 3)
    ticker.days("2026-11-24", "2026-11-25")
    assert [s for s in ticker.sent if s.text.startswith("Reminder")] == []
    reminded = surveys_in(ticker.tick(at(REMINDER)))
    assert sorted(s.channel for s in reminded) == sorted(set(EVERYONE) - {"U0BEA", "U0LEE"})
    assert all(s.text.startswith("Reminder: Mid-year check-in") for s in reminded)
    ticker.days("2026-11-27", "2026-12-10")  # no second reminder, nothing after closing
    assert [s for s in ticker.sent if "check-in" in s.text and s.day > REMINDER] == []


def test_jobs_run_surveys_twice_claims_once(ticker: Ticker, services: Services) -> None:
    services.nudges.unreached = (*services.nudges.unreached, None)  # type: ignore[arg-type]
    first = jobs.run_job(services, "surveys", at(OPENS), ticker.client, sleep=ticker.sleep)
    second = jobs.run_job(services, "surveys", at(OPENS, 9), ticker.client, sleep=ticker.sleep)
    assert "7 messages due, 7 new; 7 sent" in first
    assert "7 messages due, 0 new" in second
    assert services.nudges.unreached == ()  # not the previous job's list
    assert "surveys" in jobs.JOBS


# ---- answering through the modal ----------------------------------------------------------


def test_answered_through_the_modal_once(
    ticker: Ticker, app: App, slack_api: FakeSlackApi, services: Services
) -> None:
    (sent,) = [s for s in surveys_in(ticker.tick(at(OPENS))) if s.channel == "U0BEA"]
    value = answer_button(sent)["value"]
    services.clock.set(at("2026-11-24", 10))  # type: ignore[attr-defined]
    view = open_modal(app, slack_api, "U0BEA", value)
    assert view["callback_id"] == "survey_submit" and view["private_metadata"] == value
    selects = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    assert [s["type"] for s in selects] == ["static_select", "static_select", "plain_text_input"]
    assert [o["value"] for o in selects[0]["options"]] == ["1", "2", "3", "4", "5"]

    reply = submit(
        app, "U0BEA", value, state("4", "5", comment="More co-planning, please <!channel>")
    )
    assert reply["response_action"] == "update"
    assert "Thank you" in all_text(reply["view"])
    assert stored(services) == (1, 2, 1)

    again = submit(app, "U0BEA", value, state("1", "1"))
    assert "already answered" in all_text(again["view"]) and "first answer stands" in all_text(again["view"])  # fmt: skip
    assert stored(services) == (1, 2, 1)
    before = len(slack_api.calls_to("response_url"))
    body = block_action_body("U0BEA", "survey_answer", value, response_url=slack_api.response_url)
    dispatch(app, body)  # the Answer button again: refused, no modal
    assert "already answered" in str(slack_api.wait_for_calls("response_url", before + 1)[-1].params["text"])  # fmt: skip
    with services.store.read() as session:
        comment = session.scalar(select(SurveyResponse.comment))
    assert comment == "More co-planning, please <!channel>"  # stored as typed; never shown


@pytest.mark.parametrize(
    ("values", "block", "message"),
    [
        (("7", "3"), "q1", "Question 1: 7 is not on the scale"),
        (("3", "0"), "q2", "Question 2: 0 is not on the scale"),
        (("3", "-2"), "q2", "Question 2: -2 is not on the scale"),
        (("3", None), "q2", "Question 2 has no answer"),
        (("three", "3"), "q1", "Question 1 has no answer"),
    ],
)  # fmt: skip
def test_a_value_off_the_scale_is_refused_under_its_question(
    ticker: Ticker,
    app: App,
    services: Services,
    values: tuple[str | None, ...],
    block: str,
    message: str,
) -> None:
    ticker.tick(at(OPENS))
    reply = submit(app, "U0IKE", str(survey_id(services)), state(*values))
    assert reply["response_action"] == "errors"
    assert message in reply["errors"][block]
    assert stored(services) == (0, 0, 0)


def test_an_answer_after_the_survey_closed_is_refused(
    ticker: Ticker, app: App, services: Services
) -> None:
    ticker.tick(at(OPENS))
    services.clock.set(at(CLOSES, 16))  # type: ignore[attr-defined]
    on_the_last_day = submit(app, "U0BO", str(survey_id(services)), state("2", "2"))
    assert "Thank you" in all_text(on_the_last_day["view"])
    services.clock.set(at("2026-12-08", 9))  # type: ignore[attr-defined]
    reply = submit(app, "U0NIA", str(survey_id(services)), state("2", "2"))
    assert "closed on Mon 07 Dec 2026" in all_text(reply["view"])
    assert stored(services) == (1, 2, 1)  # Bo's answer on the last day counted; Nia's not


def test_someone_not_asked_cannot_answer(ticker: Ticker, app: App, services: Services) -> None:
    ticker.tick(at(OPENS))
    reply = submit(app, "U0CORA", str(survey_id(services)), state("5", "5"))
    assert "was not sent to you" in all_text(reply["view"])
    with pytest.raises(Refusal, match=r"not on the .* roster"):
        services.surveys.answer("U0NOBODY", survey_id(services), {1: 5, 2: 5}, None, at(OPENS, 12))
    assert stored(services) == (0, 0, 0)


# ---- results: aggregate only, nothing below 5 answers --------------------------------------


def test_fewer_than_five_answers_show_nothing_but_the_audience(
    ticker: Ticker, services: Services
) -> None:
    ticker.tick(at(OPENS))
    for user, values in (("U0BEA", (5, 4)), ("U0IKE", (4, 4)), ("U0BO", (3, 2)), ("U0NIA", (5, 5))):
        answer(services, user, *values)
    (hidden,) = services.surveys.results("midyear")
    assert (hidden.asked, hidden.answered, hidden.rate, hidden.shown) == (7, None, None, False)
    assert [q.mean for q in hidden.questions] == [None, None]
    answer(services, "U0LEE", 2, 1)
    (shown,) = services.surveys.results("midyear")
    assert (shown.asked, shown.answered, shown.rate) == (7, 5, Decimal("71.43"))
    assert [q.mean for q in shown.questions] == [Decimal("3.80"), Decimal("3.20")]
    summary = services.surveys.report_summary("2026-27")
    assert (summary.source, summary.reason, summary.surveys) == ("surveyed", None, (shown,))


def test_report_summary_without_surveys_says_why(
    services: Services, roster: dict[str, int]
) -> None:
    summary = services.surveys.report_summary(None)
    assert summary.source == "none" and summary.surveys == ()
    assert summary.reason == (
        "no participant surveys or exit tickets were sent in 2026-27 "
        "(the program file's surveys have not opened yet)"
    )


def test_answers_are_stored_apart_from_identity() -> None:
    assert set(SurveyResponse.__table__.columns.keys()) == {"id", "survey_id", "comment"}
    assert set(SurveyAnswer.__table__.columns.keys()) == {"response_id", "question", "value"}
    assert set(SurveyRecipient.__table__.columns.keys()) == {"survey_id", "person_id", "responded"}
