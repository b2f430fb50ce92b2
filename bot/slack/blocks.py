"""Small Block Kit builders (plain dicts, validated by slack_sdk's models in tests).

**The one escaping boundary.** Every mrkdwn text object and every message's fallback text is
built here, and here `&`, `<` and `>` are escaped, as Slack asks: a roster name, a note or a
reason can never become a live `<!channel>`, `<@U…>` or `<https://…|link>`. Only text the app
itself marks as `Mrkdwn` (its own mentions and links, never built from what a person typed)
is sent as it is. plain_text objects are never parsed by Slack and go as they are."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.formatting import format_minutes

Block = dict[str, Any]
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150


PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


class Mrkdwn(str):
    """mrkdwn the app wrote with live markup of its own: sent without escaping."""


def escape(text: str) -> str:
    """Text as Slack shows it literally: `&`, `<` and `>` as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_text(text: str, limit: int = MAX_SECTION_TEXT) -> str:
    """Text for a mrkdwn field: escaped unless the app marked it `Mrkdwn`, then cut to the
    limit without leaving half an entity."""
    if isinstance(text, Mrkdwn):
        return str(text)[:limit]
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return PARTIAL_ENTITY.sub("", escaped[:limit])


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object (escaped: see the module docstring)."""
    return {"type": "mrkdwn", "text": safe_text(text) or " "}


def plain(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    """A plain_text text object."""
    return {"type": "plain_text", "text": text[:limit] or " ", "emoji": True}


def header(text: str) -> Block:
    """A header block."""
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def section(text: str, *, fields: list[str] | None = None, accessory: Block | None = None) -> Block:
    """A section block with mrkdwn text and optional fields."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if fields:
        block["fields"] = [
            {"type": "mrkdwn", "text": safe_text(f, 2000) or " "} for f in fields[:10]
        ]
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> Block:
    """A context block of small grey text."""
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> Block:
    """A button element."""
    element: Block = {"type": "button", "text": plain(text, 75), "action_id": action_id}
    if value:
        element["value"] = value[:2000]
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    """An actions block."""
    block: Block = {"type": "actions", "elements": list(elements[:25])}
    if block_id:
        block["block_id"] = block_id
    return block


def progress_bar(value: int, target: int, width: int = 10) -> str:
    """A text progress bar such as ▰▰▰▰▱▱▱▱▱▱ (full when the target is met)."""
    if target <= 0:
        return "▰" * width
    filled = min(width, round(width * value / target))
    return "▰" * filled + "▱" * (width - filled)


def week_against(
    week: int, target: int | None, *, label: str = "this week ", bar: bool = True
) -> str:
    """ "▰▰▱… this week 40 min of 1 h" (✓ when met); a policy without a weekly target shows the
    week's minutes alone: its pace is its own period's."""
    if target is None:
        return f"{label}{format_minutes(week)}"
    met = " ✓" if week >= target else ""
    shown = f"{label}{format_minutes(week)} of {format_minutes(target)}{met}"
    return f"{progress_bar(week, target)} {shown}" if bar else shown


def pack_sections(lines: list[str], limit: int = MAX_SECTION_TEXT - 100) -> list[str]:
    """Lines joined into as few section texts as fit Slack's limit (with room for escaping's
    entities: `section` cuts what still overflows)."""
    packed: list[str] = []
    current: list[str] = []
    for full in lines:
        line = full[:limit]
        if current and len("\n".join([*current, line])) > limit:
            packed.append("\n".join(current))
            current = []
        current.append(line)
    if current:
        packed.append("\n".join(current))
    return packed


def message(
    text: str, blocks: list[Block], *, ephemeral: bool = True, text_limit: int = 3000
) -> dict[str, Any]:
    """A message payload: fallback text plus at most 50 blocks."""
    payload: dict[str, Any] = {"text": safe_text(text, text_limit), "blocks": blocks[:MAX_BLOCKS]}
    if ephemeral:
        payload["response_type"] = "ephemeral"
    return payload
