"""Block Kit for surveys and exit tickets: the DM with its Answer button, the answer modal
(each question on the 1–5 scale, the optional comment) and what the modal shows after."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.formatting import format_day
from bot.domain.notices import SurveyInvite
from bot.domain.policy.surveys import MAX_COMMENT_CHARS, SCALE, SCALE_WORDS
from bot.domain.surveys import SurveyForm
from bot.slack import ids, log_views
from bot.slack.blocks import actions, button, context, message, plain, section
from bot.slack.payload_values import free_text

Payload = dict[str, Any]
QUESTION_BLOCK = "q{number}"
COMMENT_BLOCK = "comment"
VALUE = "value"  # the action_id of every input element
QUESTION_ID = re.compile(r"q([0-9]{1,2})")
SCALE_VALUE = re.compile(r"-?[0-9]{1,5}")  # off the scale: refused under its question
PRIVACY = "Answers are confidential: results are shown only in aggregate, never below 5 answers."


def invite(invite: SurveyInvite) -> Payload:
    """The DM: what is asked, until when, and the Answer button."""
    closes = format_day(invite.closes)
    if invite.kind == "exit_ticket":
        text = f"How was the group session? One question, answer by {closes}."
    else:
        count = f"{invite.questions} question{'s' if invite.questions != 1 else ''}"
        lead = "Reminder: " if invite.reminder else ""
        text = f"{lead}{invite.title} — {count}, answer by {closes}."
    blocks = [
        section(f":memo: {text}"),
        actions(button("Answer", ids.SURVEY_ANSWER, str(invite.survey_id), style="primary")),
        context(PRIVACY),
    ]
    return message(text, blocks, ephemeral=False)


def _option(value: int) -> dict[str, Any]:
    return {"text": plain(f"{value} — {SCALE_WORDS[value]}", 75), "value": str(value)}


def answer_modal(form: SurveyForm) -> dict[str, Any]:
    """The answer form: one 1–5 choice per question, then the optional comment."""
    blocks: list[dict[str, Any]] = [
        section(f"Answer by {format_day(form.closes)}. {PRIVACY}"),
    ]
    for number, question in enumerate(form.questions, start=1):
        blocks.append(
            {
                "type": "input",
                "block_id": QUESTION_BLOCK.format(number=number),
                "label": plain(question, 2000),
                "element": {
                    "type": "static_select",
                    "action_id": VALUE,
                    "placeholder": plain("1 (strongly disagree) to 5 (strongly agree)", 150),
                    "options": [_option(value) for value in SCALE],
                },
            }
        )
    if form.comment:
        blocks.append(
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "optional": True,
                "label": plain("Comment (optional)"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": VALUE,
                    "multiline": True,
                    "max_length": MAX_COMMENT_CHARS,
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": ids.SURVEY_SUBMIT,
        "private_metadata": str(form.survey_id),
        "title": plain(_title(form), 24),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def _title(form: SurveyForm) -> str:
    return "Exit ticket" if form.kind == "exit_ticket" else "Survey"


def done_modal(form: SurveyForm) -> dict[str, Any]:
    """What the modal shows once the answer is stored."""
    return _notice_modal(
        _title(form),
        f":white_check_mark: Thank you — your answer to “{form.title}” is in. {PRIVACY}",
    )


def refused_modal(reason: str) -> dict[str, Any]:
    """What the modal shows when the answer can't be taken (closed, already answered)."""
    return _notice_modal("Survey", f":no_entry_sign: {reason}")


def _notice_modal(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Close"),
        "blocks": [section(text)],
    }


def form_values(state: object) -> tuple[dict[int, int | None], str | None]:
    """The answers by question number (None where none was chosen) and the comment, from the
    submitted view's state; which questions must be there, on the scale, is the service's to
    check. A value that is not text at all is a BadValue."""
    fields = log_views.form_values(state)
    answers: dict[int, int | None] = {}
    for block, raw in fields.items():
        question = QUESTION_ID.fullmatch(block)
        if question is None:
            continue
        number = raw if raw is not None and SCALE_VALUE.fullmatch(raw) else None
        answers[int(question.group(1))] = None if number is None else int(number)
    return answers, free_text(fields.get(COMMENT_BLOCK), "survey form")
