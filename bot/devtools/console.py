"""The console: the real app, handlers and store, driven line by line with no Slack.

A line is a slash command as typed in Slack, or `:as EMAIL`, `:time ISO8601`, `:run JOB`,
`:press N`, `:home`, `:who`, `:help`, `:quit`. Requests are signed and dispatched into the
Bolt app as Slack would send them; Web API calls go to an in-process stand-in and are shown.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import shlex
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any, TextIO
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.config import Settings
from bot.devtools.slack_standin import RESPONSE_URL_METHOD, FakeSlackApi
from bot.domain.formatting import format_day_long
from bot.domain.members import Member
from bot.slack.render import render_message
from bot.web.app import create_app
from schedules.jobs import JobError, review_command, run_job

FORM = "application/x-www-form-urlencoded"
TAGS = "abcdefghijklmnopqrstuvwxyz"  # messages with buttons are tagged a, b, … (then a again)
PRESS = re.compile(r"^([a-z])?\s*(\d+)$")
HANDLE = re.compile(r"(?<![<\w])@([A-Za-z][\w.\-]*)")
TEAM_ID = "T0CONSOLE"
HELP = """\
Type a slash command as in Slack, e.g. /hours, /hours month, /induction status,
/induction assign @marco @bea. Mentions: @ + first name or email name.
Console commands:
  :as EMAIL|NAME   act as another person        :who     list the people
  :time ISO8601    set the clock (with offset)  :home    open your Home tab
  :run JOB         run a scheduled job now      :press N press button N of the last message
  :press bN        press button N of the message tagged b (any recent output; DMs as their
                   recipient would)
  :submit f=v ...  fill and submit the open form, e.g. :submit duration=45m kind=planning
  :review [resend|drop ID]  DMs held for review (delivery unknown): list, resend or drop one
  :help            this help                    :quit    leave (also Ctrl-D)"""


class ConsoleMailer:
    """The console's mail server: keeps each email as it would be sent, for the console to
    print (`build_services(settings, mailer=ConsoleMailer())`)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        """Keep the message; the console prints it with the job's other output."""
        self.sent.append(message)


def email_lines(message: EmailMessage) -> list[str]:
    """An email as it would be sent: its headers, its plain-text part, its HTML part's size."""
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject") if message[name]]
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    lines.append("")
    if text is not None:
        lines += str(text.get_content()).rstrip("\n").splitlines()
    if html is not None:
        size = len(str(html.get_content()))
        lines += ["", f"(and the same as HTML: text/html, {size} characters)"]
    return lines


