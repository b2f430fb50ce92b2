"""Every Home button pressed by its owner and by someone else, as Slack sends a press on Home
(a view container, no response_url): the answer is the Home re-published with a notice, within
the ack budget; a refused press stores nothing. And the Home is refreshed after one's own
changes: /logmeeting, the form, Undo and Edit from a message."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

import bot.slack.budget
from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.slack import home_views
from bot.store.models.core import Assignment, EntryReview, LogEntry
from tests.support.bolt_requests import command, dispatch
from tests.support.hillside import NOW, ROSTER_CSV, SIGNING_SECRET
from tests.support.home import (
    HOME_VIEW,
    buttons,
    home_of,
    press_on_home,
    published,
    text_of,
)
from tests.support.http_client import post_events
from tests.support.signing import block_action_body, view_submission_body
from tests.support.slack_api import RESPONSE_URL_METHOD, FakeSlackApi

NOT_YOURS = "Only the person who logged this entry (or a coordinator) can change it."


def live_entries(services: Services) -> int:
    with services.store.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(LogEntry).where(LogEntry.deleted_at.is_(None))
            )
            or 0
        )


def assignments(services: Services) -> int:
    with services.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Assignment)) or 0)


def picked(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def button_of(view: dict[str, Any], action_id: str) -> dict[str, Any]:
    return next(b for b in buttons(view) if b["action_id"].startswith(action_id))


def press(app: Any, user: str, button: dict[str, Any]) -> None:
    status = press_on_home(app, SIGNING_SECRET, user, button["action_id"], button.get("value", ""))
    assert status == 200


def no_response_url_used(slack_api: FakeSlackApi) -> None:
    assert slack_api.calls_to(RESPONSE_URL_METHOD) == []


# ---- Undo ------------------------------------------------------------------------------------


def test_undo_on_home_by_its_owner_undoes_and_republishes_with_the_new_totals(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    view = home_of(app, SIGNING_SECRET, slack_api, "U0LEE")
    before = live_entries(week)
    press(app, "U0LEE", button_of(view, "log_undo"))  # the newest: 30 min on Tue 17 Nov
    assert live_entries(week) == before - 1
    after = published(slack_api, "U0LEE")[-1]
    shown = text_of(after)
    assert shown.index("Undone: ~30 min meeting with Bea Beginner, Tue 17 Nov~") < shown.index("Your mentoring")  # fmt: skip
    assert "this week 45 min of 1 h · this year 45 min" in shown
    no_response_url_used(slack_api)


@pytest.mark.parametrize("other", ["U0MIA", "U0BEA", "U0PAT", "U0STRANGER"])
def test_undo_on_home_by_someone_else_is_refused_and_stores_nothing(
    app: Any, slack_api: FakeSlackApi, week: Services, other: str
) -> None:
    undo = button_of(home_of(app, SIGNING_SECRET, slack_api, "U0LEE"), "log_undo")
    before = live_entries(week)
    press(app, other, undo)
    assert live_entries(week) == before
    (view,) = published(slack_api, other)
    expected = NOT_YOURS if other != "U0STRANGER" else "not on the Hillside Public Schools roster"
    assert expected in text_of(view)
    no_response_url_used(slack_api)


# ---- Edit ------------------------------------------------------------------------------------


def test_edit_on_home_by_its_owner_opens_the_form_with_the_entry(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    edit = button_of(home_of(app, SIGNING_SECRET, slack_api, "U0LEE"), "log_edit")
    press(app, "U0LEE", edit)
    (opened,) = slack_api.calls_to("views.open")
    assert opened.params["trigger_id"]
    modal = opened.params["view"]
    modal = json.loads(modal) if isinstance(modal, str) else modal
    assert modal["private_metadata"] == edit["value"]
    assert "30m" in json.dumps(modal) or "30 min" in json.dumps(modal)


@pytest.mark.parametrize("other", ["U0MIA", "U0BEA", "U0CORA_DEMOTED"])
def test_edit_on_home_by_someone_else_is_refused_and_opens_nothing(
    app: Any, slack_api: FakeSlackApi, week: Services, other: str
) -> None:
    edit = button_of(home_of(app, SIGNING_SECRET, slack_api, "U0LEE"), "log_edit")
    user = other
    if other == "U0CORA_DEMOTED":  # a coordinator may edit; once no longer one, may not
        demoted = ROSTER_CSV.replace("Cora Coordinator,coordinator,", "Cora Coordinator,evaluator,")
        assert week.roster.import_csv(demoted).ok
        user = "U0CORA"
    press(app, user, edit)
    assert slack_api.calls_to("views.open") == []
    assert NOT_YOURS in text_of(published(slack_api, user)[-1])


# ---- Log a meeting ---------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["U0LEE", "U0CORA"])
def test_log_a_meeting_on_home_opens_the_form(
    app: Any, slack_api: FakeSlackApi, week: Services, user: str
) -> None:
    press(app, user, button_of(home_of(app, SIGNING_SECRET, slack_api, user), "open_log_modal"))
    (opened,) = slack_api.calls_to("views.open")
    modal = opened.params["view"]
    modal = json.loads(modal) if isinstance(modal, str) else modal
    assert modal["callback_id"] == "log_new"


def test_log_a_meeting_pressed_by_someone_not_on_the_roster_says_whom_to_ask(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    """It used to be an HTTP 500 (`respond` has no response_url on Home)."""
    press(app, "U0STRANGER", {"action_id": "open_log_modal", "value": ""})
    assert slack_api.calls_to("views.open") == []
    (view,) = published(slack_api, "U0STRANGER")
    assert "Ask your induction coordinator" in text_of(view)
    assert buttons(view) == []


# ---- Assign ----------------------------------------------------------------------------------


def test_assign_on_home_by_a_coordinator_assigns_and_the_row_goes(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    assign = button_of(home_of(app, SIGNING_SECRET, slack_api, "U0CORA"), "assign_suggested:")
    before = assignments(week)
    press(app, "U0CORA", assign)
    assert assignments(week) == before + 1
    shown = text_of(published(slack_api, "U0CORA")[-1])
    assert "now mentors Nia New from Wed 18 Nov." in shown
    assert "*Without a mentor:* nobody" in shown
    no_response_url_used(slack_api)


@pytest.mark.parametrize("other", ["U0LEE", "U0NIA", "U0CORA_DEMOTED"])
def test_assign_on_home_by_a_non_coordinator_is_refused_and_stores_nothing(
    app: Any, slack_api: FakeSlackApi, week: Services, other: str
) -> None:
    assign = button_of(home_of(app, SIGNING_SECRET, slack_api, "U0CORA"), "assign_suggested:")
    user = other
    if other == "U0CORA_DEMOTED":  # no longer a coordinator since her Home was published
        demoted = ROSTER_CSV.replace("Cora Coordinator,coordinator,", "Cora Coordinator,evaluator,")
        assert week.roster.import_csv(demoted).ok
        user = "U0CORA"
    before = assignments(week)
    press(app, user, assign)
    assert assignments(week) == before
    assert "coordinators" in text_of(published(slack_api, user)[-1])


# ---- Request a change (handled by the reassignment-requests part) -----------------------------


def test_request_a_change_carries_the_mentees_current_assignment_only(
    app: Any, slack_api: FakeSlackApi, week: Services, roster: dict[str, int]
) -> None:
    with week.store.read() as session:
        current = dict(
            session.execute(
                select(Assignment.mentee_id, Assignment.id).where(Assignment.ended_on.is_(None))
            ).all()
        )
    expected = {
        "U0BEA": [str(current[roster["bea@hillside.example"]])],
        "U0IKE": [str(current[roster["ike@hillside.example"]])],
        "U0NIA": [],  # no mentor yet: nothing to change
        "U0LEE": [],
        "U0PAT": [],
        "U0CORA": [],
    }
    for user, values in expected.items():
        view = home_of(app, SIGNING_SECRET, slack_api, user)
        found = [b["value"] for b in buttons(view) if b["action_id"] == "request_change"]
        assert found == values, user


# ---- published on open and after a Home button, never after a command ------------------------


def test_logmeeting_publishes_no_home_and_the_next_open_shows_it(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    command(app, SIGNING_SECRET, "/logmeeting", "15m meeting", "U0LEE")
    assert published(slack_api, "U0LEE") == []  # the ack is the whole answer (issue 18)
    view = home_of(app, SIGNING_SECRET, slack_api, "U0LEE")
    assert "this week 1 h 30 of 1 h ✓" in text_of(view)  # 75 + 15


def test_a_refused_logmeeting_publishes_nothing(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    command(app, SIGNING_SECRET, "/logmeeting", "15m meeting <@U0BO>", "U0LEE")  # not his mentee
    assert published(slack_api, "U0LEE") == []


def test_undo_from_the_reply_answers_there_and_publishes_no_home(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    reply = command(app, SIGNING_SECRET, "/logmeeting", "15m meeting", "U0LEE")
    undo = next(
        e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "log_undo"
    )  # fmt: skip
    body = block_action_body("U0LEE", "log_undo", undo["value"], response_url=slack_api.response_url)  # fmt: skip

    dispatch(app, body)
    (answered,) = slack_api.calls_to(RESPONSE_URL_METHOD)
    assert "Undone" in text_of(answered.params)
    assert "this week now 1 h 15 of 1 h" in text_of(answered.params)
    assert published(slack_api, "U0LEE") == []  # the Home shows it when Lee next opens it
    assert "this week 1 h 15 of 1 h ✓" in text_of(home_of(app, SIGNING_SECRET, slack_api, "U0LEE"))


def test_the_form_and_an_edit_publish_no_home_and_show_on_the_next_open(
    app: Any, slack_api: FakeSlackApi, week: Services, roster: dict[str, int]
) -> None:
    def submit(callback: str, metadata: str, duration: str) -> None:
        state = {
            "mentee": {"value": picked(str(roster["bea@hillside.example"]))},
            "date": {"value": {"type": "datepicker", "selected_date": "2026-11-18"}},
            "duration": {"value": {"type": "plain_text_input", "value": duration}},
            "kind": {"value": picked("meeting")},
            "notes": {"value": {"type": "plain_text_input", "value": None}},
        }
        body = view_submission_body("U0LEE", callback, metadata, state)
        assert not dispatch(app, body).body

    submit("log_new", "", "20m")
    assert published(slack_api, "U0LEE") == []
    assert "this week 1 h 35 of 1 h ✓" in text_of(home_of(app, SIGNING_SECRET, slack_api, "U0LEE"))
    with week.store.read() as session:
        newest = session.scalar(select(func.max(LogEntry.id)))
    submit("log_edit_submit", str(newest), "40m")
    assert len(published(slack_api, "U0LEE")) == 1  # only the open above
    assert "this week 1 h 55 of 1 h ✓" in text_of(home_of(app, SIGNING_SECRET, slack_api, "U0LEE"))


def test_a_logmeeting_never_reads_a_home(
    app: Any, slack_api: FakeSlackApi, week: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    before = live_entries(week)
    monkeypatch.setattr(week.home, "home", broken)
    reply = command(app, SIGNING_SECRET, "/logmeeting", "15m meeting", "U0LEE")
    assert reply["text"].startswith("Logged 15 min meeting with Bea Beginner")
    assert live_entries(week) == before + 1
    assert published(slack_api, "U0LEE") == []


def test_home_buttons_answer_in_time_in_a_429_storm(
    http_server: str, slack_api: FakeSlackApi, week: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over real HTTP with every Web API call answered 429 Retry-After 30: a Home press is
    done, answered 200 without waiting on Slack: its Home publish tried once, never waited out
    (nothing timed: the waits are recorded)."""
    waited: list[float] = []
    monkeypatch.setattr(bot.slack.budget, "wait_out", waited.append)

    undo = button_of(home_of_over(slack_api, week), "log_undo")
    slack_api.storm()
    before = live_entries(week)
    body = block_action_body("U0LEE", "log_undo", undo["value"], view=HOME_VIEW)
    status, data = post_events(http_server, body)
    assert (status, data) == (200, b"")
    assert live_entries(week) == before - 1
    assert [c.status for c in slack_api.calls_to("views.publish")] == [429]
    assert waited == []


