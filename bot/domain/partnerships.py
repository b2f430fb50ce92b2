"""Partnerships the coordinator enters (report item h), pure: their kinds and what makes one
valid."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.report import ReportItem, ReportSource

PARTNERSHIP_KINDS: tuple[str, ...] = (
    "district",
    "association",
    "higher_education",
    "community",
    "other",
)
MAX_NAME = 200
MAX_SUPPORTS = 1_000


@dataclass(frozen=True)
class PartnershipLine:
    """A partner, its kind and what it supports."""

    name: str
    kind: str
    supports: str


@dataclass(frozen=True)
class PartnershipsSummary:
    """Report item (h): every partnership entered."""

    partnerships: tuple[PartnershipLine, ...]
    source: ReportSource

    @property
    def count(self) -> int:
        """How many partnerships were entered."""
        return len(self.partnerships)


def clean_partnership(name: str, kind: str, supports: str) -> PartnershipLine | list[str]:
    """A partnership with its fields tidied, or every problem with it, each naming the field."""
    problems: list[str] = []
    name, kind, supports = " ".join(name.split()), kind.strip().lower(), " ".join(supports.split())
    kind = kind.replace("-", "_").replace(" ", "_")
    if not name:
        problems.append("name is empty")
    elif len(name) > MAX_NAME:
        problems.append(f"name is longer than {MAX_NAME} characters")
    if kind not in PARTNERSHIP_KINDS:
        problems.append(f"kind {kind!r} is not one of {', '.join(PARTNERSHIP_KINDS)}")
    if not supports:
        problems.append("supports is empty: say what the partner supports")
    elif len(supports) > MAX_SUPPORTS:
        problems.append(f"supports is longer than {MAX_SUPPORTS} characters")
    return problems or PartnershipLine(name, kind, supports)


def partnerships_source(lines: tuple[PartnershipLine, ...]) -> ReportSource:
    """Entered when there is one, else none with the reason."""
    if lines:
        return ReportSource("entered")
    return ReportSource("none", "no partnerships have been entered")


def partnerships_item(summary: PartnershipsSummary) -> ReportItem:
    """Report item (h) in the report's shape: one row per partnership."""
    if summary.source.kind == "none":
        return ReportItem.missing(summary.source.reason or "none entered")
    return ReportItem(
        value=summary.count,
        source=summary.source.kind,
        columns=("name", "kind", "supports"),
        rows=tuple(
            {"name": line.name, "kind": line.kind, "supports": line.supports}
            for line in summary.partnerships
        ),
    )
