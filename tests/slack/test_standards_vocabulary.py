"""Standards tags come from the program's policy (MA I–IV, CA CSTP1–6, or the program's own set
in its TOML): the grammar reads the vocabulary it is given, and `/logmeeting` through the Bolt
app (signed requests, on SQLite and PostgreSQL) stores a tag of the program's standards and
refuses any other with the program's standards named and a correct example — nothing stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.domain.grammar import LogContext, LogRequest, MenteeOption, ParseError, parse_log
from bot.domain.policy import CA_PRESET, MA_PRESET, ProgramConfigError, Standard, parse_program_toml
from bot.store.models.core import LogEntry
from tests.support.bolt_requests import all_text, dispatch, reply_of, slash
from tests.support.hillside import PROGRAM_TOML
from tests.support.signing import (
    block_action_body,
    slash_command_body,
    view_submission_body,
)
from tests.support.slack_api import FakeSlackApi

WED = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
BEA = MenteeOption(1, "Bea", "U0BEA")
OWN = (Standard("PLAN", "Planning for learning"), Standard("TEACH", "Teaching"), Standard("R2", "Reflection"))  # fmt: skip
VOCABULARIES = {"ma": MA_PRESET.vocabulary, "ca": CA_PRESET.vocabulary, "own": OWN, "none": ()}
OWN_TOML = """
[overrides]
standards = ["PLAN", "TEACH", "R2"]
standard_names = { PLAN = "Planning for learning", TEACH = "Teaching", R2 = "Reflection" }
"""


def ctx(vocabulary: str) -> LogContext:
    return LogContext(WED, ZoneInfo("America/New_York"), date(2026, 8, 31), (BEA,), VOCABULARIES[vocabulary])  # fmt: skip


# (vocabulary, text, standards read): in any case, `#` or `std:`, each once, the policy's spelling
READ = [
    ("ma", "45m #II", ("II",)),
    ("ma", "45m #ii std:i,IV #II", ("II", "I", "IV")),
    ("ca", "45m #cstp3", ("CSTP3",)),
    ("ca", "45m std:cstp1,CSTP6", ("CSTP1", "CSTP6")),
    ("own", "45m #plan #Teach", ("PLAN", "TEACH")),
    ("own", "45m std:r2", ("R2",)),
    ("own", "45m unit #3 and #goals", ()),  # not tags: notes
    ("ma", "45m #planning", ()),  # a word, not a standard's shape: notes
]  # fmt: skip


@pytest.mark.parametrize(("vocabulary", "text", "standards"), READ)
def test_tags_are_read_from_the_vocabulary(vocabulary: str, text: str, standards: tuple[str, ...]) -> None:  # fmt: skip
    result = parse_log(text, ctx(vocabulary))
    assert isinstance(result, LogRequest), result
    assert result.standards == standards


# (vocabulary, text, the tag refused, what the message lists, the example)
REFUSED = [
    ("ma", "45m #V", "V", "I (Curriculum, Planning & Assessment); II (Teaching All Students); III (Family & Community Engagement); IV (Professional Culture)", "/logmeeting 45m #I yesterday"),
    ("ma", "45m obs #cstp2", "cstp2", "IV (Professional Culture)", "/logmeeting 45m observation #I yesterday"),
    ("ca", "45m #II", "II", "CSTP1 (Engaging and Supporting All Students in Learning)", "/logmeeting 45m #CSTP1 yesterday"),
    ("own", "45m #II", "II", "PLAN (Planning for learning); TEACH (Teaching); R2 (Reflection)", "/logmeeting 45m #PLAN yesterday"),
    ("own", "45m std:plan,xyz", "xyz", "PLAN (Planning for learning)", "/logmeeting 45m #PLAN yesterday"),
]  # fmt: skip


@pytest.mark.parametrize(("vocabulary", "text", "typed", "listed", "example"), REFUSED)
def test_a_tag_outside_the_vocabulary_is_refused_naming_the_programs_standards(
    vocabulary: str, text: str, typed: str, listed: str, example: str
) -> None:
    result = parse_log(text, ctx(vocabulary))
    assert isinstance(result, ParseError) and result.code == "unknown_standard"
    assert result.message.startswith(f"\"{typed}\" isn't one of this program's standards: ")
    assert listed in result.message
    assert result.example == example
    assert isinstance(parse_log(result.example.removeprefix("/logmeeting "), ctx(vocabulary)), LogRequest)  # fmt: skip


def test_a_program_without_standards_refuses_every_tag() -> None:
    result = parse_log("45m #II", ctx("none"))
    assert isinstance(result, ParseError) and result.code == "unknown_standard"
    assert result.message == 'This program has no standards to tag, so "II" can\'t be recorded; leave the tag out.'  # fmt: skip
    assert "#" not in result.example


def test_a_program_file_may_name_its_own_standards() -> None:
    policy = parse_program_toml(PROGRAM_TOML + OWN_TOML).effective_policy()
    assert policy.vocabulary == OWN
    kept = parse_program_toml(PROGRAM_TOML + '[overrides]\nstandards = ["I", "II", "X1"]\n')
    assert kept.effective_policy().vocabulary == (
        Standard("I", "Curriculum, Planning & Assessment"),
        Standard("II", "Teaching All Students"),
        Standard("X1", "X1"),
    )  # the preset's names are kept for the codes kept
    with pytest.raises(ProgramConfigError, match="lists a standard twice"):
        parse_program_toml(PROGRAM_TOML + '[overrides]\nstandards = ["plan", "PLAN"]\n')


# ---- /logmeeting through the Bolt app ---------------------------------------------------------


def command(app: App, text: str, user: str = "U0LEE") -> dict[str, Any]:
    return slash(app, "/logmeeting", text, user)


def stored(services: Services) -> list[tuple[int, str | None]]:
    with services.store.read() as session:
        return [tuple(row) for row in session.execute(select(LogEntry.minutes, LogEntry.standards).order_by(LogEntry.id))]  # type: ignore[misc]  # fmt: skip


def count(services: Services) -> int:
    with services.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(LogEntry)) or 0)


@pytest.mark.parametrize(
    ("toml", "good", "bad", "named"),
    [
        (PROGRAM_TOML, "45m #ii #IV", "40m #cstp2", "IV (Professional Culture)"),
        (
            PROGRAM_TOML.replace('"ma"', '"ca"'),
            "45m #cstp2 #CSTP4",
            "40m #II",
            "CSTP6 (Developing as a Professional Educator)",
        ),
        (PROGRAM_TOML + OWN_TOML, "45m #teach #r2", "40m #IV", "TEACH (Teaching)"),
    ],
)
def test_logmeeting_stores_the_programs_tags_and_refuses_others(
    services: Services, pairs: None, app: App, toml: str, good: str, bad: str, named: str
) -> None:
    services.programs.load(parse_program_toml(toml))
    reply = command(app, f"{bad} secret plans")
    text = all_text(reply)
    assert "isn't one of this program's standards" in text
    assert named in text
    assert count(services) == 0  # nothing stored
    command(app, good)
    expected = {"45m #ii #IV": "II,IV", "45m #cstp2 #CSTP4": "CSTP2,CSTP4", "45m #teach #r2": "TEACH,R2"}  # fmt: skip
    assert stored(services) == [(45, expected[good])]


# ---- the log form offers the program's standards ----------------------------------------------


def form_state(mentee: int, standards: list[str]) -> dict[str, Any]:
    def option(code: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": code}, "value": code}

    return {
        "mentee": {"value": {"type": "static_select", "selected_option": option(str(mentee))}},
        "date": {"value": {"type": "datepicker", "selected_date": "2026-11-17"}},
        "duration": {"value": {"type": "plain_text_input", "value": "45m"}},
        "kind": {"value": {"type": "static_select", "selected_option": option("meeting")}},
        "standards": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [option(c) for c in standards],
            }
        },
        "notes": {"value": {"type": "plain_text_input", "value": None}},
    }


def test_the_log_form_offers_the_programs_standards_and_stores_the_picked_ones(
    services: Services, roster: dict[str, int], pairs: None, app: App, slack_api: FakeSlackApi
) -> None:
    services.programs.load(parse_program_toml(PROGRAM_TOML + OWN_TOML))
    # the form opened from a line's "Open the form" button is prefilled from the line
    body = block_action_body("U0LEE", "open_log_modal", "45m #teach", response_url=slack_api.response_url)  # fmt: skip
    dispatch(app, body)
    (opened,) = slack_api.calls_to("views.open")
    view = opened.params["view"]
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "standards"]
    assert block["optional"] is True
    options = block["element"]["options"]
    assert [(o["value"], o["text"]["text"]) for o in options] == [
        ("PLAN", "PLAN · Planning for learning"),
        ("TEACH", "TEACH · Teaching"),
        ("R2", "R2 · Reflection"),
    ]
    assert [o["value"] for o in block["element"]["initial_options"]] == ["TEACH"]

    bea_id = roster["bea@hillside.example"]
    # a forged option outside the program's standards: refused under the field, nothing stored
    body = view_submission_body("U0LEE", "log_new", "", form_state(bea_id, ["PLAN", "IV"]))
    refused = reply_of(dispatch(app, body))
    assert refused is not None
    assert refused["response_action"] == "errors"
    assert "isn't one of this program's standards" in refused["errors"]["standards"]
    assert count(services) == 0
    body = view_submission_body("U0LEE", "log_new", "", form_state(bea_id, ["PLAN", "R2"]))
    assert not dispatch(app, body).body
    assert stored(services) == [(45, "PLAN,R2")]


def test_a_program_without_standards_offers_none_in_the_form(
    services: Services, pairs: None, app: App, slack_api: FakeSlackApi
) -> None:
    services.programs.load(parse_program_toml(PROGRAM_TOML + "[overrides]\nstandards = []\n"))
    dispatch(app, slash_command_body("/logmeeting", "", "U0LEE"))
    (opened,) = slack_api.calls_to("views.open")
    view = opened.params["view"]
    assert [b.get("block_id") for b in view["blocks"]] == ["mentee", "date", "duration", "kind", "notes"]  # fmt: skip
