"""`/hours [@person] [week|month|year] [MONTH]`: totals the caller may see; `/hours pay [MONTH]`:
this month's pay so far, or a past month's (coordinators)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.domain.grammar.command_text import parse_hours
from bot.slack import pay_views, views
from handlers.reply import Payload, ack_with, services_of

HELP = [
    (
        "/hours",
        "your pairs this week against the weekly target, the school year and since the start",
    ),
    ("/hours month", "the same for this month (also `week`, `year`)"),
    ("/hours month october", "a past month's totals (also `oct`, `2026-10`)"),
    ("/hours @name", "one person's pairs, if you may see them"),
    ("/hours year 2026-27", "a past program year's totals (or one started ahead)"),
    ("/hours pay", "coordinators: this month's pay so far, as `mentor-minutes export pay`"),
    ("/hours pay october", "coordinators: a past month's pay, as `export pay --month 2026-10`"),
    ("/hours help", "this help"),
]
FOOTER = (
    "Mentors see their pairs, mentees themselves, lead mentors and evaluators their school, "
    "coordinators everyone. Hours and counts only — notes stay with the pair."
)


def handle(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """Answer `/hours` in the ack."""
    services = services_of(context)

    def build() -> Payload:
        args = parse_hours(command.get("text") or "")
        if args.help:
            return views.help_message("/hours", HELP, FOOTER)
        if args.pay:
            return pay_views.pay_totals(
                services.home.pay_month(command["user_id"], services.clock.now(), args.month)
            )
        report = services.hours.report(
            command["user_id"],
            services.clock.now(),
            period=args.period,
            person_ref=args.person,
            year=args.year,
            month=args.month,
        )
        return views.hours_report(report)

    ack_with(ack, build)
