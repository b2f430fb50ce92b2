"""Block Kit for reassignment requests: the request form, the requester's confirmation (with the
hold-harmless wording), the coordinators' DM and Home blocks with Reassign and Decline, their
forms, and the answer sent to the requester. Only coordinators' views carry a request's reason."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.domain.assignments import MOVE_ENTRIES
from bot.domain.formatting import format_day
from bot.domain.reassignment import (
    NOTE_MAX,
    REASON_MAX,
    ChangeRequest,
    CoordinatorAlert,
    ReassignChoice,
    RequestAnswer,
    RequesterNotice,
    RequestForm,
    RequestNotice,
)
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, header, message, plain, section
from bot.slack.views import assignment_result

Payload = dict[str, Any]
MAX_PAIR_OPTIONS = 100
MOVE_BLOCK = "move_entries"  # the Reassign form's Move box
MAX_LISTED = 15  # requests in one message: 3 blocks each, under Slack's 50
HOLD_HARMLESS = (
    "Asking for a change is hold-harmless: it is made without consequence for you and is not "
    "part of any evaluation (603 CMR 7.12). It is confidential: only the induction "
    "coordinators see your request and your reason"
)
CONFIDENTIAL = (
    ":lock: Confidential — coordinators only. Asking is without consequence for the person "
    "who asked (hold-harmless, 603 CMR 7.12); the other side of the pair, evaluators and lead "
    "mentors are not told."
)


def request_value(request: ChangeRequest) -> str:
    """The Reassign and Decline buttons' value: the request's id."""
    return json.dumps({"r": request.id}, separators=(",", ":"))


def change_button(assignment_id: int | None = None) -> Block:
    """The "Request a change" button for a mentor's or mentee's Home (one pair, or the form
    asks which)."""
    return button(
        "Request a change", ids.REQUEST_CHANGE, str(assignment_id) if assignment_id else ""
    )


def _hold_harmless(request: ChangeRequest) -> str:
    return f"{HOLD_HARMLESS} — not {request.other.name}, your evaluator or your lead mentor"


# ---- the requester -----------------------------------------------------------------------------


def request_form(form: RequestForm) -> dict[str, Any]:
    """The request modal: which pair (when there are several) and an optional reason."""
    asker = form.asker
    blocks: list[Block] = []
    metadata = ""
    if len(form.pairs) == 1 or form.chosen is not None:
        pair = next((p for p in form.pairs if p.assignment_id == form.chosen), form.pairs[0])
        metadata = str(pair.assignment_id)
        blocks.append(
            section(
                f"A change of your pairing with *{pair.other_than(asker.id).name}* "
                f"(since {format_day(pair.started_on)})."
            )
        )
    else:
        options = [
            {
                "text": plain(f"{p.other_than(asker.id).name} (since {format_day(p.started_on)})"),
                "value": str(p.assignment_id),
            }
            for p in form.pairs[:MAX_PAIR_OPTIONS]
        ]
        blocks.append(
            {
                "type": "input",
                "block_id": "pair",
                "label": plain("Which pairing?"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "placeholder": plain("Choose the person"),
                    "options": options,
                },
            }
        )
        more = len(form.pairs) - len(options)
        if more > 0:  # Slack's cap on a select's options: say so rather than drop them
            blocks.append(
                context(
                    f"The list shows {len(options)} of your {len(form.pairs)} pairings …and "
                    f"{more} more. For one of those, type `/induction change @person`."
                )
            )
    blocks += [
        {
            "type": "input",
            "block_id": "reason",
            "label": plain("Why (optional)"),
            "optional": True,
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": REASON_MAX,
            },
            "hint": plain("Only the induction coordinators read this."),
        },
        context(f":lock: {HOLD_HARMLESS}."),
    ]
    return {
        "type": "modal",
        "callback_id": ids.REQUEST_CHANGE_SUBMIT,
        "private_metadata": metadata,
        "title": plain("Request a change", 24),
        "submit": plain("Send request", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def _filed_text(request: ChangeRequest) -> str:
    return (
        f":white_check_mark: Your request for a change of your pairing with "
        f"{request.other.name} is with the induction coordinators. You'll get a message when "
        "they answer."
    )


def filed(request: ChangeRequest) -> Payload:
    """The ephemeral confirmation of `/induction change`, with the hold-harmless wording and a
    Withdraw button."""
    text = _filed_text(request)
    blocks = [
        section(text),
        context(f":lock: {_hold_harmless(request)}."),
        actions(button("Withdraw request", ids.REQUEST_WITHDRAW, request_value(request))),
    ]
    return message(f"{text} {_hold_harmless(request)}.", blocks)


def withdrawn(request: ChangeRequest) -> Payload:
    """What Withdraw did."""
    text = (
        f":leftwards_arrow_with_hook: You withdrew your request for a change of your pairing "
        f"with {request.other.name}; nothing more will come of it. You can ask again at any "
        "time."
    )
    blocks = [section(text), context(f":lock: {_hold_harmless(request)}.")]
    return message(text, blocks)


def filed_view(request: ChangeRequest) -> dict[str, Any]:
    """The request modal once sent: the same confirmation."""
    return result_view("Request sent", filed(request)["blocks"])


def result_view(title: str, blocks: list[Block]) -> dict[str, Any]:
    """A modal that only says something (a confirmation, or a refusal), closed with Done."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Done", 24),
        "blocks": blocks[:100],
    }


