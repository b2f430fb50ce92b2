"""`/induction status @person` says how the person is reached: Slack, email, or not, and why."""

from __future__ import annotations

import pytest
from slack_bolt import App
from sqlalchemy import update

from bot.bootstrap import Services, build_services
from bot.clock import FixedClock
from bot.config import Settings
from bot.devtools.console import ConsoleMailer
from bot.store.models.core import Person
from bot.web.app import create_app
from tests.support.bolt_requests import all_text, dispatch, reply_of
from tests.support.hillside import NOW
from tests.support.signing import slash_command_body


def status_text(app: App, who: str) -> str:
    reply = reply_of(dispatch(app, slash_command_body("/induction", f"status {who}", "U0CORA")))
    assert reply is not None
    return all_text(reply)


def unlink(services: Services, email: str) -> None:
    with services.store.write() as session:
        session.execute(update(Person).where(Person.email == email).values(slack_user_id=None))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_status_says_how_a_person_is_reached(
    app: App, services: Services, settings: Settings, pairs: None
) -> None:
    assert "Reached on Slack" in status_text(app, "<@U0BEA|bea>")
    unlink(services, "nia@hillside.example")
    text = status_text(app, "nia@hillside.example")
    assert "Not reachable: no Slack id, and email is not set up (SMTP_URL)" in text
    mailing = build_services(settings, clock=FixedClock(NOW), mailer=ConsoleMailer())
    try:
        with_email = create_app(settings, mailing, process_before_response=True)
        assert "Reached by email (no Slack id)" in status_text(with_email, "nia@hillside.example")
    finally:
        mailing.close()
