"""The tick with many workspaces (issue 21): each installed program's jobs send only its own
rows, with its own workspace's client; an uninstalled program runs and sends nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.services.tenants import Tenant
from schedules.scheduler import TickMemory, tick_all
from tests.support.scheduler import ALERT_DAY
from tests.support.slack_api import FakeSlackApi
from tests.support.tenants import TEAM_A, TEAM_B, two_districts


class PerTeam:
    """A ClientSource with one fake Slack per workspace (tokens named after the team)."""

    def __init__(self, fakes: dict[str, FakeSlackApi]) -> None:
        self.fakes = fakes

    def client_for(self, tenant: Tenant | None) -> WebClient | None:
        fake = self.fakes.get(tenant.team_id or "") if tenant is not None else None
        if fake is None:
            return None
        return WebClient(token=f"xoxb-{tenant.team_id if tenant else ''}", base_url=fake.url)


@pytest.fixture
def fakes() -> Iterator[dict[str, FakeSlackApi]]:
    with FakeSlackApi() as a, FakeSlackApi() as b:
        yield {TEAM_A: a, TEAM_B: b}


def _dm_texts(fake: FakeSlackApi) -> list[str]:
    return [str(c.params.get("text", "")) for c in fake.calls_to("chat.postMessage")]


def test_each_program_sends_its_own_messages_with_its_own_client(
    services: Services, fakes: dict[str, FakeSlackApi]
) -> None:
    world = two_districts(services)
    tick_all(world.tenants, PerTeam(fakes), ALERT_DAY, TickMemory())
    a, b = fakes[TEAM_A], fakes[TEAM_B]
    assert a.calls_to("chat.postMessage") and b.calls_to("chat.postMessage")
    assert {c.token for c in a.calls_to("chat.postMessage")} == {f"xoxb-{TEAM_A}"}
    assert {c.token for c in b.calls_to("chat.postMessage")} == {f"xoxb-{TEAM_B}"}
    assert not any("Rivers" in text for text in _dm_texts(a))
    assert len(a.calls_to("chat.postMessage")) == len(b.calls_to("chat.postMessage"))


def test_an_uninstalled_program_runs_nothing_and_sends_nothing(
    services: Services, fakes: dict[str, FakeSlackApi]
) -> None:
    world = two_districts(services)
    world.tenants.directory.mark_uninstalled(None, TEAM_B, ALERT_DAY)
    summary = tick_all(world.tenants, PerTeam(fakes), ALERT_DAY, TickMemory())
    assert fakes[TEAM_A].calls_to("chat.postMessage")
    assert not fakes[TEAM_B].calls_to("chat.postMessage")
    assert TEAM_B not in summary


def test_a_program_without_a_client_is_skipped(
    services: Services, fakes: dict[str, FakeSlackApi], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="schedules.scheduler")  # whatever a CLI test left set
    world = two_districts(services)
    del fakes[TEAM_B]
    tick_all(world.tenants, PerTeam(fakes), ALERT_DAY, TickMemory())
    assert fakes[TEAM_A].calls_to("chat.postMessage")
    assert any(TEAM_B in r.getMessage() for r in caplog.records)
