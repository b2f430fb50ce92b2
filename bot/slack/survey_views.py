"""Block Kit for surveys and exit tickets: the DM with its Answer button, the answer modal
(each question on the 1–5 scale, the optional comment) and what the modal shows after."""

from __future__ import annotations

from typing import Any

from bot.domain.formatting import format_day
from bot.domain.notices import SurveyInvite
from bot.domain.policy.surveys import MAX_COMMENT_CHARS, SCALE, SCALE_WORDS
from bot.domain.surveys import SurveyForm
from bot.slack import ids
from bot.slack.blocks import actions, button, context, message, plain, section

Payload = dict[str, Any]
QUESTION_BLOCK = "q{number}"
COMMENT_BLOCK = "comment"
VALUE = "value"  # the action_id of every input element
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


def form_values(state: dict[str, Any]) -> tuple[dict[int, int | None], str | None]:
    """The answers by question number (None where not a number) and the comment, from the
    submitted view's state; which questions must be there is the service's to check."""
    values = state.get("values") or {}
    answers: dict[int, int | None] = {}
    for block, elements in values.items():
        number = block[1:] if isinstance(block, str) and block.startswith("q") else ""
        if not number.isdigit() or len(number) > 2:
            continue
        option = ((elements or {}).get(VALUE) or {}).get("selected_option") or {}
        raw = option.get("value") if isinstance(option, dict) else None
        ok = isinstance(raw, str) and raw.lstrip("-").isdigit() and len(raw) < 6
        answers[int(number)] = int(raw) if ok and isinstance(raw, str) else None
    comment = ((values.get(COMMENT_BLOCK) or {}).get(VALUE) or {}).get("value")
    return answers, comment if isinstance(comment, str) else None
