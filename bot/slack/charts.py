"""Slack's `data_visualization` block (bar charts), built and checked in one place.

python-slack-sdk has no model class for this block (June 2026), so it goes as a dict, built
here within the limits of Slack's reference (docs.slack.dev, "Data visualization block"; see
docs/charts.md), and checked here by `chart_problems`, which the loopback fake runs on every
message. The limits are the constants below; where the reference was not explicit, the
stricter reading is taken (and said so).

A chart never stands alone: every chart has its figures as text beside it — in the message's
fallback text (screen readers, notifications, email) and in `without_charts`, the blocks the
sender posts instead when Slack refuses the chart (`invalid_blocks`). Labels are names drawn
from the roster: `<` and `>` are dropped from them (a chart's strings are not mrkdwn; nothing
in them can become a live `<!channel>`), and nothing but names and numbers goes in a chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.slack.blocks import Block, section

CHART_BLOCK = "data_visualization"
CHART_TYPES = ("bar", "area", "line", "pie")  # the reference's four
SERIES_TYPES = ("bar", "area", "line")  # those that carry series and an axis_config
MAX_TITLE = 50  # the chart's title (block field `title`)
MAX_SERIES = 6  # series per bar, area or line chart (min 1)
MAX_SEGMENTS = 6  # slices per pie (min 1)
MAX_SERIES_NAME = 20  # a series' name, shown in the legend
MAX_POINTS = 20  # data points per series (min 1): one per category
MAX_CATEGORY = 20  # a category (x-axis) label, and a data point's or a segment's label
MAX_AXIS_LABEL = 50  # x_label, y_label
MAX_BLOCK_ID = 255
# Not stated on the reference page as read: at most two charts in one message (a third-party
# model of the block says so); charts are split across messages to keep within it.
MAX_CHARTS_PER_MESSAGE = 2
FALLBACK_KEY = "blocks_without_charts"  # the payload's alternative blocks (never posted with it)
BAR = "▇"
UNSAFE = re.compile(r"[<>\x00-\x1f\x7f]")
T = TypeVar("T")


@dataclass(frozen=True)
class Series:
    """One named series: a value per category, in the categories' order."""

    name: str
    values: tuple[float, ...]


def chart_text(text: str, limit: int) -> str:
    """A name as a chart may show it: no `<`, `>` or control characters, spaces collapsed,
    cut to `limit` with an ellipsis."""
    cleaned = " ".join(UNSAFE.sub(" ", text).split()) or "?"
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def category_labels(names: Sequence[str], limit: int = MAX_CATEGORY) -> list[str]:
    """Distinct labels of at most `limit` characters for `names`, in order (a name cut to the
    same label as another, or the same name twice, gets " 2", " 3" …)."""
    labels: list[str] = []
    seen: set[str] = set()
    for name in names:
        label = base = chart_text(name, limit)
        n = 1
        while label in seen:
            n += 1
            suffix = f" {n}"
            label = chart_text(base, limit - len(suffix)) + suffix
        seen.add(label)
        labels.append(label)
    return labels


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    y_label: str | None = None,
    x_label: str | None = None,
    block_id: str | None = None,
) -> Block:
    """A bar chart block; `categories` are already distinct labels within the limits (see
    `category_labels`), at most MAX_POINTS of them, and at most MAX_SERIES series."""
    if not 0 < len(categories) <= MAX_POINTS or not 0 < len(series) <= MAX_SERIES:
        raise ValueError(f"{len(categories)} categories, {len(series)} series: split the chart")
    axis: dict[str, Any] = {"categories": list(categories)}
    if x_label:
        axis["x_label"] = chart_text(x_label, MAX_AXIS_LABEL)
    if y_label:
        axis["y_label"] = chart_text(y_label, MAX_AXIS_LABEL)
    block: Block = {
        "type": CHART_BLOCK,
        "title": chart_text(title, MAX_TITLE),
        "chart": {
            "type": "bar",
            "series": [
                {
                    "name": chart_text(s.name, MAX_SERIES_NAME),
                    "data": [
                        {"label": label, "value": _number(value)}
                        for label, value in zip(categories, s.values, strict=True)
                    ],
                }
                for s in series
            ],
            "axis_config": axis,
        },
    }
    if block_id:
        block["block_id"] = block_id
    return block


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)


def chunks(items: Sequence[T], size: int = MAX_POINTS) -> list[Sequence[T]]:
    """`items` in runs of at most `size` (one chart each)."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def is_chart(block: Block) -> bool:
    """True for a data_visualization block."""
    return block.get("type") == CHART_BLOCK


def text_section(lines: list[str]) -> Block:
    """A chart's figures as a section of text (escaped by `section`, cut to its limit)."""
    return section("\n".join(lines))


def message_with_charts(payload: dict[str, Any], replacements: dict[int, Block]) -> dict[str, Any]:
    """`payload` with its charts' text forms kept for the sender: `replacements` maps each
    chart's index in the blocks to the block that says the same in text."""
    if not replacements:
        return payload
    fallback = [replacements.get(i, block) for i, block in enumerate(payload["blocks"])]
    assert not any(is_chart(b) for b in fallback), "every chart needs its text form"
    return payload | {FALLBACK_KEY: fallback}