def home_of_over(slack_api: FakeSlackApi, services: Services) -> dict[str, Any]:
    """Lee's Home as the service builds it (no Slack call), to find his buttons."""
    return home_views.home_view(services.home.home("U0LEE", NOW))


@pytest.mark.parametrize("change", ["reassigned", "no longer a mentor"])
def test_undo_and_edit_on_a_home_published_before_a_role_change_are_refused(
    app: Any, slack_api: FakeSlackApi, week: Services, change: str, clock: FixedClock
) -> None:
    """Mia's Home shows Undo and Edit on her entries with Ike; then Ike gets another mentor
    (from tomorrow: today's entry stays inside Mia's pair) and the 14 days in which Mia may
    still change them pass, or the roster no longer makes Mia a mentor: the stale buttons
    change nothing."""
    view = home_of(app, SIGNING_SECRET, slack_api, "U0MIA")
    undo, edit = button_of(view, "log_undo"), button_of(view, "log_edit")
    if change == "reassigned":
        tomorrow = NOW.date() + timedelta(days=1)
        week.assignments.assign(None, "max@hillside.example", "ike@hillside.example", tomorrow, NOW)  # fmt: skip
        clock.set(NOW + timedelta(days=15))  # Mia's pair ended on 18 Nov: 15 days ago
    else:
        demoted = ROSTER_CSV.replace("Mia Mentor,mentor,", "Mia Mentor,evaluator,")
        assert week.roster.import_csv(demoted).ok
    before = live_entries(week)
    press(app, "U0MIA", undo)
    press(app, "U0MIA", edit)
    assert live_entries(week) == before
    assert slack_api.calls_to("views.open") == []
    refreshed = published(slack_api, "U0MIA")[-1]
    assert "You no longer mentor the mentee of this entry" in text_of(refreshed)
    assert not [b for b in buttons(refreshed) if b["action_id"] in ("log_undo", "log_edit")]


# ---- Confirm / Flag (sign-off before pay) ------------------------------------------------------


def test_confirm_on_the_mentees_home_confirms_and_the_buttons_go(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    view = home_of(app, SIGNING_SECRET, slack_api, "U0BEA")
    confirm = button_of(view, "entry_confirm")
    assert "To confirm" in text_of(view) and "Lee Lead logged" in text_of(view)
    press(app, "U0LEE", confirm)  # the author himself: refused, nothing stored
    press(app, "U0BEA", confirm)
    with week.store.read() as session:
        [review] = session.query(EntryReview).all()
    assert (review.log_entry_id, review.verdict) == (int(confirm["value"]), "confirmed")
    after = published(slack_api, "U0BEA")[-1]
    assert "You confirmed Lee Lead's entry" in text_of(after)
    assert str(review.log_entry_id) not in [b["value"] for b in buttons(after) if b["action_id"] == "entry_confirm"]  # fmt: skip
    no_response_url_used(slack_api)
