"""Cells of the files people open in spreadsheets and editors: the one boundary for them.

CSV: a cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) is prefixed with a single quote, as OWASP recommends for CSV injection. Markdown: a
table cell cannot break its row or column (`|`, newlines) or start markup of its own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value safe for a CSV cell: numbers as they are, risky text quoted as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document, every cell through `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def md_cell(value: Any) -> str:
    """A value safe inside a Markdown table cell."""
    text = " ".join(str(value).split())
    for char in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(char, "\\" + char)
    return text
