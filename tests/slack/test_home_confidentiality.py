"""Notes on Home: the mentee sees their own pair's notes and no one else's, a mentor their
pairs' (the entries they logged); evaluators, lead mentors (as such) and coordinators see none —
on every Home each person can get: on open, after a press, after their own /logmeeting."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.bootstrap import Services
from tests.support.bolt_requests import command
from tests.support.hillside import SIGNING_SECRET
from tests.support.home import (
    NOTE_BEA_VISIT,
    NOTE_LEE_BEA,
    NOTE_MAX_BO,
    NOTE_MIA_IKE,
    NOTES,
    home_of,
    press_on_home,
    published,
)
from tests.support.slack_api import FakeSlackApi

SEES = {  # Slack id → the notes their Home may carry
    "U0CORA": set(),  # coordinator: hours and counts only
    "U0LEE": {NOTE_LEE_BEA},  # lead mentor: his own pair's; none of his cohort's
    "U0MIA": {NOTE_MIA_IKE},
    "U0MAX": {NOTE_MAX_BO},
    "U0BEA": {NOTE_LEE_BEA, NOTE_BEA_VISIT},  # her pair's, and her own visit's
    "U0IKE": {NOTE_MIA_IKE},
    "U0BO": {NOTE_MAX_BO},
    "U0NIA": set(),  # no mentor yet
    "U0PAT": set(),  # evaluator: never notes
    "U0STRANGER": set(),  # not on the roster
}


def notes_in(payload: Any) -> set[str]:
    dumped = json.dumps(payload, ensure_ascii=False)
    return {note for note in NOTES if note in dumped}


@pytest.mark.parametrize("user", sorted(SEES))
def test_each_home_carries_only_the_notes_its_owner_may_read(
    app: Any, slack_api: FakeSlackApi, week: Services, user: str
) -> None:
    view = home_of(app, SIGNING_SECRET, slack_api, user)
    assert notes_in(view) == SEES[user]


@pytest.mark.parametrize("user", sorted(SEES))
def test_a_home_refreshed_after_a_press_carries_only_the_same_notes(
    app: Any, slack_api: FakeSlackApi, week: Services, user: str
) -> None:
    """A press refused (or done) re-publishes Home: the same rule holds for that view."""
    status = press_on_home(app, SIGNING_SECRET, user, "log_undo", "not-a-batch")
    assert status == 200
    (view,) = published(slack_api, user)
    assert notes_in(view) == SEES[user]


def test_a_lead_mentor_who_logs_sees_his_own_note_and_still_none_of_his_cohort(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    command(app, SIGNING_SECRET, "/logmeeting", "15m meeting NOTE-LEE-NEW", "U0LEE")
    view = home_of(app, SIGNING_SECRET, slack_api, "U0LEE")  # when he next opens it
    dumped = json.dumps(view, ensure_ascii=False)
    assert "NOTE-LEE-NEW" in dumped and NOTE_MIA_IKE not in dumped
    assert "Your cohort · Lincoln" in dumped


def test_no_one_is_sent_a_home_when_someone_logs(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    command(app, SIGNING_SECRET, "/logmeeting", "15m meeting NOTE-MIA-NEW", "U0MIA")
    assert slack_api.calls_to("views.publish") == []
