"""`/induction assign|unassign|status|done|team|report|signoff|reopen` for coordinators (and
sign-off roles), `event` for lead mentors and coordinators, `change` for mentors and mentees,
`help` for everyone (what each may use)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.domain.grammar.command_text import InductionArgs, UsageError, parse_induction
from bot.domain.grammar.event_text import parse_event
from bot.domain.members import Member
from bot.domain.signoff import PeriodError, SignOffArgs, parse_signoff
from bot.services.errors import NoProgram
from bot.slack import request_views, signoff_views, views
from bot.slack.activity_views import activity_recorded
from handlers.commands import induction_change
from handlers.reply import Payload, ack_with, refusal_for, services_of

SIGNOFF_HELP = (
    "/induction signoff 2027-03 [school]",
    "sign a month (or 2027-03-01..2027-03-15) off: see what is unconfirmed or flagged, then "
    "lock it (coordinators and the policy's sign-off roles)",
)
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
    ("/induction requests", "open requests for a change of pairing, with Reassign and Decline"),
    SIGNOFF_HELP,
    ("/induction reopen 2027-03 [school] reason", "reopen a signed-off period (coordinators)"),
    ("/induction help", "this help"),
]
FOOTER = "Coordinators only (`event`: lead mentors too). Reassignment requests are confidential."
CHANGE_HELP = (
    "/induction change [@person] [reason]",
    "ask the coordinators for a change of your mentoring pair (alone: opens a form)",
)
CHANGE_FOOTER = (
    "Asking for a change is hold-harmless: without consequence for you, and confidential — "
    "only the induction coordinators see it. Your coordinator runs the rest of `/induction`."
)


def help_for(roles: frozenset[str], sign_off_roles: tuple[str, ...] = ()) -> Payload:
    """`/induction help` for what the person may use: coordinators' verbs, `signoff` for the
    policy's sign-off roles, and `change` for mentors and mentees."""
    changes = [CHANGE_HELP] if roles & {"mentor", "mentee"} else []
    if "coordinator" in roles:
        return views.help_message("/induction", HELP[:-1] + changes + HELP[-1:], FOOTER)
    signs = [SIGNOFF_HELP] if roles & set(sign_off_roles) else []
    events = [line for line in HELP if line[0].startswith("/induction event")]
    leads = events if "lead_mentor" in roles else []
    lines = (changes or [CHANGE_HELP]) + leads + signs + HELP[-1:]
    return views.help_message("/induction", lines, CHANGE_FOOTER)


def handle(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Answer `/induction` in the ack (`change` alone opens the request form)."""
    services = services_of(context)
    try:
        request = read(command.get("text") or "")
    except Exception as exc:  # a UsageError says what was understood; anything else is ours
        refused = refusal_for(exc)
        ack_with(ack, lambda: refused)
        return
    if isinstance(request, InductionArgs) and request.verb == "change":
        induction_change.handle(ack, command, client, services, request)
        return
    ack_with(ack, lambda: answer(services, command["user_id"], request))


def read(text: str) -> SignOffArgs | InductionArgs:
    """The command as typed: `signoff`/`reopen`, or another verb and its arguments."""
    return parse_signoff_text(text) or parse_induction(text)


def answer(services: Services, user_id: str, request: SignOffArgs | InductionArgs) -> Payload:
    """The reply to a verb other than `change`."""
    if isinstance(request, SignOffArgs):
        return signoff(services, user_id, request)
    return VERBS[request.verb](services, user_id, request)


# ---- the verbs: each reads its arguments, calls one service and renders one view ------------

Verb = Callable[[Services, str, InductionArgs], Payload]
CoordinatorVerb = Callable[[Services, str, Member, InductionArgs, datetime], Payload]


def coordinators_only(verb: CoordinatorVerb) -> Verb:
    """A verb for coordinators: the caller is checked (a Refusal otherwise) before it runs."""

    def run(services: Services, user_id: str, args: InductionArgs) -> Payload:
        actor = services.assignments.coordinator(user_id)
        return verb(services, user_id, actor, args, services.clock.now())

    return run


def help_verb(services: Services, user_id: str, args: InductionArgs) -> Payload:
    """`help`: what the caller may use (everything, before anyone holds a role)."""
    try:
        program = services.programs.current()
        roles = services.requests.roles_of(user_id)
    except NoProgram:  # nobody holds a role yet: the whole list
        return views.help_message("/induction", HELP, FOOTER)
    return help_for(roles, program.policy.sign_off_roles)


def event(services: Services, user_id: str, args: InductionArgs) -> Payload:
    """`event KIND DATE MINUTES @people…`: lead mentors and coordinators (the service checks)."""
    now = services.clock.now()
    request = parse_event(args.rest, services.programs.current(now).today(now))
    return activity_recorded(services.activities.record_from_slack(user_id, request, now))


def done(
    services: Services, user_id: str, actor: Member, args: InductionArgs, now: datetime
) -> Payload:
    """`done MILESTONE [@person] [DATE]`."""
    assert args.milestone is not None
    person = args.people[0] if args.people else None
    return views.milestone_done(
        services.milestones.mark_done(user_id, args.milestone, person, args.on, now)
    )


def team(
    services: Services, user_id: str, actor: Member, args: InductionArgs, now: datetime
) -> Payload:
    """`team @mentee add|remove @person`."""
    mentee, member = args.people
    return views.team_change(
        services.milestones.change_team(user_id, mentee, args.add, member, now)
    )


def assign(
    services: Services, user_id: str, actor: Member, args: InductionArgs, now: datetime
) -> Payload:
    """`assign @mentor @mentee [DATE] [override] [move-entries]`."""
    mentor, mentee = args.people
    return views.assignment_result(
        services.assignments.assign(
            actor, mentor, mentee, args.on, now,
            over_cap=args.override, move_entries=args.move_entries,
        )
    )  # fmt: skip


def unassign(
    services: Services, user_id: str, actor: Member, args: InductionArgs, now: datetime
) -> Payload:
    """`unassign @mentee [reason]`."""
    return views.assignment_result(
        services.assignments.unassign(actor, args.people[0], args.reason, args.on, now)
    )


def status(
    services: Services, user_id: str, actor: Member, args: InductionArgs, now: datetime
) -> Payload:
    """`status` (everyone) or `status @person` (one person's history)."""
    if args.people:
        return views.person_status(services.assignments.person_status(actor, args.people[0], now))
    return views.program_status(services.assignments.program_status(actor, now))


def requests(
    services: Services, user_id: str, actor: Member, args: InductionArgs, now: datetime
) -> Payload:
    """`requests`: open requests for a change of pairing."""
    return request_views.open_requests_message(services.requests.open_for(user_id, now))


def report(
    services: Services, user_id: str, actor: Member, args: InductionArgs, now: datetime
) -> Payload:
    """`report`: where the annual report comes from, and when it is due."""
    program = services.programs.current()
    return views.report_pointer(program.school_year, program.policy.report_due)


VERBS: dict[str, Verb] = {
    "help": help_verb,
    "event": event,
    "done": coordinators_only(done),
    "team": coordinators_only(team),
    "assign": coordinators_only(assign),
    "unassign": coordinators_only(unassign),
    "status": coordinators_only(status),
    "requests": coordinators_only(requests),
    "report": coordinators_only(report),
}


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
