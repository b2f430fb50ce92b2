"""Sign-off in Slack: the preview a signer sees before signing, what signing and reopening did,
an entry's Confirm / Flag buttons and the flag form. Hours and counts only — never notes."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.domain.formatting import format_day, format_day_long, format_minutes
from bot.domain.signoff import Lock, Period, Review, SignOffPreview
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, header, message, section

Payload = dict[str, Any]
FLAG_REASON = "reason"


def period_value(period: Period, school: str | None) -> str:
    """What the Sign off button carries: the period and school offered (checked again)."""
    return json.dumps(
        {"first": period.first.isoformat(), "last": period.last.isoformat(), "school": school}
    )


def preview(p: SignOffPreview) -> Payload:
    """What a period holds, what is unconfirmed or flagged, and the Sign off button."""
    title = f"Sign off {p.period.label} for {p.scope}?"
    lines = [
        f"{p.entries} entr{'y' if p.entries == 1 else 'ies'}: {p.confirmed} confirmed, "
        f"{p.unconfirmed} not confirmed yet, {p.flagged_count} flagged."
    ]
    if p.flagged:
        lines.append("Flagged (the author was told why):")
        lines += [
            f"• {f.mentor} with {f.mentee}, {format_day(f.day)}: {format_minutes(f.minutes)}"
            for f in p.flagged
        ]
        if p.flagged_count > len(p.flagged):
            lines.append(f"…and {p.flagged_count - len(p.flagged)} more")
    blocks: list[Block] = [
        header(title[:150]),
        section("\n".join(lines)),
        context(
            "Signing off locks the period: nothing dated in it can be logged, undone or edited "
            "until a coordinator reopens it, with a reason."
        ),
        actions(
            button(
                "Sign off", ids.SIGNOFF_CONFIRM, period_value(p.period, p.school), style="primary"
            )
        ),
    ]
    return message(f"{title} {lines[0]}", blocks)


def signed(p: SignOffPreview) -> Payload:
    """What signing off did."""
    text = (
        f"{p.period.label} is signed off for {p.scope}: {p.entries} entries locked "
        f"({p.unconfirmed} not confirmed, {p.flagged_count} flagged at signing)."
    )
    return message(text, [section(f":lock: {text}")])


def reopened(lock: Lock, reason: str) -> Payload:
    """What reopening did."""
    text = (
        f"{lock.period.label} is open again for {lock.scope} (signed off by {lock.signed_by} on "
        f"{format_day_long(lock.signed_on)}). Reason kept: {reason}"
    )
    return message(text, [section(f":unlock: {text}")])


def review_blocks(
    entry_id: int, author: str, minutes: int, kind: str, day: date, today: date | None = None
) -> list[Block]:
    """One entry the other side of the pair logged, with Confirm / Flag (a DM, Home)."""
    return [
        section(
            f"{author} logged {format_minutes(minutes)} of {kind} with you on "
            f"{format_day(day, today)}."
        ),
        actions(
            button("Confirm", ids.ENTRY_CONFIRM, str(entry_id), style="primary"),
            button("Flag", ids.ENTRY_FLAG, str(entry_id)),
            block_id=f"review_{entry_id}",
        ),
    ]


def reviewed(review: Review) -> Payload:
    """What the reviewer is told."""
    what = "confirmed" if review.verdict == "confirmed" else "flagged"
    text = (
        f"You {what} {review.author.name}'s entry of {format_day(review.day)} "
        f"({format_minutes(review.minutes)})."
        + (" They see your reason and can edit or undo it." if what == "flagged" else "")
    )
    return message(text, [section(text)])


def flag_form(entry_id: int) -> dict[str, Any]:
    """The modal asking why an entry is flagged."""
    return {
        "type": "modal",
        "callback_id": ids.ENTRY_FLAG_SUBMIT,
        "private_metadata": str(entry_id),
        "title": {"type": "plain_text", "text": "Flag an entry"},
        "submit": {"type": "plain_text", "text": "Flag"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": FLAG_REASON,
                "label": {"type": "plain_text", "text": "What is wrong with it?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FLAG_REASON,
                    "multiline": True,
                    "max_length": 500,
                    "placeholder": {"type": "plain_text", "text": "That wasn't 90 minutes"},
                },
            }
        ],
    }


def flagged_note(review: Review) -> Payload:
    """What the author of a flagged entry is told, with Edit."""
    text = (
        f"{review.reviewer.name} flagged your entry of {format_day(review.day)} "
        f"({format_minutes(review.minutes)}): {review.reason}"
    )
    blocks: list[Block] = [
        section(f":triangular_flag_on_post: {text}"),
        actions(button("Edit", ids.LOG_EDIT, str(review.entry_id))),
        context("Edit it if it is wrong, or undo it; until then it stays flagged."),
    ]
    return message(text, blocks, ephemeral=False)
