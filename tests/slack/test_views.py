"""Block Kit payloads (bot/slack/views.py) validated by slack_sdk's models; command text parsing."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.domain.assignments import (
    AssignmentResult,
    MenteeStatus,
    MentorCaution,
    PairRow,
    PersonStatus,
    ProgramStatus,
)
from bot.domain.grammar.command_text import (
    HoursArgs,
    InductionArgs,
    UsageError,
    parse_hours,
    parse_induction,
)
from bot.domain.milestones import MarkedDone, MilestoneMark, TeamChange
from bot.domain.policy import PRESETS
from bot.slack import views
from handlers.commands import hours as hours_handler
from handlers.commands import induction as induction_handler
from tests.support.blockkit import valid_ack
from tests.support.bolt_requests import all_text
from tests.support.records import BEA, LEE, LONG, MIA, PAT, hours, pair, person


def mentee_status(i: int, *, mentor: bool, overdue: int, long_names: bool = False) -> MenteeStatus:
    name = f"{LONG[:180]} {i}" if long_names else f"Mentee {i}"
    school = LONG if long_names else "Jefferson Middle"
    mentee = person(3000 + i, name, {"mentee"}, school=school, educator_type="beginning_teacher")
    return MenteeStatus(
        mentee=mentee,
        mentor=person(4000 + i, f"Mentor {i}", {"mentor"}) if mentor else None,
        assigned_on=date(2026, 9, 1) if mentor else None,
        due=date(2026, 9, 14),
        days_overdue=overdue,
    )


def program(n: int, *, long_names: bool = False) -> ProgramStatus:
    """n mentees: a third assigned, a third overdue, a third not yet due (overdue first)."""
    mentees = sorted(
        (
            mentee_status(
                i, mentor=i % 3 == 0, overdue=65 if i % 3 == 1 else 0, long_names=long_names
            )
            for i in range(n)
        ),
        key=lambda m: (-m.days_overdue, m.mentor is not None),
    )
    mentors = tuple((person(4000 + i, f"Mentor {i}", {"mentor"}), i % 4) for i in range(n // 3))
    return ProgramStatus("Hillside Public Schools", date(2026, 11, 18), tuple(mentees), mentors)


def marks(n: int, *, confirmed: bool) -> tuple[MilestoneMark, ...]:
    """n milestones for Bea: reported by her, confirmed by Pat (a coordinator) or not yet."""
    return tuple(
        MilestoneMark(
            f"rule_{i}",
            f"Milestone {i} {LONG[:100]}",
            BEA,
            date(2026, 9, 1),
            BEA,
            date(2026, 9, 2),
            confirmed,
            PAT if confirmed else None,
            date(2026, 9, 3) if confirmed else None,
        )
        for i in range(n)
    )


def person_history(n: int) -> PersonStatus:
    rows = tuple(
        PairRow(
            i,
            person(100 + i, f"Mentor {i}", {"mentor"}),
            BEA,
            date(2026, 8, 31),
            date(2026, 9, 30) if i < n - 1 else None,
            "reassigned to the next mentor" if i < n - 1 else None,
        )
        for i in range(n)
    )
    return PersonStatus(person=BEA, as_mentee=rows, as_mentor=(), due=date(2026, 9, 14))


MESSAGES: list[Any] = [
    pytest.param(lambda: views.hours_report(hours([])), id="hours-0-pairs"),
    pytest.param(lambda: views.hours_report(hours([pair(1)])), id="hours-1-pair"),
    pytest.param(lambda: views.hours_report(hours([pair(i) for i in range(1, 61)])), id="hours-60-pairs"),
    pytest.param(lambda: views.hours_report(hours([pair(i) for i in range(1, 61)], period="month")), id="hours-60-pairs-month"),
    pytest.param(lambda: views.hours_report(hours([pair(i, long_names=True, ended=True) for i in range(1, 61)], period="year", scope=f"Hours for {LONG}")), id="hours-60-pairs-long-names"),
    pytest.param(lambda: views.hours_report(hours([pair(1)], viewer=pair(1).mentor, scope="Your mentoring")), id="hours-as-mentor"),
    pytest.param(lambda: views.hours_report(hours([pair(1)], viewer=pair(1).mentee, scope="Your mentoring")), id="hours-as-mentee"),
    pytest.param(lambda: views.program_status(program(0)), id="status-0-mentees"),
    pytest.param(lambda: views.program_status(program(1)), id="status-1-mentee"),
    pytest.param(lambda: views.program_status(program(150)), id="status-150-mentees"),
    pytest.param(lambda: views.program_status(program(700)), id="status-700-mentees"),
    pytest.param(lambda: views.program_status(program(150, long_names=True)), id="status-long-names"),
    pytest.param(lambda: views.person_status(person_history(0)), id="person-no-history"),
    pytest.param(lambda: views.person_status(person_history(2)), id="person-reassigned"),
    pytest.param(lambda: views.person_status(person_history(200)), id="person-200-assignments"),
    pytest.param(lambda: views.person_status(PersonStatus(person(9, LONG, {"mentor"}, school=LONG, active=False), (), (), None)), id="person-deactivated-long"),
    pytest.param(lambda: views.assignment_result(AssignmentResult(MIA, BEA, date(2026, 11, 16))), id="assigned"),
    pytest.param(lambda: views.assignment_result(AssignmentResult(MIA, BEA, date(2026, 11, 16), ended=((LEE, date(2026, 11, 16)),))), id="reassigned"),
    pytest.param(lambda: views.assignment_result(AssignmentResult(MIA, BEA, date(2026, 8, 26), unchanged=True)), id="unchanged"),
    pytest.param(lambda: views.assignment_result(AssignmentResult(MIA, BEA, date(2026, 11, 16), caution=MentorCaution(True, "Provisional", 1))), id="assigned-with-caution"),
    pytest.param(lambda: views.assignment_result(AssignmentResult(None, BEA, None, ended=((LEE, date(2026, 11, 16)),))), id="unassigned"),
    pytest.param(lambda: views.milestone_done(MarkedDone("Orientation", BEA, date(2026, 8, 28))), id="milestone-done"),
    pytest.param(lambda: views.milestone_done(MarkedDone("Annual report", None, date(2027, 7, 1), already=True)), id="milestone-already-done"),
    pytest.param(lambda: views.milestone_done(MarkedDone("Orientation", BEA, date(2026, 8, 28), confirmed=False, marked_by=BEA)), id="milestone-reported"),
    pytest.param(lambda: views.milestone_done(MarkedDone("Orientation", BEA, date(2026, 8, 28), already=True, confirmed=False, marked_by=BEA)), id="milestone-already-reported"),
    pytest.param(lambda: views.milestone_done(MarkedDone("Orientation", BEA, date(2026, 8, 28), marked_by=BEA)), id="milestone-confirmed"),
    pytest.param(lambda: views.person_status(replace(person_history(2), milestones=marks(2, confirmed=False) + marks(2, confirmed=True))), id="person-with-milestones"),
    pytest.param(lambda: views.person_status(replace(person_history(200), milestones=marks(60, confirmed=True))), id="person-200-assignments-60-milestones"),
    pytest.param(lambda: views.program_status(replace(program(700), awaiting=marks(40, confirmed=False))), id="status-700-mentees-40-awaiting"),
    pytest.param(lambda: views.team_change(TeamChange(BEA, PAT, True, ((LEE, "mentor"), (PAT, "evaluator")))), id="team-added"),
    pytest.param(lambda: views.team_change(TeamChange(BEA, PAT, False, ())), id="team-emptied"),
    pytest.param(lambda: views.refusal("You can't do that."), id="refusal"),
    pytest.param(lambda: views.refusal("You can't do that.", "/hours month"), id="refusal-with-example"),
    pytest.param(lambda: views.refusal("x" * 5000, "y" * 5000), id="refusal-too-long"),
    pytest.param(lambda: views.notice("Done."), id="notice"),
    pytest.param(lambda: views.help_message("/hours", hours_handler.HELP, hours_handler.FOOTER), id="help-hours"),
    pytest.param(lambda: views.help_message("/induction", induction_handler.HELP, induction_handler.FOOTER), id="help-induction"),
    pytest.param(lambda: views.help_message("/x", [("/x", "y")]), id="help-no-footer"),
]  # fmt: skip


@pytest.mark.parametrize("build", MESSAGES)
def test_message_payloads_are_valid_block_kit(build: Any) -> None:
    payload = valid_ack(build())
    assert payload is not None and "blocks" in payload
    assert len(payload["text"]) <= 3000
    assert payload["response_type"] == "ephemeral"


def test_hours_report_caps_long_lists_with_a_note() -> None:
    payload = views.hours_report(hours([pair(i) for i in range(1, 61)]))
    sections = [b for b in payload["blocks"] if b["type"] == "section"]
    assert len(sections) == views.MAX_PAIR_ROWS
    assert "…and 20 more pairs" in payload["blocks"][-1]["elements"][0]["text"]


def test_program_status_counts_every_mentee() -> None:
    payload = views.program_status(program(150))
    context = payload["blocks"][1]["elements"][0]["text"]
    assert context.startswith("150 mentees · 100 without a mentor · 50 overdue")


def test_program_status_says_when_it_cannot_list_everyone() -> None:
    """700 mentees fit in no message: the reply must say that some are left out, not drop them."""
    payload = views.program_status(program(700))
    shown = all_text(payload["blocks"])
    listed = sum(f"*Mentee {i}* (" in shown for i in range(700))
    assert listed == 700 or "more" in shown, f"{700 - listed} mentees dropped without a word"


# ---- command text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", HoursArgs()),
        ("   ", HoursArgs()),
        ("week", HoursArgs("week")),
        ("month", HoursArgs("month")),
        ("MONTH", HoursArgs("month")),
        ("mo", HoursArgs("month")),
        ("yearly", HoursArgs("year")),
        ("school-year", HoursArgs("year")),
        ("<@U0BEA|bea> month", HoursArgs("month", "<@U0BEA|bea>")),
        ("month <@U0BEA>", HoursArgs("month", "<@U0BEA>")),
        ("<@U0BEA|bea doe> yr", HoursArgs("year", "<@U0BEA|bea doe>")),
        ("bea@hillside.example", HoursArgs("week", "bea@hillside.example")),
        ("U0BEA", HoursArgs("week", "U0BEA")),
        ("help", HoursArgs(help=True)),
        ("?", HoursArgs(help=True)),
        ("--help", HoursArgs(help=True)),
        ("month help", HoursArgs(help=True)),
    ],
)  # fmt: skip
def test_parse_hours(text: str, expected: HoursArgs) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "example"),
    [
        ("month year", "Pick one period, not both month and year.", "/hours month"),
        ("<@U0BEA> <@U0BO>", "I can show one person at a time.", "/hours @jane month"),
        ("yesterday", "I didn't understand 'yesterday'. `/hours` takes an optional @person and one of week, month, year; a month (october, 2026-10) or a program year (2026-27) shows that one.", "/hours @jane month"),
        ("@bea", "I didn't understand '@bea'", "/hours @jane month"),
        ("<#C0GENERAL|general>", "I didn't understand '<#C0GENERAL|general>'", "/hours @jane month"),
    ],
)  # fmt: skip
def test_parse_hours_usage_errors(text: str, message: str, example: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_hours(text)
    assert message in caught.value.message
    assert caught.value.example == example
    example_args = caught.value.example.removeprefix("/hours").replace("@jane", "<@U0JANE>")
    assert not parse_hours(example_args).help  # the example itself parses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", InductionArgs("help")),
        ("help", InductionArgs("help")),
        ("?", InductionArgs("help")),
        ("status", InductionArgs("status")),
        ("STATUS", InductionArgs("status")),
        ("status <@U0BEA|bea>", InductionArgs("status", ("<@U0BEA|bea>",))),
        ("status bea@hillside.example", InductionArgs("status", ("bea@hillside.example",))),
        ("assign <@U0MIA> <@U0NIA>", InductionArgs("assign", ("<@U0MIA>", "<@U0NIA>"))),
        ("assign <@U0MIA> <@U0NIA> 2026-09-14", InductionArgs("assign", ("<@U0MIA>", "<@U0NIA>"), date(2026, 9, 14))),
        ("assign <@U0MIA> <@U0NIA> on 2026-09-14", InductionArgs("assign", ("<@U0MIA>", "<@U0NIA>"), date(2026, 9, 14))),
        ("assign from 2026-09-14 mia@x.org nia@x.org", InductionArgs("assign", ("mia@x.org", "nia@x.org"), date(2026, 9, 14))),
        ("unassign <@U0BO>", InductionArgs("unassign", ("<@U0BO>",))),
        ("unassign <@U0BO> schedule conflict", InductionArgs("unassign", ("<@U0BO>",), reason="schedule conflict")),
        ("unassign <@U0BO> 2026-11-16 moved schools", InductionArgs("unassign", ("<@U0BO>",), date(2026, 11, 16), "moved schools")),
        ("report", InductionArgs("report")),
    ],
)  # fmt: skip
def test_parse_induction(text: str, expected: InductionArgs) -> None:
    assert parse_induction(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "example"),
    [
        ("assign <@U0MIA>", "`assign` needs the mentor, then the mentee (I found 1", "/induction assign @mentor @mentee"),
        ("assign", "`assign` needs the mentor, then the mentee (I found 0", "/induction assign @mentor @mentee"),
        ("assign <@U0MIA> <@U0NIA> please", "`assign` needs the mentor, then the mentee.", "/induction assign @mentor @mentee"),
        ("assign <@U0MIA> <@U0NIA> 2026-09-14 2026-09-15", "`assign` needs the mentor, then the mentee.", "/induction assign @mentor @mentee"),
        ("assign <@U0MIA> <@U0NIA> 2026-02-30", "2026-02-30 is not a real date.", "/induction assign @mentor @mentee 2026-09-14"),
        ("unassign", "`unassign` needs the mentee first, then an optional reason.", "/induction unassign @mentee schedule conflict"),
        ("unassign schedule conflict", "`unassign` needs the mentee first", "/induction unassign @mentee schedule conflict"),
        ("status <@U0BEA> <@U0BO>", "`status` takes at most one @person.", "/induction status @jane"),
        ("status everyone", "`status` takes at most one @person.", "/induction status @jane"),
        ("frobnicate now", "I don't know `frobnicate`. Try one of: assign, unassign, status,", "/induction status"),
    ],
)  # fmt: skip
def test_parse_induction_usage_errors(text: str, message: str, example: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_induction(text)
    assert message in caught.value.message
    assert caught.value.example == example


@pytest.mark.parametrize(
    ("caution", "says", "not_said"),
    [
        (MentorCaution(True), ["Assigned anyway", "mentor training isn't marked done"], ["licence as", "hired"]),
        (MentorCaution(False, licence="Provisional"), ["licence as Provisional"], ["training"]),
        (MentorCaution(False, years=1), ["hired 1 full year before it starts"], ["training", "licence as"]),
        (MentorCaution(True, "Temporary", 2), ["training", "licence as Temporary", "hired 2 full years"], []),
    ],
)  # fmt: skip
def test_an_assignment_with_a_caution_warns_and_still_says_it_was_made(
    caution: MentorCaution, says: list[str], not_said: list[str]
) -> None:
    caution = replace(caution, rule=PRESETS["ma"].mentor_rule)
    text = all_text(
        views.assignment_result(AssignmentResult(MIA, BEA, date(2026, 11, 16), caution=caution))
    )
    assert "now mentors" in text and ":warning:" not in text  # made, not refused
    assert all(part in text for part in says), text
    assert not any(part in text for part in not_said), text


def test_an_assignment_without_a_caution_has_no_warning() -> None:
    text = all_text(views.assignment_result(AssignmentResult(MIA, BEA, date(2026, 11, 16))))
    assert "Assigned anyway" not in text


@pytest.mark.parametrize(
    ("done", "says"),
    [
        (MarkedDone("Orientation", BEA, date(2026, 8, 28), confirmed=False, marked_by=BEA), "reported done on Fri 28 Aug 2026. Your reminders stop; a coordinator confirms it"),
        (MarkedDone("Orientation", BEA, date(2026, 8, 28), already=True, confirmed=False, marked_by=BEA), "already reported done on Fri 28 Aug 2026 by Bea"),
        (MarkedDone("Orientation", BEA, date(2026, 8, 28), marked_by=BEA), "reported by Bea"),
        (MarkedDone("Orientation", BEA, date(2026, 8, 28)), "marked done on Fri 28 Aug 2026. Its reminders stop."),
    ],
)  # fmt: skip
def test_milestone_done_says_whether_it_is_confirmed(done: MarkedDone, says: str) -> None:
    assert says in all_text(views.milestone_done(done))


def test_person_status_lists_milestones_with_who_marked_and_confirmed() -> None:
    status = replace(
        person_history(1), milestones=marks(1, confirmed=False) + marks(1, confirmed=True)
    )
    shown = all_text(views.person_status(status))
    assert "reported by Bea" in shown and "awaiting a coordinator's confirmation" in shown
    assert "confirmed by Pat" in shown and "on Thu 3 Sep 2026" in shown


def test_a_long_assignment_history_does_not_crowd_out_the_milestones() -> None:
    status = replace(person_history(200), milestones=marks(3, confirmed=False))
    blocks = views.person_status(status)["blocks"]
    shown = "\n".join(block["text"]["text"] for block in blocks if "text" in block)
    assert all(f"Milestone {i} " in shown for i in range(3)), shown[-500:]
    assert shown.count("awaiting a coordinator's confirmation") == 3
