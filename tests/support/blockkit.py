"""The one Block Kit check: every payload the app gives Slack must parse with slack_sdk's model
classes, validate (`to_dict()` raises on a broken limit), survive the round trip unchanged, and
keep Slack's own limits. The fake Web API (tests/support/slack_api.py) runs it on every call it
records; `valid_ack` runs it on what never reaches the fake (the body of an ack)."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.devtools.slack_standin import RESPONSE_URL_METHOD
from bot.slack.charts import MAX_CHARTS_PER_MESSAGE, chart_problems, is_chart

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_FALLBACK_TEXT = 40_000
MAX_ATTACHMENTS = 100
MAX_PRIVATE_METADATA = 3000

# The Web API methods whose arguments carry a message or a view (a response_url post is recorded
# by the fake as RESPONSE_URL_METHOD and carries a message).
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)
VIEW_METHODS = frozenset({"views.open", "views.publish", "views.update", "views.push"})


def valid_blocks(blocks: Any, *, limit: int = MAX_MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Assert every block is known to slack_sdk, valid, and kept as is by a round trip; a
    chart (`data_visualization`, which slack_sdk has no model for) is checked against Slack's
    documented limits (`bot.slack.charts`), and only a message may hold one, at most two."""
    assert isinstance(blocks, list), blocks
    assert 0 < len(blocks) <= limit, f"{len(blocks)} blocks (Slack takes 1 to {limit})"
    charted = [block for block in blocks if isinstance(block, dict) and is_chart(block)]
    assert not charted or limit == MAX_MESSAGE_BLOCKS, "a chart in a view (messages only)"
    assert len(charted) <= MAX_CHARTS_PER_MESSAGE, f"{len(charted)} charts in one message"
    for block in blocks:
        if isinstance(block, dict) and is_chart(block):
            problems = chart_problems(block)
            assert not problems, f"chart refused: {'; '.join(problems)}"
            continue
        parsed = Block.parse(block)
        assert parsed is not None, f"unknown block: {block!r}"
        assert parsed.to_dict() == block, f"block changed by slack_sdk: {block!r}"
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), f"block_id used twice: {block_ids}"
    return blocks


def valid_attachments(attachments: Any) -> list[dict[str, Any]]:
    """Legacy attachments: each accepted by slack_sdk's Attachment, its blocks checked too."""
    assert isinstance(attachments, list), attachments
    assert len(attachments) <= MAX_ATTACHMENTS, len(attachments)
    for attachment in attachments:
        assert isinstance(attachment, dict), attachment
        if "blocks" in attachment:
            valid_blocks(attachment["blocks"])
        else:
            Attachment(**attachment).to_dict()
    return attachments


def valid_message(payload: Any) -> dict[str, Any]:
    """A message payload with blocks: a non-empty text fallback and valid blocks."""
    assert isinstance(payload, dict), payload
    text = payload.get("text")
    assert isinstance(text, str) and text.strip(), f"no text fallback: {payload!r}"
    assert len(text) <= MAX_FALLBACK_TEXT, len(text)
    valid_blocks(payload.get("blocks"))
    if "attachments" in payload:
        valid_attachments(payload["attachments"])
    return payload


def valid_view(view: Any) -> dict[str, Any]:
    """A modal or Home tab that slack_sdk's View accepts and validates."""
    assert isinstance(view, dict), view
    model = View(**view)
    rendered = model.to_dict()  # validates the title, buttons, callback id and lengths
    model.validate_json()
    assert view["type"] in ("modal", "home"), view["type"]
    assert rendered["type"] == view["type"], rendered
    if view["type"] == "modal":
        assert view.get("title"), "a modal needs a title"
    assert len(view.get("private_metadata") or "") <= MAX_PRIVATE_METADATA
    valid_blocks(view.get("blocks"), limit=MAX_VIEW_BLOCKS)
    return view


def valid_call(method: str, params: dict[str, Any], *, blocks_required: bool = True) -> None:
    """Check what one Web API call (or response_url post) carries: its message or its view.
    Every message of ours is Block Kit; `blocks_required=False` lets plain text through (for
    tests of the fake's plumbing), and a call with no message or view has nothing to check."""
    is_message = method in MESSAGE_METHODS or method == RESPONSE_URL_METHOD
    if blocks_required and is_message and not params.get("delete_original"):
        assert "blocks" in params or "attachments" in params, (
            f"a message without blocks: {params!r}"
        )
    if "view" in params:
        assert method in VIEW_METHODS, f"{method} carries a view"
        valid_view(params["view"])
    if "blocks" in params:
        valid_message(params)
    elif "attachments" in params:
        valid_attachments(params["attachments"])


def valid_ack(body: str | bytes | dict[str, Any] | None) -> dict[str, Any] | None:
    """The body of an ack, which Slack reads but the fake never sees: empty (None), an answer to
    a form (`response_action`), or a message (Block Kit with its fallback) — the ephemeral reply
    to a slash command."""
    if body is None or body in ("", b""):
        return None
    payload = body if isinstance(body, dict) else json.loads(body)
    assert isinstance(payload, dict), payload
    action = payload.get("response_action")
    if action in ("update", "push"):
        valid_view(payload["view"])
    elif action == "errors":
        errors = payload["errors"]
        assert isinstance(errors, dict) and errors, payload
        assert all(isinstance(v, str) and 0 < len(v) <= 150 for v in errors.values()), errors
    elif action is not None:
        assert action == "clear", payload
    else:
        valid_message(payload)  # every reply of ours is Block Kit with a text fallback
    return payload
