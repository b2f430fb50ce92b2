"""Charts (issue 20): Slack's `data_visualization` block, which slack_sdk has no model for, is
built within the documented limits (`bot/slack/charts.py`, docs/charts.md) and checked against
them by the loopback fake; many pairs or schools are split across charts and messages; every
chart's figures are in the message text too, and in the blocks sent when Slack refuses it."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from bot.domain.members import Member
from bot.domain.notices import (
    BehindPair,
    Digest,
    DigestPair,
    MonthlySummary,
    SchoolMonth,
)
from bot.slack import charts, nudge_views
from bot.slack.render import render_blocks
from tests.support.blockkit import valid_blocks, valid_message

MONDAY = date(2026, 11, 9)
HOSTILE = "<!channel> Bo & <@U0BAD> Very-Long-Surname-Beyond-Twenty"


def person(n: int, name: str | None = None, school: str = "Lincoln") -> Member:
    return Member(
        id=n,
        email=f"p{n}@x.example",
        name=name or f"Mentee {n:03d}",
        school=school,
        subject=None,
        grade=None,
        educator_type=None,
        license=None,
        hire_date=None,
        slack_user_id=f"U{n:05d}",
        active=True,
        roles=frozenset({"mentee"}),
    )


def digest(pairs: int, *, first_name: str | None = None) -> Digest:
    rows = tuple(
        DigestPair(
            mentor=person(10_000 + i, f"Mentor {i:03d}"),
            mentee=person(i, first_name if i == 0 else None),
            minutes=(i * 7) % 95,
            observations=i % 3,
            last_contact=date(2026, 11, 10),
            quiet_school_days=1,
        )
        for i in range(pairs)
    )
    return Digest(
        lead=person(99_999, "Lee Lead"),
        cohort="Lincoln",
        week=(MONDAY, date(2026, 11, 15)),
        weekly_target=48,
        pairs=rows,
        no_contact_days=10,
        unassigned=(),
        overdue=(),
        upcoming=(),
        today=date(2026, 11, 16),
        school_days=4,
    )


def chart_blocks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in payload["blocks"] if charts.is_chart(b)]


# ---- the check: each documented limit, broken once ------------------------------------------


def good_chart() -> dict[str, Any]:
    return charts.bar_chart(
        "Minutes this week",
        ["Bea", "Ike"],
        [charts.Series("Minutes", (45, 90)), charts.Series("Target", (60, 60))],
        y_label="minutes",
    )


def broken(path: str, value: Any) -> dict[str, Any]:
    """The good chart with one field (a dotted path; numbers index lists) set to `value`."""
    block = copy.deepcopy(good_chart())
    *parents, last = path.split(".")
    target: Any = block
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return block


DELETE = object()
SEVEN = [{"name": f"S{i}", "data": [{"label": "Bea", "value": 1}, {"label": "Ike", "value": 1}]} for i in range(7)]  # fmt: skip
TWENTY_ONE = [f"C{i}" for i in range(21)]


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        ("title", "x" * 51, "title is 51 characters"),
        ("title", "", "title must be a non-empty string"),
        ("chart.type", "radar", "chart.type must be one of"),
        ("chart.series", SEVEN, "1 to 6 series"),
        ("chart.series", [], "1 to 6 series"),
        ("chart.series.0.name", "n" * 21, "series 0 name is 21 characters"),
        ("chart.series.1.name", "Minutes", "distinct name"),
        ("chart.axis_config.categories", TWENTY_ONE, "1 to 20 labels"),
        ("chart.axis_config.categories.0", "c" * 21, "category 0 is 21 characters"),
        ("chart.axis_config.categories.1", "Bea", "categories repeat"),
        ("chart.axis_config.categories.1", "<!channel>", "carries markup"),
        ("chart.axis_config.x_label", "x" * 51, "x_label is 51 characters"),
        ("chart.axis_config", DELETE, "axis_config is required"),
        ("chart.series.0.data.1.label", "Bo", "one point per category"),
        ("chart.series.0.data.0.value", -5, "not a number of at least 0"),
        ("chart.series.0.data.0.value", float("nan"), "not a number of at least 0"),
        ("chart.series.0.data.0.value", True, "not a number of at least 0"),
        ("chart.series.0.data.0.value", "45", "not a number of at least 0"),
        ("chart.colors", ["red"], "unknown chart fields"),
        ("block_id", "b" * 256, "block_id"),
    ],
)  # fmt: skip
def test_the_check_refuses_each_broken_limit(path: str, value: Any, why: str) -> None:
    assert charts.chart_problems(good_chart()) == []
    problems = charts.chart_problems(broken(path, value))
    assert any(why in p for p in problems), problems
    with pytest.raises(AssertionError, match="chart refused"):
        valid_blocks([broken(path, value)])


@pytest.mark.parametrize(
    ("segments", "ok"),
    [
        ([{"label": "Met", "value": 3}, {"label": "Behind", "value": 2}], True),
        ([{"label": f"S{i}", "value": 1} for i in range(7)], False),  # at most 6
        ([{"label": "Met", "value": 0}], False),  # above 0
        ([{"label": "x" * 21, "value": 1}], False),
        ([], False),
    ],
)
def test_a_pie_is_checked_too(segments: list[dict[str, Any]], ok: bool) -> None:
    block = {"type": "data_visualization", "title": "Pairs", "chart": {"type": "pie", "segments": segments}}  # fmt: skip
    assert (charts.chart_problems(block) == []) is ok


def test_a_message_holds_at_most_two_charts_and_a_view_none() -> None:
    valid_blocks([good_chart(), good_chart()])
    with pytest.raises(AssertionError, match="3 charts in one message"):
        valid_blocks([good_chart(), good_chart(), good_chart()])
    with pytest.raises(AssertionError, match="a chart in a view"):
        valid_blocks([good_chart()], limit=100)


def test_labels_are_distinct_short_and_carry_no_markup() -> None:
    names = [HOSTILE, HOSTILE, "Ann", "Ann", "A" * 30, "A" * 31]
    labels = charts.category_labels(names)
    assert len(set(labels)) == len(labels) == 6
    assert all(len(label) <= charts.MAX_CATEGORY for label in labels)
    assert not any("<" in label or ">" in label for label in labels)
    assert labels[2:4] == ["Ann", "Ann 2"]


# ---- the weekly digest's chart ------------------------------------------------------------


def test_the_digest_charts_each_pairs_minutes_against_the_prorated_target() -> None:
    (payload,) = nudge_views.weekly_digest(digest(3))
    valid_message(payload)
    (chart,) = chart_blocks(payload)
    minutes, target = chart["chart"]["series"]
    assert chart["chart"]["axis_config"]["categories"] == ["Mentee 000", "Mentee 001", "Mentee 002"]
    assert [p["value"] for p in minutes["data"]] == [0, 7, 14]
    assert [p["value"] for p in target["data"]] == [48, 48, 48]  # the week's prorated target
    for line in ("Mentee 001 with Mentor 001: 7 min of 48 min", "Mentee 002 with Mentor 002: 14 min of 48 min"):  # fmt: skip
        assert line in payload["text"]  # the chart's figures, for screen readers and email


@pytest.mark.parametrize("pairs", [20, 21, 45, 120])
def test_many_pairs_are_split_into_charts_of_twenty_and_messages_of_two_charts(
    pairs: int,
) -> None:
    messages = nudge_views.weekly_digest(digest(pairs))
    charted: list[str] = []
    for payload in messages:
        valid_message(payload)  # 50 blocks, the limits of each chart, two charts at most
        assert len(chart_blocks(payload)) <= charts.MAX_CHARTS_PER_MESSAGE
        for chart in chart_blocks(payload):
            (minutes, _) = chart["chart"]["series"]
            assert len(minutes["data"]) <= charts.MAX_POINTS
            for point in minutes["data"]:
                charted.append(point["label"])
                figure = f"{point['label']} with Mentor {point['label'][-3:]}: "
                assert figure in payload["text"], "each chart's numbers are in its message's text"
        fallback = charts.without_charts(payload)
        assert fallback is not None and fallback["text"] == payload["text"]
        assert not chart_blocks(fallback)
        valid_message(fallback)
    assert sorted(charted) == [f"Mentee {i:03d}" for i in range(pairs)]  # each pair once
    assert len(messages) >= -(-pairs // (charts.MAX_POINTS * charts.MAX_CHARTS_PER_MESSAGE))


def test_a_hostile_name_is_escaped_in_the_text_and_plain_in_the_chart() -> None:
    (payload,) = nudge_views.weekly_digest(digest(2, first_name=HOSTILE))
    valid_message(payload)
    dumped = json.dumps(payload)
    assert "<!channel>" not in dumped and "<@U0BAD>" not in dumped
    assert "&lt;!channel&gt; Bo &amp; &lt;@U0BAD&gt;" in payload["text"]
    (chart,) = chart_blocks(payload)
    label = chart["chart"]["axis_config"]["categories"][0]
    assert label == "!channel Bo & @U0BA…" and len(label) == charts.MAX_CATEGORY
    fallback = charts.without_charts(payload)
    assert fallback is not None and "<!channel>" not in json.dumps(fallback)


def test_no_pairs_no_chart() -> None:
    (payload,) = nudge_views.weekly_digest(digest(0))
    assert not chart_blocks(payload) and charts.without_charts(payload) is None


def test_the_console_draws_the_chart_as_text_bars() -> None:
    (payload,) = nudge_views.weekly_digest(digest(3))
    lines = render_blocks(payload["blocks"], {}, [])
    assert "📊 Minutes this week vs the 48 min target" in lines
    (bea,) = [line for line in lines if "Mentee 002" in line and "Minutes" in line]
    assert bea.rstrip().endswith("▇▇▇▇▇▇ 14")  # 14 of the top value 48: 6 of 20 characters


# ---- the monthly summary's chart ----------------------------------------------------------

WEEKS = (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30))  # fmt: skip


def summary(schools: int, behind: int = 3) -> MonthlySummary:
    return MonthlySummary(
        coordinator=person(1, "Cora Coordinator"),
        program="Hillside Public Schools",
        month=(date(2026, 11, 1), date(2026, 11, 30)),
        weeks=WEEKS,
        schools=tuple(
            SchoolMonth(f"School {i:02d}", tuple((i + w) * 15 for w in range(len(WEEKS))))
            for i in range(schools)
        ),
        total=0,
        pairs=schools,
        target=216,
        behind=tuple(
            BehindPair(person(500 + i, f"Mentor {i}"), person(600 + i, f"Late {i}"), i * 10, 216)
            for i in range(behind)
        ),
    )


def test_the_monthly_summary_charts_hours_by_school_and_week() -> None:
    (payload,) = nudge_views.monthly_summary(summary(2))
    valid_message(payload)
    (chart,) = chart_blocks(payload)
    assert chart["chart"]["axis_config"]["categories"] == ["School 00", "School 01"]
    assert [s["name"] for s in chart["chart"]["series"]] == [
        "Week of Mon 2 Nov", "Week of Mon 9 Nov", "Week of Mon 16 Nov", "Week of Mon 23 Nov",
        "Week of Mon 30 Nov",
    ]  # fmt: skip
    assert [p["value"] for p in chart["chart"]["series"][1]["data"]] == [0.25, 0.5]  # hours
    assert "School 01: 3 h 45 (Mon 2 Nov 15 min, Mon 9 Nov 30 min" in payload["text"]
    assert "Late 2 with Mentor 2: 20 min of 3 h 36" in payload["text"]


def test_forty_five_schools_make_three_charts_over_two_messages() -> None:
    messages = nudge_views.monthly_summary(summary(45, behind=60))
    assert [len(chart_blocks(m)) for m in messages] == [2, 1]
    for payload in messages:
        valid_message(payload)
        valid_message(charts.without_charts(payload))
    shown = [c for m in messages for chart in chart_blocks(m) for c in chart["chart"]["axis_config"]["categories"]]  # fmt: skip
    assert shown == [f"School {i:02d}" for i in range(45)]
    assert "…and 20 more" in messages[-1]["text"]
