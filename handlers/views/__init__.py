"""Modal submission listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from handlers.views import change_requests, flag_form, log_form, survey_form


def register(app: App) -> None:
    """Register every view listener."""
    app.view(ids.LOG_NEW_SUBMIT)(log_form.submit_new)
    app.view(ids.LOG_EDIT_SUBMIT)(log_form.submit_edit)
    app.view(ids.ENTRY_FLAG_SUBMIT)(flag_form.submit)
    app.view(ids.SURVEY_SUBMIT)(survey_form.submit)
    app.view(ids.REQUEST_CHANGE_SUBMIT)(change_requests.submit_request)
    app.view(ids.REQUEST_REASSIGN_SUBMIT)(change_requests.submit_reassign)
    app.view(ids.REQUEST_DECLINE_SUBMIT)(change_requests.submit_decline)
