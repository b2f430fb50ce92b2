"""Requests routed by workspace (issue 21): real signed requests into the Bolt app with two
districts on one database that share Slack user ids and emails."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

from slack_bolt import BoltRequest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.config import Settings
from bot.slack import ids
from bot.store.models.core import LogEntry
from bot.web.app import create_app
from tests.support.bolt_requests import all_text, dispatch, event_body
from tests.support.hillside import CORA_ID, LEE_ID, SIGNING_SECRET
from tests.support.signing import block_action_body, signed_headers, slash_command_body
from tests.support.slack_api import FakeSlackApi
from tests.support.tenants import TEAM_A, TEAM_B, TwoDistricts, two_districts


def _slash(app: Any, text: str, team: str, name: str = "/hours") -> dict[str, Any]:
    response = dispatch(app, slash_command_body(name, text, LEE_ID, team_id=team))
    return json.loads(response.body) if response.body else {}


def _entries(services: Services, district: Services) -> int:
    program_id = district.programs.current().id
    with services.store.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(LogEntry).where(LogEntry.program_id == program_id)
            )
            or 0
        )


def _world(settings: Settings, services: Services) -> tuple[TwoDistricts, Any]:
    world = two_districts(services)
    return world, create_app(
        settings, services, process_before_response=True, tenants=world.tenants
    )


def test_the_same_user_id_reaches_the_program_of_the_requests_workspace(
    settings: Settings, services: Services
) -> None:
    world, app = _world(settings, services)
    _slash(app, "45m meeting", TEAM_B, "/logmeeting")
    assert _entries(services, world.riverside) == 1
    assert _entries(services, world.hillside) == 0
    river = all_text(_slash(app, "", TEAM_B))
    hill = all_text(_slash(app, "", TEAM_A))
    assert "Rivers" in river and "Rivers" not in hill
    assert "45" in river and river != hill


def test_a_workspace_without_a_program_is_told_and_nothing_runs(
    settings: Settings, services: Services
) -> None:
    world, app = _world(settings, services)
    reply = _slash(app, "45m meeting", "TFORGED", "/logmeeting")
    assert reply["response_type"] == "ephemeral"
    assert "isn't set up for this workspace" in reply["text"]
    assert "--team TFORGED" in reply["text"]
    assert _entries(services, world.hillside) == _entries(services, world.riverside) == 0


def test_an_uninstalled_workspace_reaches_nothing(settings: Settings, services: Services) -> None:
    world, app = _world(settings, services)
    world.tenants.directory.mark_uninstalled(None, TEAM_B, services.clock.now())
    reply = _slash(app, "45m meeting", TEAM_B, "/logmeeting")
    assert "isn't set up" in reply["text"]
    assert _entries(services, world.riverside) == 0


def test_one_program_and_no_oauth_is_todays_single_workspace(
    settings: Settings, services: Services, program: Any
) -> None:
    app = create_app(settings, services, process_before_response=True)
    reply = _slash(app, "", "TANYTEAM")  # no team bound: every request reaches the program
    assert "isn't set up" not in all_text(reply)


def _open_home(app: Any, user_id: str, team: str) -> None:
    body = event_body(
        {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": "home",
         "event_ts": str(time.time())},
        team_id=team,
    )  # fmt: skip
    headers = signed_headers(SIGNING_SECRET, body) | {"Content-Type": "application/json"}
    assert app.dispatch(BoltRequest(body=body, headers=headers)).status == 200


def test_home_is_published_from_the_events_workspace(
    settings: Settings, services: Services, slack_api: FakeSlackApi
) -> None:
    _, app = _world(settings, services)
    _open_home(app, CORA_ID, TEAM_B)
    _open_home(app, CORA_ID, TEAM_A)
    river, hill = (json.dumps(c.params) for c in slack_api.calls_to("views.publish"))
    assert "Rivers" in river and "Riverside" in river
    assert "Rivers" not in hill and "Riverside" not in hill
    _open_home(app, CORA_ID, "TFORGED")
    assert len(slack_api.calls_to("views.publish")) == 2  # nothing for a workspace with none


def test_a_payload_naming_two_workspaces_reaches_nothing(
    settings: Settings, services: Services, slack_api: FakeSlackApi
) -> None:
    world, _ = _world(settings, services)
    app = create_app(settings, services, process_before_response=True, tenants=world.tenants)

    def press(view_team: str) -> list[str]:
        body = block_action_body(
            LEE_ID, ids.LOG_OPEN_FORM, "45m meeting", team_id=TEAM_A, view={"id": "V0HOME"}
        )
        payload = json.loads(parse_qs(body)["payload"][0])
        payload["view"]["team_id"] = view_team
        before = len(slack_api.calls)
        dispatch(app, urlencode({"payload": json.dumps(payload)}))
        return [c.method for c in slack_api.calls[before:] if c.method != "auth.test"]

    assert press(TEAM_A)  # the genuine press is answered (the form opens)
    assert press(TEAM_B) == []  # the view is another workspace's: nothing runs


def test_with_oauth_settings_even_one_program_is_routed(
    settings: Settings, services: Services, program: Any
) -> None:
    oauth = settings.model_copy(update={"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"})
    app = create_app(oauth, services, process_before_response=True)
    reply = _slash(app, "", "TANYTEAM")
    assert "isn't set up for this workspace" in reply["text"]


def test_uninstall_events_reach_their_listener_even_once_uninstalled(
    settings: Settings, services: Services
) -> None:
    """What branch oauth's app_uninstalled listener does with the routing: it is reached for a
    workspace whose program is uninstalled already (tokens_revoked came first), and marks it
    through the directory every program shares."""
    world, app = _world(settings, services)
    reached: list[str | None] = []

    @app.event("app_uninstalled")
    def uninstalled(context: Any) -> None:
        reached.append(context.team_id)
        context["services"].tenants.mark_uninstalled(
            context.enterprise_id, context.team_id, services.clock.now()
        )

    for _ in range(2):
        body = event_body({"type": "app_uninstalled", "event_ts": str(time.time())}, team_id=TEAM_B)
        headers = signed_headers(SIGNING_SECRET, body) | {"Content-Type": "application/json"}
        assert app.dispatch(BoltRequest(body=body, headers=headers)).status == 200
    assert reached == [TEAM_B, TEAM_B]
    assert world.tenants.for_team(None, TEAM_B) is None
    assert world.tenants.for_team(None, TEAM_A) is world.hillside
    reply = _slash(app, "45m meeting", TEAM_B, "/logmeeting")
    assert "isn't set up" in reply["text"]
