"""The Home tab by role (handlers/events/app_home_opened.py, views.home_tab): what each person
can do, and nothing that would fail — someone not on the roster is told whom to ask."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.bolt_requests import open_home
from tests.support.hillside import SIGNING_SECRET
from tests.support.slack_api import FakeSlackApi


def home_of(app: Any, slack_api: FakeSlackApi, user: str) -> dict[str, Any]:
    assert open_home(app, SIGNING_SECRET, user) == 200
    (call,) = slack_api.calls_to("views.publish")
    view: dict[str, Any] = call.params["view"]
    return view


def buttons(view: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize(
    ("user", "log_button", "shown", "not_shown"),
    [
        ("U0LEE", True, ["Log in one line", "See hours"], ["Coordinators:", "observed @teacher"]),
        ("U0BEA", False, ["observed @teacher", "See hours"], ["Log in one line", "Coordinators:"]),
        ("U0PAT", False, ["See hours"], ["Log in one line", "observed @teacher", "Coordinators:"]),
        ("U0CORA", True, ["Log in one line", "Coordinators:"], ["observed @teacher"]),
    ],
)  # fmt: skip
def test_each_role_sees_what_it_can_do(app: Any, slack_api: FakeSlackApi, pairs: None, user: str, log_button: bool, shown: list[str], not_shown: list[str]) -> None:  # fmt: skip
    view = home_of(app, slack_api, user)
    text = json.dumps(view, ensure_ascii=False)
    assert ("open_log_modal" in buttons(view)) is log_button
    assert all(s in text for s in shown), shown
    assert not any(s in text for s in not_shown), not_shown


def test_someone_not_on_the_roster_is_told_whom_to_ask_and_gets_no_buttons(
    app: Any, slack_api: FakeSlackApi, pairs: None
) -> None:
    view = home_of(app, slack_api, "U0STRANGER")
    text = json.dumps(view, ensure_ascii=False)
    assert "not on the Hillside Public Schools roster" in text
    assert "induction coordinator" in text
    assert buttons(view) == []
