"""The Reassign form of a request, through the Bolt app (signed requests, the fake Web API): when
the pair has entries dated today it carries a Move box; submitted without it, the reassignment
is refused with the entries' count and day and nothing changes; with it, they move (audited)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from sqlalchemy import select

from bot.bootstrap import Services
from bot.domain.assignments import MOVE_ENTRIES
from bot.slack import request_views
from bot.slack.ids import REQUEST_REASSIGN as REASSIGN
from bot.slack.ids import REQUEST_REASSIGN_SUBMIT as REASSIGN_CALLBACK
from bot.store.models.core import LogAudit, LogEntry
from tests.support.bolt_requests import all_text
from tests.support.change_requests import (
    buttons,
    command,
    deliver,
    last_opened,
    pairs_of,
    press,
    select_value,
    submit,
)
from tests.support.hillside import BEA, LEE, MIA, NOW
from tests.support.slack_api import FakeSlackApi


def move_box(ticked: bool) -> dict[str, Any]:
    """The checkboxes' state as Slack submits it."""
    picked = [{"text": {"type": "plain_text", "text": "Move"}, "value": MOVE_ENTRIES}]
    return {"value": {"type": "checkboxes", "selected_options": picked if ticked else []}}


def test_the_reassign_form_moves_todays_entries_only_when_asked(
    app: App, services: Services, slack_api: FakeSlackApi, coordinators: dict[str, int]
) -> None:
    for _ in range(2):
        assert services.logs.log_text("U0LEE", "20m meeting", NOW).ok
    assert command(app, "change our schedules never meet", "U0BEA") is not None
    dm = next(c for c in deliver(services, slack_api) if c.params["channel"] == "U0CORA")
    reassign = next(b for b in buttons(dm.params["blocks"]) if b["action_id"] == REASSIGN)
    press(app, "U0CORA", REASSIGN, reassign["value"], response_url=slack_api.response_url)
    form = last_opened(slack_api)
    (box,) = [b for b in form["blocks"] if b.get("block_id") == request_views.MOVE_BLOCK]
    assert "Lee Lead logged 2 entries with Bea Beginner today" in box["label"]["text"]
    mentor = select_value(str(coordinators[MIA]))
    before = pairs_of(services, coordinators[BEA])

    refused = submit(app, "U0CORA", REASSIGN_CALLBACK, form["private_metadata"], {"mentor": mentor, request_views.MOVE_BLOCK: move_box(False)})  # fmt: skip
    text = all_text(refused["view"])
    assert "Lee Lead logged 2 entries on Wed 18 Nov with Bea Beginner" in text
    assert "nothing changed" in text
    assert pairs_of(services, coordinators[BEA]) == before

    moved = submit(app, "U0CORA", REASSIGN_CALLBACK, form["private_metadata"], {"mentor": mentor, request_views.MOVE_BLOCK: move_box(True)})  # fmt: skip
    assert "Moved 2 entries to Mia Mentor" in all_text(moved["view"])
    with services.store.read() as session:
        owners = set(session.scalars(select(LogEntry.mentor_id)))
        moves = session.scalars(select(LogAudit.actor_id).where(LogAudit.action == "move")).all()
    assert owners == {coordinators[MIA]}
    assert list(moves) == [coordinators["cora@hillside.example"]] * 2
    assert coordinators[LEE] not in owners
    assert services.ledger.verify().differences == ()
