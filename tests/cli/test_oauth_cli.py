"""The CLI under an OAuth install (issue 21): a command that reaches Slack (`roster import`'s
lookup by email, `jobs run`'s DMs) speaks with the token of its team's installation, never
another's; a team that has not installed the app is refused and nothing is sent.

`settings` is overridden here: OAuth mode (client id and secret, no SLACK_BOT_TOKEN)."""

from __future__ import annotations

import pytest

from bot.config import Settings
from tests.support.cli import Cli
from tests.support.hillside import PROGRAM_TOML, ROSTER_CSV
from tests.support.oauth import CLIENT_ID, CLIENT_SECRET, install, oauth_settings
from tests.support.slack_api import FakeSlackApi
from tests.support.tenants import RIVERSIDE_TOML, TEAM_A, TEAM_B, riverside_roster

ALERT_DAY = "2026-11-03T07:45:00-05:00"  # a send day: Nia's overdue alert, to-do nudges


@pytest.fixture
def settings(db_url: str, slack_api: FakeSlackApi) -> Settings:
    """OAuth mode over the test database and the fake (the install pages' server reads it)."""
    return oauth_settings(db_url, slack_api)


@pytest.fixture
def oauth_cli(cli: Cli, monkeypatch: pytest.MonkeyPatch, slack_api: FakeSlackApi) -> Cli:
    """The CLI in OAuth mode, both districts loaded (Riverside's people named "… Rivers")."""
    for name, value in (
        ("SLACK_CLIENT_ID", CLIENT_ID),
        ("SLACK_CLIENT_SECRET", CLIENT_SECRET),
        ("SLACK_API_URL", slack_api.url),
    ):
        monkeypatch.setenv(name, value)
    for team, toml, roster in (
        (TEAM_A, PROGRAM_TOML, ROSTER_CSV),
        (TEAM_B, RIVERSIDE_TOML, riverside_roster()),
    ):
        assert cli("program", "load", cli.write(f"{team}.toml", toml), "--team", team).code == 0
        assert cli("roster", "import", cli.write(f"{team}.csv", roster), "--team", team).code == 0
    return cli


def test_jobs_run_sends_with_its_teams_installation_only(
    oauth_cli: Cli, http_server: str, slack_api: FakeSlackApi
) -> None:
    a, b = slack_api.add_workspace(TEAM_A), slack_api.add_workspace(TEAM_B)
    install(http_server, a)
    install(http_server, b)
    slack_api.calls.clear()
    ran = oauth_cli("jobs", "run", "deadline-sweep", "--at", ALERT_DAY, "--team", TEAM_B)
    assert ran.code == 0, ran
    posted = slack_api.calls_to("chat.postMessage")
    assert posted and {c.token for c in posted} == {b.token}
    assert all("Rivers" in str(c.params.get("text", "")) for c in posted if "Nia" in str(c.params))


def test_roster_import_looks_people_up_in_its_teams_workspace(
    oauth_cli: Cli, http_server: str, slack_api: FakeSlackApi
) -> None:
    a = slack_api.add_workspace(TEAM_A)
    install(http_server, a)
    slack_api.add_user("new@hillside.example", "U0NEW", "New Teacher")
    slack_api.calls.clear()
    roster = (
        ROSTER_CSV
        + "new@hillside.example,New Teacher,mentee,Lincoln,Math,4,beginning_teacher,Initial,2026-08-24,\n"
    )
    imported = oauth_cli("roster", "import", oauth_cli.write("more.csv", roster), "--team", TEAM_A)
    assert imported.code == 0, imported
    looked_up = slack_api.calls_to("users.lookupByEmail")
    assert [c.token for c in looked_up] == [a.token]


def test_a_team_without_an_installation_is_refused_and_nothing_is_sent(
    oauth_cli: Cli, slack_api: FakeSlackApi
) -> None:
    slack_api.calls.clear()
    ran = oauth_cli("jobs", "run", "deadline-sweep", "--at", ALERT_DAY, "--team", TEAM_A)
    assert ran.code == 1
    assert "no installation" in ran.err and "nothing was sent" in ran.err
    assert slack_api.calls_to("chat.postMessage") == []


def test_teams_lists_the_installations_with_and_without_a_program(
    oauth_cli: Cli, http_server: str, slack_api: FakeSlackApi
) -> None:
    install(http_server, slack_api.add_workspace(TEAM_A))
    install(http_server, slack_api.add_workspace("TC0NEW"))
    listing = oauth_cli("teams")
    assert listing.code == 0, listing
    lines = listing.out.splitlines()
    (hill,) = [line for line in lines if line.startswith(TEAM_A)]
    assert "installed 20" in hill and "Hillside Public Schools" in hill
    (river,) = [line for line in lines if line.startswith(TEAM_B)]
    assert "not installed" in river and "Riverside" in river  # a program, the app not installed
    (new,) = [line for line in lines if line.startswith("TC0NEW")]
    assert "no program yet: program load FILE.toml --team TC0NEW" in new