class Console:
    """One console session over a Bolt app built by the real factory."""

    def __init__(self, settings: Settings, services: Services, out: TextIO) -> None:
        self.services = services
        self.out = out
        self.secret = secrets.token_hex(16)
        self.slack = FakeSlackApi().start()
        self.seen_calls = 0
        self.views = itertools.count(1)  # each form submitted is a view of its own, as in Slack
        self.client = WebClient(token="xoxb-console", base_url=self.slack.url)
        self.app: App = create_app(
            settings,
            services,
            client=self.client,
            process_before_response=True,
            signing_secret=self.secret,
            one_program=True,  # the console is one program's, whichever
        )
        self.verifier = SignatureVerifier(self.secret)
        self.me: Member | None = None
        # Each message with buttons, by its tag: (its buttons, the Slack id of who saw it — a
        # DM's recipient, else whoever the console acted as then).
        self.tagged: dict[str, tuple[list[dict[str, Any]], str | None]] = {}
        self.presser: str | None = None  # who pressed last: a form it opens is theirs
        self.form_user: str | None = None
        self.latest_tag: str | None = None
        self.on_home: set[str] = set()
        self.pressed_tag: str | None = None  # tags of Home tabs shown (their buttons are on a view)
        self.shown_with_buttons = 0
        self.last_view: dict[str, Any] | None = None
        program = services.programs.current()
        self.program = program
        with services.store.read() as session:
            self.people = services.people.all_members(session, program)
        self.names = {m.slack_user_id: m.name for m in self.people if m.slack_user_id}
        for member in self.people:
            if member.slack_user_id:
                self.slack.add_user(member.email, member.slack_user_id, member.name)
        self.handles = services.people.handles(program)

    def close(self) -> None:
        """Stop the Web API stand-in."""
        self.slack.stop()

    # ---- output -------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        """Print a line."""
        print(text, file=self.out, flush=True)

    def show(self, title: str, payload: dict[str, Any], recipient: str | None = None) -> None:
        """Print a titled message rendered from its Block Kit payload. Its buttons are numbered
        from 1 and the message tagged, so `:press N` and `:press tagN` find them later."""
        buttons: list[dict[str, Any]] = []
        lines = render_message(payload, self.names, buttons)
        if buttons:
            tag = TAGS[self.shown_with_buttons % len(TAGS)]
            self.shown_with_buttons += 1
            viewer = recipient or (self.me.slack_user_id if self.me else None)
            self.tagged[tag] = (buttons, viewer)
            self.on_home.discard(tag)
            if payload.get("type") == "home":  # pressed there: no response_url, as in Slack
                self.on_home.add(tag)
            self.latest_tag = tag
            span = f"{tag}1" if len(buttons) == 1 else f"{tag}1–{tag}{len(buttons)}"
            title = f"{title} · :press {span}"
        self.say(f"┌─ {title}")
        for line in lines:
            self.say(f"│ {line}")
        self.say("└─")

    # ---- identity and time --------------------------------------------------------------
    def act_as(self, who: str) -> None:
        """Switch to the person with this email, Slack id or name."""
        key = who.strip().lower()
        for member in self.people:
            names = {member.email, member.name.lower(), member.name.split()[0].lower()}
            if key in names or key == (member.slack_user_id or "").lower():
                if not member.slack_user_id:
                    self.say(f"{member.name} has no Slack id in the roster; pick someone else.")
                    return
                self.me = member
                roles = ", ".join(sorted(member.roles)) or "no role"
                self.say(f"Now acting as {member.name} <{member.email}> ({roles}).")
                return
        self.say(f"Nobody called {who!r} here. Type :who for the people.")

    def set_time(self, text: str) -> None:
        """Freeze the clock at an ISO 8601 instant with an offset."""
        try:
            instant = datetime.fromisoformat(text.strip())
        except ValueError:
            self.say("Expected ISO 8601 with an offset, e.g. :time 2026-11-18T10:00:00-05:00")
            return
        if instant.tzinfo is None:
            self.say("Add an offset, e.g. :time 2026-11-18T10:00:00-05:00")
            return
        if isinstance(self.services.clock, FixedClock):
            self.services.clock.set(instant)
        else:
            self.services.clock = FixedClock(instant)
        self.say(f"Clock set to {self._now_text()}.")

    def _now_text(self) -> str:
        local = self.services.clock.now().astimezone(self.program.tz)
        return f"{format_day_long(local.date())} {local:%H:%M %Z}"

    # ---- requests into the app ----------------------------------------------------------
    def _dispatch(self, body: str, content_type: str) -> dict[str, Any]:
        timestamp = str(int(time.time()))
        headers: dict[str, str | Sequence[str]] = {
            "content-type": [content_type],
            "x-slack-request-timestamp": [timestamp],
            "x-slack-signature": [
                self.verifier.generate_signature(timestamp=timestamp, body=body) or ""
            ],
        }
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        if response.status != 200:
            self.say(f"(Slack would show an error: HTTP {response.status} {response.body})")
            return {}
        if not response.body:
            return {}
        try:
            parsed = json.loads(response.body)
        except ValueError:
            return {"text": response.body}
        return parsed if isinstance(parsed, dict) else {}

    def escape_mentions(self, text: str) -> str:
        """Turn @handles into Slack's escaped mentions, as Slack does with should_escape."""

        def replace(match: re.Match[str]) -> str:
            user_id = self.handles.get(match.group(1).lower())
            return f"<@{user_id}|{match.group(1)}>" if user_id else match.group(0)

        return HANDLE.sub(replace, text)

    def command(self, line: str) -> None:
        """Send a slash command as the current person and show what Slack would."""
        assert self.me is not None and self.me.slack_user_id is not None
        name, _, text = line.partition(" ")
        body = urlencode(
            {
                "token": "console",
                "team_id": TEAM_ID,
                "team_domain": "console",
                "channel_id": "C0CONSOLE",
                "channel_name": "console",
                "user_id": self.me.slack_user_id,
                "user_name": self.me.email.split("@")[0],
                "command": name,
                "text": self.escape_mentions(text.strip()),
                "api_app_id": "A0CONSOLE",
                "response_url": self.slack.response_url,
                "trigger_id": f"console.{int(time.time())}",
            }
        )
        self.presser = self.me.slack_user_id
        reply = self._dispatch(body, FORM)
        if reply.get("text") or reply.get("blocks"):
            self.show("reply (only you can see this)", reply)
        self.show_calls()

    def _button(self, text: str) -> tuple[dict[str, Any], str | None] | None:
        """The button `N` (of the latest message with buttons) or `tagN` names, and who presses
        it; None after saying why there is none."""
        match = PRESS.match(text.strip().lower())
        tag = (match.group(1) if match else None) or self.latest_tag
        if match is None or tag is None or tag not in self.tagged:
            known = ", ".join(sorted(self.tagged)) or "none yet"
            self.say(
                f"No button {text.strip()!r}. Write :press N for the last message's button N, "
                f"or :press bN for message b's (messages with buttons: {known})."
            )
            return None
        buttons, recipient = self.tagged[tag]
        self.pressed_tag = tag
        number = int(match.group(2))
        if not 1 <= number <= len(buttons):
            has = (
                f"one button, {tag}1"
                if len(buttons) == 1
                else f"buttons {tag}1–{tag}{len(buttons)}"
            )
            self.say(f"Message {tag} has {has}; no {tag}{number}.")
            return None
        return buttons[number - 1], recipient

    def press(self, text: str) -> None:
        """Press a numbered button of a recent message; a DM's button as its recipient would."""
        assert self.me is not None
        found = self._button(text)
        if found is None:
            return
        element, recipient = found
        presser = recipient or str(self.me.slack_user_id)
        if presser != self.me.slack_user_id:
            self.say(f"(pressed as {self.names.get(presser, presser)}, who was shown that message)")
        self.presser = presser
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "console"},
            "user": {"id": presser, "team_id": TEAM_ID},
            "api_app_id": "A0CONSOLE",
            "trigger_id": f"console.{int(time.time())}",
            "response_url": self.slack.response_url,
            "container": {"type": "message", "message_ts": "1.0", "channel_id": "C0CONSOLE"},
            "channel": {"id": "C0CONSOLE"},
            "actions": [
                {
                    "type": "button",
                    "action_id": element["action_id"],
                    "block_id": "console",
                    "value": element.get("value", ""),
                    "action_ts": str(time.time()),
                }
            ],
        }
        if self.pressed_tag in self.on_home:  # a Home button: a view container, no response_url
            del payload["response_url"], payload["channel"]
            payload["container"] = {"type": "view", "view_id": "VHOME"}
            payload["view"] = {"id": "VHOME", "type": "home"}
        body = urlencode({"payload": json.dumps(payload)})
        reply = self._dispatch(body, FORM)
        if reply.get("text") or reply.get("blocks"):
            self.show("reply", reply, recipient=presser)
        self.show_calls()
        self.presser = self.me.slack_user_id

    def submit(self, text: str) -> None:
        """Fill and submit the open form: `:submit duration=45m kind=observation notes="…"`."""
        assert self.me is not None
        view = self.last_view
        if view is None:
            self.say("No form is open.")
            return
        try:
            given = dict(part.split("=", 1) for part in shlex.split(text))
        except ValueError:
            self.say('Write fields as name=value, e.g. :submit duration=45m notes="unit 3"')
            return
        state: dict[str, Any] = {}
        for block in view.get("blocks", []):
            if block.get("type") == "input":
                state[block["block_id"]] = _field_state(block, given.pop(block["block_id"], None))
        if given:
            self.say(f"(ignored unknown fields: {', '.join(given)})")
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "console"},
            "user": {"id": self.form_user or self.me.slack_user_id, "team_id": TEAM_ID},
            "api_app_id": "A0CONSOLE",
            "trigger_id": f"console.{int(time.time())}",
            "view": {**view, "id": f"VCONSOLE{next(self.views)}", "state": {"values": state}},
        }
        reply = self._dispatch(urlencode({"payload": json.dumps(payload)}), FORM)
        if reply.get("response_action") == "errors":
            for field, problem in reply.get("errors", {}).items():
                self.say(f"│ form error in {field}: {problem}")
        elif reply.get("response_action") == "update":  # the form now says what happened
            view = reply.get("view") or {}
            self.last_view = None
            self.show(f"modal: {(view.get('title') or {}).get('text', '')}", view)
        else:
            self.last_view = None
            self.say("(form closed)")
        self.show_calls()

    def home(self) -> None:
        """Open the Home tab (an app_home_opened event)."""
        assert self.me is not None
        event = {
            "token": "console",
            "team_id": TEAM_ID,
            "api_app_id": "A0CONSOLE",
            "type": "event_callback",
            "event_id": f"Ev{int(time.time() * 1000)}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": self.me.slack_user_id,
                "channel": "D0CONSOLE",
                "tab": "home",
                "event_ts": str(time.time()),
            },
        }
        self.presser = self.me.slack_user_id
        self._dispatch(json.dumps(event), "application/json")
        self.show_calls()

    def show_emails(self) -> None:
        """Print the emails sent since the last look, as they would be sent."""
        mailer = self.services.mailer
        if not isinstance(mailer, ConsoleMailer):
            return
        while mailer.sent:
            message = mailer.sent.pop(0)
            self.say(f"┌─ email to {message['To']}")
            for line in email_lines(message):
                self.say(f"│ {line}" if line else "│")
            self.say("└─")

    def show_calls(self) -> None:
        """Show the Web API calls made since the last look: DMs, modals, the Home tab."""
        calls = self.slack.calls[self.seen_calls :]
        self.seen_calls += len(calls)
        for call in calls:
            method, args = call.method, call.params
            if method == RESPONSE_URL_METHOD:
                self.show("reply (only you can see this)", args, recipient=self.presser)
            elif method == "chat.postMessage":
                channel = str(args.get("channel", ""))
                user_id = (
                    channel.removeprefix("D")
                    if channel.removeprefix("D") in self.names
                    else channel
                )
                self.show(f"DM to {self.names.get(user_id, channel)}", args, recipient=user_id)
            elif method == "chat.postEphemeral":
                self.show("reply (only you can see this)", args)
            elif method in ("views.open", "views.push", "views.update"):
                view = args.get("view") or {}
                if isinstance(view, str):
                    view = json.loads(view)
                self.last_view = view if view.get("submit") else None  # a form to fill in
                self.form_user = self.presser
                title = (view.get("title") or {}).get("text", "")
                self.show(f"modal: {title}", view)
            elif method == "views.publish":
                view = args.get("view") or {}
                if isinstance(view, str):
                    view = json.loads(view)
                self.show("Home tab", view)

    # ---- the loop -----------------------------------------------------------------------
    def run(self, lines: Iterable[str], interactive: bool) -> int:
        """Read lines until :quit or end of input."""
        self.say(f"Mentor Minutes console — {self.program.name} ({self.program.school_year})")
        self.say(f"Clock: {self._now_text()}. Type :help for help, :quit to leave.")
        if self.me is None:
            self.act_as(_default_person(self.people))
        for raw in lines:
            line = raw.strip()
            if interactive is False and line:
                self.say(f"> {line}")
            if not line or line.startswith("#"):
                continue
            if line in (":quit", ":q", ":exit"):
                break
            self.handle(line)
        return 0

    def handle(self, line: str) -> None:
        """One console line."""
        word, _, rest = line.partition(" ")
        if word == ":help":
            self.say(HELP)
        elif word == ":as":
            self.act_as(rest)
        elif word == ":time":
            self.set_time(rest)
        elif word == ":who":
            for member in self.people:
                roles = ", ".join(sorted(member.roles)) or "-"
                self.say(f"  {member.email:<38} {member.name:<22} {roles}")
        elif word == ":home":
            self.home()
        elif word == ":press":
            self.press(rest)
        elif word == ":submit":
            self.submit(rest)
        elif word == ":run":
            self.run_job(rest.strip())
        elif word == ":review":
            assert self.me is not None
            self.say(review_command(self.services, rest, self.services.clock.now(), self.me))
        elif line.startswith("/"):
            self.command(line)
        elif word.startswith(":"):
            self.say(f"Unknown console command {word}; type :help for the list.")
        else:
            self.say("Start with / for a slash command or : for a console command (:help).")

    def run_job(self, name: str) -> None:
        """Run a scheduled job now and show what it sent."""
        try:
            summary = run_job(self.services, name, self.services.clock.now(), self.client)
        except JobError as exc:
            self.say(str(exc))
            return
        self.say(summary)
        self.show_calls()
        self.show_emails()


