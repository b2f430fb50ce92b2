"""Isolation between districts, tested like confidentiality (issue 21).

Two districts share one database and the same Slack user ids and emails: Hillside (team TA…)
and Riverside (team TB…, every name ending in "Rivers"). Each district's every surface is read
as each role — slash commands, Home, the CLI's exports and reports — before and after the other
district acts; nothing may change, and nothing of the other district may appear. Every button
the other district's people were shown is then pressed from this district, signed: it reaches
nothing. The jobs' DMs go to each district with its own client and say only its own, and so do
their emails.

The surfaces × roles read here are listed in SURFACES (the closing note of issue 21 quotes it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.bootstrap import Services, build_services
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.policy import parse_program_toml
from bot.services.tenants import Tenant
from bot.store.models.core import LogEntry, Person
from bot.web.app import create_app
from schedules.jobs import JOBS, run_job
from tests.support.bolt_requests import all_text, event_body
from tests.support.cli import Cli
from tests.support.hillside import PAID_TOML, SIGNING_SECRET
from tests.support.scheduler import at
from tests.support.signing import (
    block_action_body,
    signed_headers,
    slash_command_body,
    view_submission_body,
)
from tests.support.slack_api import FakeSlackApi
from tests.support.smtp import SmtpServer, parts
from tests.support.tenants import TEAM_A, TEAM_B, TwoDistricts, two_districts

ROLES = {
    "coordinator": "U0CORA",
    "lead_mentor": "U0LEE",
    "mentor": "U0MIA",
    "mentee": "U0BEA",
    "evaluator": "U0PAT",
}
HILLSIDE_NAMES = (
    "Cora Coordinator", "Lee Lead", "Mia Mentor", "Max Mentor", "Bea Beginner", "Ike Incoming",
    "Bo Beginner", "Nia New", "Pat Principal",
)  # fmt: skip
# What only Riverside has: its names, its program, its notes and reasons (Hillside's own say
# HILLSIDE-…). Hillside's names are inside Riverside's ("Lee Lead Rivers"), so those are
# matched only when "Rivers" does not follow.
RIVERSIDE = re.compile(r"Rivers|RIVERSIDE")
HILLSIDE = re.compile(
    r"Hillside|HILLSIDE|(?:" + "|".join(HILLSIDE_NAMES) + r")(?! Rivers)"
)  # fmt: skip

# Every surface read for each role (slash commands, Home) and once (the CLI's exports).
SLASH_FOR_EVERYONE = (
    ("/hours", ""),
    ("/hours", "month"),
    ("/hours", "month october"),
    ("/hours", "year"),
    ("/induction", "help"),
    ("/induction", "status"),
)
SLASH_FOR_COORDINATORS = (
    ("/hours", "pay"),
    ("/hours", "pay october"),
    ("/induction", "requests"),
    ("/induction", "report"),
    ("/induction", "status <@U0BEA>"),
    ("/induction", "signoff 2026-10"),
)
CLI_SURFACES = (
    ("program", "show"),
    ("export", "logs"),
    ("export", "pay", "--month", "2026-11"),
    ("export", "pay", "--month", "2026-10"),
    *(("export", "record", email) for email in ("bea@hillside.example", "ike@hillside.example")),
    ("export", "record", "bo@hillside.example", "--format", "json"),
    ("report", "annual", "--format", "json"),
    ("report", "annual", "--format", "csv"),
    ("report", "annual", "--format", "md"),
    ("survey", "list"),
    ("survey", "results", "midyear"),
    ("event", "list"),
    ("partnership", "list"),
    ("year", "list"),
    ("ledger", "verify"),
    ("forget", "bea@hillside.example", "--dry-run"),
)
SURFACES = (
    [f"{name} {text} × {role}" for name, text in SLASH_FOR_EVERYONE for role in ROLES]
    + [f"{name} {text} × coordinator" for name, text in SLASH_FOR_COORDINATORS]
    + [f"Home × {role}" for role in ROLES]
    + [" ".join(args) for args in CLI_SURFACES]
    + ["export all (every file)"]
)


SURVEY = """
[[surveys]]
name = "midyear"
title = "Mid-year check-in"
audience = "both"
send_on = [2026-11-23]
close_after_school_days = 10
questions = ["My mentor meetings help my teaching."]
comment = true
"""
HILLSIDE_TOML = PAID_TOML + SURVEY  # paid, and a survey: pay and survey surfaces have rows
RIVERSIDE_TOML = HILLSIDE_TOML.replace("Hillside Public Schools", "Riverside Public Schools")
SECONDS = re.compile(r"\(\d+\.\d+ s\)")  # how long `ledger verify` took


class District:
    """One district as Slack and its coordinator see it: signed requests with its team id into
    the one app, and the CLI with --team."""

    def __init__(self, app: App, slack_api: FakeSlackApi, cli: Cli, team: str) -> None:
        self.app, self.slack_api, self.cli, self.team = app, slack_api, cli, team
        self.shown: list[dict[str, Any]] = []  # every payload this district's people were shown

    def _dispatch(self, body: str, content_type: str | None = None) -> dict[str, Any]:
        headers = signed_headers(SIGNING_SECRET, body)
        if content_type:
            headers["Content-Type"] = content_type
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        assert response.status == 200, (response.status, response.body)
        payload = json.loads(response.body) if response.body else {}
        self.shown.append(payload)
        return payload

    def slash(self, name: str, text: str, user: str) -> str:
        """The ephemeral reply's text and blocks."""
        reply = self._dispatch(slash_command_body(name, text, user, team_id=self.team))
        return all_text(reply)

    def home(self, user: str) -> str:
        """The Home tab the app publishes when `user` opens it."""
        before = len(self.slack_api.calls_to("views.publish"))
        event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
        self._dispatch(event_body(event, team_id=self.team), "application/json")
        published = self.slack_api.calls_to("views.publish")[before:]
        assert [c.params["user_id"] for c in published] == [user]
        self.shown.append(published[-1].params)
        return all_text(published[-1].params["view"])

    def press(self, user: str, action_id: str, value: str) -> str:
        """A signed press of a button (as if on a message); everything the app answered."""
        before = len(self.slack_api.calls)
        body = block_action_body(
            user, action_id, value, team_id=self.team, response_url=self.slack_api.response_url
        )
        ack = self._dispatch(body)
        return all_text([ack, *(c.params for c in self.slack_api.calls[before:])])

    def submit(self, user: str, view: dict[str, Any], text: str = "x") -> str:
        """A signed Submit of a modal the app opened (its callback and metadata as opened; a
        blank text box filled with `text`)."""
        before = len(self.slack_api.calls)
        body = view_submission_body(
            user, view["callback_id"], view.get("private_metadata", ""), filled(view, text),
            team_id=self.team,
        )  # fmt: skip
        ack = self._dispatch(body)
        return all_text([ack, *(c.params for c in self.slack_api.calls[before:])])

    def opened(self) -> list[dict[str, Any]]:
        """Every form the app has opened so far (views.open), on any workspace."""
        views = [c.params["view"] for c in self.slack_api.calls_to("views.open")]
        views = [json.loads(v) if isinstance(v, str) else v for v in views]
        return [v for v in views if "callback_id" in v]  # a refusal's modal has no Submit

    def run(self, *args: str) -> str:
        """A CLI command for this district: its exit code and output."""
        result = self.cli(*args, "--team", self.team)
        return SECONDS.sub("(… s)", f"exit {result.code}\n{result.out}\n{result.err}")

    def export_all(self, out: Path) -> str:
        """`export all --team` into a new directory: every file's name and content."""
        assert self.cli("export", "all", "--out", str(out), "--team", self.team).code == 0
        files = sorted(p for p in out.rglob("*") if p.is_file())
        assert files
        return "\n".join(f"== {p.relative_to(out)}\n{p.read_text(encoding='utf-8')}" for p in files)

    def surfaces(self, tmp: Path) -> dict[str, str]:
        """Every surface × role, as text."""
        seen: dict[str, str] = {}
        for name, text in SLASH_FOR_EVERYONE:
            for role, user in ROLES.items():
                seen[f"{name} {text} × {role}"] = self.slash(name, text, user)
        for name, text in SLASH_FOR_COORDINATORS:
            seen[f"{name} {text} × coordinator"] = self.slash(name, text, ROLES["coordinator"])
        for role, user in ROLES.items():
            seen[f"Home × {role}"] = self.home(user)
        for args in CLI_SURFACES:
            seen[" ".join(args)] = self.run(*args)
        seen["export all (every file)"] = self.export_all(tmp)
        assert sorted(seen) == sorted(SURFACES)
        return seen

    def act(self, marker: str) -> None:
        """A morning of the district's work through Slack, its notes and reasons marked."""
        for user, line in (
            ("U0LEE", f"47m observation {marker}-NOTE-1"),
            ("U0MIA", f"2h planning <@U0IKE> {marker}-NOTE-2"),
            ("U0MAX", f"35m meeting yesterday {marker}-NOTE-3"),
        ):
            assert "Logged" in self.slash("/logmeeting", line, user)
        self.slash("/induction", f"change <@U0LEE> {marker}-REASON", "U0BEA")
        self.slash("/induction", "done orientation <@U0NIA>", "U0CORA")
        self.slash("/induction", "assign <@U0LEE> <@U0NIA>", "U0CORA")