def refusal_view(text: str, example: str | None = None) -> dict[str, Any]:
    """A refusal where there is no message to answer in (a button on Home, a form)."""
    blocks = [section(f":warning: {text}")]
    if example:
        blocks.append(context(f"Try: `{example}`"))
    return result_view("Mentor Minutes", blocks)


def requester_notice(notice: RequesterNotice) -> Payload:
    """The DM telling the requester how their request was answered."""
    answer = notice.answer
    request = answer.request
    other = request.other
    if answer.outcome == "reassigned" and request.requester_role == "mentee":
        assert answer.new_mentor is not None and answer.on is not None
        text = (
            f"Your request for a change of pairing was answered: your new mentor is "
            f"{answer.new_mentor.name} from {format_day(answer.on, request.today)}. "
            f"Your time with {other.name} stays in your record."
        )
    elif answer.outcome == "reassigned":
        assert answer.on is not None
        text = (
            f"Your request for a change of your pairing with {other.name} was answered: "
            f"{other.name} has a new mentor from {format_day(answer.on, request.today)}. "
            "The time you logged together stays in the record."
        )
    else:
        text = (
            f"{answer.by.name} reviewed your request for a change of your pairing with "
            f"{other.name} and kept the pairing as it is. Their note: {answer.note}"
        )
    lines = [section(f":envelope: {text}"), context(f":lock: {_hold_harmless(request)}.")]
    return message(text, lines, ephemeral=False)


# ---- coordinators ------------------------------------------------------------------------------


def _request_line(request: ChangeRequest) -> str:
    pair = request.pair
    return (
        f"*{request.requester.name}* ({request.requester_role}) asks for a change of the "
        f"pairing {pair.mentor.name} → {pair.mentee.name} (since "
        f"{format_day(pair.started_on, request.today)}) · asked "
        f"{format_day(request.asked_on, request.today)}"
    )


def _reason_line(request: ChangeRequest) -> str:
    return f"Reason: {request.reason}" if request.reason else "No reason given."


def request_blocks(request: ChangeRequest) -> list[Block]:
    """One request with its Reassign and Decline buttons (a DM or a coordinator's Home)."""
    value = request_value(request)
    return [
        section(_request_line(request)),
        context(_reason_line(request)),
        actions(
            button("Reassign…", ids.REQUEST_REASSIGN, value, style="primary"),
            button("Decline…", ids.REQUEST_DECLINE, value),
            block_id=f"request-{request.id}",
        ),
    ]


def open_requests(requests: Sequence[ChangeRequest], *, limit: int = 10) -> list[Block]:
    """A coordinator's open requests as Home blocks (nothing when there are none)."""
    if not requests:
        return []
    count = len(requests)
    blocks: list[Block] = [
        section(f"*Requests for a change of pairing* ({count} open)"),
        context(CONFIDENTIAL),
    ]
    for request in requests[:limit]:
        blocks += request_blocks(request)
    if count > limit:
        blocks.append(context(f"…and {count - limit} more, oldest first."))
    return blocks


def open_requests_message(requests: Sequence[ChangeRequest]) -> Payload:
    """`/induction requests`: the open requests with their buttons, or that there are none."""
    if not requests:
        return message(
            "No open requests for a change of pairing.",
            [section("No open requests for a change of pairing.")],
        )
    blocks = open_requests(requests, limit=MAX_LISTED)
    return message(f"{len(requests)} open request(s) for a change of pairing", blocks)


