"""`mentor-minutes survey list` and `survey results NAME [--format csv|json]`: surveys in
aggregate, and their answers anonymised (no names, no Slack ids, no emails), for a terminal."""

from __future__ import annotations

import argparse
import sys

from bot.cli.base import CommandError, open_services, write_records
from bot.config import Settings
from bot.domain.surveys import MIN_RESPONDENTS, TOO_FEW, SurveyResult
from bot.services.errors import Refusal
from bot.services.survey_results import Scheduled, withheld_text


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`survey list` / `survey results NAME`."""
    services = open_services(settings, args)
    try:
        if args.action == "list":
            sys.stdout.write(listing(services.surveys.results(), services.surveys.scheduled()))
            return 0
        export = services.surveys.export(args.name)
        results = services.surveys.results(name=args.name)
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    for result in results:
        print(f"mentor-minutes: {summary_line(result)}", file=sys.stderr)
    for line in withheld_text(export.withheld):
        print(f"mentor-minutes: {line}", file=sys.stderr)
    write_records(args.format, export.columns, [dict(row) for row in export.rows])
    return 0


def summary_line(result: SurveyResult) -> str:
    """One sending in aggregate: audience, answers and rate, the mean of each question."""
    head = f"{result.name} opened {result.opens} (closes {result.closes}): {result.asked} asked"
    if result.answered is None:
        return f"{head}; {TOO_FEW} (fewer than {MIN_RESPONDENTS})"
    means = ", ".join(f"q{q.number} {q.mean}" for q in result.questions)
    return f"{head}, {result.answered} answered ({result.rate} %); means {means}"


def listing(sent: list[SurveyResult], scheduled: list[Scheduled]) -> str:
    """Every sending so far, then the program file's surveys still to open."""
    lines = [summary_line(result) for result in sent] or ["No survey or exit ticket sent yet."]
    for survey in scheduled:
        days = ", ".join(day.isoformat() for day in survey.send_on)
        lines.append(f"{survey.name}: scheduled ({survey.audience}) on {days}")
    return "\n".join(lines) + "\n"
