"""People the jobs could not reach (no Slack id on the roster): the job's output names each
and what they missed, and the coordinators' next to-do DM lists them — nobody is dropped
silently, a coordinator included."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy import update

from bot.bootstrap import Services
from bot.domain.notices import DailyNudge
from bot.store.models.core import Person
from schedules import claims, jobs
from tests.support.bolt_requests import all_text
from tests.support.hillside import BOT_TOKEN
from tests.support.scheduler import at
from tests.support.slack_api import FakeSlackApi


def unlink(services: Services, *emails: str) -> None:
    with services.store.write() as session:
        session.execute(update(Person).where(Person.email.in_(emails)).values(slack_user_id=None))


def run(services: Services, slack_api: FakeSlackApi, name: str, day: str) -> str:
    client = WebClient(token=BOT_TOKEN, base_url=slack_api.url)
    return jobs.run_job(services, name, at(day), client, sleep=lambda _: None)


def test_an_unlinked_mentee_is_named_in_the_output_and_to_the_coordinator(
    services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    """Nia (hired 19 Oct) has an orientation reminder on Fri 23 Oct but no Slack id."""
    unlink(services, "nia@hillside.example")
    out = run(services, slack_api, "deadline-sweep", "2026-10-23")
    assert "not reached (no Slack id on the roster): Nia New <nia@hillside.example>" in out, out
    assert "Orientation" in out.split("not reached", 1)[1]
    notes = services.nudges.deadline_sweep(at("2026-10-23")) or []
    (cora,) = [n.content for n in notes if n.recipient == "U0CORA"]
    assert isinstance(cora, DailyNudge)
    assert [u.person.name for u in cora.unreached] == ["Nia New"]
    (dm,) = [n for n in claims.notifications(notes) if n.recipient == "U0CORA"]
    assert "Not reached — no Slack id on the roster: Nia New" in all_text(dm.payload)


def test_an_unlinked_coordinator_is_named_in_the_output(
    services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    """Nia is overdue on Tue 3 Nov and the only coordinator has no Slack id: the output says
    the alert reached no one, instead of "nothing due"."""
    unlink(services, "cora@hillside.example")
    out = run(services, slack_api, "deadline-sweep", "2026-11-03")
    assert "nothing due" not in out
    assert "Cora Coordinator <cora@hillside.example>" in out
    assert "overdue-assignment alert (1 without a mentor)" in out


def test_an_unlinked_lead_mentor_is_named_by_the_digest(
    services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    unlink(services, "lee@hillside.example")
    out = run(services, slack_api, "weekly-digest", "2026-11-09")
    assert "nothing due" not in out
    assert "Lee Lead <lee@hillside.example>" in out and "weekly digest" in out


def test_everyone_linked_says_nothing_about_reach(
    services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    out = run(services, slack_api, "deadline-sweep", "2026-10-23")
    assert "not reached" not in out


def test_the_coordinators_to_do_names_an_unlinked_lead_mentor_and_mentor(
    services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    """Lee (lead mentor, Bea's mentor) has no Slack id: no digest and no contact nudge can reach
    him, and the coordinator's next to-do says so, not only the digest job's output."""
    unlink(services, "lee@hillside.example")
    notes = services.nudges.deadline_sweep(at("2026-10-23")) or []
    (cora,) = [n.content for n in notes if n.recipient == "U0CORA"]
    assert isinstance(cora, DailyNudge)
    (lee,) = [u for u in cora.unreached if u.person.email == "lee@hillside.example"]
    assert any("weekly digest" in what for what in lee.missed)
    assert any("no contact" in what for what in lee.missed)