def buttons(payloads: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """Every (action_id, value) of a button anywhere in the payloads."""
    stack: list[Any] = list(payloads)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "button" and "action_id" in item:
                yield str(item["action_id"]), str(item.get("value", ""))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item[:1] in "[{":  # blocks sent form-encoded, as JSON
            try:
                stack.append(json.loads(item))
            except ValueError:
                continue


def filled(view: dict[str, Any], text: str = "x") -> dict[str, Any]:
    """A modal's state as Slack would send it on Submit: each input at its initial value (a
    select at its first option, a blank text `text`)."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        element = block.get("element") if block.get("type") == "input" else None
        if not element:
            continue
        kind = element["type"]
        if kind == "plain_text_input":
            state = {"value": element.get("initial_value") or text}
        elif kind in ("static_select", "radio_buttons"):
            option = element.get("initial_option") or (element.get("options") or [{}])[0]
            state = {"selected_option": option}
        elif kind == "datepicker":
            state = {"selected_date": element.get("initial_date") or "2026-11-18"}
        elif kind == "checkboxes":
            state = {"selected_options": element.get("initial_options") or []}
        else:
            state = {}
        values[block["block_id"]] = {element["action_id"]: {"type": kind, **state}}
    return values


def leaks(pattern: re.Pattern[str], seen: dict[str, str]) -> dict[str, list[str]]:
    """The surfaces where the other district shows, and what of it."""
    found = {name: sorted(set(pattern.findall(text))) for name, text in seen.items()}
    return {name: hits for name, hits in found.items() if hits}


@pytest.fixture
def districts(
    settings: Settings, services: Services, slack_api: FakeSlackApi, cli: Cli
) -> tuple[TwoDistricts, District, District]:
    world = two_districts(services)
    for district, toml in ((world.hillside, HILLSIDE_TOML), (world.riverside, RIVERSIDE_TOML)):
        district.programs.load(parse_program_toml(toml))
    app = create_app(settings, services, process_before_response=True, tenants=world.tenants)
    return (
        world,
        District(app, slack_api, cli, TEAM_A),
        District(app, slack_api, cli, TEAM_B),
    )


def _notes(services: Services, program_id: int) -> list[tuple[int, str | None, Any]]:
    with services.store.read() as session:
        rows = session.execute(
            select(LogEntry.minutes, LogEntry.notes, LogEntry.deleted_at)
            .where(LogEntry.program_id == program_id)
            .order_by(LogEntry.id)
        ).all()
    return [tuple(row) for row in rows]


def test_what_one_district_does_changes_nothing_the_other_sees(
    districts: tuple[TwoDistricts, District, District], tmp_path: Path
) -> None:
    _, hill, river = districts
    hill.act("HILLSIDE")
    before = hill.surfaces(tmp_path / "before")
    river.act("RIVERSIDE")
    after = hill.surfaces(tmp_path / "after")
    changed = {
        name: (before[name], after[name]) for name in SURFACES if before[name] != after[name]
    }
    assert changed == {}
    assert leaks(RIVERSIDE, after) == {}
    assert (
        "HILLSIDE-NOTE-1" in after["export all (every file)"]
    )  # the district's own notes are there
    theirs = river.surfaces(tmp_path / "river")
    assert leaks(HILLSIDE, theirs) == {}
    assert "RIVERSIDE-NOTE-1" in theirs["export all (every file)"]


def test_a_button_or_form_from_the_other_district_reaches_nothing(
    districts: tuple[TwoDistricts, District, District],
    services: Services,
    clock: FixedClock,
    slack_api: FakeSlackApi,
    tmp_path: Path,
) -> None:
    world, hill, river = districts
    hill.act("HILLSIDE")
    river.act("RIVERSIDE")
    # Everything Riverside's people were shown: replies, Homes, and the jobs' DMs.
    for user in ROLES.values():
        river.home(user)
    dms = WebClient(token="xoxb-river", base_url=slack_api.url)
    before = len(slack_api.calls)
    for now in JOB_TIMES:
        for name in JOBS:
            run_job(world.riverside, name, now, dms, sleep=lambda _: None)
    river.shown.extend(c.params for c in slack_api.calls[before:])
    clock.set(at("2026-11-24", 10, 0))  # the survey is open; the week's entries still editable
    pressed = sorted(set(buttons(river.shown)))
    kinds = {action_id for action_id, _ in pressed}
    assert {"log_undo", "log_edit"} <= kinds, kinds
    # Riverside opens its own forms (Edit, Flag, Answer, Request …): their metadata name its
    # rows. Then Riverside fills them in, its text marked.
    for action_id, value in pressed:
        if action_id != "log_undo":
            for user in ROLES.values():
                river.press(user, action_id, value)
    forms = river.opened()
    callbacks = {form["callback_id"] for form in forms}
    assert {"log_edit_submit", "entry_flag_submit", "survey_submit"} <= callbacks, callbacks
    hill_before = hill.surfaces(tmp_path / "before")
    own = all_text(
        [river.submit(user, form, "RIVERSIDE-FORM") for form in forms for user in ROLES.values()]
    )
    assert all(done in own for done in ("You flagged", "Request sent", "Thank you", "Updated")), own
    river_notes = _notes(services, world.riverside.programs.current().id)
    river_before = river.surfaces(tmp_path / "river-before")
    answers = {
        f"{action_id}={value} by {user}": hill.press(user, action_id, value)
        for action_id, value in pressed
        for user in ROLES.values()
    } | {
        f"submit {form['callback_id']} {form.get('private_metadata', '')} by {user}": hill.submit(
            user, form
        )
        for form in forms
        for user in ROLES.values()
    }
    assert _notes(services, world.riverside.programs.current().id) == river_notes
    assert {key: hits for key, text in answers.items() if (hits := RIVERSIDE.findall(text))} == {}
    hill_after = hill.surfaces(tmp_path / "after")
    assert [name for name in SURFACES if hill_before[name] != hill_after[name]] == []
    river_after = river.surfaces(tmp_path / "river-after")
    assert [name for name in SURFACES if river_before[name] != river_after[name]] == []


def test_a_workspace_with_no_program_reaches_nothing(
    districts: tuple[TwoDistricts, District, District],
    services: Services,
    slack_api: FakeSlackApi,
    tmp_path: Path,
) -> None:
    world, hill, _ = districts
    hill.act("HILLSIDE")
    for user in ROLES.values():
        hill.home(user)
    before = hill.surfaces(tmp_path / "before")
    notes = _notes(services, world.hillside.programs.current().id)
    forged = District(hill.app, slack_api, hill.cli, "TFORGED")  # signed, from another workspace
    for name, text in (*SLASH_FOR_EVERYONE, *SLASH_FOR_COORDINATORS, ("/logmeeting", "45m")):
        for user in ROLES.values():
            assert "isn't set up for this workspace" in forged.slash(name, text, user)
    published = len(slack_api.calls_to("views.publish"))
    for user in ROLES.values():
        event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
        forged._dispatch(event_body(event, team_id="TFORGED"), "application/json")
    assert len(slack_api.calls_to("views.publish")) == published
    calls = len(slack_api.calls)
    shown = sorted(set(buttons(hill.shown)))
    assert len(shown) >= 5, shown
    for action_id, value in shown:
        for user in ROLES.values():
            body = block_action_body(user, action_id, value, team_id="TFORGED")
            assert forged._dispatch(body) == {}
    assert len(slack_api.calls) == calls  # no answer, no DM, no form
    assert _notes(services, world.hillside.programs.current().id) == notes
    after = hill.surfaces(tmp_path / "after")
    assert [name for name in SURFACES if before[name] != after[name]] == []


class PerTeam:
    """A ClientSource: each workspace's own fake Slack and token."""

    def __init__(self, fakes: dict[str, FakeSlackApi]) -> None:
        self.fakes = fakes

    def client_for(self, tenant: Tenant | None) -> WebClient | None:
        assert tenant is not None and tenant.team_id is not None
        fake = self.fakes[tenant.team_id]
        return WebClient(token=f"xoxb-{tenant.team_id}", base_url=fake.url)


JOB_TIMES = (
    at("2026-11-03"),  # the overdue-assignment alert and a late digest
    at("2026-11-23", 8, 0),  # Monday: the weekly digest
    at("2026-12-01", 8, 0),  # the first school day of a month: the monthly summary
    at("2026-12-04", 9, 0),  # contact nudges after days without contact
)


def test_each_districts_jobs_say_only_its_own_with_its_own_token(
    districts: tuple[TwoDistricts, District, District],
) -> None:
    world, hill, river = districts
    hill.act("HILLSIDE")
    river.act("RIVERSIDE")
    with FakeSlackApi() as fake_a, FakeSlackApi() as fake_b:
        fakes = {TEAM_A: fake_a, TEAM_B: fake_b}
        clients = PerTeam(fakes)
        for now in JOB_TIMES:
            for district in (world.hillside, world.riverside):
                tenant = world.tenants.tenant_for(None, team_of(world, district))
                client = clients.client_for(tenant)
                assert client is not None
                for name in JOBS:
                    run_job(district, name, now, client, sleep=lambda _: None)
        sent_a = all_text([c.params for c in fake_a.calls])
        sent_b = all_text([c.params for c in fake_b.calls])
        assert fake_a.calls_to("chat.postMessage") and fake_b.calls_to("chat.postMessage")
        assert {c.token for c in fake_a.calls} == {f"xoxb-{TEAM_A}"}
        assert {c.token for c in fake_b.calls} == {f"xoxb-{TEAM_B}"}
        assert RIVERSIDE.findall(sent_a) == []
        assert HILLSIDE.findall(sent_b) == []
        assert "NOTE" not in sent_a + sent_b  # DMs carry hours and counts, never notes


def team_of(world: TwoDistricts, district: Services) -> str:
    return TEAM_A if district is world.hillside else TEAM_B


def test_each_districts_email_says_only_its_own(
    settings: Settings, services: Services, clock: FixedClock
) -> None:
    with SmtpServer() as smtp:
        mailing = build_services(settings, clock=clock, mailer=smtp.mailer())  # type: ignore[arg-type]
        try:
            world = two_districts(mailing)
            with mailing.store.write() as session:  # everyone by Slack and by email
                session.execute(update(Person).values(notify="both"))
            with FakeSlackApi() as fake_a, FakeSlackApi() as fake_b:
                clients = PerTeam({TEAM_A: fake_a, TEAM_B: fake_b})
                for now in JOB_TIMES:
                    for district in (world.hillside, world.riverside):
                        client = clients.client_for(
                            world.tenants.tenant_for(None, team_of(world, district))
                        )
                        assert client is not None
                        for name in JOBS:
                            run_job(district, name, now, client, sleep=lambda _: None)
        finally:
            mailing.close()
        mails = ["\n".join((str(m["Subject"]), *parts(m))) for m in smtp.sink.messages]
    rivers = [m for m in mails if RIVERSIDE.search(m)]
    hills = [m for m in mails if HILLSIDE.search(m)]
    assert rivers and hills
    assert [m for m in rivers if HILLSIDE.search(m)] == []
    assert len(rivers) + len(hills) == len(mails)  # each email is one district's
