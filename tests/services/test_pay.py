"""`export pay` (bot/services/pay.py, bot/domain/pay.py): mentor time × the hourly rate, lead stipends
prorated by school days — against hand-computed figures, on both engines."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from bot.bootstrap import Services
from bot.cli.main import main
from bot.config import ENV_NAMES
from bot.domain.pay import PayRow, divide_half_up, hourly_amount, prorated_stipend
from bot.domain.policy import parse_program_toml
from bot.domain.signoff import parse_period
from bot.services.errors import Refusal
from tests.support.hillside import NOW, PAID_TOML, school_days


@pytest.fixture
def paid(services: Services, pairs: None) -> Services:
    """The test program with $30/hour and a $1,200 lead stipend; Nia assigned to Lee too."""
    services.programs.load(parse_program_toml(PAID_TOML))
    services.assignments.assign(None, "lee@hillside.example", "nia@hillside.example", date(2026, 10, 19), NOW)  # fmt: skip
    for user, line in (
        ("U0LEE", "25m meeting <@U0BEA> 2026-10-30"),  # October: not in November's pay
        ("U0LEE", "45m meeting <@U0BEA> 2026-11-02"),
        ("U0LEE", "1h group <@U0BEA> <@U0NIA> 2026-11-03"),  # one session of mentor time
        ("U0BEA", "30m observed <@U0MIA> 2026-11-04"),  # a visit: never paid
        ("U0MIA", "40m observation 2026-11-16"),
    ):
        assert services.logs.log_text(user, line, NOW).ok, line
    return services


def by_basis(rows: tuple[PayRow, ...]) -> dict[tuple[str, str], tuple[int | None, int | None, int]]:
    return {(r.email, r.basis): (r.minutes, r.rate_cents, r.amount_cents) for r in rows}


# ---- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "rate", "cents"),
    [(105, 3000, 5250), (1, 3000, 50), (1, 2999, 50), (7, 1000, 117), (0, 3000, 0), (720, 12345, 148140)],
)  # fmt: skip
def test_hourly_amounts_round_half_up_to_the_cent(minutes: int, rate: int, cents: int) -> None:
    assert hourly_amount(minutes, rate) == cents


def test_a_stipend_is_prorated_by_school_days_and_whole_for_the_whole_year() -> None:
    assert prorated_stipend(120000, 20, 180) == 13333
    assert prorated_stipend(120000, 180, 180) == 120000
    assert prorated_stipend(120000, 0, 180) == 0
    assert divide_half_up(1, 2) == 1 and divide_half_up(1, 3) == 0


# ---- the service --------------------------------------------------------------------------------


def test_a_months_pay_matches_the_hand_computed_figures(paid: Services) -> None:
    period = paid.pay.period(date(2026, 11, 1), date(2026, 11, 30))
    year_days = school_days(date(2026, 8, 31), date(2027, 6, 18))
    november = school_days(date(2026, 11, 1), date(2026, 11, 30))
    assert november == 20
    assert by_basis(period.rows) == {
        ("lee@hillside.example", "hourly"): (105, 3000, 5250),  # 45 + one group hour
        ("mia@hillside.example", "hourly"): (40, 3000, 2000),
        ("lee@hillside.example", "stipend"): (None, None, divide_half_up(120000 * 20, year_days)),
    }
    stipend = next(r for r in period.rows if r.basis == "stipend")
    assert (stipend.school_days, stipend.year_school_days, stipend.yearly_rate_cents) == (20, year_days, 120000)  # fmt: skip
    hourly = next(r for r in period.rows if r.basis == "hourly")
    assert (hourly.school_days, hourly.year_school_days, hourly.yearly_rate_cents) == (None, None, None)  # fmt: skip
    assert period.notes == ()
    assert period.total_cents == 5250 + 2000 + divide_half_up(120000 * 20, year_days)


def test_a_period_cutting_a_week_counts_its_own_days_only(paid: Services) -> None:
    period = paid.pay.period(date(2026, 11, 3), date(2026, 11, 16))  # Tue 3 … Mon 16
    rows = by_basis(period.rows)
    assert rows[("lee@hillside.example", "hourly")] == (60, 3000, 3000)
    assert rows[("mia@hillside.example", "hourly")] == (40, 3000, 2000)


def test_the_whole_year_pays_the_whole_stipend_and_matches_the_report(paid: Services) -> None:
    year = paid.programs.current().year
    period = paid.pay.period(year.first, year.last)
    rows = by_basis(period.rows)
    assert rows[("lee@hillside.example", "stipend")][2] == 120000
    report = paid.reports.annual(None, NOW).teachers
    time_mentoring = {m.email: m.minutes for m in report.mentors}
    assert rows[("lee@hillside.example", "hourly")][0] == time_mentoring["lee@hillside.example"] == 130  # fmt: skip
    assert rows[("mia@hillside.example", "hourly")][0] == time_mentoring["mia@hillside.example"]


def test_signed_only_pays_a_stipend_for_the_signed_school_days_only(paid: Services) -> None:
    """Lee leads Lincoln: nothing signed pays no stipend; Jefferson's October doesn't cover
    him; Lincoln's (or the program's) October pays October's school days only."""
    october, november = (date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 11, 1), date(2026, 11, 17))  # fmt: skip
    year_days = school_days(date(2026, 8, 31), date(2027, 6, 18))
    october_days = school_days(*october)

    def stipend(first: date, last: date) -> tuple[tuple[int | None, int] | None, tuple[str, ...]]:
        period = paid.pay.period(first, last, signed_only=True)
        row = next((r for r in period.rows if r.basis == "stipend"), None)
        return (None if row is None else (row.school_days, row.amount_cents)), period.notes

    nothing, notes = stipend(*october)
    assert nothing is None
    assert f"Lead-mentor stipends: school days not signed off yet, not paid: Lee Lead {october_days} of {october_days}" in " ".join(notes)  # fmt: skip
    paid.signoff.sign("U0CORA", parse_period("2026-10"), "Jefferson", NOW)
    assert stipend(*october)[0] is None
    paid.signoff.sign("U0CORA", parse_period("2026-10"), "Lincoln", NOW)
    assert stipend(*october) == ((october_days, divide_half_up(120000 * october_days, year_days)), ())  # fmt: skip
    found, notes = stipend(october[0], november[1])  # November is not signed
    assert found == (october_days, divide_half_up(120000 * october_days, year_days))
    assert f"Lee Lead {school_days(*november)} of {october_days + school_days(*november)}" in " ".join(notes)  # fmt: skip
    unsigned = paid.pay.period(*october)  # without --signed-only: every school day
    assert next(r for r in unsigned.rows if r.basis == "stipend").school_days == october_days


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 11, 30), date(2026, 11, 1), r"ends \(2026-11-01\) before it starts"),
        (date(2027, 6, 1), date(2027, 7, 31), "within one program year"),
        (date(2025, 6, 1), date(2025, 6, 30), "No program is loaded for 2024-25"),
    ],
)  # fmt: skip
def test_a_period_that_is_no_pay_period_is_refused(paid: Services, first: date, last: date, message: str) -> None:  # fmt: skip
    with pytest.raises(Refusal, match=message):
        paid.pay.period(first, last)


