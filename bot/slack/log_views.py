"""Block Kit for `/logmeeting`: the echo with Undo/Edit, questions, refusals and the log form."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Any

from bot.domain.entries import FormDefaults, LoggedEntry, LogOutcome
from bot.domain.formatting import format_day, format_minutes
from bot.domain.grammar import KINDS, ParseError
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, message, plain, section
from bot.slack.payload_values import BadValue

Payload = dict[str, Any]
MAX_VALUE_TEXT = 1500
MAX_EDIT_BUTTONS = 5
MAX_OPTIONS = 100  # Slack's cap on a static select's options
MAX_STANDARD_OPTIONS = 100  # Slack's limit for a select's options (policies hold at most 20)
STANDARDS_BLOCK = "standards"
KIND_LABELS = {
    "meeting": "Meeting",
    "observation": "Observation (I observed my mentee)",
    "observed": "Observed (mentee observed a teacher)",
    "co-teaching": "Co-teaching",
    "planning": "Planning",
    "group": "Group session",
    "video": "Video analysis",
    "other": "Other",
}
EXAMPLES = [
    ("/logmeeting 45m observation", "with your only mentee, today"),
    (
        "/logmeeting 1h30 planning with @bea yesterday unit 3 pacing",
        "parts in any order; the rest are notes",
    ),
    ("/logmeeting 30m @bea @carl group monday", "one entry per mentee"),
    ("/logmeeting 20m meeting 9/14 #II", "a date, and a standard addressed"),
    ("/logmeeting", "opens the form"),
]


def entry_line(entry: LoggedEntry, weekly_target: int | None) -> str:
    """ "45 min observation with Bea Beginner, Wed 16 Sep — this week 1 h 55 of 1 h ✓, …" """
    met = " ✓" if weekly_target is not None and entry.week_minutes >= weekly_target else ""
    target = "" if weekly_target is None else f" of {format_minutes(weekly_target)} target{met}"
    what = f"{entry.kind} with {entry.mentee.name}"
    if entry.observed is not None:
        visits = entry.year_visits
        return (
            f"{format_minutes(entry.minutes)} observing {entry.observed.name} "
            f"({entry.mentee.name}), {format_day(entry.occurred_on, entry.today)} — "
            f"{visits} visit{'s' if visits != 1 else ''} to observe a teacher this year "
            "(visits are your own activity, not time with your mentor)"
        )
    return (
        f"{format_minutes(entry.minutes)} {what}, "
        f"{format_day(entry.occurred_on, entry.today)} — "
        f"this week {format_minutes(entry.week_minutes)}{target}, this year "
        f"{format_minutes(entry.year_minutes)}"
    )


def logged(outcome: LogOutcome) -> Payload:
    """The ephemeral echo of what was stored, with Undo and Edit."""
    lines = [entry_line(e, outcome.weekly_target) for e in outcome.entries]
    text = "Logged " + "; ".join(lines)
    blocks: list[Block] = [section(":white_check_mark: " + text)]
    if any(e.notes for e in outcome.entries):
        blocks.append(context(":lock: Notes are kept for you and your mentee only."))
    controls = [button("Undo", ids.LOG_UNDO, outcome.batch_id or "", style="danger")]
    for entry in outcome.entries[:MAX_EDIT_BUTTONS]:
        label = "Edit" if len(outcome.entries) == 1 else f"Edit {entry.mentee.name.split()[0]}"
        controls.append(button(label, ids.LOG_EDIT, str(entry.id)))
    blocks.append(actions(*controls, block_id="log_controls"))
    return message(text, blocks)


def undone(entries: list[LoggedEntry], weekly_target: int | None) -> Payload:
    """What Undo removed, and the totals now."""
    target = "" if weekly_target is None else f" of {format_minutes(weekly_target)}"
    lines = [
        f"~{format_minutes(e.minutes)} {e.kind} with {e.mentee.name}, "
        f"{format_day(e.occurred_on, e.today)}~ "
        f"— this week now {format_minutes(e.week_minutes)}{target}"
        for e in entries
    ]
    text = "Undone: " + "; ".join(lines)
    return message(text, [section(":leftwards_arrow_with_hook: " + text)])


def updated(entry: LoggedEntry, weekly_target: int | None) -> Payload:
    """What Edit changed."""
    text = "Updated: " + entry_line(entry, weekly_target)
    return message(text, [section(":pencil2: " + text)], ephemeral=False)


def _understood(error: ParseError) -> str:
    if not error.understood:
        return "I didn't recognise any part of that."
    parts = ", ".join(f"{k} {v}" for k, v in error.understood.items())
    return f"I understood: {parts}."


def _choice_value(text: str, asked: str, **extra: Any) -> str:
    """A choice button's value: the line, what the choice adds, and the question it answers
    (shared by the question's choices, so that it is answered once)."""
    return json.dumps({"t": text[:MAX_VALUE_TEXT], "q": asked, **extra}, separators=(",", ":"))


def question(outcome: LogOutcome, asked: str | None = None) -> Payload:
    """Ask instead of guessing: which mentee, which date — or say what is wrong. `asked` is the
    question's id (a fresh one unless given)."""
    error = outcome.error
    assert error is not None
    asked = asked or uuid.uuid4().hex
    if len(outcome.text) > MAX_VALUE_TEXT:
        return refusal_with_form(error, outcome.text[:MAX_VALUE_TEXT])
    if error.code == "ambiguous_mentee" and outcome.choices:
        text = f"Who was it with? {_understood(error)}"
        buttons = [
            button(
                m.name,
                ids.choice(ids.LOG_PICK_MENTEE, m.id),
                _choice_value(outcome.text, asked, m=m.id),
            )
            for m in outcome.choices[:20]
        ]
        blocks = [section(":speech_balloon: " + text)]
        blocks += [actions(*buttons[i : i + 5]) for i in range(0, len(buttons), 5)]
        return message(text, blocks)
    if error.code == "ambiguous_date" and error.choices:
        days = [d for d in error.choices if isinstance(d, date)]
        text = f"Which day did you mean? {_understood(error)}"
        buttons = [
            button(
                format_day(d),
                ids.choice(ids.LOG_PICK_DATE, d.isoformat()),
                _choice_value(outcome.text, asked, d=d.isoformat()),
            )
            for d in days
        ]
        return message(text, [section(":speech_balloon: " + text), actions(*buttons)])
    if error.code == "unknown_mention" and error.asked and outcome.choices:
        return _who_was_it(outcome, error, asked)
    if error.code == "unclear_kind" and error.asked and error.choices:
        return _which_kind(error, outcome.text, asked)
    return refusal_with_form(error, outcome.text)


def _who_was_it(outcome: LogOutcome, error: ParseError, asked: str) -> Payload:
    """An @name Slack did not link: one button per mentee, logging the line without it."""
    text = outcome.text
    for typed in error.asked.split():
        text = re.sub(rf"(?<![\w.+\-]){re.escape(typed)}(?![^\s<>@,;:!?()])", " ", text, count=1)
    body = f"{error.message} {_understood(error)}"
    buttons = [
        button(
            m.name,
            ids.choice(ids.LOG_PICK_MENTEE, m.id),
            _choice_value(" ".join(text.split()), asked, m=m.id),
        )
        for m in outcome.choices[:20]
    ]
    blocks = [section(":speech_balloon: " + body)]
    blocks += [actions(*buttons[i : i + 5]) for i in range(0, len(buttons), 5)]
    return message(body, blocks)


def _which_kind(error: ParseError, text: str, asked: str) -> Payload:
    """A near miss of a kind word: one button per kind it may mean, the word replaced by it."""
    word = re.compile(rf"(?<![\w-]){re.escape(error.asked)}(?![\w-])")
    kinds = [k for k in error.choices if isinstance(k, str) and k in KINDS]
    body = f"{error.message} {_understood(error)}"
    buttons = [
        button(
            KIND_LABELS.get(kind, kind),
            ids.choice(ids.LOG_PICK_KIND, kind),
            _choice_value(word.sub(kind, text, count=1), asked),
        )
        for kind in kinds
    ]
    return message(body, [section(":speech_balloon: " + body), actions(*buttons)])


def refusal_with_form(error: ParseError, text: str) -> Payload:
    """A clear refusal: what was understood, what is wrong, a correct example and the form."""
    body = f"{error.message} {_understood(error)} Nothing was logged."
    blocks: list[Block] = [
        section(":warning: " + body),
        context(f"Try: `{error.example}`"),
        actions(button("Open the form", ids.LOG_OPEN_FORM, text[:MAX_VALUE_TEXT])),
    ]
    return message(f"{body} Try: {error.example}", blocks)


def log_help() -> Payload:
    """`/logmeeting help`."""
    body = "\n".join(f"`{usage}` — {what}" for usage, what in EXAMPLES)
    extra = (
        "Durations: `45m` `1h` `1h30` `1:30` `1.5h` `90` (minutes) `1 1/2 hours` `half an hour`. "
        "Kinds: " + ", ".join(f"`{k}`" for k in KINDS) + ". "
        "Dates: `today` `yesterday` `monday` `last monday` `2 days ago` `9/14` `Sep 14` "
        "`the 17th` `2026-09-14`. A kind goes before the notes. "
        "Notes stay between you and your mentee."
    )
    blocks = [section("*Log mentoring in one line*\n" + body), context(extra)]
    return message(f"Log mentoring in one line.\n{body}\n{extra}", blocks)


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value}


