"""`/hours month [MONTH]` and `/hours pay [MONTH]` (issue 19): a past month's totals for whoever
may see them, and its pay for coordinators only — the figures of the ledger and of `export pay`,
through signed requests into the app, on both engines.

October 2026, logged on top of the test week (tests.support.home.WEEK_OF_LOGS, 16–22 Nov):
Lee–Bea 45 min observation on 14 Oct and 30 min on 20 Oct; Mia–Ike 60 min on 6 Oct; Lee–Bea
20 min on 30 Sep, which October never counts."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.bootstrap import Services
from bot.domain.policy import parse_program_toml
from bot.slack.pay_views import money
from tests.support.bolt_requests import command
from tests.support.hillside import NOW, PAID_TOML, SIGNING_SECRET
from tests.support.home import text_of

OCTOBER = (("U0LEE", "45m observation 2026-10-14"), ("U0LEE", "30m meeting 2026-10-20"), ("U0MIA", "60m meeting 2026-10-06"), ("U0LEE", "20m meeting 2026-09-30"))  # fmt: skip


@pytest.fixture
def october(week: Services) -> Services:
    """The test week, October's entries and the paid program file (an hourly rate, a stipend)."""
    week.programs.load(parse_program_toml(PAID_TOML))
    for user, line in OCTOBER:
        assert week.logs.log_text(user, line, NOW).ok, line
    return week


def hours(app: Any, text: str, user: str = "U0CORA") -> str:
    return text_of(command(app, SIGNING_SECRET, "/hours", text, user))


@pytest.mark.parametrize("text", ["month october", "october", "oct", "month 2026-10", "Oct."])
def test_a_past_month_shows_that_months_totals(app: Any, october: Services, text: str) -> None:
    shown = hours(app, text)
    assert "Whole program: 2 h 15 in October 2026" in shown, shown
    assert "3 pairs · Thu 1 Oct – Sat 31 Oct · 1 observation · year 2026-27 6 h so far" in shown
    assert "*Bea Beginner* with Lee Lead: 1 h 15 · 1 observation" in shown
    assert "*Ike Incoming* with Mia Mentor: 1 h · 0 observations" in shown
    assert "*Bo Beginner* with Max Mentor: 0 min · 0 observations" in shown
    assert "this week" not in shown


@pytest.mark.parametrize(
    ("user", "text", "expected", "unexpected"),
    [
        ("U0LEE", "october", "*Bea Beginner*: 1 h 15 · 1 observation", "Bo Beginner"),
        ("U0BEA", "month oct", "with *Lee Lead* (mentor): 1 h 15 · 1 observation", "Ike Incoming"),
        ("U0MIA", "2026-10", "*Ike Incoming*: 1 h · 0 observations", "Bea Beginner"),
        ("U0CORA", "<@U0IKE> october", "*Ike Incoming* with Mia Mentor: 1 h · 0 observations", "Bea Beginner"),
    ],
)  # fmt: skip
def test_a_past_month_follows_the_same_role_rules(
    app: Any, october: Services, user: str, text: str, expected: str, unexpected: str
) -> None:
    shown = hours(app, text, user)
    assert expected in shown, shown
    assert unexpected not in shown


def test_this_month_by_name_is_this_month_so_far(app: Any, october: Services) -> None:
    assert hours(app, "november") == hours(app, "month")


@pytest.mark.parametrize(
    ("text", "message", "example"),
    [
        ("month 2026-12", "December 2026 hasn't begun yet (today is Wed 18 Nov 2026): I can show this month so far or a past one.", "/hours month 2026-10"),
        ("pay 2027-01", "January 2027 hasn't begun yet (today is Wed 18 Nov 2026): I can show this month so far or a past one.", "/hours pay 2026-10"),
        ("month octobr", "I didn't understand 'octobr' as a month: write it like october, oct or 2026-10.", "/hours month october"),
        ("pay octobr", "I didn't understand 'octobr' after `pay`: `/hours pay` takes one month, written like october, oct or 2026-10 (without one: this month so far).", "/hours pay october"),
        ("week october", "A month shows its own totals: pick the month or the week, not both.", "/hours month october"),
    ],
)  # fmt: skip
def test_a_future_or_unreadable_month_is_refused_with_an_example(
    app: Any, october: Services, text: str, message: str, example: str
) -> None:
    shown = hours(app, text)
    assert f":warning: {message}" in shown, shown
    assert f"Try: `{example}`" in shown


def test_pay_for_a_past_month_is_export_pays_figures(app: Any, october: Services) -> None:
    pay = october.pay.period(date(2026, 10, 1), date(2026, 10, 31))
    assert [(r.email, r.basis, r.minutes) for r in pay.rows][:2] == [
        ("lee@hillside.example", "hourly", 75),
        ("lee@hillside.example", "stipend", None),  # a stipend row counts school days
    ]
    for text in ("pay october", "pay oct", "pay 2026-10"):
        shown = hours(app, text)
        assert "Pay for October 2026, Thu 1 Oct – Sat 31 Oct" in shown, shown
        assert "`mentor-minutes export pay --month 2026-10`" in shown
        assert "• Lee Lead (mentor) — 1 h 15 at $30.00/h: *$37.50*" in shown
        assert "• Mia Mentor (mentor) — 1 h at $30.00/h: *$30.00*" in shown
        assert f"*Total: {money(pay.total_cents)}*" in shown


def test_pay_for_this_month_by_name_is_this_month_so_far(app: Any, october: Services) -> None:
    assert hours(app, "pay november") == hours(app, "pay")
    assert "Pay this month so far, Sun 1 Nov – Wed 18 Nov" in hours(app, "pay nov")


@pytest.mark.parametrize("user", ["U0LEE", "U0PAT", "U0MIA", "U0BEA"])
def test_pay_for_a_month_is_for_coordinators_only(app: Any, october: Services, user: str) -> None:
    for text in ("pay october", "pay 2027-01"):
        shown = hours(app, text, user)
        assert ":warning: Only coordinators see pay totals." in shown
        assert "$" not in shown
