"""The Home tab in the console (`:home`, bot/devtools/console.py): each role's Home rendered from
the payload Slack would get, and its buttons pressed as Slack presses Home buttons (no
response_url: the answer is the Home re-published)."""

from __future__ import annotations

import io

import pytest

from bot.bootstrap import Services
from bot.config import Settings
from bot.devtools.console import run_console
from tests.support.home import NOTE_LEE_BEA


def run(settings: Settings, services: Services, script: str) -> str:
    out = io.StringIO()
    assert run_console(settings, services, io.StringIO(script), out, as_email="lee@hillside.example") == 0  # fmt: skip
    return out.getvalue()


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("lee", ("│ Your mentoring", "│ Your cohort · Lincoln", f"│ :memo: {NOTE_LEE_BEA}", "[1: Edit] [2: Undo]")),
        ("bea", ("│ Your induction", "│ *Your collaborative log* (3 entries", ": Request a change]")),
        ("pat", ("│ Lincoln: hours and counts",)),
        ("cora", ("│ *Nia New* — :red_circle: 16 days overdue", "│ *Annual report 2026-27:* 3 items to complete")),
    ],
)  # fmt: skip
def test_home_shows_each_roles_home(settings: Settings, week: Services, who: str, shown: tuple[str, ...]) -> None:  # fmt: skip
    output = run(settings, week, f":as {who}\n:home\n")
    for fragment in shown:
        assert fragment in output, (fragment, output)


def test_a_home_button_in_the_console_answers_on_home(settings: Settings, week: Services) -> None:
    output = run(settings, week, ":as cora\n:home\n:press 1\n")
    answer = output.split("> :press 1\n", 1)[1]
    assert answer.startswith("┌─ Home tab")
    assert "now mentors Nia New" in answer and "*Without a mentor:* nobody" in answer
    assert "reply (only you can see this)" not in answer


def test_undo_from_home_in_the_console(settings: Settings, week: Services) -> None:
    output = run(settings, week, ":home\n:press 2\n")
    answer = output.split("> :press 2\n", 1)[1]
    assert "Undone: ~30 min meeting with Bea Beginner, Tue 17 Nov~" in answer
    assert "this week 45 min of 1 h" in answer
