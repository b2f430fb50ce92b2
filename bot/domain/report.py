"""The annual report's items beside the ledger's: where each figure comes from, and how far the
report is from ready."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The items' titles, as 603 CMR 7.13 names them (the administrators' report differs in four).
TITLES = {
    "a": "Program activities",
    "b": "Beginning educators served",
    "c": "Trained mentors",
    "d": "Classroom observations made by mentors",
    "e": "Hours mentors and beginning educators spent together",
    "f": "Hiring and retention of beginning educators",
    "g": "Participant satisfaction",
    "h": "Partnerships",
}
ADMIN_TITLES = TITLES | {
    "b": "Beginning administrators served",
    "d": "Site-based visits made by mentors",
    "e": "Hours mentors and beginning administrators spent together",
    "f": "Teacher hiring and retention, by school",
}


def hours_of(minutes: int) -> float:
    """Minutes as hours to two decimals (the report's (e) in hours)."""
    return round(minutes / 60, 2)


ItemSource = Literal["counted", "surveyed", "entered", "none"]


@dataclass(frozen=True)
class ReportSource:
    """Where a report item's figures come from (docs/contract.md, "Annual report JSON"); `none`
    always says why."""

    kind: ItemSource
    reason: str | None = None


@dataclass(frozen=True)
class ReportItem:
    """An item of the annual report beside the ledger's (b)–(e): (a) activities, (f) hiring and
    retention, (g) satisfaction, (h) partnerships. `rows` is the complete list (JSON-ready
    values, one dict per row, keys in `columns` order); `notes` are plain sentences for the
    Markdown form. An item with nothing to show says why (`source` "none" and a `reason`)."""

    value: int | float | None
    source: ItemSource
    reason: str | None = None
    columns: tuple[str, ...] = ()
    rows: tuple[dict[str, object], ...] = ()
    notes: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)  # more JSON keys (summaries)
    attention: tuple[str, ...] = ()  # still incomplete, e.g. "38 % of mentees answered"

    @classmethod
    def missing(cls, reason: str) -> ReportItem:
        """An item with nothing recorded, and why."""
        return cls(None, "none", reason)


@dataclass(frozen=True)
class Readiness:
    """How far the annual report is from ready: its headline figures and what is missing."""

    year: str
    headlines: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def ready(self) -> bool:
        """True when every item is filled."""
        return not self.missing