def coordinator_alert(alert: CoordinatorAlert) -> Payload:
    """The DM to a coordinator: a new request, with Reassign and Decline."""
    request = alert.request
    title = "Request for a change of pairing"
    blocks = [header(title), *request_blocks(request), context(CONFIDENTIAL)]
    text = f"{title}: {_request_line(request).replace('*', '')}. {_reason_line(request)}"
    return message(text, blocks, ephemeral=False)


def render_notice(notice: RequestNotice) -> Payload:
    """A request's DM as Slack shows it (the service's renderer)."""
    if isinstance(notice, CoordinatorAlert):
        return coordinator_alert(notice)
    return requester_notice(notice)


def reassign_form(choice: ReassignChoice) -> dict[str, Any]:
    """The Reassign modal: a suggested mentor for the pair's mentee."""
    request = choice.request
    blocks: list[Block] = [section(_request_line(request)), context(_reason_line(request))]
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ids.REQUEST_REASSIGN_SUBMIT,
        "private_metadata": str(request.id),
        "title": plain("Reassign", 24),
        "close": plain("Cancel", 24),
    }
    if not choice.suggestions:
        blocks.append(
            section(
                f"No mentor to suggest for {request.pair.mentee.name}. Assign one with "
                "`/induction assign @mentor @mentee`, then decline this request with a note."
            )
        )
        return {**view, "blocks": blocks}
    options = [
        {
            "text": plain(
                f"{mentor.name} · {load} mentee{'s' if load != 1 else ''}"
                + (" · not trained yet" if mentor.id in choice.untrained else ""),
                75,
            ),
            "value": str(mentor.id),
        }
        for mentor, load in choice.suggestions
    ]
    blocks.append(
        {
            "type": "input",
            "block_id": "mentor",
            "label": plain(f"New mentor for {request.pair.mentee.name}", 150),
            "element": {
                "type": "static_select",
                "action_id": "value",
                "options": options,
                "initial_option": options[0],
            },
            "hint": plain(
                f"{request.pair.mentor.name}'s pairing ends (reassigned on request); the new "
                "one starts today. Suggested by subject, grade, school and load."
            ),
        }
    )
    if choice.entries_today:
        blocks.append(_move_entries_box(choice))
    blocks.append(context(CONFIDENTIAL))
    return {**view, "submit": plain("Reassign", 24), "blocks": blocks}


def _move_entries_box(choice: ReassignChoice) -> Block:
    """The Move box: entries the pair logged today would fall outside it once it ends."""
    pair, n = choice.request.pair, choice.entries_today
    return {
        "type": "input",
        "block_id": MOVE_BLOCK,
        "optional": True,
        "label": plain(
            f"{pair.mentor.name} logged {n} entr{'y' if n == 1 else 'ies'} with "
            f"{pair.mentee.name} today",
            150,
        ),
        "element": {
            "type": "checkboxes",
            "action_id": "value",
            "options": [{"text": plain("Move them to the new mentor", 75), "value": MOVE_ENTRIES}],
        },
        "hint": plain(
            "The pairing ends yesterday, so today's entries must move (audited); otherwise "
            "reassign from tomorrow with /induction assign."
        ),
    }


def decline_form(request: ChangeRequest) -> dict[str, Any]:
    """The Decline modal: a note sent to the requester."""
    return {
        "type": "modal",
        "callback_id": ids.REQUEST_DECLINE_SUBMIT,
        "private_metadata": str(request.id),
        "title": plain("Decline request", 24),
        "submit": plain("Decline", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            section(_request_line(request)),
            context(_reason_line(request)),
            {
                "type": "input",
                "block_id": "note",
                "label": plain(f"Note to {request.requester.name}", 150),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": NOTE_MAX,
                },
                "hint": plain("Sent to them as written; the pairing stays as it is."),
            },
        ],
    }


def answered_view(answer: RequestAnswer) -> dict[str, Any]:
    """The coordinator's form once answered: what was done, and that the requester is told."""
    request = answer.request
    told = context(f"{request.requester.name} gets a message with the answer.")
    if answer.assignment is not None:
        return result_view("Reassigned", [*assignment_result(answer.assignment)["blocks"], told])
    body = section(
        f":white_check_mark: Declined {request.requester.name}'s request; the pairing "
        f"{request.pair.mentor.name} → {request.pair.mentee.name} stays as it is."
    )
    return result_view("Declined", [body, told])
