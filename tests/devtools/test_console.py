"""The console (bot/devtools/console.py) as a script: real app, handlers and store, no Slack."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.bootstrap import Services, build_services
from bot.clock import FixedClock
from bot.config import ENV_NAMES, Settings
from bot.devtools.console import ConsoleMailer, run_console
from bot.devtools.demo import DEMO_NOW
from bot.store.models.core import Assignment
from tests.support.repo import REPO
from tests.support.slack_api import FakeSlackApi, created_fakes

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # engine-independent


def run(
    settings: Settings,
    services: Services,
    script: str,
    as_email: str | None = "lee@hillside.example",
) -> tuple[int, str]:
    out = io.StringIO()
    code = run_console(settings, services, io.StringIO(script), out, as_email=as_email)
    return code, out.getvalue()


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("script", "expected", "unexpected"),
    [
        pytest.param("/hours\n", ("> /hours", "┌─ reply (only you can see this)", "│ Lincoln: 0 min this week", "│ *Bea Beginner*\n", "│ *Ike Incoming* with Mia Mentor"), ("Bo Beginner",), id="hours"),
        pytest.param("/hours month\n", ("│ Lincoln: 0 min this month",), (), id="hours-month"),
        pytest.param(":as bea@hillside.example\n/hours\n", ("Now acting as Bea Beginner <bea@hillside.example> (mentee).", "│ Your mentoring: 0 min this week", "│ with *Lee Lead* (mentor)"), ("Ike Incoming",), id="as-email"),
        pytest.param(":as Bea\n", ("Now acting as Bea Beginner",), (), id="as-first-name"),
        pytest.param(":as U0PAT\n", ("Now acting as Pat Principal <pat@hillside.example> (evaluator).",), (), id="as-slack-id"),
        pytest.param(":as nobody\n", ("Nobody called 'nobody' here. Type :who for the people.",), (), id="as-unknown"),
        pytest.param(":time 2026-11-23T10:00:00-05:00\n/hours\n", ("Clock set to Mon 23 Nov 2026 10:00 EST.", "as of Mon 23 Nov 2026"), ("as of Wed 18 Nov",), id="time"),
        pytest.param(":time 2026-11-23T03:00:00+00:00\n", ("Clock set to Sun 22 Nov 2026 22:00 EST.",), (), id="time-shown-in-program-tz"),
        pytest.param(":time tomorrow\n", ("Expected ISO 8601 with an offset, e.g. :time 2026-11-18T10:00:00-05:00",), ("Clock set",), id="time-bad"),
        pytest.param(":time 2026-11-23T10:00:00\n", ("Add an offset",), ("Clock set",), id="time-without-offset"),
        pytest.param(":who\n", ("  cora@hillside.example ", "Pat Principal", "lead_mentor, mentor", "  nia@hillside.example "), (), id="who"),
        pytest.param(":home\n", ("┌─ Home tab", "│ Mentor Minutes · Lee Lead", "│ Your cohort · Lincoln", "│ *Bea Beginner*\n", "[1: Log a meeting]"), (), id="home"),
        pytest.param(":as cora\n/induction status\n", ("│ Hillside Public Schools — assignments", "│ *Nia New* (Jefferson, Science, grade 8) — :red_circle: no mentor, 16 days overdue (due Mon 2 Nov)"), (), id="induction-status"),
        pytest.param("/induction status\n", ("│ :warning: `/induction` is for induction coordinators.",), ("— assignments",), id="induction-refused"),
        pytest.param(":as cora\n/hours @bea\n", ("│ Hours for Bea Beginner: 0 min this week",), ("Ike Incoming",), id="mention-escaped"),
        pytest.param("/hours yesterday\n", ("│ :warning: I didn't understand 'yesterday'.", "Try: `/hours @jane month`"), (), id="usage-error"),
        pytest.param("hello\n", ("Start with / for a slash command or : for a console command (:help).",), ("reply",), id="unknown-line"),
        pytest.param("/nope\n", ("(Slack would show an error: HTTP 404",), (), id="unknown-command"),
        pytest.param(":help\n", (":as EMAIL|NAME", ":quit"), (), id="help"),
        pytest.param("# a comment\n\n/hours\n", ("> # a comment", "Lincoln: 0 min this week"), ("Start with /",), id="comments-and-blank-lines"),
        pytest.param("/hours\n:quit\n/induction status\n:as cora\n", ("> :quit",), ("> /induction", "Now acting as Cora"), id="quit-stops-reading"),
    ],
)  # fmt: skip
def test_console_script(
    settings: Settings,
    services: Services,
    pairs: None,
    script: str,
    expected: tuple[str, ...],
    unexpected: tuple[str, ...],
) -> None:
    code, output = run(settings, services, script)
    assert code == 0
    assert output.startswith(
        "Now acting as Lee Lead <lee@hillside.example> (lead_mentor, mentor).\n"
    )
    assert "Mentor Minutes console — Hillside Public Schools (2026-27)" in output
    for fragment in expected:
        assert fragment in output, (fragment, output)
    for fragment in unexpected:
        assert fragment not in output, (fragment, output)


def test_a_full_session(settings: Settings, services: Services, pairs: None) -> None:
    script = "/hours\n:as cora\n/induction status\n:home\n:as bea\n/hours\n:quit\n"
    code, output = run(settings, services, script)
    assert code == 0
    replies = output.split("┌─ ")[1:]
    assert [r.splitlines()[0] for r in replies] == [
        "reply (only you can see this)",
        "reply (only you can see this)",
        "Home tab · :press a1–a4",  # Assign ×3 (Nia New has no mentor), Log a meeting
        "reply (only you can see this)",
    ]
    assert "│ Lincoln: 0 min this week" in replies[0]
    assert "— assignments" in replies[1]
    assert "│ Mentor Minutes · Cora Coordinator" in replies[2]
    assert "│ *Without a mentor:* 1 (1 overdue)" in replies[2]
    assert "│ Your mentoring: 0 min this week" in replies[3]


@SQLITE_ONLY
def test_a_logmeeting_prints_its_reply_and_no_home(
    settings: Settings, services: Services, pairs: None
) -> None:
    code, output = run(settings, services, ":as lee\n/logmeeting 45m observation\n:quit\n")
    assert code == 0
    replies = output.split("┌─ ")[1:]
    assert [r.splitlines()[0] for r in replies] == ["reply (only you can see this) · :press a1–a2"]
    assert "Logged 45 min observation with Bea Beginner" in replies[0]
    assert "Home tab" not in output


def test_an_unknown_console_command_is_named(
    settings: Settings, services: Services, pairs: None
) -> None:
    """`:bogus` starts with ':', so "start with : for a console command" is the wrong answer."""
    _, output = run(settings, services, ":bogus\n")
    answer = output.split("> :bogus\n", 1)[1].splitlines()[0]
    assert ":bogus" in answer, answer


def test_the_default_person_is_the_coordinator(
    settings: Settings, services: Services, pairs: None
) -> None:
    code, output = run(settings, services, "/induction status\n", as_email=None)
    assert code == 0
    assert "Now acting as Cora Coordinator <cora@hillside.example> (coordinator)." in output
    assert "— assignments" in output


def test_the_console_needs_a_program(settings: Settings, services: Services) -> None:
    code, output = run(settings, services, "/hours\n")
    assert code == 1
    assert output.startswith("No program yet.")


def test_python_m_bot_console_demo_without_a_terminal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    env["MENTOR_MINUTES_NOW"] = "2026-11-18T10:00:00-05:00"
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--demo"],
        input="/hours\n:quit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no stray .env
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Mentor Minutes console — Maple Valley Public Schools (2026-27)" in done.stdout
    assert "Clock: Wed 18 Nov 2026 10:00 EST." in done.stdout
    assert "> /hours" in done.stdout
    assert "│ Whole program: " in done.stdout and " this week" in done.stdout
    assert "│ *Bea Beginner* with Lena Lead" in done.stdout
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]  # DATABASE_URL, as set


# ---- the demo at its own clock, and :press --------------------------------------------------


def dms(output: str) -> list[str]:
    """Each DM the console showed, from its title line to its closing line."""
    return [
        block.split("└─", 1)[0] for block in output.split("┌─ ")[1:] if block.startswith("DM to")
    ]


def test_the_demo_clock_shows_the_alert_the_digest_and_a_nudge_with_no_clock_moves(
    demo: tuple[Settings, Services],
) -> None:
    settings, services = demo
    script = ":as lena\n:run deadline-sweep\n:run weekly-digest\n:run contact-nudges\n"
    code, output = run(settings, services, script, as_email=None)
    assert code == 0
    assert ":time" not in output
    titles = [dm.splitlines()[0] for dm in dms(output)]
    assert any(
        title.startswith("DM to Carmen Coordinator") and "without a mentor" in dm
        for title, dm in zip(titles, dms(output), strict=True)
    ), output
    assert "│ *Noor New* — 1 day overdue (due Tue 17 Nov)" in output
    assert any(
        t.startswith("DM to Lena Lead") and "Weekly digest" in d
        for t, d in zip(titles, dms(output), strict=True)
    )
    assert any(
        t.startswith("DM to Tom Mentor") and "No mentoring with Ada Admin" in d
        for t, d in zip(titles, dms(output), strict=True)
    )
    assert "nothing due" not in output


def test_press_numbers_each_message_from_one_and_reaches_any_recent_one(
    demo: tuple[Settings, Services],
) -> None:
    settings, services = demo
    script = ":as lena\n:run deadline-sweep\n:run contact-nudges\n:press b2\n:press a1\n"
    code, output = run(settings, services, script, as_email=None)
    assert code == 0
    todo, alert, nudge = dms(output)
    assert todo.startswith("DM to Carmen Coordinator · :press a1\n")
    assert "│   [1: Mark done]" in todo
    assert alert.startswith("DM to Carmen Coordinator · :press b1–b3\n")
    assert "[1: Assign Tom Mentor · 1 mentee] [2: Assign Marco Mentor · 1 mentee] [3: " in alert
    assert nudge.startswith("DM to Tom Mentor · :press c1\n") and "[1: Log a meeting]" in nudge
    after_b2 = output.split("> :press b2\n", 1)[1]
    assert after_b2.startswith("(pressed as Carmen Coordinator, who was shown that message)\n")
    assert (
        "Marco Mentor now mentors Noor New from Wed 18 Nov." in after_b2.split("> :press a1", 1)[0]
    )
    after_a1 = output.split("> :press a1\n", 1)[1]
    assert "Support team formed and first meeting for Noor New marked done" in after_a1
    with services.store.read() as session:
        program = services.programs.current()
        ids = {m.email: m.id for m in services.people.all_members(session, program)}
        mentors = session.scalars(
            select(Assignment.mentor_id).where(
                Assignment.mentee_id == ids["noor@maplevalley.example"]
            )
        ).all()
    assert mentors == [ids["marco@maplevalley.example"]]


def test_press_before_any_button_says_how(
    settings: Settings, services: Services, pairs: None
) -> None:
    _, output = run(settings, services, "/hours\n:press 1\n")
    assert output.split("> :press 1\n", 1)[1].splitlines()[0] == (
        "No button '1'. Write :press N for the last message's button N, or :press bN for "
        "message b's (messages with buttons: none yet)."
    )


def test_press_names_a_button_a_message_does_not_have(
    settings: Settings, services: Services, pairs: None
) -> None:
    _, output = run(settings, services, ":home\n:press a7\n:press 0\n:press q1\n")

    def answer(line: str) -> str:
        return output.split(f"> {line}\n", 1)[1].splitlines()[0]

    assert answer(":press a7") == "Message a has one button, a1; no a7."
    assert answer(":press 0") == "Message a has one button, a1; no a0."
    assert answer(":press q1").endswith("(messages with buttons: a).")


def test_the_demo_signs_a_month_off_in_the_console(demo: tuple[Settings, Services]) -> None:
    """Issue 12's demo: October previewed, signed off, and the lock then refuses a back-dated
    log into it."""
    settings, services = demo
    script = (
        ":as carmen\n/induction signoff 2026-10\n:press 1\n"
        ":as lena\n/logmeeting 30m meeting 2026-10-20\n"
    )
    code, output = run(settings, services, script, as_email=None)
    assert code == 0
    assert "│ Sign off October 2026 for the whole program?" in output
    assert "October 2026 is signed off for the whole program" in output
    assert "is in October 2026, signed off for the whole program by Carmen Coordinator" in output


@SQLITE_ONLY
def test_the_consoles_stand_in_checks_block_kit_in_tests(
    settings: Settings, services: Services, pairs: None, slack_api: FakeSlackApi
) -> None:
    """conftest gives the console the checked fake: its Home and replies pass the Block Kit
    check the other tests' Slack calls pass (tests/support/blockkit.py)."""
    code, _ = run(settings, services, ":home\n/hours\n")
    assert code == 0
    [standin] = [fake for fake in created_fakes() if fake is not slack_api]
    assert standin.calls_to("views.publish") and standin.invalid == []


