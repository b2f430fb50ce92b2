"""Small Block Kit builders (plain dicts, validated by slack_sdk's models in tests)."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object."""
    return {"type": "mrkdwn", "text": text[:MAX_SECTION_TEXT] or " "}


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
        block["fields"] = [mrkdwn(f[:2000]) for f in fields[:10]]
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


def message(text: str, blocks: list[Block], *, ephemeral: bool = True) -> dict[str, Any]:
    """A message payload: fallback text plus at most 50 blocks."""
    payload: dict[str, Any] = {"text": text[:3000], "blocks": blocks[:MAX_BLOCKS]}
    if ephemeral:
        payload["response_type"] = "ephemeral"
    return payload
