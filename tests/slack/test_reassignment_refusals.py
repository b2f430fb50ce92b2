"""Reassignment requests refused, each with a clear message and nothing stored (SQLite and
PostgreSQL, through the Bolt app): no active pair, a second open request, a button pressed by
someone who is not (or no longer) a coordinator, a request answered twice, a reason too long."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import Services
from bot.domain.policy import parse_program_toml
from bot.domain.reassignment import NOTE_MAX, REASON_MAX
from bot.services.errors import NotAllowed, NotOnRoster
from bot.slack import request_views
from bot.slack.ids import REQUEST_CHANGE
from bot.slack.ids import REQUEST_CHANGE_SUBMIT as ASK_CALLBACK
from bot.slack.ids import REQUEST_DECLINE as DECLINE
from bot.slack.ids import REQUEST_DECLINE_SUBMIT as DECLINE_CALLBACK
from bot.slack.ids import REQUEST_REASSIGN as REASSIGN
from bot.slack.ids import REQUEST_REASSIGN_SUBMIT as REASSIGN_CALLBACK
from bot.store.models.core import OutboxMessage
from bot.store.models.requests import ReassignmentAudit, ReassignmentRequest
from tests.support.bolt_requests import all_text
from tests.support.change_requests import (
    SECRET,
    add_second_coordinator,
    assignment_id,
    audit_rows,
    command,
    count,
    last_opened,
    outbox_rules,
    pairs_of,
    press,
    select_value,
    submit,
    text_value,
)
from tests.support.hillside import BEA, LEE, MIA, NOW, PROGRAM_TOML
from tests.support.slack_api import FakeSlackApi


def nothing_stored(services: Services) -> None:
    assert count(services, ReassignmentRequest) == 0
    assert count(services, ReassignmentAudit) == 0
    assert count(services, OutboxMessage) == 0


def ask(services: Services, user: str = "U0BEA", reason: str | None = SECRET) -> int:
    """A request filed through the service; its id."""
    request = services.requests.ask(user, NOW, request_views.render_notice, reason=reason)
    return request.id


def value_of(request_id: int) -> str:
    return f'{{"r":{request_id}}}'


# ---- no active pair ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "said"),
    [
        ("U0NIA", "You have no active mentoring pair"),  # a mentee without a mentor
        ("U0PAT", "You have no active mentoring pair"),  # an evaluator
        ("U0CORA", "You have no active mentoring pair"),  # a coordinator
        ("U0STRANGER", "not on the Hillside Public Schools roster"),
    ],
)
def test_someone_with_no_active_pair_is_told_and_nothing_is_stored(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int], user: str, said: str
) -> None:  # fmt: skip
    reply = command(app, "change schedules", user)
    assert reply is not None and said in all_text(reply)
    press(app, user, REQUEST_CHANGE, "", home=True)  # the Home button says so in a form
    assert said in all_text(last_opened(slack_api))
    assert command(app, "change", user) is not None  # no form opens: the refusal is the reply
    nothing_stored(services)


def test_a_pair_that_ended_is_not_one_to_ask_about(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int]
) -> None:
    bea = assignment_id(services, coordinators[LEE], coordinators[BEA])
    services.assignments.unassign(None, BEA, "moved", date(2026, 11, 17), NOW)
    press(app, "U0LEE", REQUEST_CHANGE, str(bea), home=True)
    assert "You have no active mentoring pair" in all_text(last_opened(slack_api))
    answer = submit(app, "U0BEA", ASK_CALLBACK, str(bea), {"reason": text_value(None)})
    assert "You have no active mentoring pair" in all_text(answer["view"])
    nothing_stored(services)


def test_a_button_naming_someone_elses_pair_or_garbage_is_refused(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int]
) -> None:
    mia_ike = assignment_id(services, coordinators[MIA], coordinators["ike@hillside.example"])
    press(app, "U0BEA", REQUEST_CHANGE, str(mia_ike), home=True)
    assert "isn't one of your active pairs" in all_text(last_opened(slack_api))
    press(app, "U0BEA", REQUEST_CHANGE, "not-an-id", home=True)
    assert "out of date" in all_text(last_opened(slack_api))
    reply = command(app, "change <@U0MAX> far away", "U0BEA")
    assert reply is not None and "Max Mentor isn't in an active mentoring pair with you" in all_text(reply)  # fmt: skip
    assert "Lee Lead" in all_text(reply)  # says which pair there is
    nothing_stored(services)


# ---- a second open request ----------------------------------------------------------------------


def test_a_second_open_request_for_the_same_pair_is_refused(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int]
) -> None:
    assert command(app, f"change {SECRET}", "U0BEA") is not None
    again = command(app, "change still bad", "U0BEA")
    assert again is not None and "You already asked for a change of your pairing with Lee Lead on Wed 18 Nov 2026" in all_text(again)  # fmt: skip
    bea = assignment_id(services, coordinators[LEE], coordinators[BEA])
    answer = submit(app, "U0BEA", ASK_CALLBACK, str(bea), {"reason": text_value("via form")})
    assert "You already asked" in all_text(answer["view"])
    assert count(services, ReassignmentRequest) == 1
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked"]
    assert len(outbox_rules(services)) == 2  # one DM per coordinator, once
    # the other side of the same pair may still ask on their own
    assert "is with the induction coordinators" in all_text(command(app, "change <@U0BEA>", "U0LEE"))  # fmt: skip


def test_the_database_holds_one_open_request_per_person_and_pair_even_in_a_race(
    services: Services, coordinators: dict[str, int]
) -> None:
    first = ask(services)
    with services.store.read() as session:
        row = session.get(ReassignmentRequest, first)
        assert row is not None
        twin = {c: getattr(row, c) for c in ("program_id", "assignment_id", "requester_id")}
    with pytest.raises(IntegrityError), services.store.write() as session:
        session.add(ReassignmentRequest(**twin, status="open", created_at=NOW))
    assert count(services, ReassignmentRequest) == 1


def test_once_answered_the_same_person_may_ask_again(
    services: Services, coordinators: dict[str, int]
) -> None:
    first = ask(services)
    services.requests.decline("U0CORA", first, "let's talk", NOW, request_views.render_notice)
    second = ask(services, reason="still")
    assert second != first
    assert [r.id for r in services.requests.open_for("U0CORA", NOW)] == [second]


# ---- buttons pressed by someone who is not (or no longer) a coordinator ----------------------


@pytest.mark.parametrize("user", ["U0LEE", "U0BEA", "U0PAT", "U0STRANGER"])
def test_reassign_and_decline_are_refused_to_anyone_but_a_coordinator(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int], user: str
) -> None:
    request_id = ask(services)
    for action in (REASSIGN, DECLINE):
        press(app, user, action, value_of(request_id), response_url=slack_api.response_url)
        opened = all_text(last_opened(slack_api))
        assert "Only induction coordinators" in opened or "roster" in opened
        assert SECRET not in opened
    before = pairs_of(services, coordinators[BEA])
    submitted = submit(app, user, REASSIGN_CALLBACK, str(request_id), {"mentor": select_value(str(coordinators[MIA]))})  # fmt: skip
    assert SECRET not in all_text(submitted)
    declined = submit(app, user, DECLINE_CALLBACK, str(request_id), {"note": text_value("no")})
    assert "nothing was changed" in all_text(declined["view"]) or "roster" in all_text(declined["view"])  # fmt: skip
    assert pairs_of(services, coordinators[BEA]) == before
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked"]
    assert all(rule == "change-request" for rule, _ in outbox_rules(services))
    with pytest.raises(NotOnRoster if user == "U0STRANGER" else NotAllowed):
        services.requests.open_for(user, NOW)


def test_a_coordinator_who_is_no_longer_one_is_refused(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int]
) -> None:
    request_id = ask(services)
    add_second_coordinator(services, coordinator=False)  # Cole's role is gone since the DM
    press(app, "U0COLE", REASSIGN, value_of(request_id), home=True)
    assert "Only induction coordinators" in all_text(last_opened(slack_api))
    answer = submit(app, "U0COLE", DECLINE_CALLBACK, str(request_id), {"note": text_value("no")})
    assert "Only induction coordinators" in all_text(answer["view"])
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked"]


# ---- a request answered twice ----------------------------------------------------------------


def test_a_request_already_answered_is_not_answered_again(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int]
) -> None:
    request_id = ask(services)
    press(app, "U0COLE", REASSIGN, value_of(request_id), response_url=slack_api.response_url)
    stale_form = last_opened(slack_api)  # Cole opened the form before Cora answered
    services.requests.decline("U0CORA", request_id, "let's talk", NOW, request_views.render_notice)
    before = pairs_of(services, coordinators[BEA])
    said = "This request was already answered (declined by Cora Coordinator on Wed 18 Nov 2026)"
    for action in (REASSIGN, DECLINE):
        press(app, "U0COLE", action, value_of(request_id), response_url=slack_api.response_url)
        assert said in all_text(last_opened(slack_api))
    answer = submit(app, "U0COLE", REASSIGN_CALLBACK, stale_form["private_metadata"], {"mentor": select_value(str(coordinators[MIA]))})  # fmt: skip
    assert said in all_text(answer["view"])
    answer = submit(app, "U0CORA", DECLINE_CALLBACK, str(request_id), {"note": text_value("x")})
    assert said in all_text(answer["view"])
    assert pairs_of(services, coordinators[BEA]) == before
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked", "declined"]
    assert [rule for rule, _ in outbox_rules(services)].count("change-request-answer") == 1


def test_a_pair_ended_since_the_request_cannot_be_reassigned_but_can_be_declined(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int]
) -> None:
    request_id = ask(services)
    services.assignments.unassign(None, BEA, "moved schools", date(2026, 11, 17), NOW)
    press(app, "U0CORA", REASSIGN, value_of(request_id), home=True)
    assert "already ended on Tue 17 Nov 2026" in all_text(last_opened(slack_api))
    answer = submit(app, "U0CORA", REASSIGN_CALLBACK, str(request_id), {"mentor": select_value(str(coordinators[MIA]))})  # fmt: skip
    assert "nothing to reassign" in all_text(answer["view"])
    assert len(pairs_of(services, coordinators[BEA])) == 1
    answer = submit(app, "U0CORA", DECLINE_CALLBACK, str(request_id), {"note": text_value("done already")})  # fmt: skip
    assert "Declined" in all_text(answer["view"])


# ---- too long, or empty where something is needed -----------------------------------------------


def test_a_reason_over_the_limit_is_refused_by_command_and_by_form(
    app: App, services: Services, coordinators: dict[str, int]
) -> None:
    long_reason = "x" * (REASON_MAX + 1)
    reply = command(app, f"change {long_reason}", "U0BEA")
    assert reply is not None
    assert f"Your reason is {REASON_MAX + 1:,} characters long" in all_text(reply)
    assert "Nothing was sent" in all_text(reply)
    bea = assignment_id(services, coordinators[LEE], coordinators[BEA])
    answer = submit(app, "U0BEA", ASK_CALLBACK, str(bea), {"reason": text_value(long_reason)})
    assert answer["response_action"] == "errors" and "characters long" in answer["errors"]["reason"]  # fmt: skip
    nothing_stored(services)
    exact = command(app, f"change {'y' * REASON_MAX}", "U0BEA")  # at the limit: taken
    assert exact is not None and "is with the induction coordinators" in all_text(exact)


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("   ", "Write a note for the person who asked"),
        ("n" * (NOTE_MAX + 1), "characters long"),
    ],
)
def test_a_decline_needs_a_note_of_a_sane_length(
    app: App, services: Services, coordinators: dict[str, int], note: str, said: str
) -> None:
    request_id = ask(services)
    answer = submit(app, "U0CORA", DECLINE_CALLBACK, str(request_id), {"note": text_value(note)})
    assert answer["response_action"] == "errors" and said in answer["errors"]["note"]
    assert [r.status for r in services.requests.open_for("U0CORA", NOW)] == ["open"]
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked"]


def test_a_form_without_a_chosen_pair_asks_for_it(
    app: App, services: Services, coordinators: dict[str, int]
) -> None:
    answer: dict[str, Any] = submit(app, "U0BEA", ASK_CALLBACK, "", {"reason": text_value("x")})
    assert answer == {"response_action": "errors", "errors": {"pair": "Choose the person the request is about."}}  # fmt: skip
    nothing_stored(services)


def test_reassigning_respects_the_caseload_cap(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int]
) -> None:
    """Cap 1: Mia (Ike) and Max (Bo) are full, so nobody is suggested for Bea, and choosing Mia
    anyway is refused with the request left open."""
    services.programs.load(parse_program_toml(PROGRAM_TOML + "\n[overrides]\ncaseload_cap = 1\n"))
    request_id = ask(services)
    press(app, "U0CORA", REASSIGN, value_of(request_id), home=True)
    form = last_opened(slack_api)
    assert "No mentor to suggest for Bea Beginner" in all_text(form)
    assert "submit" not in form  # nothing to choose, nothing to submit
    before = pairs_of(services, coordinators[BEA])
    answer = submit(app, "U0CORA", REASSIGN_CALLBACK, str(request_id), {"mentor": select_value(str(coordinators[MIA]))})  # fmt: skip
    assert "Mia Mentor would mentor 2" in all_text(answer["view"])
    assert pairs_of(services, coordinators[BEA]) == before
    assert [r.id for r in services.requests.open_for("U0CORA", NOW)] == [request_id]
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked"]