def log_form(defaults: FormDefaults, *, entry_id: int | None = None) -> dict[str, Any]:
    """The log modal (new entry, or editing one), prefilled with what is known."""
    mentee_options = [_option(m.name, str(m.id)) for m in defaults.mentees[:MAX_OPTIONS]]
    mentee_element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": plain("Choose a mentee"),
        "options": mentee_options,
    }
    chosen = next((o for o in mentee_options if o["value"] == str(defaults.mentee_id)), None)
    if chosen:
        mentee_element["initial_option"] = chosen
    kind_options = [_option(KIND_LABELS.get(k, k), k) for k in KINDS]
    kind_element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": kind_options,
        "initial_option": next(o for o in kind_options if o["value"] == defaults.kind),
    }
    duration: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "placeholder": plain("45m, 1h30, 1:30 or 90"),
    }
    if defaults.minutes:
        duration["initial_value"] = format_minutes(defaults.minutes).replace(" ", "")
    notes: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": 2000,
    }
    if defaults.notes:
        notes["initial_value"] = defaults.notes
    standards = _standards_input(defaults) if entry_id is None else None
    blocks: list[Block] = []
    if entry_id is None:
        if not mentee_options:
            blocks.append(section("You have no active mentee yet — ask your coordinator."))
        else:
            blocks.append(
                {
                    "type": "input",
                    "block_id": "mentee",
                    "label": plain("Mentee"),
                    "element": mentee_element,
                }
            )
            more = len(defaults.mentees) - len(mentee_options)
            if more > 0:  # Slack's cap on a select's options: say so rather than drop them
                blocks.append(
                    context(
                        f"The list shows {len(mentee_options)} of your {len(defaults.mentees)} "
                        f"mentees …and {more} more. For one of those, type "
                        "`/logmeeting 45m @name`."
                    )
                )
    blocks += [
        {
            "type": "input",
            "block_id": "date",
            "label": plain("Date"),
            "element": {
                "type": "datepicker",
                "action_id": "value",
                "initial_date": defaults.occurred_on.isoformat(),
            },
        },
        {"type": "input", "block_id": "duration", "label": plain("How long"), "element": duration},
        {"type": "input", "block_id": "kind", "label": plain("Kind"), "element": kind_element},
        *([standards] if standards else []),
        {
            "type": "input",
            "block_id": "notes",
            "label": plain("Notes"),
            "optional": True,
            "element": notes,
            "hint": plain("Only you and your mentee see notes."),
        },
    ]
    return {
        "type": "modal",
        "callback_id": ids.LOG_EDIT_SUBMIT if entry_id is not None else ids.LOG_NEW_SUBMIT,
        "private_metadata": str(entry_id) if entry_id is not None else "",
        "title": plain("Edit log entry" if entry_id is not None else "Log mentoring", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def _standards_input(defaults: FormDefaults) -> Block | None:
    """The program's standards to pick from (none when its policy lists none)."""
    options = [
        _option(s.code if s.name == s.code else f"{s.code} · {s.name}", s.code)
        for s in defaults.standards[:MAX_STANDARD_OPTIONS]
    ]
    if not options:
        return None
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": "value",
        "placeholder": plain("Standards addressed"),
        "options": options,
    }
    chosen = [o for o in options if o["value"] in defaults.chosen_standards]
    if chosen:
        element["initial_options"] = chosen
    return {
        "type": "input",
        "block_id": STANDARDS_BLOCK,
        "label": plain("Standards"),
        "optional": True,
        "element": element,
    }


def picked_standards(value: str | None) -> tuple[str, ...]:
    """The codes a submitted form picked (form_values joins them with commas)."""
    return tuple(code for code in (value or "").split(",") if code)


def form_values(state: object) -> dict[str, str | None]:
    """The submitted form's values by block id (a multi-select's or checkboxes' as "I,III"); a
    field whose shape no Slack form has is a BadValue naming the field."""
    values: dict[str, str | None] = {}
    blocks = state.get("values") if isinstance(state, dict) else None
    if not isinstance(blocks, dict):
        raise BadValue("form")
    for block_id, fields in blocks.items():
        element = fields.get("value") if isinstance(fields, dict) else None
        element = {} if element is None else element
        if not isinstance(element, dict):
            raise BadValue("form")
        if element.get("type") in ("multi_static_select", "checkboxes"):
            picked = element.get("selected_options") or []
            if not isinstance(picked, list) or not all(isinstance(o, dict) for o in picked):
                raise BadValue("form")
            raw: object = ",".join(str(o.get("value") or "") for o in picked)
        elif element.get("type") == "static_select":
            option = element.get("selected_option")
            if option is not None and not isinstance(option, dict):
                raise BadValue("form")
            raw = (option or {}).get("value")
            if option is not None and raw is None:
                raise BadValue("form")
        elif element.get("type") == "datepicker":
            raw = element.get("selected_date")
        else:
            raw = element.get("value")
        if raw is not None and not isinstance(raw, str):
            raise BadValue("form")
        values[str(block_id)] = raw
    return values


ERROR_BLOCKS = {
    "missing_duration": "duration",
    "duration_out_of_range": "duration",
    "two_durations": "duration",
    "future_date": "date",
    "before_school_year": "date",
    "bad_date": "date",
    "ambiguous_date": "date",
    "unknown_standard": "standards",
}


def form_errors(error: ParseError, *, has_mentee: bool = True) -> dict[str, str]:
    """`response_action: errors` for the form: the message under the field at fault."""
    fallback = "mentee" if has_mentee else "duration"
    return {ERROR_BLOCKS.get(error.code, fallback): error.message[:150]}
