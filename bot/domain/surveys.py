"""Surveys and exit tickets (report item g): the form a person answers and the results in
aggregate only (never fewer than MIN_RESPONDENTS answers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from bot.domain.report import ReportItem

CENTS = Decimal("0.01")


MIN_RESPONDENTS = 5  # no breakdown of fewer answers is ever shown


TOO_FEW = "too few answers to show"


SurveyKind = Literal["survey", "exit_ticket"]


def mean_of(values: Sequence[int]) -> Decimal | None:
    """The mean of answers on the 1–5 scale, to two decimals (half up); None when none."""
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(CENTS, rounding=ROUND_HALF_UP)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage to two decimals; None when there is nobody."""
    if denominator <= 0:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SurveyForm:
    """A survey as the person answering it sees it: its questions and the last day to answer."""

    survey_id: int
    title: str
    kind: SurveyKind
    questions: tuple[str, ...]
    comment: bool
    closes: date


@dataclass(frozen=True)
class QuestionMean:
    """One question's mean answer (None when too few answered to show it)."""

    number: int  # 1-based, as the survey lists them
    text: str
    mean: Decimal | None


@dataclass(frozen=True)
class SurveyResult:
    """One sending of a survey (or one exit ticket), in aggregate only: below MIN_RESPONDENTS
    answers, the count of answers, the rate and the means are all withheld."""

    name: str
    title: str
    kind: SurveyKind
    audience: str
    opens: date
    closes: date
    asked: int  # the audience: people the survey was sent to (the rate's denominator)
    answered: int | None  # the rate's numerator; None when too few to show
    questions: tuple[QuestionMean, ...]
    comments: int | None = None  # how many answers carry a comment; None when too few

    @property
    def shown(self) -> bool:
        """True when enough people answered for anything but the audience to be shown."""
        return self.answered is not None

    @property
    def rate(self) -> Decimal | None:
        """The response rate in percent (two decimals); None when hidden or nobody was asked."""
        return None if self.answered is None else percent(self.answered, self.asked)


@dataclass(frozen=True)
class SatisfactionSummary:
    """Report item (g) for a program year: every survey and exit ticket sent, in aggregate.
    `source` is "surveyed", or "none" with the `reason`."""

    year: str
    source: Literal["surveyed", "none"]
    reason: str | None
    surveys: tuple[SurveyResult, ...]

    @property
    def overall_rate(self) -> Decimal | None:
        """Answers over people asked, across the sendings whose results may be shown."""
        shown = [s for s in self.surveys if s.answered is not None]
        answered = sum(s.answered or 0 for s in shown)
        return percent(answered, sum(s.asked for s in shown)) if shown else None

    def report_item(self) -> ReportItem:
        """Item (g) of the annual report: one row per sending and question, in aggregate."""
        if self.source == "none":
            return ReportItem.missing(self.reason or "no surveys were sent")
        rows: list[dict[str, object]] = []
        notes: list[str] = []
        for s in self.surveys:
            rate = s.rate
            for q in s.questions:
                rows.append(
                    {
                        "survey": s.name,
                        "kind": s.kind,
                        "title": s.title,
                        "opened_on": s.opens.isoformat(),
                        "closes_on": s.closes.isoformat(),
                        "audience": s.audience,
                        "asked": s.asked,
                        "answered": s.answered,
                        "response_rate": None if rate is None else float(rate),
                        "question": q.text,
                        "mean": None if q.mean is None else float(q.mean),
                    }
                )
            if s.answered is None:
                notes.append(f"{s.title} (opened {s.opens}): {s.asked} asked; {TOO_FEW}.")
            else:
                means = "; ".join(f"“{q.text}” {q.mean}" for q in s.questions)
                notes.append(
                    f"{s.title} (opened {s.opens}): {s.answered} of {s.asked} answered "
                    f"({rate} %); mean (1–5): {means}."
                )
        overall = self.overall_rate
        attention = tuple(  # what a draft of the report still asks for: answers
            f"{s.rate} % of the {AUDIENCES.get(s.audience, s.audience)} asked answered {s.title}"
            if s.rate is not None
            else f"{s.title}: {TOO_FEW}"
            for s in self.surveys
            if s.rate is None or s.rate < WELL_ANSWERED
        )
        return ReportItem(
            value=None if overall is None else float(overall),
            source="surveyed",
            columns=SATISFACTION_COLUMNS,
            rows=tuple(rows),
            notes=tuple(notes),
            extra={"sendings": len(self.surveys), "min_respondents": MIN_RESPONDENTS},
            attention=attention,
        )


WELL_ANSWERED = 80  # percent: below it, the report's draft says how many answered


AUDIENCES = {"both": "mentees and mentors"}


SATISFACTION_COLUMNS = (
    "survey",
    "kind",
    "title",
    "opened_on",
    "closes_on",
    "audience",
    "asked",
    "answered",
    "response_rate",
    "question",
    "mean",
)
