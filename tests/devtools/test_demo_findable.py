"""The demo is findable (issue 19): `make run`, `make console` and the README's script form
`printf '/hours\n' | .venv/bin/mentor-minutes console --demo` share the demo's own database
(./mentor_minutes_demo.db) and clock, and `demo --reset` starts it afresh. Real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ENV_NAMES
from tests.support.repo import REPO

MENTOR_MINUTES = Path(sys.executable).parent / "mentor-minutes"
DEMO_FILE = "mentor_minutes_demo.db"
CLOCK_LINE = "Clock: Wed 18 Nov 2026 10:00 EST. Type :help for help, :quit to leave."
NOOR_WITH_TOM = (
    "│ *Noor New* (Jefferson Middle, Science, grade 8) — mentor Tom Mentor since Wed 18 Nov"
)
NOOR_WITHOUT = "│ *Noor New* (Jefferson Middle, Science, grade 8) — :red_circle: no mentor"


def environment() -> dict[str, str]:
    """This process's environment without any of the contract's settings."""
    return {k: v for k, v in os.environ.items() if k not in ENV_NAMES}


def shell(command: str, cwd: Path, script: str = "") -> str:
    """Run a shell command line as a person would type it; its standard output."""
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        input=script,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


@pytest.fixture
def make_without_slack() -> None:
    """`make run` serves Slack when a bot token is in the repository's .env: not here."""
    if (REPO / ".env").exists() and "SLACK_BOT_TOKEN" in (REPO / ".env").read_text():
        pytest.skip("the repository's .env sets SLACK_BOT_TOKEN: `make run` would serve Slack")


def test_make_run_then_the_readme_script_form_reads_the_same_demo(
    tmp_path: Path, make_without_slack: None
) -> None:
    demo_url = f"sqlite:///{tmp_path / DEMO_FILE}"  # make's $(CURDIR)/mentor_minutes_demo.db
    make = f"make -s -C {REPO} -o .venv/.installed"
    shell(f"{make} run DEMO_DATABASE_URL={demo_url}", tmp_path, "/induction assign @tom @noor\n")

    output = shell(
        f"printf '/hours\\n/induction status\\n' | {MENTOR_MINUTES} console --demo", tmp_path
    )
    assert output.startswith("Mentor Minutes console — Maple Valley Public Schools (2026-27)\n")
    assert CLOCK_LINE in output
    assert "│ Whole program: 4 h 15 this week" in output
    assert NOOR_WITH_TOM in output  # what `make run` did: one database
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(DEMO_FILE + "-")) == [
        DEMO_FILE
    ]

    output = shell(f"{make} console DEMO_DATABASE_URL={demo_url}", tmp_path, "/induction status\n")
    assert CLOCK_LINE in output and NOOR_WITH_TOM in output


def test_demo_reset_starts_the_demo_afresh(tmp_path: Path) -> None:
    console = f"{MENTOR_MINUTES} console --demo"
    shell(console, tmp_path, "/induction assign @tom @noor\n")
    assert NOOR_WITH_TOM in shell(console, tmp_path, "/induction status\n")

    assert shell(f"{MENTOR_MINUTES} demo --reset", tmp_path).startswith(
        "Loaded the demo: Maple Valley Public Schools, "
    )
    output = shell(console, tmp_path, "/induction status\n")
    assert NOOR_WITHOUT in output and NOOR_WITH_TOM not in output
    assert not (tmp_path / "mentor_minutes.db").exists()  # the default database is not touched


def test_plain_console_without_a_program_points_at_the_demo(tmp_path: Path) -> None:
    shell(f"{MENTOR_MINUTES} db upgrade", tmp_path)
    output = shell(f"printf '/hours\\n' | {MENTOR_MINUTES} console || true", tmp_path)
    assert output == (
        "No program yet. For the demo district: `mentor-minutes console --demo` (or `make "
        "console`); for yours: `mentor-minutes program load FILE.toml`.\n"
    )
