"""OAuth install settings (issue 21): SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SCOPES are
read and checked, and `serve` names what is missing or contradictory, one line each."""

from __future__ import annotations

import json

import pytest

from bot.cli.preflight import slack_problems
from bot.config import BOT_SCOPES, Settings, SettingsError, load_settings
from tests.support.hillside import BOT_TOKEN, SIGNING_SECRET
from tests.support.oauth import CLIENT_ID, CLIENT_SECRET
from tests.support.repo import REPO

NO_SECRET = "SLACK_CLIENT_SECRET is not set: an OAuth install needs it with SLACK_CLIENT_ID (the app's Basic Information, App Credentials)"  # fmt: skip
NO_ID = "SLACK_CLIENT_ID is not set: an OAuth install needs it with SLACK_CLIENT_SECRET (the app's Basic Information, App Credentials)"  # fmt: skip
BOTH = "SLACK_BOT_TOKEN is set with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: set SLACK_BOT_TOKEN for one workspace, or the client id and secret to install in many (docs/operations.md), not both"  # fmt: skip
SOCKET = "SLACK_APP_TOKEN is set with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: an OAuth install is served over HTTP (/slack/install); unset SLACK_APP_TOKEN"  # fmt: skip


def settings(**env: str) -> Settings:
    base = {"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    return load_settings(_env_file=None, **{**base, **env})


def test_the_default_scopes_are_the_manifests_and_it_subscribes_to_uninstalls() -> None:
    manifest = json.loads((REPO / "manifest.json").read_text(encoding="utf-8"))
    assert BOT_SCOPES.split(",") == manifest["oauth_config"]["scopes"]["bot"]
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_oauth_settings_are_read() -> None:
    read = load_settings(
        _env_file=None,
        SLACK_CLIENT_ID=f" {CLIENT_ID} ",
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SCOPES=" commands , chat:write ",
    )
    assert read.has_oauth and read.SLACK_CLIENT_ID == CLIENT_ID
    assert read.scopes == ["commands", "chat:write"]
    assert CLIENT_SECRET not in repr(read)
    assert load_settings(_env_file=None, SLACK_SCOPES="").scopes == BOT_SCOPES.split(",")
    assert not load_settings(_env_file=None, SLACK_CLIENT_ID=CLIENT_ID).has_oauth


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [("SLACK_CLIENT_ID", "my-app", "SLACK_CLIENT_ID: expected the app's Client ID, digits dot digits, e.g. 1234567890.1234567890"),
     ("SLACK_SCOPES", "chat:write;commands", "SLACK_SCOPES: expected bot scopes separated by commas, e.g. commands,chat:write,im:write,users:read,users:read.email")],
)  # fmt: skip
def test_malformed_oauth_settings_say_what_was_expected(
    name: str, value: str, problem: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None, **{name: value})
    assert refused.value.problems == (problem,) and refused.value.names == (name,)


@pytest.mark.parametrize(
    ("env", "problems"),
    [({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}, []),
     ({"SLACK_CLIENT_ID": CLIENT_ID}, [NO_SECRET]),
     ({"SLACK_CLIENT_SECRET": CLIENT_SECRET}, [NO_ID]),
     ({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN}, [BOTH]),
     ({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_APP_TOKEN": "xapp-1-x"}, [SOCKET]),
     ({"SLACK_BOT_TOKEN": BOT_TOKEN}, [])],
)  # fmt: skip
def test_serve_names_what_an_oauth_install_lacks(env: dict[str, str], problems: list[str]) -> None:
    assert slack_problems(settings(**env)) == problems
