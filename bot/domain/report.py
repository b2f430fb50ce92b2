"""The annual report's items beside the ledger's: where each figure comes from, and how far the
report is from ready."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The two reports, each counting its own population: pairs whose mentee is of these educator
# types (the roster's `educator_type`).
TEACHERS, ADMINISTRATORS = "teachers", "administrators"
TEACHER_TYPES = ("beginning_teacher", "incoming_teacher")
ADMINISTRATOR_TYPES = ("beginning_administrator", "incoming_administrator")
POPULATIONS: dict[str, tuple[str, ...]] = {
    TEACHERS: TEACHER_TYPES,
    ADMINISTRATORS: ADMINISTRATOR_TYPES,
}


def population_of(educator_type: str | None) -> str | None:
    """The report whose population an educator type belongs to (None: neither)."""
    for name, types in POPULATIONS.items():
        if educator_type in types:
            return name
    return None


# The items' titles: the teachers' (a)–(h) by 603 CMR 7.12, the administrators' (a)–(i) by 7.13.
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
ADMIN_TITLES = {
    "a": "Program activities",
    "b": "Beginning administrators served",
    "c": "Trained mentors",
    "d": "Site-based visits made by mentors",
    "e": "Hours mentors and beginning administrators spent together",
    "f": "Hiring and retention of first-year administrators",
    "g": "Teacher hiring and retention, by school",
    "h": "Participant satisfaction",
    "i": "Partnerships",
}
PART_TITLES = {TEACHERS: TITLES, ADMINISTRATORS: ADMIN_TITLES}
# Items beside the ledger's with nothing recorded yet, and why (a source fills them).
NOT_RECORDED: dict[str, dict[str, str]] = {
    TEACHERS: {
        "a": "program activities (orientation, group sessions, trainings) are not recorded yet",
        "f": "hiring and exit dates across years are not recorded yet",
        "g": "no participant surveys or exit tickets have been run",
        "h": "no partnerships have been entered",
    },
    ADMINISTRATORS: {
        "a": "program activities (orientation, group sessions, trainings) are not recorded yet",
        "f": "hiring and exit dates across years are not recorded yet",
        "g": "hiring and exit dates across years are not recorded yet",
        "h": "survey answers are not linked to people, so they can't be split by educator "
        "type: the program's surveys are in the teachers' (g)",
        "i": "no partnerships have been entered",
    },
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
