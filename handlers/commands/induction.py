"""`/induction assign|unassign|status|report|help` for coordinators."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.command_text import parse_induction
from bot.slack import views
from handlers.reply import Payload, ack_with, services_of

HELP = [
    (
        "/induction assign @mentor @mentee [2026-09-14]",
        "assign a mentor (a current mentor is closed as a reassignment)",
    ),
    ("/induction unassign @mentee [reason]", "end a mentee's assignment, with a reason"),
    ("/induction status", "every mentee's assignment, overdue first"),
    ("/induction status @person", "one person's roles and assignment history"),
    (
        "/induction done orientation @person [2026-09-14]",
        "mark a milestone done (stops its nudges)",
    ),
    ("/induction team @mentee add|remove @person", "manage a beginning educator's support team"),
    ("/induction report", "how to get the annual induction report"),
    ("/induction help", "this help"),
]
FOOTER = "Coordinators only. Reassignment requests are confidential."


def handle(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """Answer `/induction` in the ack."""
    services = services_of(context)

    def build() -> Payload:
        args = parse_induction(command.get("text") or "")
        if args.verb == "help":
            return views.help_message("/induction", HELP, FOOTER)
        actor = services.assignments.coordinator(command["user_id"])
        now = services.clock.now()
        if args.verb == "done":
            assert args.milestone is not None
            person = args.people[0] if args.people else None
            return views.milestone_done(
                services.milestones.mark_done(
                    command["user_id"], args.milestone, person, args.on, now
                )
            )
        if args.verb == "team":
            mentee, member = args.people
            return views.team_change(
                services.milestones.change_team(command["user_id"], mentee, args.add, member, now)
            )
        if args.verb == "assign":
            mentor, mentee = args.people
            return views.assignment_result(
                services.assignments.assign(actor, mentor, mentee, args.on, now)
            )
        if args.verb == "unassign":
            return views.assignment_result(
                services.assignments.unassign(actor, args.people[0], args.reason, args.on, now)
            )
        if args.verb == "status" and args.people:
            return views.person_status(
                services.assignments.person_status(actor, args.people[0], now)
            )
        if args.verb == "status":
            return views.program_status(services.assignments.program_status(actor, now))
        program = services.programs.current()
        return views.notice(
            "The annual induction report comes from `mentor-minutes report annual "
            f"--year {program.school_year}` (csv, json or md); it is due "
            f"{program.policy.report_due}."
        )

    ack_with(ack, build)
