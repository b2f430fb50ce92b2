"""Records rendered and claimed: nudges become Slack messages (`nudge_views`) under their outbox
keys, and are claimed in one transaction; the `deliver` job sends them.

This is the part of the jobs the composition root wires into a service (a group session's exit
tickets are claimed as it is recorded), so it needs the store, the outbox and the views, never
`bot.bootstrap`: `schedules.jobs` imports `bot.bootstrap`, and `bot.bootstrap` imports this."""

from __future__ import annotations

from datetime import datetime

from bot.domain.notices import Nudge
from bot.services.outbox import Notification, Outbox
from bot.services.surveys import SurveyService
from bot.slack import nudge_views
from bot.store.db import Store


def notifications(nudges: list[Nudge]) -> list[Notification]:
    """Nudges rendered for Slack, each message under its outbox key (rendering happens here,
    before the claim: the services return records, never Block Kit)."""
    return [
        Notification(nudge.rule, nudge.recipient, subject, nudge.period, payload)
        for nudge in nudges
        for subject, payload in nudge_views.render(nudge)
    ]


def claim(store: Store, outbox: Outbox, nudges: list[Nudge], now: datetime) -> tuple[int, int]:
    """Render and claim nudges: (messages rendered, newly claimed)."""
    notes = notifications(nudges)
    with store.write() as session:
        return len(notes), outbox.claim_all(session, notes, now)


class ExitTickets:
    """Claims a group session's exit tickets for its attendees as the session is recorded
    (`ActivityService`'s hook); the next delivery sends them."""

    def __init__(self, store: Store, surveys: SurveyService, outbox: Outbox) -> None:
        self.store = store
        self.surveys = surveys
        self.outbox = outbox

    def __call__(self, event_id: int, attendee_ids: list[int], now: datetime) -> int:
        """How many tickets were newly claimed; a Refusal names unknown attendees."""
        nudges = self.surveys.exit_ticket_for(event_id, attendee_ids, now)
        return claim(self.store, self.outbox, nudges, now)[1]
