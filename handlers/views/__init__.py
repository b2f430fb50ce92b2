"""Modal submission listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import request_views
from handlers.views import change_requests, flag_form, log_form, survey_form


def register(app: App) -> None:
    """Register every view listener."""
    app.view("log_new")(log_form.submit_new)
    app.view("log_edit_submit")(log_form.submit_edit)
    app.view("entry_flag_submit")(flag_form.submit)
    app.view("survey_submit")(survey_form.submit)
    app.view(request_views.ASK_CALLBACK)(change_requests.submit_request)
    app.view(request_views.REASSIGN_CALLBACK)(change_requests.submit_reassign)
    app.view(request_views.DECLINE_CALLBACK)(change_requests.submit_decline)