def test_without_rates_nothing_is_paid_and_it_says_why(services: Services, pairs: None) -> None:
    assert services.logs.log_text("U0LEE", "45m meeting", NOW).ok
    period = services.pay.period(date(2026, 11, 1), date(2026, 11, 30))
    assert period.rows == ()
    assert any("hourly_rate_cents" in note for note in period.notes)
    assert any("lead_stipend_cents" in note for note in period.notes)


# ---- the command ---------------------------------------------------------------------------------


def test_export_pay_writes_the_contracts_columns(
    paid: Services, settings: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", settings.DATABASE_URL)  # type: ignore[attr-defined]
    assert main(["export", "pay", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["email", "name", "role", "basis", "minutes", "rate_cents", "amount_cents", "school_days", "year_school_days", "yearly_rate_cents"]  # fmt: skip
    year_days = str(school_days(date(2026, 8, 31), date(2027, 6, 18)))
    by_row = {(r["email"], r["basis"]): [r[c] for c in list(r)[4:]] for r in rows}
    assert by_row[("lee@hillside.example", "hourly")] == ["105", "3000", "5250", "", "", ""]
    assert by_row[("lee@hillside.example", "stipend")] == ["", "", str(divide_half_up(120000 * 20, int(year_days))), "20", year_days, "120000"]  # fmt: skip
    assert {(r["email"], r["basis"], r["amount_cents"]) for r in rows} >= {("lee@hillside.example", "hourly", "5250"), ("mia@hillside.example", "hourly", "2000")}  # fmt: skip
    assert main(["export", "pay", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json"]) == 0  # fmt: skip
    body = json.loads(capsys.readouterr().out)
    assert {r["basis"] for r in body} == {"hourly", "stipend"}
    stipend = next(r for r in body if r["basis"] == "stipend")
    assert (stipend["minutes"], stipend["rate_cents"], stipend["school_days"], stipend["yearly_rate_cents"]) == (None, None, 20, 120000)  # fmt: skip
    assert main(["export", "pay", "--from", "2026-11-30", "--to", "2026-11-01"]) == 1
    assert "before it starts" in capsys.readouterr().err