def without_charts(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The same message with every chart replaced by its figures as text, or None when the
    message has no chart."""
    fallback = payload.get(FALLBACK_KEY)
    if not isinstance(fallback, list):
        return None
    return {"text": payload.get("text", ""), "blocks": fallback}


# ---- the check (the loopback fake runs it on every message) --------------------------------


def chart_problems(block: Any) -> list[str]:
    """Why Slack would refuse this data_visualization block, by the limits above ([] if none)."""
    if not isinstance(block, dict) or block.get("type") != CHART_BLOCK:
        return ["not a data_visualization block"]
    problems: list[str] = []
    unknown = set(block) - {"type", "title", "chart", "block_id"}
    if unknown:
        problems.append(f"unknown fields {sorted(unknown)}")
    problems += _text_problems("title", block.get("title"), MAX_TITLE)
    block_id = block.get("block_id")
    if block_id is not None and not (isinstance(block_id, str) and len(block_id) <= MAX_BLOCK_ID):
        problems.append("block_id must be a string of at most 255 characters")
    chart = block.get("chart")
    if not isinstance(chart, dict) or chart.get("type") not in CHART_TYPES:
        return [*problems, f"chart.type must be one of {CHART_TYPES}"]
    if chart["type"] == "pie":
        return problems + _pie_problems(chart)
    return problems + _series_problems(chart)


def _text_problems(field: str, value: Any, limit: int, *, required: bool = True) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, str) or not value.strip():
        return [f"{field} must be a non-empty string"]
    if len(value) > limit:
        return [f"{field} is {len(value)} characters (at most {limit}): {value!r}"]
    if "<" in value or ">" in value:
        return [f"{field} carries markup: {value!r}"]
    return []


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _pie_problems(chart: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if set(chart) - {"type", "segments"}:
        problems.append(f"unknown pie fields {sorted(set(chart) - {'type', 'segments'})}")
    segments = chart.get("segments")
    if not isinstance(segments, list) or not 0 < len(segments) <= MAX_SEGMENTS:
        return [*problems, f"a pie has 1 to {MAX_SEGMENTS} segments"]
    for n, segment in enumerate(segments):
        if not isinstance(segment, dict):
            problems.append(f"segment {n} is not an object")
            continue
        problems += _text_problems(f"segment {n} label", segment.get("label"), MAX_CATEGORY)
        value: Any = segment.get("value")
        if not (_is_number(value) and value > 0):
            problems.append(f"segment {n} value must be a number above 0")
    return problems


def _series_problems(chart: dict[str, Any]) -> list[str]:
    extra = set(chart) - {"type", "series", "axis_config"}
    problems = [f"unknown chart fields {sorted(extra)}"] if extra else []
    axis = chart.get("axis_config")
    if not isinstance(axis, dict):
        return [*problems, "axis_config is required"]
    categories, axis_problems = _axis_problems(axis)
    problems += axis_problems
    if categories is None:
        return problems
    series = chart.get("series")
    if not isinstance(series, list) or not 0 < len(series) <= MAX_SERIES:
        return [*problems, f"a {chart['type']} chart has 1 to {MAX_SERIES} series"]
    names = [s.get("name") for s in series if isinstance(s, dict)]
    if len(names) != len(series) or len(set(map(str, names))) != len(names):
        problems.append("every series is an object with a distinct name")
    for n, one in enumerate(series):
        if isinstance(one, dict):
            problems += _data_problems(n, one, categories)
    return problems


def _axis_problems(axis: dict[str, Any]) -> tuple[list[Any] | None, list[str]]:
    """The categories (None when unusable) and what is wrong with an axis_config."""
    extra = set(axis) - {"categories", "x_label", "y_label"}
    problems = [f"unknown axis_config fields {sorted(extra)}"] if extra else []
    for name in ("x_label", "y_label"):
        problems += _text_problems(name, axis.get(name), MAX_AXIS_LABEL, required=False)
    categories = axis.get("categories")
    if not isinstance(categories, list) or not 0 < len(categories) <= MAX_POINTS:
        return None, [*problems, f"axis_config.categories holds 1 to {MAX_POINTS} labels"]
    for n, category in enumerate(categories):
        problems += _text_problems(f"category {n}", category, MAX_CATEGORY)
    if len(set(map(str, categories))) != len(categories):
        problems.append(f"categories repeat: {categories}")
    return categories, problems


def _data_problems(n: int, series: dict[str, Any], categories: list[Any]) -> list[str]:
    """What is wrong with one series: its name, and one point per category, in order."""
    problems = _text_problems(f"series {n} name", series.get("name"), MAX_SERIES_NAME)
    data = series.get("data")
    if set(series) - {"name", "data"}:
        problems.append(f"series {n}: unknown fields {sorted(set(series) - {'name', 'data'})}")
    if not isinstance(data, list) or not 0 < len(data) <= MAX_POINTS:
        return [*problems, f"series {n} holds 1 to {MAX_POINTS} data points"]
    labels = [p.get("label") if isinstance(p, dict) else None for p in data]
    if labels != categories:
        problems.append(f"series {n}: one point per category, in the categories' order")
    for point in data:
        if not isinstance(point, dict) or set(point) != {"label", "value"}:
            problems.append(f"series {n}: a point is {{label, value}}: {point!r}")
        elif not _is_number(point["value"]) or point["value"] < 0:
            problems.append(f"series {n}: {point['value']!r} is not a number of at least 0")
    return problems
