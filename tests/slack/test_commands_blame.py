"""Refusals of `/induction` and `/hours` name the part at fault (issue 9, "Commands and files")."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import io

import pytest

from bot.bootstrap import Services
from bot.config import Settings
from bot.devtools.console import run_console
from bot.domain.grammar.command_text import UsageError, parse_hours, parse_induction

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # engine-independent


@pytest.mark.parametrize(
    ("text", "message", "example"),
    [
        ("assign <@U0MIA> <@U0NIA> 11/10", "I couldn't read '11/10' as the start date: write dates as YYYY-MM-DD.", "/induction assign @mentor @mentee 2026-09-14"),
        ("assign <@U0MIA> <@U0NIA> 10.11.2026", "I couldn't read '10.11.2026' as the start date", "/induction assign @mentor @mentee 2026-09-14"),
        ("assign <@U0MIA> @zzz", "I didn't understand '@zzz': nobody in this workspace is called 'zzz'.", "/induction assign @mentor @mentee"),
        ("assign @riley <@U0NIA> 2026-11-20", "nobody in this workspace is called 'riley'", "/induction assign @mentor @mentee"),
        ("assign <@U0MIA> <@U0NIA> please", "`assign` needs the mentor, then the mentee. I understood the mentor <@U0MIA> and the mentee <@U0NIA>, but not 'please'.", "/induction assign @mentor @mentee"),
        ("unassign @riley", "I didn't understand '@riley': nobody in this workspace is called 'riley'.", "/induction unassign @mentee schedule conflict"),
        ("unassign @riley moved schools", "nobody in this workspace is called 'riley'", "/induction unassign @mentee schedule conflict"),
        ("unassign 11/16 <@U0BO>", "I couldn't read '11/16' as the end date", "/induction unassign @mentee 2026-11-16 moved"),
        ("status @riley", "nobody in this workspace is called 'riley'", "/induction status @jane"),
        ("done orientation @riley", "nobody in this workspace is called 'riley'", "/induction done orientation @jane"),
        ("team @riley add <@U0PAT>", "nobody in this workspace is called 'riley'", "/induction team @mentee add @evaluator"),
        ("team <@U0BEA> add @riley", "nobody in this workspace is called 'riley'", "/induction team @mentee add @evaluator"),
    ],
)  # fmt: skip
def test_induction_refusals_name_the_part_at_fault(text: str, message: str, example: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_induction(text)
    assert message in caught.value.message
    assert "needs the mentee first" not in caught.value.message or "riley" not in text
    assert caught.value.example == example


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@zzz", "I didn't understand '@zzz': nobody in this workspace is called 'zzz'. Type @ and pick the person from Slack's list"),
        ("month @zzz", "nobody in this workspace is called 'zzz'"),
        ("yesterday", "I didn't understand 'yesterday'. `/hours` takes an optional @person"),
    ],
)  # fmt: skip
def test_hours_refusals_name_the_part_at_fault(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_hours(text)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("text", "on"),
    [("assign <@U0MIA> <@U0NIA> 2026-11-10", "2026-11-10"), ("assign <@U0MIA> <@U0NIA>", None)],
)  # fmt: skip
def test_a_correct_assign_still_parses(text: str, on: str | None) -> None:
    args = parse_induction(text)
    assert args.people == ("<@U0MIA>", "<@U0NIA>")
    assert (args.on.isoformat() if args.on else None) == on


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/induction assign @mia @nia 11/10", "│ :warning: I couldn't read '11/10' as the start date: write dates as YYYY-MM-DD."),
        ("/induction unassign @riley", "│ :warning: I didn't understand '@riley': nobody in this workspace is called 'riley'."),
        ("/hours @zzz", "│ :warning: I didn't understand '@zzz': nobody in this workspace is called 'zzz'."),
    ],
)  # fmt: skip
def test_the_console_names_the_part_at_fault_and_changes_nothing(
    settings: Settings, services: Services, pairs: None, line: str, expected: str
) -> None:
    out = io.StringIO()
    before = services.assignments.program_status(
        services.assignments.coordinator("U0CORA"), services.clock.now()
    )
    code = run_console(
        settings, services, io.StringIO(line + "\n"), out, as_email="cora@hillside.example"
    )
    assert code == 0
    assert expected in out.getvalue(), out.getvalue()
    after = services.assignments.program_status(
        services.assignments.coordinator("U0CORA"), services.clock.now()
    )
    assert after == before
