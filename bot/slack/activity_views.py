"""What `/induction event` answers: the activity as recorded and the mentoring it logged."""

from __future__ import annotations

from typing import Any

from bot.domain.activities import RecordedActivity
from bot.domain.formatting import format_day, format_minutes
from bot.domain.members import Member
from bot.slack.blocks import Block, context, message, section

Payload = dict[str, Any]


def _names(members: tuple[Member, ...]) -> str:
    return ", ".join(m.name for m in members)


def activity_recorded(recorded: RecordedActivity) -> Payload:
    """The echo after recording an activity: what was stored, and for a group session whose
    mentoring was logged (and whose was not, with why). Notes are kept, not echoed."""
    headline = (
        f":white_check_mark: Recorded {recorded.title} on {format_day(recorded.occurred_on)}, "
        f"{format_minutes(recorded.minutes)}, facilitated by {recorded.facilitator.name}."
    )
    attended = f"{len(recorded.attendees)} attended: {_names(recorded.attendees)}."
    blocks: list[Block] = [section(headline), section(attended)]
    lines = [
        f"• {mentor.name} with {_names(mentees)}: {format_minutes(recorded.minutes)} each"
        for mentor, mentees in recorded.logged
    ]
    if lines:
        blocks.append(section("Logged as group mentoring:\n" + "\n".join(lines)))
    if recorded.no_mentor:
        blocks.append(
            section(
                f"Not logged as mentoring (no mentor of theirs present and the facilitator is "
                f"not a mentor): {_names(recorded.no_mentor)}."
            )
        )
    blocks.append(context("Counts and hours go to the annual report; the notes stay private."))
    text = f"{headline} {attended}"
    return message(text, blocks)
