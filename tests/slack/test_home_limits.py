"""Home within Slack's limits (bot/slack/home_views.py, pure): at most 100 blocks, each section
under 3000 characters, unique block ids, every list capped with "…and N more" — for a person
holding every role in a large program, with the longest names and notes the store keeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.domain.home import (
    CoordinatorSection,
    Home,
    HomeEntry,
    MenteeSection,
    MentorSection,
    MilestoneLine,
    ParkedLine,
    Year2Progress,
)
from bot.domain.ledger import ProgramYear, Totals
from bot.domain.notices import AlertRow, Digest, DigestPair
from bot.domain.pay import PayPeriod, PayRow
from bot.domain.report import Readiness
from bot.slack import home_views, pay_views
from tests.support.blockkit import valid_view
from tests.support.bolt_requests import all_text
from tests.support.records import LONG, hours, pair, person

TODAY = date(2026, 11, 18)
EVERY_ROLE = person(9, LONG[:200], {"mentor", "mentee", "lead_mentor", "coordinator", "evaluator"})


def entry(i: int) -> HomeEntry:
    p = pair(i, long_names=True)
    return HomeEntry(
        i, f"batch-{i}", 1 + i % 3, p.mentor, p.mentee, TODAY, 45, "meeting", "N" * 5000
    )


def big_home(n: int) -> Home:
    """n of everything: pairs, entries, cohort pairs, unassigned, parked, pay rows."""
    report = hours([pair(i, long_names=True) for i in range(1, n + 1)], viewer=EVERY_ROLE)
    digest = Digest(
        lead=EVERY_ROLE,
        cohort=LONG,
        week=(date(2026, 11, 16), date(2026, 11, 22)),
        weekly_target=60,
        pairs=tuple(
            DigestPair(p.mentor, p.mentee, 30, 1, TODAY, 6)
            for p in (pair(i, long_names=True) for i in range(1, n + 1))
        ),
        no_contact_days=5,
        unassigned=(),
        overdue=(),
        upcoming=(),
        today=TODAY,
        total=Totals(minutes=30 * n),
    )
    suggestions = tuple((person(50 + k, LONG[:190], {"mentor"}), k) for k in range(3))
    rows = tuple(
        AlertRow(person(3000 + i, f"{LONG[:150]} {i}", {"mentee"}), TODAY, i % 20, suggestions)
        for i in range(n)
    )
    parked = tuple(
        ParkedLine(
            i, "daily-nudge", LONG, "2026-11-18", 3, "E" * 2000, datetime(2026, 11, 18, tzinfo=UTC)
        )
        for i in range(min(n, 5))
    )
    readiness = Readiness("2026-27", (LONG, LONG), tuple(f"{LONG} {k}" for k in range(n)))
    pay = PayPeriod(
        date(2026, 11, 1),
        TODAY,
        tuple(
            PayRow(f"p{i}@x", f"{LONG[:190]} {i}", "mentor", "hourly", 90, 3000, 4500)
            for i in range(n)
        ),
        ("No lead-mentor stipends: the program sets none.",),
    )
    return Home(
        viewer=EVERY_ROLE,
        program_name=LONG,
        today=TODAY,
        year=ProgramYear(date(2026, 7, 1), date(2027, 6, 30)),
        mentor=MentorSection(report, tuple(entry(i) for i in range(1, 6))),
        mentee=MenteeSection(
            report,
            tuple(entry(i) for i in range(1, 11)),
            n * 4,
            tuple(MilestoneLine(f"{LONG} {i}", TODAY, None) for i in range(n)),
            Year2Progress(600, 3000),
            7,
        ),
        cohort=digest,
        school=replace(report, scope=LONG),
        coordinator=CoordinatorSection(rows, parked, n * 2, readiness, pay),
    )


def check_limits(view: dict[str, Any]) -> None:
    valid_view(view)  # at most 100 blocks, block ids unique, slack_sdk's own limits
    for block in view["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


@pytest.mark.parametrize("n", [0, 1, 60, 400])
def test_every_role_at_once_stays_within_slacks_limits(n: int) -> None:
    view = home_views.home_view(big_home(n))
    check_limits(view)
    assert view["blocks"][-1]["elements"][0]["action_id"] == "open_log_modal"  # never cut


def test_long_lists_say_how_many_are_left_out() -> None:
    home = big_home(60)
    for part in (
        home_views.mentor_part(home.mentor, home),  # type: ignore[arg-type]
        home_views.school_part(home.school),  # type: ignore[arg-type]
        home_views.coordinator_part(home.coordinator, home, []),  # type: ignore[arg-type]
        home_views.cohort_part(home.cohort),  # type: ignore[arg-type]
    ):
        assert "…and " in all_text(part), all_text(part)[:200]
    shown = all_text(home_views.mentee_part(home.mentee, home))  # type: ignore[arg-type]
    assert "…and 230 earlier entries." in shown


def test_a_crowded_home_says_it_is_full() -> None:
    view = home_views.home_view(big_home(400))
    assert "Home is full" in all_text(view)


def test_a_long_note_is_cut_on_home() -> None:
    home = big_home(1)
    shown = all_text(home_views.mentee_part(home.mentee, home))  # type: ignore[arg-type]
    assert "N" * 400 + "…" in shown and "N" * 401 not in shown


def test_pay_lists_twenty_rows_and_totals_them_all() -> None:
    pay = big_home(30).coordinator.pay  # type: ignore[union-attr]
    assert pay is not None
    shown = all_text(pay_views.pay_totals(pay))
    assert "…and 10 more rows (the total counts them all)." in shown
    assert "*Total: $1,350.00*" in shown  # 30 × $45.00


def test_the_not_on_roster_home_has_no_buttons() -> None:
    view = home_views.not_on_roster("You're not on the roster yet. Ask your coordinator.")
    check_limits(view)
    assert "actions" not in {b["type"] for b in view["blocks"]}
