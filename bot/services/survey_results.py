"""Survey results, in aggregate only: response rates, means per question, the anonymised export
and report item (g). Below MIN_RESPONDENTS answers nothing but the audience is shown."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.report import ReportItem
from bot.domain.surveys import (
    MIN_RESPONDENTS,
    TOO_FEW,
    QuestionMean,
    SatisfactionSummary,
    SurveyKind,
    SurveyResult,
    mean_of,
)
from bot.services.errors import Refusal
from bot.services.people import PeopleService
from bot.services.programs import ProgramInfo, ProgramService
from bot.store.db import Store
from bot.store.models.surveys import Survey, SurveyAnswer, SurveyRecipient, SurveyResponse

NO_SURVEYS = "no participant surveys or exit tickets were sent in {year}"


@dataclass(frozen=True)
class Scheduled:
    """A survey of the program file not sent yet: its name and the days it will open."""

    name: str
    title: str
    audience: str
    send_on: tuple[date, ...]


@dataclass(frozen=True)
class SurveyExport:
    """The anonymised answers to a survey: one row per answer set, ordered by the answers
    (never by person or time); sendings with too few answers are withheld and named."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, object], ...]
    withheld: tuple[SurveyResult, ...]


def survey_kind(value: str) -> SurveyKind:
    """A stored kind as the value type says it."""
    return "exit_ticket" if value == "exit_ticket" else "survey"


