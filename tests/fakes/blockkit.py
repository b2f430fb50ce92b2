"""Block Kit checks with slack_sdk's model classes: every payload the app sends must parse,
validate (`to_dict()` raises on a broken limit) and survive the round trip unchanged."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_FALLBACK_TEXT = 40_000


def valid_blocks(blocks: Any, *, limit: int = MAX_MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Assert every block is known to slack_sdk, valid, and kept as is by a round trip."""
    assert isinstance(blocks, list), blocks
    assert 0 < len(blocks) <= limit, len(blocks)
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, f"unknown block: {block!r}"
        assert parsed.to_dict() == block, f"block changed by slack_sdk: {block!r}"
    return blocks


def valid_message(payload: Any) -> dict[str, Any]:
    """A message payload: a non-empty text fallback and valid blocks."""
    assert isinstance(payload, dict), payload
    text = payload.get("text")
    assert isinstance(text, str) and text.strip(), payload
    assert len(text) <= MAX_FALLBACK_TEXT
    valid_blocks(payload.get("blocks"))
    return payload


def valid_view(view: Any) -> dict[str, Any]:
    """A modal or Home tab that slack_sdk's View accepts and validates."""
    assert isinstance(view, dict), view
    model = View(**view)
    rendered = model.to_dict()
    assert rendered["type"] == view["type"]
    valid_blocks(view.get("blocks"), limit=MAX_VIEW_BLOCKS)
    return view
