"""Block Kit → terminal text, for the console: what Slack would show, from the real payloads."""

from __future__ import annotations

import re
from typing import Any

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


def _text(obj: Any, names: dict[str, str]) -> str:
    if not obj:
        return ""
    text = obj.get("text", "") if isinstance(obj, dict) else str(obj)

    def mention(match: re.Match[str]) -> str:
        return "@" + (names.get(match.group(1)) or match.group(2) or match.group(1))

    text = MENTION.sub(mention, text)
    text = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")  # as Slack shows


def _element(element: dict[str, Any], names: dict[str, str], buttons: list[dict[str, Any]]) -> str:
    kind = element.get("type")
    if kind == "button":
        buttons.append(element)
        return f"[{len(buttons)}: {_text(element.get('text'), names)}]"
    if kind in ("mrkdwn", "plain_text"):
        return _text(element, names)
    if kind == "image":
        return f"({element.get('alt_text', 'image')})"
    initial = (
        element.get("initial_value")
        or element.get("initial_date")
        or _text((element.get("initial_option") or {}).get("text"), names)
    )
    if initial:
        return f"[{initial}]"
    placeholder = _text(element.get("placeholder"), names)
    return f"<{kind}{': ' + placeholder if placeholder else ''}>"


CHART_WIDTH = 20  # characters of the longest bar


def chart_lines(block: dict[str, Any]) -> list[str]:
    """A chart as a small text bar chart: per category, a bar per series, to one scale."""
    chart = block.get("chart") or {}
    lines = [f"📊 {block.get('title', '')}"]
    if chart.get("type") == "pie":
        rows = [(s["label"], [("", s["value"])]) for s in chart.get("segments", [])]
    else:
        categories = (chart.get("axis_config") or {}).get("categories", [])
        series = chart.get("series", [])
        rows = [
            (label, [(s["name"], s["data"][i]["value"]) for s in series])
            for i, label in enumerate(categories)
        ]
    top = max((value for _, values in rows for _, value in values), default=0) or 1
    label_width = max((len(label) for label, _ in rows), default=0)
    name_width = max((len(name) for _, values in rows for name, _ in values), default=0)
    for label, values in rows:
        for n, (name, value) in enumerate(values):
            bar = "▇" * round(CHART_WIDTH * value / top)
            shown = int(value) if float(value).is_integer() else value
            lines.append(
                f"  {label if n == 0 else '':<{label_width}}  {name:<{name_width}} {bar} {shown}"
            )
    return lines


def render_blocks(
    blocks: list[dict[str, Any]], names: dict[str, str], buttons: list[dict[str, Any]]
) -> list[str]:
    """Lines for a list of blocks; buttons are numbered and appended to `buttons`."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text(block.get("text"), names)
            lines += [title, "─" * min(len(title), 60)]
        elif kind == "section":
            if block.get("text"):
                lines += _text(block["text"], names).splitlines()
            for field in block.get("fields", []):
                lines.append("  " + _text(field, names))
            if block.get("accessory"):
                lines.append("  " + _element(block["accessory"], names, buttons))
        elif kind == "context":
            lines.append("  " + " · ".join(_element(e, names, buttons) for e in block["elements"]))
        elif kind == "divider":
            lines.append("· · ·")
        elif kind == "actions":
            lines.append(" ".join(_element(e, names, buttons) for e in block["elements"]))
        elif kind == "data_visualization":
            lines += chart_lines(block)
        elif kind == "input":
            label = _text(block.get("label"), names)
            lines.append(f"{label}: {_element(block.get('element', {}), names, buttons)}")
        else:
            lines.append(f"({kind})")
    return lines


def render_message(
    payload: dict[str, Any], names: dict[str, str], buttons: list[dict[str, Any]]
) -> list[str]:
    """Lines for a message or view payload (blocks, else the fallback text)."""
    blocks = payload.get("blocks")
    if isinstance(blocks, list) and blocks:
        return render_blocks(blocks, names, buttons)
    return _text({"text": payload.get("text", "")}, names).splitlines()
