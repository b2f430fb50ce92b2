"""The coordinator's Home lists the pairs behind pace (issue 19, "Coordinators in Slack"): from
the kept pair totals, under each policy's own pace (a paced minimum, else the weekly target,
prorated by school days as `/hours` shows it), capped, escaped, valid Block Kit.

Hillside's week (tests.support.home.WEEK_OF_LOGS), as of Wed 18 Nov 2026: three of the week's
five school days have gone, so `ma`'s hour a week expects ceil(60 × 3 / 5) = 36 min by now.
Lee–Bea 75 min and Max–Bo 50 are on track; Mia–Ike has 20, behind by 16."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from bot.bootstrap import Services
from bot.domain.policy import parse_program_toml
from bot.services import ledger
from bot.services.home import BEHIND_SHOWN
from tests.support.blockkit import valid_view
from tests.support.hillside import NOW, PROGRAM_TOML, ROSTER_CSV, SIGNING_SECRET
from tests.support.home import home_of, text_of
from tests.support.slack_api import FakeSlackApi


def add_idle_pairs(services: Services, count: int, name: str = "Mentee") -> None:
    """`count` more pairs at Lincoln, assigned on 1 Sep, with nothing logged."""
    rows = []
    for n in range(count):
        rows.append(f"bm{n}@hillside.example,Mentor {n:02d},mentor,Lincoln,Math,4,,Professional,2015-08-24,U0BM{n:02d}")  # fmt: skip
        rows.append(f"be{n}@hillside.example,\"{name} {n:02d}\",mentee,Lincoln,Math,4,beginning_teacher,Initial,2026-08-24,U0BE{n:02d}")  # fmt: skip
    report = services.roster.import_csv(ROSTER_CSV + "\n".join(rows) + "\n")
    assert report.ok, report.problems
    for n in range(count):
        services.assignments.assign(None, f"U0BM{n:02d}", f"U0BE{n:02d}", date(2026, 9, 1), NOW)


def test_the_coordinator_sees_the_pairs_behind_this_weeks_pace(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    view = valid_view(home_of(app, SIGNING_SECRET, slack_api, "U0CORA"))
    shown = text_of(view)
    assert "*Behind pace this week:* 1 of 3 pairs (36 min of 1 h expected by now)" in shown
    assert "• *Ike Incoming* with Mia Mentor — behind by 16 min (20 min done)" in shown
    assert "Bea Beginner* with" not in shown and "Bo Beginner* with" not in shown
    assert "more: `/hours` lists every pair" not in shown


def test_the_list_is_capped_furthest_behind_first_and_counts_the_rest(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    add_idle_pairs(week, 12)
    shown = text_of(valid_view(home_of(app, SIGNING_SECRET, slack_api, "U0CORA")))
    assert "*Behind pace this week:* 13 of 15 pairs" in shown
    lines = [line for line in shown.splitlines() if line.startswith("• *") and "behind by" in line]
    assert len(lines) == BEHIND_SHOWN
    assert all("behind by 36 min (0 min done)" in line for line in lines)  # the idle ones first
    assert "Ike Incoming" not in shown  # 16 min behind: the eleventh
    assert "…and 3 more: `/hours` lists every pair." in shown


def test_names_are_escaped_on_the_behind_list(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    add_idle_pairs(week, 1, name="<!channel> & <@U0CORA>")
    view = valid_view(home_of(app, SIGNING_SECRET, slack_api, "U0CORA"))
    behind = [b["text"]["text"] for b in view["blocks"] if "Behind pace" in str(b)]
    assert len(behind) == 1
    assert "&lt;!channel&gt; &amp; &lt;@U0CORA&gt; 00" in behind[0]
    assert "<!channel>" not in behind[0] and "<@U0CORA>" not in behind[0]


def test_a_week_with_every_pair_on_track_says_so(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    assert week.logs.log_text("U0MIA", "20m meeting <@U0IKE>", NOW).ok  # 40 of 36
    shown = text_of(home_of(app, SIGNING_SECRET, slack_api, "U0CORA"))
    assert "*Behind pace this week:* 0 of 3 pairs (36 min of 1 h expected by now) — every pair is on track." in shown  # fmt: skip


@pytest.mark.parametrize("preset", ["ca", "tx", "il", "ny", "ok"])
def test_under_a_paced_minimum_the_list_matches_hours_pace(week: Services, preset: str) -> None:
    """The policy's paced minimum (week, semester, school year, program year): each pair's
    figures are the ones `/hours` shows for it (ledger.paces, from the pairs' summaries)."""
    week.programs.load(parse_program_toml(PROGRAM_TOML.replace('policy = "ma"', f'policy = "{preset}"')))  # fmt: skip
    add_idle_pairs(week, 2)
    coordinator = week.home.home("U0CORA", NOW).coordinator
    assert coordinator is not None and coordinator.behind is not None
    behind = coordinator.behind
    hours = week.hours.report("U0CORA", NOW)
    expected = {
        (pair.mentee.name, pair.mentor.name): hours.paces[(pair.mentor.id, pair.mentee.id)]
        for pair in hours.pairs
        if not hours.paces[(pair.mentor.id, pair.mentee.id)].on_track
    }
    assert len(expected) >= 2  # the idle pairs at least
    assert {(p.mentee.name, p.mentor.name): p.pace for p in behind.pairs} == expected
    assert behind.count == len(expected) and behind.active == hours.pair_count == 5
    policy = week.programs.current().policy
    assert behind.pace.required == policy.paced_minutes
    assert behind.pace.period.name == policy.paced_period


def test_ma_paces_by_the_weekly_target_prorated_by_school_days(week: Services) -> None:
    program = week.programs.current()
    pace = ledger.program_pace(program, program.today(NOW))
    assert pace is not None
    assert (pace.required, pace.expected) == (60, math.ceil(60 * 3 / 5))
    assert pace.period.label == "this week"


def test_a_policy_with_no_pace_shows_no_list(week: Services) -> None:
    toml = PROGRAM_TOML + "\n[overrides]\nweekly_target_minutes = 0\n"
    week.programs.load(parse_program_toml(toml))
    coordinator = week.home.home("U0CORA", NOW).coordinator
    assert coordinator is not None and coordinator.behind is None
