"""A month named in a command (bot/domain/months.py) and the `/hours` forms that take one
(bot/domain/grammar/command_text.py): one case a line, as of Wed 18 Nov 2026."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.grammar.command_text import HoursArgs, UsageError, parse_hours
from bot.domain.months import MonthError, MonthRef, is_year_label, read_month, resolve_month

TODAY = date(2026, 11, 18)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("october", MonthRef(10)), ("October", MonthRef(10)), ("oct", MonthRef(10)), ("Oct.", MonthRef(10)),
        ("sept", MonthRef(9)), ("sep", MonthRef(9)), ("may", MonthRef(5)), ("2026-10", MonthRef(10, 2026)),
        ("2026-1", MonthRef(1, 2026)), ("2027-01", MonthRef(1, 2027)),
        ("2026-27", None), ("2026", None), ("2026-13", None), ("2026-00", None), ("octobr", None), ("10", None), ("", None),
    ],
)  # fmt: skip
def test_read_month(token: str, expected: MonthRef | None) -> None:
    assert read_month(token) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [("2026-27", True), ("2026", True), ("1999-00", True), ("2026-10", False), ("2026-28", False), ("oct", False)],
)  # fmt: skip
def test_is_year_label(token: str, expected: bool) -> None:
    assert is_year_label(token) is expected


@pytest.mark.parametrize(
    ("ref", "first", "last"),
    [
        (MonthRef(10), date(2026, 10, 1), date(2026, 10, 31)),
        (MonthRef(11), date(2026, 11, 1), date(2026, 11, 30)),  # this month: so far, by the caller
        (MonthRef(12), date(2025, 12, 1), date(2025, 12, 31)),  # a bare name is never ahead
        (MonthRef(2), date(2026, 2, 1), date(2026, 2, 28)),
        (MonthRef(9, 2025), date(2025, 9, 1), date(2025, 9, 30)),
        (MonthRef(11, 2026), date(2026, 11, 1), date(2026, 11, 30)),
    ],
)  # fmt: skip
def test_resolve_month(ref: MonthRef, first: date, last: date) -> None:
    month = resolve_month(ref, TODAY)
    assert (month.first, month.last) == (first, last)
    assert month.so_far(TODAY) == (first, min(last, TODAY))


@pytest.mark.parametrize(
    ("ref", "message", "example"),
    [
        (MonthRef(12, 2026), "December 2026 hasn't begun yet (today is Wed 18 Nov 2026): I can show this month so far or a past one.", "/hours month 2026-10"),
        (MonthRef(1, 2027, "/hours pay"), "January 2027 hasn't begun yet (today is Wed 18 Nov 2026): I can show this month so far or a past one.", "/hours pay 2026-10"),
        (MonthRef(1, 1066), "1066-01 is outside the dates the program works with.", "/hours month 2026-10"),
    ],
)  # fmt: skip
def test_a_month_not_begun_is_refused_with_last_month_as_the_example(
    ref: MonthRef, message: str, example: str
) -> None:
    with pytest.raises(MonthError) as caught:
        resolve_month(ref, TODAY)
    assert (caught.value.message, caught.value.example) == (message, example)
    suggested = read_month(example.rsplit(" ", 1)[1])
    assert suggested is not None
    assert resolve_month(suggested, TODAY).last < TODAY  # the example is a past month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pay", HoursArgs(pay=True)),
        ("pay october", HoursArgs(pay=True, month=MonthRef(10, None, "/hours pay"))),
        ("PAY 2026-10", HoursArgs(pay=True, month=MonthRef(10, 2026, "/hours pay"))),
        ("october pay", HoursArgs(pay=True, month=MonthRef(10, None, "/hours pay"))),
        ("month october", HoursArgs("month", month=MonthRef(10))),
        ("october", HoursArgs("month", month=MonthRef(10))),
        ("2026-10", HoursArgs("month", month=MonthRef(10, 2026))),
        ("<@U0BEA|bea> oct", HoursArgs("month", "<@U0BEA|bea>", month=MonthRef(10))),
        ("oct month <@U0BEA>", HoursArgs("month", "<@U0BEA>", month=MonthRef(10))),
        ("2026-27", HoursArgs("year", year="2026-27")),
        ("month", HoursArgs("month")),
    ],
)  # fmt: skip
def test_parse_hours_with_a_month(text: str, expected: HoursArgs) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "example"),
    [
        ("pay month", "I didn't understand 'month' after `pay`", "/hours pay october"),
        ("pay october november", "I didn't understand 'october november' after `pay`", "/hours pay october"),
        ("pay <@U0BEA>", "I didn't understand '<@U0BEA>' after `pay`", "/hours pay october"),
        ("october november", "I can show one month at a time.", "/hours month october"),
        ("week october", "A month shows its own totals: pick the month or the week, not both.", "/hours month october"),
        ("year oct", "A month shows its own totals: pick the month or the year, not both.", "/hours month october"),
        ("oct 2026-27", "A month shows its own totals: pick the month or the 2026-27, not both.", "/hours month october"),
        ("month octobr", "I didn't understand 'octobr' as a month: write it like october, oct or 2026-10.", "/hours month october"),
        ("month 10/2026", "I didn't understand '10/2026' as a month", "/hours month october"),
    ],
)  # fmt: skip
def test_parse_hours_month_errors_show_an_example_that_parses(
    text: str, message: str, example: str
) -> None:
    with pytest.raises(UsageError) as caught:
        parse_hours(text)
    assert message in caught.value.message
    assert caught.value.example == example
    assert parse_hours(example.removeprefix("/hours ")).month is not None
