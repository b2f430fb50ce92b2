"""Every action_id and callback_id the app puts on a button or a modal, defined once: the views
use them to build, `handlers/` to register the listeners (`app.action`, `app.view`).

An id used as a prefix carries its choice after a colon ("log_pick_mentee:12"): the view builds
it with `choice(PREFIX, …)`, the handler registers `prefixed(PREFIX)`."""

from __future__ import annotations

import re

# /logmeeting's reply, the Home tab and the log form
LOG_UNDO = "log_undo"
LOG_EDIT = "log_edit"
LOG_OPEN_FORM = "open_log_modal"
LOG_PICK_MENTEE = "log_pick_mentee"  # prefix: the mentee's person id
LOG_PICK_DATE = "log_pick_date"  # prefix: the ISO day
LOG_PICK_KIND = "log_pick_kind"  # prefix: the kind
LOG_NEW_SUBMIT = "log_new"  # callback of the form for a new entry
LOG_EDIT_SUBMIT = "log_edit_submit"  # callback of the form editing an entry

# nudges and statuses
MILESTONE_DONE = "milestone_done"
MILESTONE_CONFIRM = "milestone_confirm"
ASSIGN_SUGGESTED = "assign_suggested"  # prefix: "mentee id:mentor id"
RECORD_SHOW = "record_show"

# sign-off and entry reviews
SIGNOFF_CONFIRM = "signoff_confirm"
ENTRY_CONFIRM = "entry_confirm"
ENTRY_FLAG = "entry_flag"
ENTRY_FLAG_SUBMIT = "entry_flag_submit"  # callback of the flag form

# surveys and exit tickets
SURVEY_ANSWER = "survey_answer"  # the DM's button; its value is the survey id
SURVEY_SUBMIT = "survey_submit"  # callback of the survey form; private_metadata is the survey id

# requests for a change of pairing
REQUEST_CHANGE = "request_change"  # the mentor's and mentee's button (Home: value = "" or id)
REQUEST_REASSIGN = "request_reassign"  # coordinators: open the Reassign form (value {"r": id})
REQUEST_DECLINE = "request_decline"  # coordinators: open the Decline form (value {"r": id})
REQUEST_WITHDRAW = "request_withdraw"  # the requester's, on their confirmation (value {"r": id})
REQUEST_CHANGE_SUBMIT = "request_change_submit"
REQUEST_REASSIGN_SUBMIT = "request_reassign_submit"
REQUEST_DECLINE_SUBMIT = "request_decline_submit"


def choice(prefix: str, *parts: object) -> str:
    """A prefixed id with its choice: choice(LOG_PICK_MENTEE, 12) → "log_pick_mentee:12"."""
    return ":".join([prefix, *(str(part) for part in parts)])


def prefixed(prefix: str) -> re.Pattern[str]:
    """What a listener for every choice of a prefixed id matches."""
    return re.compile(rf"^{re.escape(prefix)}:")
