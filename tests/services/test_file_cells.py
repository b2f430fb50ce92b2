"""Files people open in spreadsheets and editors (bot/domain/cells.py): no cell runs as a formula, no
name breaks a Markdown table — in `export logs` (with and without notes) and `report annual`."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from bot.bootstrap import Services
from bot.cli.main import main
from bot.config import ENV_NAMES
from bot.domain.cells import csv_cell, md_cell
from tests.support.hillside import NOW, ROSTER_CSV

FORMULA = "=HYPERLINK(A1;B1)"
RISKY = (FORMULA, "+1+1", "-2", "@SUM(A1)", "\tTAB", "\rCR")


@pytest.mark.parametrize("value", RISKY)
def test_a_cell_that_would_run_as_a_formula_is_quoted(value: str) -> None:
    assert csv_cell(value) == "'" + value
    assert csv_cell(45) == 45 and csv_cell("Lee Lead") == "Lee Lead"


def test_a_markdown_cell_keeps_its_row_and_column() -> None:
    assert md_cell("Eve | Evil\nnext") == "Eve \\| Evil next"
    assert "|" not in md_cell("a|b").replace("\\|", "")


@pytest.fixture
def risky(services: Services, program: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: object) -> Services:  # fmt: skip
    rows = ROSTER_CSV + (
        f'evil@hillside.example,"{FORMULA}",mentor,"@SUM(A1)",Math,4,,Professional,2012-08-27,U0EVM\n'
        'eve@hillside.example,"+Eve | Pipe",mentee,"-School",Math,4,beginning_teacher,Initial,2026-08-24,U0EVE\n'
    )  # fmt: skip
    assert services.roster.import_csv(rows).ok
    services.assignments.assign(None, "evil@hillside.example", "eve@hillside.example", date(2026, 9, 1), NOW)  # fmt: skip
    outcome = services.logs.log_text("U0EVM", "45m observation =cmd|' /C calc'!A0", NOW)
    assert outcome.ok, outcome.error
    monkeypatch.chdir(tmp_path)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", settings.DATABASE_URL)  # type: ignore[attr-defined]
    monkeypatch.setenv("MENTOR_MINUTES_NOW", NOW.isoformat())
    return services


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_no_exported_or_reported_cell_starts_a_formula(risky: Services, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    outputs = [
        run(capsys, "export", "logs"),
        run(capsys, "export", "logs", "--include-notes", "--as", "cora@hillside.example"),
        run(capsys, "report", "annual", "--format", "csv"),
    ]
    for text in outputs:
        found = cells(text)
        assert found
        assert not [c for c in found if c[:1] in ("=", "+", "-", "@", "\t", "\r")], text
    with_notes = cells(outputs[1])
    assert "'=cmd|' /C calc'!A0" in with_notes  # the note is there, as text
    report_md = run(capsys, "report", "annual", "--format", "md")
    (row,) = [line for line in report_md.splitlines() if "Eve" in line and line.startswith("|")]
    assert row.count("|") - row.count("\\|") == 8  # seven columns, the name's pipe escaped
