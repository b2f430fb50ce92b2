"""`export pay --month 2026-10` (issue 19): the figures of `--from 2026-10-01 --to 2026-10-31`
(one function, `PayService.period`), a month accepted in --from/--to, a clear line when the
period is missing; and `--help` names every command and subcommand."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import argparse
import re

import pytest

from bot.bootstrap import Services
from bot.cli.main import build_parser
from bot.domain.policy import parse_program_toml
from tests.support.cli import Cli
from tests.support.hillside import NOW, PAID_TOML

OCTOBER = (("U0LEE", "45m observation 2026-10-14"), ("U0MIA", "60m meeting 2026-10-06"), ("U0LEE", "20m meeting 2026-09-30"), ("U0LEE", "30m meeting 2026-11-02"))  # fmt: skip
PERIOD_LINE = "mentor-minutes: say which period: --month 2026-10, or --from 2026-10-01 --to 2026-10-31 (a month works there too: --from 2026-09 --to 2026-10)\n"  # fmt: skip


@pytest.fixture
def paid(cli: Cli, services: Services, pairs: None) -> Cli:
    """The paid program (an hourly rate, a lead stipend), entries in Sep, Oct and Nov."""
    services.programs.load(parse_program_toml(PAID_TOML))
    for user, line in OCTOBER:
        assert services.logs.log_text(user, line, NOW).ok, line
    return cli


@pytest.mark.parametrize("form", ["csv", "json"])
def test_a_month_is_the_same_rows_as_its_first_to_its_last_day(paid: Cli, form: str) -> None:
    by_days = paid("export", "pay", "--from", "2026-10-01", "--to", "2026-10-31", "--format", form)
    assert by_days.code == 0, by_days.err
    assert paid("export", "pay", "--month", "2026-10", "--format", form) == by_days
    assert (
        paid("export", "pay", "--from", "2026-10", "--to", "2026-10", "--format", form) == by_days
    )
    if form == "csv":
        hourly, stipend = by_days.out.splitlines()[1:3]
        assert hourly == "lee@hillside.example,Lee Lead,mentor,hourly,45,3000,2250,,,"
        # a stipend row: no minutes or hourly rate; its school days, the year's, the yearly rate
        assert stipend.startswith("lee@hillside.example,Lee Lead,lead_mentor,stipend,,,")
        assert stipend.endswith(",120000")
        assert "mia@hillside.example,Mia Mentor,mentor,hourly,60,3000,3000,,," in by_days.out


def test_months_in_from_and_to_span_their_first_to_their_last_day(paid: Cli) -> None:
    by_days = paid("export", "pay", "--from", "2026-09-01", "--to", "2026-11-30")
    assert paid("export", "pay", "--from", "2026-09", "--to", "2026-11") == by_days
    assert "lee@hillside.example,Lee Lead,mentor,hourly,95,3000,4750" in by_days.out


@pytest.mark.parametrize(
    ("args", "err"),
    [
        ((), PERIOD_LINE),
        (("--from", "2026-10-01"), PERIOD_LINE),
        (("--month", "2026-10", "--from", "2026-10-01"), "mentor-minutes: --month or --from/--to, not both: " + PERIOD_LINE.removeprefix("mentor-minutes: ")),
    ],
)  # fmt: skip
def test_a_missing_or_doubled_period_says_what_to_type(
    paid: Cli, args: tuple[str, ...], err: str
) -> None:
    assert paid("export", "pay", *args) == type(paid("db", "current"))(2, "", err)


@pytest.mark.parametrize(
    ("value", "message"),
    [("october", "'october' is not a month like 2026-10 (YYYY-MM)"), ("2026-13", "'2026-13' is not a month like 2026-10 (YYYY-MM)")],
)  # fmt: skip
def test_a_month_that_is_not_yyyy_mm_is_a_usage_error(
    paid: Cli, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        paid("export", "pay", "--month", value)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_help_names_every_command_and_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    shown = capsys.readouterr().out
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, parser in commands.items():
        assert f"\n    {name} " in shown, name
        chunk = " ".join(re.split(r"\n    (?=\S)", shown.split(f"\n    {name} ", 1)[1])[0].split())
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices:
                    assert f"{name} {sub}" in " ".join(chunk.split()) or f"`{sub}" in chunk, (
                        name,
                        sub,
                    )
