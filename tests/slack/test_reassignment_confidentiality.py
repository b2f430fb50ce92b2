"""Reassignment requests are for coordinators only (docs/domain.md, Confidentiality): the other side of
the pair, the evaluator and the lead mentor see nothing of a request or its reason — not in
their replies, DMs, digest, Home, `/hours`, `/induction`, the exports or the annual report —
before it is answered or after (SQLite and PostgreSQL, through the Bolt app and the jobs)."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot import cli
from bot.bootstrap import Services
from bot.services.errors import NotAllowed
from bot.services.programs import ProgramInfo
from bot.slack import request_views
from schedules import jobs
from tests.support.bolt_requests import all_text, open_home, slash
from tests.support.change_requests import SECRET, add_second_coordinator, command, deliver
from tests.support.hillside import NOW, SIGNING_SECRET
from tests.support.scheduler import SleepRecorder, at
from tests.support.slack_api import FakeSlackApi

COORDINATORS = {"U0CORA", "U0COLE"}
# Mia is the other side of Ike's pair; Lee leads Lincoln's cohort; Pat evaluates at Lincoln.
OTHERS = ("U0MIA", "U0LEE", "U0PAT")
MARKERS = (SECRET, "reassigned on request", "asks for a change", "request for a change", "Ike Incoming (mentee)")  # fmt: skip
MONDAY = at("2026-11-23", 8, 0)


def leaks(payload: Any) -> list[str]:
    """Which markers of the request a payload carries."""
    text = all_text(payload) if not isinstance(payload, str) else payload
    return [m for m in MARKERS if m.lower() in text.lower()]


@pytest.fixture
def asked(app: App, services: Services, program: ProgramInfo, pairs: None) -> dict[str, int]:
    """Ike (Mia's mentee, Lincoln) has asked for a change, with a reason; email → id."""
    add_second_coordinator(services)
    reply = command(app, f"change {SECRET} she never has time", "U0IKE")
    assert reply is not None and "is with the induction coordinators" in all_text(reply)
    with services.store.read() as session:
        return {m.email: m.id for m in services.people.all_members(session, program)}


def surfaces(app: App, slack_api: FakeSlackApi, user: str) -> list[Any]:
    """What `user` can reach by hand: /hours (each period), /induction, their Home."""
    replies: list[Any] = [
        command(app, text, user)
        for text in ("status", "help", "status <@U0IKE>", "change", "requests")
    ]
    replies += [command_hours(app, user, text) for text in ("", "month", "year", "<@U0IKE>")]
    before = len(slack_api.calls_to("views.publish"))
    assert open_home(app, SIGNING_SECRET, user) == 200
    (home,) = slack_api.calls_to("views.publish")[before:]
    replies.append(home.params["view"])
    return replies


def test_the_request_reaches_coordinators_only(
    app: App, services: Services, slack_api: FakeSlackApi, asked: dict[str, int]
) -> None:
    sent = deliver(services, slack_api)
    assert {c.params["channel"] for c in sent} == COORDINATORS
    assert all(SECRET in leaks(c.params) for c in sent)  # the markers do find the request
    everything = [c for c in slack_api.calls if c.method != "views.publish"]
    for call in everything:
        if leaks(call.params):
            assert call.params.get("channel") in COORDINATORS, call
    for user in ("U0CORA", "U0COLE"):
        (request,) = services.requests.open_for(user, NOW)
        assert request.reason is not None and SECRET in request.reason


@pytest.mark.parametrize("user", OTHERS)
def test_the_other_side_the_lead_mentor_and_the_evaluator_see_nothing_of_it(
    app: App, services: Services, slack_api: FakeSlackApi, asked: dict[str, int], user: str
) -> None:
    for payload in surfaces(app, slack_api, user):
        assert leaks(payload) == [], payload
    with pytest.raises(NotAllowed):
        services.requests.open_for(user, NOW)


def test_after_a_reassignment_they_see_the_pair_end_but_not_why(
    app: App,
    services: Services,
    slack_api: FakeSlackApi,
    asked: dict[str, int],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
) -> None:
    (request,) = services.requests.open_for("U0CORA", NOW)
    answer = services.requests.reassign(
        "U0CORA", request.id, asked["max@hillside.example"], NOW, request_views.render_notice
    )
    assert answer.new_mentor is not None and answer.new_mentor.name == "Max Mentor"
    sent = deliver(services, slack_api)
    assert [c.params["channel"] for c in sent if "answered" in all_text(c.params)] == ["U0IKE"]
    for user in OTHERS:
        for payload in surfaces(app, slack_api, user):
            assert leaks(payload) == [], payload
    mia_hours = command_hours(app, "U0MIA", "year")
    assert "ended" in all_text(mia_hours)  # the pair's end shows; its reason doesn't

    client = WebClient(token="xoxb-test", base_url=slack_api.url)
    for job in ("deadline-sweep", "weekly-digest", "contact-nudges"):
        before = len(slack_api.calls_to("chat.postMessage"))
        jobs.run_job(services, job, MONDAY, client, sleep=SleepRecorder())
        for call in slack_api.calls_to("chat.postMessage")[before:]:
            if call.params["channel"] not in COORDINATORS:
                assert leaks(call.params) == [], call.params
    digests = [c for c in slack_api.calls_to("chat.postMessage") if c.params["channel"] == "U0LEE" and "Weekly digest" in str(c.params["text"])]  # fmt: skip
    assert digests and "Ike Incoming" in all_text(
        digests[0].params
    )  # the digest ran, and says nothing of why

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MENTOR_MINUTES_NOW", NOW.isoformat())
    exports = (
        ["export", "logs", "--format", "json"],
        ["report", "annual", "--format", "json"],
        ["export", "pay", "--from", "2026-11-01", "--to", "2026-11-30"],
        ["export", "record", "ike@hillside.example", "--format", "json"],
        ["export", "record", "ike@hillside.example"],
    )
    for argv in exports:
        capsys.readouterr()
        cli.main(argv)
        out, err = capsys.readouterr()
        assert leaks(out + err) == [], argv
        if argv[1] == "record":  # Ike's record shows both mentors, the change as a reassignment
            assert "Mia Mentor" in out and "Max Mentor" in out and "reassigned" in out


def command_hours(app: App, user: str, text: str) -> dict[str, Any]:
    """`/hours TEXT` as `user`: the ack's reply, checked as Block Kit."""
    return slash(app, "/hours", text, user)
