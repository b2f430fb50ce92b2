"""Button listeners."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.slack import request_views
from handlers.actions import (
    change_requests,
    log_controls,
    nudge_buttons,
    signoff_buttons,
    survey_answer,
)


def register(app: App) -> None:
    """Register every action listener."""
    app.action("log_undo")(log_controls.undo)
    app.action("log_edit")(log_controls.edit)
    app.action("open_log_modal")(log_controls.open_form)
    app.action(re.compile(r"^log_pick_mentee:"))(log_controls.pick)
    app.action(re.compile(r"^log_pick_date:"))(log_controls.pick)
    app.action(re.compile(r"^log_pick_kind:"))(log_controls.pick)
    app.action("milestone_done")(nudge_buttons.mark_done)
    app.action("milestone_confirm")(nudge_buttons.confirm)
    app.action(re.compile(r"^assign_suggested:"))(nudge_buttons.assign_suggested)
    app.action("signoff_confirm")(signoff_buttons.sign)
    app.action("record_show")(nudge_buttons.record_show)
    app.action("entry_confirm")(signoff_buttons.confirm_entry)
    app.action("entry_flag")(signoff_buttons.flag_entry)
    app.action("survey_answer")(survey_answer.open_form)
    app.action(request_views.REQUEST_CHANGE)(change_requests.request_change)
    app.action(request_views.REASSIGN)(change_requests.reassign)
    app.action(request_views.DECLINE)(change_requests.decline)
    app.action(request_views.WITHDRAW)(change_requests.withdraw)