class SurveyResults:
    """Read surveys back in aggregate (the base of SurveyService)."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def results(self, name: str | None = None, year: str | None = None) -> list[SurveyResult]:
        """Every sending (of one survey name, and/or one school year), oldest first."""
        program = self.programs.current()
        with self.store.read() as session:
            query = select(Survey).where(Survey.program_id == program.id)
            if name is not None:
                query = query.where(Survey.name == name)
            if year is not None:
                query = query.where(Survey.school_year == year)
            surveys = list(session.scalars(query.order_by(Survey.opens_on, Survey.id)))
            return [self._result(session, survey) for survey in surveys]

    def _result(self, session: Session, survey: Survey) -> SurveyResult:
        asked = session.scalar(
            select(func.count())
            .select_from(SurveyRecipient)
            .where(SurveyRecipient.survey_id == survey.id)
        )
        answered = int(
            session.scalar(
                select(func.count())
                .select_from(SurveyResponse)
                .where(SurveyResponse.survey_id == survey.id)
            )
            or 0
        )
        shown = answered >= MIN_RESPONDENTS
        values: dict[int, list[int]] = defaultdict(list)
        comments = 0
        if shown:
            for question, value in session.execute(
                select(SurveyAnswer.question, SurveyAnswer.value)
                .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
                .where(SurveyResponse.survey_id == survey.id)
            ):
                values[question].append(value)
            comments = int(
                session.scalar(
                    select(func.count())
                    .select_from(SurveyResponse)
                    .where(
                        SurveyResponse.survey_id == survey.id,
                        SurveyResponse.comment.is_not(None),
                    )
                )
                or 0
            )
        return SurveyResult(
            name=survey.name,
            title=survey.title,
            kind=survey_kind(survey.kind),
            audience=survey.audience,
            opens=survey.opens_on,
            closes=survey.closes_on,
            asked=int(asked or 0),
            answered=answered if shown else None,
            questions=tuple(
                QuestionMean(number, text, mean_of(values[number]) if shown else None)
                for number, text in enumerate(survey.questions, start=1)
            ),
            comments=comments if shown else None,
        )

    def scheduled(self, program: ProgramInfo | None = None) -> list[Scheduled]:
        """The program file's surveys with no sending yet."""
        program = program or self.programs.current()
        with self.store.read() as session:
            sent = set(
                session.scalars(
                    select(Survey.name).where(
                        Survey.program_id == program.id,
                        Survey.school_year == program.school_year,
                    )
                )
            )
        return [
            Scheduled(survey.name, survey.title, survey.audience, survey.send_on)
            for survey in program.config.surveys
            if survey.name not in sent
        ]

    def report_summary(self, year_label: str | None = None) -> SatisfactionSummary:
        """Report item (g) for a program year ("2026-27"; None: the current one): every survey
        and exit ticket sent in it, in aggregate; source "none" with the reason when none was."""
        program = self.programs.for_year(year_label)
        found = tuple(self.results(year=program.school_year))
        if not found:
            reason = NO_SURVEYS.format(year=program.school_year)
            if program.config.surveys:
                reason += " (the program file's surveys have not opened yet)"
            return SatisfactionSummary(program.school_year, "none", reason, ())
        return SatisfactionSummary(program.school_year, "surveyed", None, found)

    def report_items(
        self, year_label: str, now: datetime, /, *, brief: bool = False
    ) -> dict[tuple[str, str], ReportItem]:
        """The annual report's item (g) for teachers (a `ReportService` source): the program's
        surveys and exit tickets in aggregate. Answers are not linked to people, so they are
        never split by educator type; the administrators' (h) says so."""
        return {("teachers", "g"): self.report_summary(year_label).report_item()}

    def export(self, name: str) -> SurveyExport:
        """The anonymised answers to every sending of a survey (a Refusal names the surveys
        there are when none has that name)."""
        program = self.programs.current()
        with self.store.read() as session:
            surveys = list(
                session.scalars(
                    select(Survey)
                    .where(Survey.program_id == program.id, Survey.name == name)
                    .order_by(Survey.opens_on)
                )
            )
            if not surveys:
                raise Refusal(self._unknown(session, program, name))
            width = max(len(survey.questions) for survey in surveys)
            columns = (
                "survey",
                "opened_on",
                *(f"q{number}" for number in range(1, width + 1)),
                "comment",
            )
            rows: list[dict[str, object]] = []
            withheld: list[SurveyResult] = []
            for survey in surveys:
                result = self._result(session, survey)
                if not result.shown:
                    withheld.append(result)
                    continue
                rows.extend(self._rows(session, survey, width))
        return SurveyExport(columns, tuple(rows), tuple(withheld))

    @staticmethod
    def _rows(session: Session, survey: Survey, width: int) -> list[dict[str, object]]:
        answers: dict[str, dict[int, int]] = defaultdict(dict)
        for response_id, question, value in session.execute(
            select(SurveyAnswer.response_id, SurveyAnswer.question, SurveyAnswer.value)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.survey_id == survey.id)
        ):
            answers[response_id][question] = value
        comments: dict[str, str | None] = {
            response_id: comment
            for response_id, comment in session.execute(
                select(SurveyResponse.id, SurveyResponse.comment).where(
                    SurveyResponse.survey_id == survey.id
                )
            )
        }
        rows: list[tuple[tuple[int, ...], str, dict[str, object]]] = []
        for response_id, comment in comments.items():
            given = answers.get(response_id, {})
            values = tuple(given.get(number, 0) for number in range(1, width + 1))
            row: dict[str, object] = {
                "survey": survey.name,
                "opened_on": survey.opens_on.isoformat(),
            }
            row |= {f"q{n}": given.get(n) for n in range(1, width + 1)}
            row["comment"] = comment or ""
            rows.append((values, comment or "", row))
        rows.sort(key=lambda item: (item[0], item[1]))  # by the answers, never by who or when
        return [row for _, _, row in rows]

    @staticmethod
    def _unknown(session: Session, program: ProgramInfo, name: str) -> str:
        names = sorted(
            set(session.scalars(select(Survey.name).where(Survey.program_id == program.id)))
        )
        listed = ", ".join(names[:20]) if names else "none has been sent yet"
        return f"No survey called {name[:60]!r} has been sent. Surveys sent: {listed}."


def withheld_text(results: Sequence[SurveyResult]) -> list[str]:
    """One line per sending withheld from an export: too few answers."""
    return [
        f"{result.name} opened {result.opens}: {TOO_FEW} (fewer than {MIN_RESPONDENTS}); "
        "its answers are not exported"
        for result in results
    ]