def test_the_demo_prints_the_email_to_its_coordinator_without_slack(
    demo: tuple[Settings, Services],
) -> None:
    """Omar (central office, no Slack id, notify=email) gets the overdue alert by email: the
    console prints it as it would be sent, and no DM to him."""
    settings, _ = demo
    services = build_services(settings, clock=FixedClock(DEMO_NOW), mailer=ConsoleMailer())
    try:
        code, output = run(settings, services, ":run deadline-sweep\n", as_email=None)
    finally:
        services.close()
    assert code == 0
    emails = [b.split("└─", 1)[0] for b in output.split("┌─ ")[1:] if b.startswith("email to")]
    alert = next(e for e in emails if "overdue mentor assignment" in e)
    assert alert.startswith("email to omar@maplevalley.example")
    assert "│ Subject: Maple Valley Public Schools: overdue mentor assignment" in alert
    assert "│ - Noor New: 1 day overdue (due Tue 17 Nov)" in alert
    assert "(and the same as HTML: text/html," in alert
    assert "DM to Omar" not in output and "by email" in output


def test_the_demo_digest_shows_its_chart_as_text_bars(demo: tuple[Settings, Services]) -> None:
    """`:run weekly-digest` in the demo: the chart Slack would draw, drawn in text (issue 20)."""
    settings, services = demo
    code, output = run(settings, services, ":as lena\n:run weekly-digest\n", as_email=None)
    assert code == 0
    (digest,) = [d for d in dms(output) if d.startswith("DM to Lena Lead")]
    assert "│ 📊 Minutes this week vs the 48 min target\n" in digest
    assert "│   Bea Beginner  Minutes ▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇ 135\n" in digest
    assert "│                 Target  ▇▇▇▇▇▇▇ 48\n" in digest
