"""How a person is reached (bot/domain/reach.py) and the roster's notify column, as tables."""

from __future__ import annotations

import pytest

from bot.domain.reach import Reach, reach_counts, reach_of
from bot.domain.roster import parse_roster

HEADER = "email,name,roles,slack_user_id,notify\n"


@pytest.mark.parametrize(
    ("slack_id", "email", "notify", "email_on", "slack", "by_email", "why"),
    [
        ("U1", "a@d.org", "slack", True, True, False, "on Slack"),
        ("U1", "a@d.org", "slack", False, True, False, "on Slack"),
        ("U1", "a@d.org", "email", True, False, True, "by email (the roster says notify=email)"),
        ("U1", "a@d.org", "email", False, True, False, "on Slack"),  # no SMTP: Slack after all
        ("U1", "a@d.org", "both", True, True, True, "on Slack and by email (the roster says notify=both)"),
        ("U1", "a@d.org", "both", False, True, False, "on Slack"),
        (None, "a@d.org", "slack", True, False, True, "by email (no Slack id)"),
        (None, "a@d.org", "email", True, False, True, "by email (no Slack id)"),
        (None, "a@d.org", "slack", False, False, False, "not reachable: no Slack id, and email is not set up (SMTP_URL)"),
        (None, "", "email", True, False, False, "not reachable: no Slack id and no email"),
        (None, "forgotten-17", "slack", True, False, False, "not reachable: no Slack id and no email"),
        ("U1", "a@d.org", "pigeon", True, True, False, "on Slack"),  # unknown: the default
    ],
)  # fmt: skip
def test_reach(slack_id: str | None, email: str, notify: str, email_on: bool, slack: bool, by_email: bool, why: str) -> None:  # fmt: skip
    found = reach_of(slack_id, email, notify, email_on)
    assert (found.slack, found.email, found.why) == (slack, by_email, why)
    assert found.reachable == (slack or by_email)


def test_reach_counts_say_how_many_are_reached_each_way_and_why_not() -> None:
    reaches = [Reach(True, False, "on Slack")] * 12 + [
        Reach(False, True, "by email (no Slack id)")
    ] * 2
    reaches += [Reach(False, False, "not reachable: no Slack id and no email")]
    assert (
        reach_counts(reaches)
        == "12 on Slack, 2 by email, 1 not reachable: no Slack id and no email"
    )


@pytest.mark.parametrize(
    ("cell", "notify"),
    [("", "slack"), ("slack", "slack"), ("email", "email"), ("Both", "both"), (" EMAIL ", "email")],
)
def test_the_notify_column_is_read(cell: str, notify: str) -> None:
    parsed = parse_roster(HEADER + f"a@d.org,Ann,mentor,U0ANN,{cell}\n")
    assert parsed.problems == [] and parsed.rows[0].notify == notify


def test_a_roster_without_the_notify_column_is_on_slack() -> None:
    parsed = parse_roster("email,name,roles\na@d.org,Ann,mentor\n")
    assert parsed.rows[0].notify == "slack"


def test_a_bad_notify_value_is_a_problem_on_its_line() -> None:
    parsed = parse_roster(HEADER + "a@d.org,Ann,mentor,,pigeon\n")
    assert parsed.rows == []
    (problem,) = parsed.problems
    assert (problem.line, problem.email) == (2, "a@d.org")
    assert problem.reason == "notify 'pigeon' is not one of slack email both (blank: slack)"
