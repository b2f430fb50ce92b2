"""Requests routed by workspace (issue 21): real signed requests into the Bolt app with two
districts on one database that share Slack user ids and emails."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.config import Settings
from bot.store.models.core import LogEntry
from bot.web.app import create_app
from tests.support.bolt_requests import all_text, dispatch
from tests.support.hillside import LEE_ID
from tests.support.signing import slash_command_body
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
