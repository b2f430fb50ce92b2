"""The survey answer modal submitted: stored once, or refused in the ack (nothing stored)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.services.errors import Refusal
from bot.services.surveys import AnswerRefused
from bot.slack import payload_values as parse
from bot.slack import survey_views
from bot.slack.payload_values import BadValue
from handlers.reply import SORRY, refuse_bad_value_view, services_of

log = logging.getLogger(__name__)


def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """Store the answer and thank; a value at fault shows under its question, a closed or
    already-answered survey replaces the modal with the reason."""
    services = services_of(context)
    try:
        survey_id = parse.row_id(parse.metadata(view), "survey form")
        answers, comment = survey_views.form_values(view.get("state"))
    except BadValue as exc:
        ack(response_action="update", view=refuse_bad_value_view(exc))
        return
    try:
        form = services.surveys.answer(
            body["user"]["id"], survey_id, answers, comment, services.clock.now()
        )
    except AnswerRefused as exc:
        block = survey_views.QUESTION_BLOCK.format(number=exc.question)
        ack(response_action="errors", errors={block: exc.message[:150]})
        return
    except Refusal as exc:
        ack(response_action="update", view=survey_views.refused_modal(exc.message))
        return
    except Exception:
        log.exception("survey answer failed")
        ack(response_action="update", view=survey_views.refused_modal(SORRY))
        return
    ack(response_action="update", view=survey_views.done_modal(form))