def _field_state(block: dict[str, Any], given: str | None) -> dict[str, Any]:
    """A form field's submitted state: the given value, else what the form was prefilled with."""
    element = block.get("element", {})
    kind, action_id = element.get("type"), element.get("action_id", "value")
    if kind == "static_select":
        chosen = element.get("initial_option")
        if given is not None:
            wanted = given.lower()
            chosen = next(
                (
                    o
                    for o in element.get("options", [])
                    if o["value"].lower() == wanted or o["text"]["text"].lower().startswith(wanted)
                ),
                None,
            )
        return {action_id: {"type": kind, "selected_option": chosen}}
    if kind == "datepicker":
        return {action_id: {"type": kind, "selected_date": given or element.get("initial_date")}}
    value = given if given is not None else element.get("initial_value")
    return {action_id: {"type": kind, "value": value}}


def _default_person(people: list[Member]) -> str:
    for role in ("coordinator", "mentor"):
        for member in people:
            if role in member.roles and member.slack_user_id:
                return member.email
    return people[0].email if people else ""


def run_console(
    settings: Settings, services: Services, stdin: TextIO, out: TextIO, *, as_email: str | None
) -> int:
    """Run the console over stdin (a terminal or a script)."""
    if services.programs.find() is None:
        print(
            "No program yet. For the demo district: `mentor-minutes console --demo` (or `make "
            "console`); for yours: `mentor-minutes program load FILE.toml`.",
            file=out,
        )
        return 1
    console = Console(settings, services, out)
    if as_email:
        console.act_as(as_email)
    interactive = stdin.isatty()
    if interactive:
        lines: Iterable[str] = _prompted(stdin, out)
    else:
        lines = stdin
    try:
        return console.run(lines, interactive=interactive)
    finally:
        console.close()


def _prompted(stdin: TextIO, out: TextIO) -> Iterable[str]:
    while True:
        print("mm> ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            print(file=out)
            return
        yield line
