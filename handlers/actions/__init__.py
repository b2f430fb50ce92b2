"""Button listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from handlers.actions import (
    change_requests,
    log_controls,
    nudge_buttons,
    signoff_buttons,
    survey_answer,
)


def register(app: App) -> None:
    """Register every action listener."""
    app.action(ids.LOG_UNDO)(log_controls.undo)
    app.action(ids.LOG_EDIT)(log_controls.edit)
    app.action(ids.LOG_OPEN_FORM)(log_controls.open_form)
    app.action(ids.prefixed(ids.LOG_PICK_MENTEE))(log_controls.pick)
    app.action(ids.prefixed(ids.LOG_PICK_DATE))(log_controls.pick)
    app.action(ids.prefixed(ids.LOG_PICK_KIND))(log_controls.pick)
    app.action(ids.MILESTONE_DONE)(nudge_buttons.mark_done)
    app.action(ids.MILESTONE_CONFIRM)(nudge_buttons.confirm)
    app.action(ids.prefixed(ids.ASSIGN_SUGGESTED))(nudge_buttons.assign_suggested)
    app.action(ids.SIGNOFF_CONFIRM)(signoff_buttons.sign)
    app.action(ids.RECORD_SHOW)(nudge_buttons.record_show)
    app.action(ids.ENTRY_CONFIRM)(signoff_buttons.confirm_entry)
    app.action(ids.ENTRY_FLAG)(signoff_buttons.flag_entry)
    app.action(ids.SURVEY_ANSWER)(survey_answer.open_form)
    app.action(ids.REQUEST_CHANGE)(change_requests.request_change)
    app.action(ids.REQUEST_REASSIGN)(change_requests.reassign)
    app.action(ids.REQUEST_DECLINE)(change_requests.decline)
    app.action(ids.REQUEST_WITHDRAW)(change_requests.withdraw)
