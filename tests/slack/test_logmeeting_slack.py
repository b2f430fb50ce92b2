"""`/logmeeting` through the Bolt app (signed requests, the fake Web API) on SQLite and
PostgreSQL: the ack reply, Undo/Edit buttons, the form, questions as buttons, forwarded buttons
refused, and confidential notes kept out of everything but the coordinator's notes export.

Every Block Kit payload seen (ack bodies, views, DMs, response_url posts) is checked with
slack_sdk's model classes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import func, select

from bot import cli
from bot.bootstrap import Services
from bot.store.models.core import LogAudit, LogEntry
from tests.support.bolt_requests import all_text, dispatch, open_home, press, reply_of, slash
from tests.support.hillside import BEA, NIA, NOW, SIGNING_SECRET
from tests.support.signing import (
    slash_command_body,
    view_submission_body,
)
from tests.support.slack_api import FakeSlackApi

SECRET = "SECRET-NOTE-42"
EXPORT_COLUMNS = ["id", "date", "mentor_email", "mentee_email", "kind", "minutes", "logged_by_email", "source", "created_at"]  # fmt: skip


# ---- every payload the fake Web API received is valid Block Kit ------------------------------


# ---- helpers -------------------------------------------------------------------------------


def command(app: App, text: str, user: str, command_name: str = "/logmeeting") -> dict[str, Any]:
    """A signed slash command; the ack body (the ephemeral reply), checked as Block Kit."""
    return slash(app, command_name, text, user)


def press_button(app: App, slack_api: FakeSlackApi, user: str, button: dict[str, Any]) -> None:
    press(app, slack_api, user, button["action_id"], button.get("value", ""))


def submit(
    app: App, user: str, callback_id: str, metadata: str, state: dict[str, Any]
) -> dict[str, Any] | None:
    """A signed view_submission; the ack body as JSON, or None for a plain ack."""
    return reply_of(dispatch(app, view_submission_body(user, callback_id, metadata, state)))


def _select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}  # fmt: skip


def form_state(
    *,
    duration: str,
    on: str = "2026-11-18",
    kind: str = "meeting",
    notes: str | None = None,
    mentee: int | None = None,
) -> dict[str, Any]:
    """The state.values Slack sends for the log form."""
    values: dict[str, Any] = {
        "date": {"value": {"type": "datepicker", "selected_date": on}},
        "duration": {"value": {"type": "plain_text_input", "value": duration}},
        "kind": {"value": _select(kind)},
        "notes": {"value": {"type": "plain_text_input", "value": notes}},
    }
    if mentee is not None:
        values["mentee"] = {"value": _select(str(mentee))}
    return values


def buttons(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]


def responses(slack_api: FakeSlackApi) -> list[dict[str, Any]]:
    return [c.params for c in slack_api.calls_to("response_url")]


def views_opened(slack_api: FakeSlackApi) -> list[dict[str, Any]]:
    return [c.params["view"] for c in slack_api.calls_to("views.open")]


def live_entries(services: Services) -> list[LogEntry]:
    with services.store.read() as session:
        return list(
            session.scalars(
                select(LogEntry).where(LogEntry.deleted_at.is_(None)).order_by(LogEntry.id)
            )
        )


def entry(services: Services, entry_id: int) -> LogEntry:
    with services.store.read() as session:
        found = session.get(LogEntry, entry_id)
        assert found is not None
        return found


def counts(services: Services) -> tuple[int, int]:
    with services.store.read() as session:
        entries = session.scalar(select(func.count()).select_from(LogEntry))
        audits = session.scalar(select(func.count()).select_from(LogAudit))
    return int(entries or 0), int(audits or 0)


def input_element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    element = block["element"]
    assert isinstance(element, dict)
    return element


# ---- the reply in the ack ------------------------------------------------------------------


def test_the_ack_echoes_the_entry_with_undo_and_edit(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    reply = command(app, "45m observation", "U0LEE")

    assert reply["text"] == "Logged 45 min observation with Bea Beginner, Wed 18 Nov — this week 45 min of 1 h target, this year 45 min"  # fmt: skip
    assert reply["blocks"][0]["type"] == "section"
    assert "Logged 45 min observation with Bea Beginner" in reply["blocks"][0]["text"]["text"]
    (row,) = live_entries(services)
    undo, edit = buttons(reply)
    assert (undo["action_id"], undo["value"], undo["text"]["text"]) == ("log_undo", row.batch_id, "Undo")  # fmt: skip
    assert (edit["action_id"], edit["value"], edit["text"]["text"]) == ("log_edit", str(row.id), "Edit")  # fmt: skip
    assert SECRET not in all_text(reply)
    # the reply is the ack itself: no Web API call at all (Bolt's own auth.test aside) — no
    # Home is read or published after a slash command (issue 18)
    assert [c.method for c in slack_api.calls if c.method != "auth.test"] == []


def test_the_ack_shows_the_weekly_target_met(app: App, services: Services, pairs: None) -> None:
    services.logs.log_text("U0LEE", "30m yesterday", NOW)
    reply = command(app, "1h30 planning with <@U0BEA|bea> 2026-09-14 unit 3 pacing", "U0LEE")
    assert reply["text"].startswith("Logged 1 h 30 planning with Bea Beginner, Mon 14 Sep — this week 30 min of 1 h target, this year 2 h")  # fmt: skip
    reply = command(app, "45m observation", "U0LEE")
    assert reply["text"].endswith("— this week 1 h 15 of 1 h target ✓, this year 2 h 45")
    assert "Notes are kept" not in all_text(reply)
    with_notes = command(app, "5m quick chat", "U0LEE")
    assert "Notes are kept for you and your mentee only" in all_text(with_notes["blocks"])


def test_several_mentees_get_an_edit_button_each(app: App, services: Services, pairs: None) -> None:
    services.assignments.assign(None, "lee@hillside.example", NIA, date(2026, 10, 19), NOW)
    reply = command(app, "30m group <@U0BEA> <@U0NIA>", "U0LEE")
    rows = live_entries(services)
    assert [(b["action_id"], b.get("value")) for b in buttons(reply)] == [("log_undo", rows[0].batch_id), ("log_edit", str(rows[0].id)), ("log_edit", str(rows[1].id))]  # fmt: skip
    assert {b["text"]["text"] for b in buttons(reply)[1:]} == {"Edit Bea", "Edit Nia"}


def test_help_shows_examples(app: App, services: Services, pairs: None) -> None:
    reply = command(app, "help", "U0LEE")
    shown = all_text(reply)
    assert "/logmeeting 45m observation" in shown and "1h30" in shown
    assert counts(services) == (0, 0)


@pytest.mark.parametrize(
    ("user", "text", "says"),
    [
        ("U0LEE", "45m tomorrow", "in the future"),
        ("U0LEE", "observation yesterday", "how long"),
        ("U0LEE", "800m", "between"),
        ("U0MIA", "45m with <@U0BEA>", "isn't one of your mentees"),
        ("U0NOBODY", "45m", "not on the Hillside Public Schools roster"),
        ("U0LEE", "45m with <@U0STRANGER>", "&lt;@U0STRANGER&gt; isn't on the Hillside Public Schools roster"),
        ("U0BEA", "30m meeting with <@U0LEE>", "Mentees can log visits"),
    ],
)  # fmt: skip
def test_refusals_are_ephemeral_and_store_nothing(
    app: App, services: Services, pairs: None, user: str, text: str, says: str
) -> None:
    reply = command(app, text, user)
    assert says in reply["text"]
    assert not reply["text"].startswith("Logged")
    assert counts(services) == (0, 0)


def test_a_refusal_offers_the_form(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    reply = command(app, "observation yesterday", "U0LEE")
    (open_form,) = buttons(reply)
    assert open_form["action_id"] == "open_log_modal"
    press_button(app, slack_api, "U0LEE", open_form)
    (view,) = views_opened(slack_api)
    assert view["callback_id"] == "log_new"
    assert counts(services) == (0, 0)


# ---- the form ------------------------------------------------------------------------------


def test_logmeeting_alone_opens_the_form(
    app: App, services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    response = dispatch(app, slash_command_body("/logmeeting", "", "U0LEE"))
    assert response.body == ""

    (call,) = slack_api.calls_to("views.open")
    assert call.params["trigger_id"] == "1337.42.abcd"
    view = call.params["view"]
    assert (view["type"], view["callback_id"], view["private_metadata"]) == ("modal", "log_new", "")
    assert input_element(view, "mentee")["initial_option"]["value"] == str(roster[BEA])
    assert input_element(view, "date")["initial_date"] == "2026-11-18"
    assert "initial_value" not in input_element(view, "duration")
    assert counts(services) == (0, 0)


def test_the_form_stores_an_entry_and_dms_the_echo(
    app: App, services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    ack = submit(app, "U0LEE", "log_new", "", form_state(duration="1h30", kind="planning", on="2026-11-17", notes="pacing", mentee=roster[BEA]))  # fmt: skip

    assert ack is None
    (row,) = live_entries(services)
    assert (row.minutes, row.kind, row.occurred_on, row.notes, row.source, row.mentee_id) == (90, "planning", date(2026, 11, 17), "pacing", "form", roster[BEA])  # fmt: skip
    (dm,) = slack_api.calls_to("chat.postMessage")
    assert dm.params["channel"] == "U0LEE"
    assert dm.params["text"].startswith("Logged 1 h 30 planning with Bea Beginner, Tue 17 Nov")


@pytest.mark.parametrize(
    ("duration", "on", "field"),
    [
        ("soon", "2026-11-18", "duration"),
        ("", "2026-11-18", "duration"),
        ("0m", "2026-11-18", "duration"),
        ("13h", "2026-11-18", "duration"),
        ("45m", "2026-11-19", "date"),
        ("45m", "2026-08-01", "date"),
    ],
)  # fmt: skip
def test_the_form_shows_errors_under_the_field_and_stores_nothing(
    app: App, services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi,
    duration: str, on: str, field: str,
) -> None:  # fmt: skip
    ack = submit(app, "U0LEE", "log_new", "", form_state(duration=duration, on=on, mentee=roster[BEA]))  # fmt: skip

    assert ack is not None and ack["response_action"] == "errors"
    assert list(ack["errors"]) == [field]
    assert 0 < len(ack["errors"][field]) <= 150
    assert counts(services) == (0, 0)
    assert slack_api.calls_to("chat.postMessage") == []


def test_the_form_refuses_a_mentee_who_is_not_the_submitters(
    app: App, services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    ack = submit(app, "U0MIA", "log_new", "", form_state(duration="45m", mentee=roster[BEA]))
    assert ack is not None and ack["response_action"] == "errors"
    assert list(ack["errors"]) == ["mentee"]
    assert counts(services) == (0, 0)
    assert slack_api.calls_to("chat.postMessage") == []


# ---- Undo ----------------------------------------------------------------------------------


def test_undo_replaces_the_reply_and_the_totals_drop(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    services.logs.log_text("U0LEE", "30m yesterday", NOW)
    reply = command(app, "45m observation", "U0LEE")
    undo = buttons(reply)[0]

    press_button(app, slack_api, "U0LEE", undo)

    (posted,) = responses(slack_api)
    assert posted["text"].startswith("Undone: ~45 min observation with Bea Beginner, Wed 18 Nov~ — this week now 30 min of 1 h")  # fmt: skip
    assert posted["replace_original"] is True and posted["response_type"] == "ephemeral"
    assert [e.minutes for e in live_entries(services)] == [30]
    hours = command(app, "", "U0LEE", "/hours")
    assert "this week 30 min of 1 h" in all_text(hours)


def test_a_forwarded_undo_button_is_refused(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    reply = command(app, "45m observation", "U0LEE")
    undo = buttons(reply)[0]

    press_button(app, slack_api, "U0MIA", undo)

    (posted,) = responses(slack_api)
    assert "Only the person who logged this entry" in posted["text"]
    assert not posted["text"].startswith("Undone")
    assert len(live_entries(services)) == 1
    assert counts(services) == (1, 1)


def test_undo_twice_says_it_was_already_undone(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    undo = buttons(command(app, "45m observation", "U0LEE"))[0]
    press_button(app, slack_api, "U0LEE", undo)
    press_button(app, slack_api, "U0LEE", undo)
    first, second = responses(slack_api)
    assert first["text"].startswith("Undone")
    assert "already undone" in second["text"]
    assert counts(services) == (1, 2)


# ---- Edit ----------------------------------------------------------------------------------


def test_edit_opens_the_prefilled_edit_form(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    reply = command(app, "1h30 observation yesterday unit 3 pacing", "U0LEE")
    edit = buttons(reply)[1]

    press_button(app, slack_api, "U0LEE", edit)

    (view,) = views_opened(slack_api)
    (row,) = live_entries(services)
    assert (view["callback_id"], view["private_metadata"]) == ("log_edit_submit", str(row.id))
    assert input_element(view, "duration")["initial_value"] == "1h30"
    assert input_element(view, "kind")["initial_option"]["value"] == "observation"
    assert input_element(view, "date")["initial_date"] == "2026-11-17"
    assert input_element(view, "notes")["initial_value"] == "unit 3 pacing"
    assert all(b.get("block_id") != "mentee" for b in view["blocks"])
    assert responses(slack_api) == []


def test_a_forwarded_edit_button_is_refused(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    edit = buttons(command(app, "45m observation private", "U0LEE"))[1]

    press_button(app, slack_api, "U0PAT", edit)

    assert views_opened(slack_api) == []
    (posted,) = responses(slack_api)
    assert "Only the person who logged this entry" in posted["text"]
    assert "private" not in all_text(posted)


def test_submitting_the_edit_form_changes_the_entry_and_dms_updated(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    command(app, "45m observation", "U0LEE")
    (row,) = live_entries(services)

    ack = submit(app, "U0LEE", "log_edit_submit", str(row.id), form_state(duration="1h", kind="planning", on="2026-11-17", notes="unit 4"))  # fmt: skip

    assert ack is None
    changed = entry(services, row.id)
    assert (changed.minutes, changed.kind, changed.occurred_on, changed.notes) == (60, "planning", date(2026, 11, 17), "unit 4")  # fmt: skip
    (dm,) = slack_api.calls_to("chat.postMessage")
    assert dm.params["channel"] == "U0LEE"
    assert dm.params["text"] == "Updated: 1 h planning with Bea Beginner, Tue 17 Nov — this week 1 h of 1 h target ✓, this year 1 h"  # fmt: skip
    assert counts(services) == (1, 2)


@pytest.mark.parametrize(
    ("user", "duration", "field"),
    [
        ("U0LEE", "soon", "duration"),
        ("U0LEE", "721", "duration"),
        ("U0MIA", "1h", "duration"),
    ],
)  # fmt: skip
def test_a_refused_edit_changes_nothing(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi,
    user: str, duration: str, field: str,
) -> None:  # fmt: skip
    command(app, "45m observation", "U0LEE")
    (row,) = live_entries(services)

    ack = submit(app, user, "log_edit_submit", str(row.id), form_state(duration=duration, kind="planning"))  # fmt: skip

    assert ack is not None and ack["response_action"] == "errors"
    assert list(ack["errors"]) == [field]
    unchanged = entry(services, row.id)
    assert (unchanged.minutes, unchanged.kind) == (45, "observation")
    assert counts(services) == (1, 1)
    assert slack_api.calls_to("chat.postMessage") == []


# ---- questions as buttons ------------------------------------------------------------------


def test_the_pick_mentee_buttons_log_when_pressed(
    app: App, services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    services.assignments.assign(None, "lee@hillside.example", NIA, date(2026, 10, 19), NOW)
    reply = command(app, "45m observation", "U0LEE")
    assert reply["text"].startswith("Who was it with?")
    choices = {b["text"]["text"]: b for b in buttons(reply)}
    assert set(choices) == {"Bea Beginner", "Nia New"}
    assert counts(services) == (0, 0)

    press_button(app, slack_api, "U0LEE", choices["Nia New"])

    (posted,) = responses(slack_api)
    assert posted["text"].startswith("Logged 45 min observation with Nia New, Wed 18 Nov")
    assert [(r.mentee_id, r.minutes, r.kind) for r in live_entries(services)] == [(roster[NIA], 45, "observation")]  # fmt: skip
    assert buttons(posted)[0]["action_id"] == "log_undo"


def test_a_forwarded_pick_mentee_button_is_refused(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    services.assignments.assign(None, "lee@hillside.example", NIA, date(2026, 10, 19), NOW)
    choices = {b["text"]["text"]: b for b in buttons(command(app, "45m", "U0LEE"))}

    press_button(app, slack_api, "U0MIA", choices["Nia New"])

    (posted,) = responses(slack_api)
    assert not posted["text"].startswith("Logged")
    assert counts(services) == (0, 0)


def test_the_pick_date_buttons_log_when_pressed(
    app: App, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    reply = command(app, "30m planning 11/9", "U0LEE")
    assert reply["text"].startswith("Which day did you mean?")
    choices = {b["text"]["text"]: b for b in buttons(reply)}
    assert set(choices) == {"Mon 9 Nov", "Fri 11 Sep"}

    press_button(app, slack_api, "U0LEE", choices["Fri 11 Sep"])

    (posted,) = responses(slack_api)
    assert posted["text"].startswith("Logged 30 min planning with Bea Beginner, Fri 11 Sep")
    assert [r.occurred_on for r in live_entries(services)] == [date(2026, 9, 11)]


# ---- confidentiality -----------------------------------------------------------------------


@pytest.fixture
def secret_note(app: App, services: Services, pairs: None) -> None:
    """Mia (Lincoln) logs a confidential note with Ike (Lincoln)."""
    reply = command(app, f"45m observation {SECRET} about classroom management", "U0MIA")
    assert reply["text"].startswith("Logged 45 min observation with Ike Incoming")
    (row,) = live_entries(services)
    assert row.notes is not None and SECRET in row.notes


@pytest.mark.parametrize("viewer", ["U0PAT", "U0LEE", "U0CORA", "U0IKE", "U0MAX"])
def test_notes_never_appear_in_hours(app: App, secret_note: None, viewer: str) -> None:
    for text in ("", "year", "month", "<@U0IKE>", "<@U0MIA>", "help"):
        reply = command(app, text, viewer, "/hours")
        assert SECRET not in json.dumps(reply), text


@pytest.mark.parametrize("viewer", ["U0PAT", "U0LEE", "U0CORA"])
def test_others_see_the_hours_but_not_the_notes(app: App, secret_note: None, viewer: str) -> None:
    reply = command(app, "<@U0IKE>", viewer, "/hours")
    shown = all_text(reply)
    assert "Ike Incoming" in shown and "45 min" in shown
    assert "classroom management" not in shown


@pytest.mark.parametrize(
    ("viewer", "sees_the_note"),
    [("U0PAT", False), ("U0LEE", False), ("U0CORA", False), ("U0MAX", False), ("U0BEA", False), ("U0MIA", True), ("U0IKE", True)],
)  # fmt: skip
def test_only_the_pair_sees_the_note_on_the_home_tab(
    app: App, secret_note: None, slack_api: FakeSlackApi, viewer: str, sees_the_note: bool
) -> None:
    before = len(slack_api.calls_to("views.publish"))
    assert open_home(app, SIGNING_SECRET, viewer) == 200
    call = slack_api.calls_to("views.publish")[before]
    assert call.params["user_id"] == viewer
    assert call.params["view"]["type"] == "home"
    assert (SECRET in json.dumps(call.params)) is sees_the_note


def export(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> tuple[int, str, str]:  # fmt: skip
    """`mentor-minutes export logs ARGS` against the test database: (exit code, out, err)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("MENTOR_MINUTES_NOW", raising=False)
    capsys.readouterr()
    code = cli.main(["export", "logs", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--format", "json"),
        ("--year", "2026-27"),
        ("--format", "json", "--as", "cora@hillside.example"),
    ],
)  # fmt: skip
def test_notes_never_appear_in_the_export_without_include_notes(
    secret_note: None, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any, args: tuple[str, ...],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code, out, _ = export(monkeypatch, capsys, db_url, *args)
    assert code == 0
    assert "ike@hillside.example" in out
    assert SECRET not in out and "notes" not in out


@pytest.mark.parametrize("as_email", [None, "lee@hillside.example", "pat@hillside.example", "mia@hillside.example", "nobody@hillside.example"])  # fmt: skip
def test_only_a_coordinator_may_export_notes(
    secret_note: None, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any, as_email: str | None,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    args = ["--include-notes"] + (["--as", as_email] if as_email else [])
    code, out, err = export(monkeypatch, capsys, db_url, *args)
    assert code == 1
    assert SECRET not in out and SECRET not in err
    assert out == ""


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_coordinator_exports_notes_on_request(
    secret_note: None, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any, fmt: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code, out, _ = export(monkeypatch, capsys, db_url, "--include-notes", "--as", "cora@hillside.example", "--format", fmt)  # fmt: skip
    assert code == 0
    rows = json.loads(out) if fmt == "json" else list(csv.DictReader(io.StringIO(out)))
    (row,) = rows
    assert list(row) == [*EXPORT_COLUMNS, "notes"]
    assert SECRET in row["notes"]


def test_notes_with_the_word_payload_are_logged_not_dropped(app: Any, services: Services, pairs: None) -> None:  # fmt: skip
    """Bolt took any form body containing "payload" for an interaction and dropped it."""
    reply = command(app, "45m payload review", "U0LEE")
    assert reply["text"].startswith("Logged 45 min meeting with Bea Beginner")
    (row,) = live_entries(services)
    assert row.notes == "payload review"
