"""Records rendered and claimed: nudges become Slack messages (`nudge_views`) under their outbox
keys, and are claimed in one transaction; the `deliver` job sends them.

This is the part of the jobs the composition root wires into a service (a group session's exit
tickets are claimed as it is recorded), so it needs the store, the outbox and the views, never
`bot.bootstrap`: `schedules.jobs` imports `bot.bootstrap`, and `bot.bootstrap` imports this."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.notices import Nudge, SurveyInvite
from bot.email import views as email_views
from bot.services.outbox import Notification, Outbox
from bot.services.surveys import SurveyService
from bot.slack import nudge_views
from bot.store.db import Store


def render_email(record: Any, program: str) -> dict[str, str]:
    """An email of a record (the outbox's `EmailRenderer`, wired in by the composition root)."""
    return email_views.render(record, program)


def notifications(
    nudges: list[Nudge], outbox: Outbox | None = None, program: str = ""
) -> list[Notification]:
    """Nudges rendered for Slack (and by email, for whom the outbox routes there), each
    message under its outbox key (rendering happens here, before the claim: the services
    return records, never Block Kit). Without an outbox: the DMs only."""
    if outbox is None:
        return [
            Notification(nudge.rule, nudge.recipient, subject, nudge.period, payload)
            for nudge in nudges
            for subject, payload in nudge_views.render(nudge)
        ]
    return [
        note
        for nudge in nudges
        for note in outbox.route(
            nudge.person,
            nudge.recipient,
            (nudge.rule, nudge.subject, nudge.period),
            nudge_views.render(nudge),
            nudge.content,
            program,
            needs_slack=isinstance(nudge.content, SurveyInvite),
        )
    ]


def claim(
    store: Store, outbox: Outbox, nudges: list[Nudge], now: datetime, program: str = ""
) -> tuple[int, int]:
    """Render and claim nudges: (messages rendered, newly claimed)."""
    notes = notifications(nudges, outbox, program)
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
        program = self.surveys.programs.current(now).name
        return claim(self.store, self.outbox, nudges, now, program)[1]
