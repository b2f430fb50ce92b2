"""`/induction assign|unassign|status|report|help` for coordinators; `/induction event` for lead
mentors and coordinators."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.command_text import UsageError, parse_induction
from bot.event_text import parse_event
from bot.services.container import Services
from bot.signoff import PeriodError, SignOffArgs, parse_signoff
from bot.slack import signoff_views, views
from bot.slack.activity_views import activity_recorded
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
    (
        "/induction event group 2026-10-14 90m @a @b @c [by @lead] [notes]",
        "record a program activity (orientation, group, training, support_team) once it happened; "
        "a group session logs each attending mentee's time with their mentor present",
    ),
    ("/induction report", "how to get the annual induction report"),
    (
        "/induction signoff 2027-03 [school]",
        "sign a month (or 2027-03-01..2027-03-15) off: see what is unconfirmed or flagged, then "
        "lock it (coordinators and the policy's sign-off roles)",
    ),
    ("/induction reopen 2027-03 [school] reason", "reopen a signed-off period (coordinators)"),
    ("/induction help", "this help"),
]
FOOTER = "Coordinators only (`event`: lead mentors too). Reassignment requests are confidential."


def handle(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """Answer `/induction` in the ack."""
    services = services_of(context)

    def build() -> Payload:
        text = command.get("text") or ""
        signing = parse_signoff_text(text)
        if signing is not None:
            return signoff(services, command["user_id"], signing)
        args = parse_induction(text)
        if args.verb == "help":
            return views.help_message("/induction", HELP, FOOTER)
        if args.verb == "event":
            now = services.clock.now()
            request = parse_event(args.rest, services.programs.current(now).today(now))
            return activity_recorded(
                services.activities.record_from_slack(command["user_id"], request, now)
            )
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
                services.assignments.assign(
                    actor, mentor, mentee, args.on, now, over_cap=args.override
                )
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


def parse_signoff_text(text: str) -> SignOffArgs | None:
    """`signoff` / `reopen`, or None for another verb; a period that can't be read is a
    UsageError."""
    try:
        return parse_signoff(text)
    except PeriodError as exc:
        raise UsageError(str(exc), "/induction signoff 2027-03 Lincoln") from None


def signoff(services: Services, user_id: str, args: SignOffArgs) -> Payload:
    """The sign-off preview (with its button), or a reopening."""
    now = services.clock.now()
    if args.verb == "reopen":
        lock, reason = services.signoff.reopen(user_id, args.period, args.rest, now)
        return signoff_views.reopened(lock, reason)
    return signoff_views.preview(services.signoff.preview(user_id, args.period, args.rest, now))
