"""Hold-harmless reassignment requests end to end (SQLite and PostgreSQL, signed requests into the
Bolt app, the fake Web API): asked by command and from a Home button, the DM to every
coordinator and no one else, Reassign and Decline from that DM, the requester told, the audit.

Every Block Kit payload seen (ack bodies, forms, DMs) is checked with slack_sdk's models."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

import pytest
from slack_bolt import App

from bot.bootstrap import Services
from bot.domain.grammar.command_text import InductionArgs, UsageError, parse_induction
from bot.domain.reassignment import END_REASON
from bot.services.errors import Refusal
from bot.slack import request_views
from bot.slack.ids import REQUEST_CHANGE
from bot.slack.ids import REQUEST_CHANGE_SUBMIT as ASK_CALLBACK
from bot.slack.ids import REQUEST_DECLINE as DECLINE
from bot.slack.ids import REQUEST_DECLINE_SUBMIT as DECLINE_CALLBACK
from bot.slack.ids import REQUEST_REASSIGN as REASSIGN
from bot.slack.ids import REQUEST_REASSIGN_SUBMIT as REASSIGN_CALLBACK
from bot.slack.ids import REQUEST_WITHDRAW as WITHDRAW
from bot.store.models.core import OutboxMessage
from bot.store.models.requests import ReassignmentRequest
from handlers.commands.induction import help_for
from handlers.home import home_payload
from tests.support.blockkit import valid_blocks, valid_message
from tests.support.bolt_requests import all_text
from tests.support.change_requests import (
    SECRET,
    assignment_id,
    audit_rows,
    buttons,
    command,
    count,
    deliver,
    last_opened,
    outbox_rules,
    pairs_of,
    press,
    select_value,
    submit,
    text_value,
)
from tests.support.hillside import BEA, LEE, MIA, NIA, NOW
from tests.support.slack_api import FakeSlackApi

TODAY = date(2026, 11, 18)


@pytest.fixture
def world(coordinators: dict[str, int], services: Services) -> dict[str, int]:
    """Two coordinators with Slack ids (Cora, Cole); Lee mentors Bea and, since 2 Nov, Nia.
    Email → person id."""
    services.assignments.assign(None, LEE, NIA, date(2026, 11, 2), NOW)
    return coordinators


def ask_as_bea(app: App, reason: str = f"our schedules never meet {SECRET}") -> dict[str, Any]:
    reply = command(app, f"change {reason}", "U0BEA")
    assert reply is not None
    return reply


# ---- `/induction change` read as text (pure) -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "people", "reason"),
    [
        ("change", (), None),
        ("change schedules clash", (), "schedules clash"),
        ("change <@U0LEE> schedules clash", ("<@U0LEE>",), "schedules clash"),
        ("change <@U0LEE|lee lead>", ("<@U0LEE|lee lead>",), None),
        ("CHANGE lee@hillside.example too far", ("lee@hillside.example",), "too far"),
        ("change tom &amp; jerry &lt;3", (), "tom & jerry <3"),
        ("change   lots   of   space  ", (), "lots of space"),
    ],
)  # fmt: skip
def test_change_is_read_with_an_optional_person_then_the_reason(text: str, people: tuple[str, ...], reason: str | None) -> None:  # fmt: skip
    assert parse_induction(text) == InductionArgs(verb="change", people=people, reason=reason)


def test_an_unlinked_at_name_is_named_not_taken_as_the_reason() -> None:
    with pytest.raises(UsageError, match="nobody in this workspace is called 'lee'"):
        parse_induction("change @lee schedules")


# ---- asking by command ------------------------------------------------------------------------


def test_a_mentee_asks_by_command_confirmed_with_the_hold_harmless_wording(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    reply = ask_as_bea(app)
    text = all_text(reply)
    assert "with Lee Lead is with the induction coordinators" in text
    assert "without consequence" in text and "603 CMR 7.12" in text
    assert "only the induction coordinators see your request" in text
    assert "not Lee Lead, your evaluator or your lead mentor" in text
    assert SECRET not in text  # the reply confirms; it doesn't echo the reason back
    with services.store.read() as session:
        (row,) = session.query(ReassignmentRequest).all()
    assert (row.requester_id, row.assignment_id, row.status) == (
        world[BEA],
        assignment_id(services, world[LEE], world[BEA]),
        "open",
    )
    assert row.reason == f"our schedules never meet {SECRET}"
    assert [(a, actor) for _, a, actor, _ in audit_rows(services)] == [("asked", world[BEA])]


def test_every_coordinator_is_dmed_through_the_outbox_and_no_one_else(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    ask_as_bea(app)
    assert sorted(outbox_rules(services)) == [("change-request", "U0COLE"), ("change-request", "U0CORA")]  # fmt: skip
    sent = deliver(services, slack_api)
    assert sorted(call.params["channel"] for call in sent) == ["U0COLE", "U0CORA"]
    for call in sent:
        text = all_text(call.params)
        assert "Bea Beginner (mentee) asks for a change of the pairing Lee Lead → Bea Beginner" in text  # fmt: skip
        assert SECRET in text  # coordinators read the reason
        assert {b["action_id"] for b in buttons(call.params["blocks"])} == {REASSIGN, DECLINE}
        assert "Confidential — coordinators only" in text
    assert deliver(services, slack_api) == []  # claimed once, sent once


def test_a_mentor_with_several_pairs_names_the_person(
    app: App, services: Services, world: dict[str, int]
) -> None:
    refused = command(app, "change too many meetings", "U0LEE")
    assert refused is not None
    assert "You have 2 active pairs" in all_text(refused)
    assert "Bea Beginner, Nia New" in all_text(refused)
    assert count(services, ReassignmentRequest) == 0
    reply = command(app, "change <@U0NIA> too many meetings", "U0LEE")
    assert reply is not None and "pairing with Nia New is with the induction coordinators" in all_text(reply)  # fmt: skip
    with services.store.read() as session:
        (row,) = session.query(ReassignmentRequest).all()
    assert row.assignment_id == assignment_id(services, world[LEE], world[NIA])


def test_change_alone_opens_the_form(
    app: App, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    assert command(app, "change", "U0BEA") is None  # the form opened instead of a reply
    form = last_opened(slack_api)
    assert form["callback_id"] == ASK_CALLBACK
    assert "A change of your pairing with *Lee Lead*" in all_text(form)
    assert "603 CMR 7.12" in all_text(form)


def test_help_shows_change_to_mentors_and_mentees_and_everything_to_coordinators(
    app: App, world: dict[str, int]
) -> None:
    for user in ("U0BEA", "U0LEE"):
        help_text = all_text(command(app, "help", user))
        assert "/induction change [@person] [reason]" in help_text
        assert "hold-harmless" in help_text
        assert "/induction assign" not in help_text
    coordinator = all_text(command(app, "help", "U0CORA"))
    assert "/induction assign" in coordinator and "/induction change" not in coordinator


# ---- asking from Home (a view container: no response_url) ------------------------------------


def test_a_home_button_opens_the_form_with_the_pairs_and_the_form_files_the_request(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    press(app, "U0LEE", REQUEST_CHANGE, "", home=True)
    form = last_opened(slack_api)
    (pick,) = [b for b in form["blocks"] if b.get("block_id") == "pair"]
    offered = {o["value"] for o in pick["element"]["options"]}
    nia = assignment_id(services, world[LEE], world[NIA])
    assert offered == {str(assignment_id(services, world[LEE], world[BEA])), str(nia)}
    assert slack_api.calls_to("response_url") == []

    answer = submit(app, "U0LEE", ASK_CALLBACK, form["private_metadata"], {"pair": select_value(str(nia)), "reason": text_value(SECRET)})  # fmt: skip
    assert answer["response_action"] == "update"
    assert "pairing with Nia New is with the induction coordinators" in all_text(answer["view"])
    assert "without consequence" in all_text(answer["view"])
    with services.store.read() as session:
        (row,) = session.query(ReassignmentRequest).all()
    assert (row.requester_id, row.assignment_id, row.reason) == (world[LEE], nia, SECRET)
    assert len(deliver(services, slack_api)) == 2


def test_a_home_button_naming_the_pair_asks_no_question(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    bea = assignment_id(services, world[LEE], world[BEA])
    press(app, "U0LEE", REQUEST_CHANGE, str(bea), home=True)
    form = last_opened(slack_api)
    assert form["private_metadata"] == str(bea)
    assert not [b for b in form["blocks"] if b.get("block_id") == "pair"]
    answer = submit(app, "U0LEE", ASK_CALLBACK, form["private_metadata"], {"reason": text_value(None)})  # fmt: skip
    assert "pairing with Bea Beginner" in all_text(answer["view"])
    with services.store.read() as session:
        (row,) = session.query(ReassignmentRequest).all()
    assert (row.assignment_id, row.reason) == (bea, None)


# ---- answering: Reassign -------------------------------------------------------------------


def test_reassign_from_the_dm_ends_the_pair_on_request_and_tells_the_requester(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    ask_as_bea(app)
    dm = next(c for c in deliver(services, slack_api) if c.params["channel"] == "U0CORA")
    reassign = next(b for b in buttons(dm.params["blocks"]) if b["action_id"] == REASSIGN)
    press(app, "U0CORA", REASSIGN, reassign["value"], response_url=slack_api.response_url)
    form = last_opened(slack_api)
    assert form["callback_id"] == REASSIGN_CALLBACK
    (pick,) = [b for b in form["blocks"] if b.get("block_id") == "mentor"]
    options = [o["text"]["text"] for o in pick["element"]["options"]]
    assert options and not any(o.startswith("Lee Lead") for o in options)  # not the current one
    assert options[0].startswith("Mia Mentor")  # same school first (the alert's rules)

    answer = submit(app, "U0CORA", REASSIGN_CALLBACK, form["private_metadata"], {"mentor": select_value(str(world[MIA]))})  # fmt: skip
    assert answer["response_action"] == "update"
    assert "Mia Mentor now mentors Bea Beginner" in all_text(answer["view"])
    assert pairs_of(services, world[BEA]) == [
        (world[LEE], date(2026, 8, 26), date(2026, 11, 17), END_REASON),
        (world[MIA], TODAY, None, None),
    ]
    with services.store.read() as session:
        (row,) = session.query(ReassignmentRequest).all()
    assert (row.status, row.answered_by_id) == ("reassigned", world["cora@hillside.example"])
    assert row.new_assignment_id == assignment_id(services, world[MIA], world[BEA])
    actions = [(a, actor) for _, a, actor, _ in audit_rows(services)]
    assert actions == [("asked", world[BEA]), ("reassigned", world["cora@hillside.example"])]
    detail = audit_rows(services)[1][3]
    assert detail is not None and detail["new_mentor_id"] == world[MIA]

    (told,) = deliver(services, slack_api)
    assert told.params["channel"] == "U0BEA"
    assert "your new mentor is Mia Mentor from Wed 18 Nov" in all_text(told.params)
    assert "without consequence" in all_text(told.params)


def test_reassign_from_a_coordinators_home_works_without_a_response_url(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    ask_as_bea(app)
    (request,) = services.requests.open_for("U0COLE", NOW)
    blocks = valid_blocks(request_views.open_requests([request]))
    reassign = next(b for b in buttons(blocks) if b["action_id"] == REASSIGN)
    press(app, "U0COLE", REASSIGN, reassign["value"], home=True)
    form = last_opened(slack_api)
    assert form["callback_id"] == REASSIGN_CALLBACK
    assert SECRET in all_text(form)  # the coordinator reads the reason where they answer
    assert slack_api.calls_to("response_url") == []


# ---- answering: Decline --------------------------------------------------------------------


def test_decline_from_the_dm_keeps_the_pair_and_sends_the_note(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    ask_as_bea(app)
    before = pairs_of(services, world[BEA])
    dm = next(c for c in deliver(services, slack_api) if c.params["channel"] == "U0COLE")
    decline = next(b for b in buttons(dm.params["blocks"]) if b["action_id"] == DECLINE)
    press(app, "U0COLE", DECLINE, decline["value"], response_url=slack_api.response_url)
    form = last_opened(slack_api)
    assert form["callback_id"] == DECLINE_CALLBACK
    note = "Let's meet first <!channel> & talk it through"
    answer = submit(app, "U0COLE", DECLINE_CALLBACK, form["private_metadata"], {"note": text_value(note)})  # fmt: skip
    assert "Declined Bea Beginner's request" in all_text(answer["view"])
    assert pairs_of(services, world[BEA]) == before
    with services.store.read() as session:
        (row,) = session.query(ReassignmentRequest).all()
    assert (row.status, row.note, row.answered_by_id) == ("declined", note, world["cole@hillside.example"])  # fmt: skip
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked", "declined"]

    (told,) = deliver(services, slack_api)
    assert told.params["channel"] == "U0BEA"
    text = all_text(told.params)
    assert "Cole Coordinator reviewed your request" in text and "kept the pairing" in text
    assert "Let's meet first &lt;!channel&gt; &amp; talk it through" in text  # escaped, not live
    assert "<!channel>" not in json.dumps(told.params["blocks"])


def test_answering_claims_the_requesters_dm_in_the_same_transaction(
    app: App, services: Services, world: dict[str, int]
) -> None:
    ask_as_bea(app)
    (request,) = services.requests.open_for("U0CORA", NOW)
    services.requests.decline("U0CORA", request.id, "not now", NOW, request_views.render_notice)
    with services.store.read() as session:
        rows = session.query(OutboxMessage).filter(OutboxMessage.rule == "change-request-answer").all()  # fmt: skip
    assert [(r.recipient, r.subject, r.period) for r in rows] == [("U0BEA", f"request-{request.id}", "declined")]  # fmt: skip


def test_coordinators_verbs_refused_to_a_mentor_point_to_change(
    app: App, world: dict[str, int]
) -> None:
    mentor = all_text(command(app, "status", "U0LEE"))
    assert "is for induction coordinators" in mentor and "`/induction change`" in mentor
    evaluator = all_text(command(app, "status", "U0PAT"))
    assert "is for induction coordinators" in evaluator and "/induction change" not in evaluator


# ---- Slack failing, and two coordinators at once ----------------------------------------------


def test_a_form_slack_would_not_open_is_said_in_the_reply_and_nothing_is_stored(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    slack_api.fail_next("views.open", 500)
    reply = command(app, "change", "U0BEA")
    assert reply is not None and "did not open the request form" in all_text(reply)
    assert "/induction change @person" in all_text(reply)  # and how to ask without it
    assert count(services, ReassignmentRequest) == 0


def test_of_two_coordinators_answering_at_once_one_wins(
    services: Services, world: dict[str, int]
) -> None:
    ask_as_service = services.requests.ask("U0BEA", NOW, request_views.render_notice, reason="x")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(user: str, how: str) -> None:
        barrier.wait()
        try:
            if how == "reassign":
                services.requests.reassign(user, ask_as_service.id, world[MIA], NOW, request_views.render_notice)  # fmt: skip
            else:
                services.requests.decline(user, ask_as_service.id, "no", NOW, request_views.render_notice)  # fmt: skip
            outcomes.append(how)
        except Refusal as exc:
            outcomes.append(exc.message)

    threads = [
        threading.Thread(target=answer, args=("U0CORA", "reassign")),
        threading.Thread(target=answer, args=("U0COLE", "decline")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [o for o in outcomes if o in ("reassign", "decline")]
    lost = [o for o in outcomes if o not in ("reassign", "decline")]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].startswith("This request was already answered")
    done = {"reassign": "reassigned", "decline": "declined"}[won[0]]
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked", done]
    assert [rule for rule, _ in outbox_rules(services)].count("change-request-answer") == 1
    mentors = [m for m, _, end, _ in pairs_of(services, world[BEA]) if end is None]
    assert mentors == ([world[MIA]] if won[0] == "reassign" else [world[LEE]])


# ---- withdrawing -------------------------------------------------------------------------------


def test_the_requester_withdraws_from_the_reply_and_coordinators_buttons_say_so(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    reply = ask_as_bea(app)
    (withdraw,) = [b for b in buttons(reply["blocks"]) if b["action_id"] == WITHDRAW]
    press(app, "U0LEE", WITHDRAW, withdraw["value"], response_url=slack_api.response_url)
    assert "Only the person who asked" in all_text(slack_api.calls_to("response_url")[-1].params)
    assert [r.status for r in services.requests.open_for("U0CORA", NOW)] == ["open"]

    press(app, "U0BEA", WITHDRAW, withdraw["value"], response_url=slack_api.response_url)
    answer = slack_api.calls_to("response_url")[-1].params
    assert answer["replace_original"] is True  # the button goes with the confirmation
    assert "You withdrew your request for a change of your pairing with Lee Lead" in all_text(answer)  # fmt: skip
    assert services.requests.open_for("U0CORA", NOW) == ()
    assert [(a, actor) for _, a, actor, _ in audit_rows(services)] == [("asked", world[BEA]), ("withdrawn", world[BEA])]  # fmt: skip
    press(app, "U0CORA", REASSIGN, withdraw["value"], response_url=slack_api.response_url)
    assert "This request was withdrawn by Bea Beginner on Wed 18 Nov 2026" in all_text(last_opened(slack_api))  # fmt: skip
    press(app, "U0BEA", WITHDRAW, withdraw["value"], response_url=slack_api.response_url)
    assert "This request was withdrawn" in all_text(slack_api.calls_to("response_url")[-1].params)
    assert [a for _, a, _, _ in audit_rows(services)] == ["asked", "withdrawn"]
    assert pairs_of(services, world[BEA])[-1][2] is None  # the pair goes on


def test_the_requester_withdraws_from_the_forms_confirmation(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    bea = assignment_id(services, world[LEE], world[BEA])
    answer = submit(app, "U0BEA", ASK_CALLBACK, str(bea), {"reason": text_value(SECRET)})
    (withdraw,) = [b for b in buttons(answer["view"]["blocks"]) if b["action_id"] == WITHDRAW]
    press(app, "U0BEA", WITHDRAW, withdraw["value"], modal={"id": "VFORM"})
    (update,) = slack_api.calls_to("views.update")
    assert update.params["view_id"] == "VFORM"
    assert "You withdrew your request" in all_text(update.params["view"])
    assert slack_api.calls_to("response_url") == []
    with services.store.read() as session:
        (row,) = session.query(ReassignmentRequest).all()
    assert (row.status, row.answered_by_id) == ("withdrawn", world[BEA])


# ---- `/induction requests`: a coordinator's list --------------------------------------------------


def test_a_coordinator_lists_open_requests_with_their_buttons(
    app: App, services: Services, slack_api: FakeSlackApi, world: dict[str, int]
) -> None:
    assert "No open requests" in all_text(command(app, "requests", "U0CORA"))
    ask_as_bea(app)
    assert command(app, "change <@U0NIA> too far apart", "U0LEE") is not None
    listed = command(app, "requests", "U0CORA")
    assert listed is not None
    text = all_text(listed)
    assert "(2 open)" in text and SECRET in text and "too far apart" in text
    assert text.index("*Bea Beginner* (mentee)") < text.index("*Lee Lead* (mentor)")  # oldest first
    decline = [b for b in buttons(listed["blocks"]) if b["action_id"] == DECLINE]
    assert len(decline) == 2
    press(app, "U0CORA", DECLINE, decline[0]["value"], response_url=slack_api.response_url)
    assert last_opened(slack_api)["callback_id"] == DECLINE_CALLBACK
    refused = all_text(command(app, "requests", "U0LEE"))
    assert "is for induction coordinators" in refused and SECRET not in refused
    with pytest.raises(UsageError):
        parse_induction("requests all")


@pytest.mark.parametrize(
    ("roles", "sign_off_roles", "shown", "hidden"),
    [
        ({"mentee"}, ("coordinator",), ["/induction change"], ["/induction signoff", "/induction assign"]),
        ({"evaluator"}, ("coordinator", "evaluator"), ["/induction signoff"], ["/induction assign", "/induction reopen"]),
        ({"mentor", "evaluator"}, ("evaluator",), ["/induction change", "/induction signoff"], ["/induction assign"]),
        ({"coordinator"}, ("coordinator",), ["/induction assign", "/induction requests", "/induction signoff"], ["/induction change"]),
        ({"coordinator", "mentor"}, ("coordinator",), ["/induction assign", "/induction change"], []),
    ],
)  # fmt: skip
def test_help_lists_what_each_role_may_use(roles: set[str], sign_off_roles: tuple[str, ...], shown: list[str], hidden: list[str]) -> None:  # fmt: skip
    text = all_text(valid_message(help_for(frozenset(roles), sign_off_roles)))
    assert all(s in text for s in shown) and not any(h in text for h in hidden), text


def test_a_coordinators_home_lists_the_open_request_and_no_one_elses_does(
    app: App, services: Services, world: dict[str, int]
) -> None:
    ask_as_bea(app)
    coordinator = json.dumps(home_payload(services, "U0CORA"))
    assert "Requests for a change of pairing" in coordinator and "(1 open)" in coordinator
    assert SECRET in coordinator and "request_reassign" in coordinator
    for other in ("U0LEE", "U0BEA", "U0PAT"):  # the other side, the requester, the evaluator
        assert SECRET not in json.dumps(home_payload(services, other))
        assert "request_reassign" not in json.dumps(home_payload(services, other))
