"""Exit tickets after a group session, on SQLite and PostgreSQL: `services.surveys.
exit_ticket_for(event_id, attendee_ids, now)` called directly (the group sessions are built
elsewhere), claimed once through the outbox, answered once, and counted as a survey kind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.services.errors import Refusal
from bot.store.models.core import OutboxMessage
from bot.store.models.surveys import Survey, SurveyRecipient
from schedules import jobs
from tests.support.scheduler import at
from tests.support.slack_api import FakeSlackApi

SESSION_DAY = date(2026, 11, 18)  # Wed: the group session
EVENT = 42


def ids(roster: dict[str, int], *names: str) -> list[int]:
    return [roster[f"{name}@hillside.example"] for name in names]


def outbox_rows(services: Services) -> int:
    with services.store.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.rule == "exit-ticket")
            )
            or 0
        )


def test_each_attendee_gets_one_exit_ticket(
    services: Services, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    attendees = ids(roster, "bea", "ike", "bo", "lee", "mia")
    assert jobs.send_exit_tickets(services, EVENT, attendees, at(SESSION_DAY, 16)) == 5
    assert jobs.send_exit_tickets(services, EVENT, attendees, at(SESSION_DAY, 17)) == 0
    assert outbox_rows(services) == 5
    client = WebClient(token="xoxb-test", base_url=slack_api.url)
    jobs.deliver(services, client, at("2026-11-19", 8), sleep=lambda _s: None)
    sent = slack_api.calls_to("chat.postMessage")
    assert sorted(c.params["channel"] for c in sent) == ["U0BEA", "U0BO", "U0IKE", "U0LEE", "U0MIA"]  # fmt: skip
    assert all(c.params["text"].startswith("How was the group session?") for c in sent)
    # the daily surveys job re-offers nothing already claimed
    assert jobs.produce(services, "surveys", at("2026-11-19", 9)) == (5, 0)


def test_a_later_call_adds_only_new_attendees(services: Services, roster: dict[str, int]) -> None:
    jobs.send_exit_tickets(services, EVENT, ids(roster, "bea", "ike"), at(SESSION_DAY, 16))
    assert jobs.send_exit_tickets(services, EVENT, ids(roster, "bea", "bo"), at(SESSION_DAY, 18)) == 1  # fmt: skip
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Survey)) == 1
        assert session.scalar(select(func.count()).select_from(SurveyRecipient)) == 3


@pytest.mark.parametrize(
    ("attendees", "message"),
    [
        ([], "needs at least one attendee"),
        ([999_999], "Not people of the program: 999999"),
    ],
)
def test_unknown_or_no_attendees_are_refused_and_nothing_stored(
    services: Services, roster: dict[str, int], attendees: list[int], message: str
) -> None:
    with pytest.raises(Refusal, match=message):
        jobs.send_exit_tickets(services, EVENT, [*attendees], at(SESSION_DAY, 16))
    mixed = [*ids(roster, "bea"), *attendees] if attendees else []
    if mixed:
        with pytest.raises(Refusal, match=message):
            services.surveys.exit_ticket_for(EVENT, mixed, at(SESSION_DAY, 16))
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Survey)) == 0
    assert outbox_rows(services) == 0


def test_exit_tickets_are_answered_once_and_counted_as_a_survey_kind(
    services: Services, roster: dict[str, int]
) -> None:
    people = ("bea", "ike", "bo", "nia", "lee", "mia")
    jobs.send_exit_tickets(services, EVENT, ids(roster, *people), at(SESSION_DAY, 16))
    with services.store.read() as session:
        survey_id = session.scalar(select(Survey.id).where(Survey.name == "exit-ticket-42"))
    assert isinstance(survey_id, int)
    form = services.surveys.form("U0BEA", survey_id, at(SESSION_DAY, 17))
    assert (form.kind, len(form.questions), form.comment) == ("exit_ticket", 1, True)
    for user, value in zip(("U0BEA", "U0IKE", "U0BO", "U0NIA", "U0LEE"), (5, 4, 4, 3, 5), strict=True):  # fmt: skip
        services.surveys.answer(user, survey_id, {1: value}, "useful", at(SESSION_DAY, 17))
    with pytest.raises(Refusal, match="already answered"):
        services.surveys.answer("U0BEA", survey_id, {1: 1}, None, at(SESSION_DAY, 18))
    (result,) = services.surveys.results("exit-ticket-42")
    assert (result.kind, result.asked, result.answered, result.rate) == ("exit_ticket", 6, 5, Decimal("83.33"))  # fmt: skip
    assert [q.mean for q in result.questions] == [Decimal("4.20")]
    assert result.comments == 5
    summary = services.surveys.report_summary("2026-27")
    assert summary.source == "surveyed" and summary.surveys == (result,)
    # closes 5 school days after the session (Thanksgiving is a school day in this calendar)
    assert result.closes == date(2026, 11, 25)
    with pytest.raises(Refusal, match="closed on"):
        services.surveys.answer("U0MIA", survey_id, {1: 4}, None, at("2026-11-26", 9))
