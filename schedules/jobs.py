"""Scheduled jobs by name: `jobs run`, the console's `:run` and the scheduler's tick.

A job works out from the store what is due at an instant, claims it in the outbox, and the
`deliver` step sends what is claimed. Running a job by hand delivers before returning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from datetime import time as clock_time

from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.domain.calendar import local_datetime
from bot.domain.deadlines import previous_send_day
from bot.domain.formatting import format_day_long
from bot.domain.members import Member
from bot.domain.notices import Nudge, Unreached
from bot.email.sender import EmailSender
from bot.services.outbox import ReviewError
from bot.services.snapshot import send_window_open
from bot.slack.sender import DeliveryReport, RateLimits, Sender, Sleep
from schedules.claims import ExitTickets, claim

log = logging.getLogger(__name__)

Producer = Callable[[Services, datetime], list[Nudge] | None]


def _deadline_sweep(services: Services, now: datetime) -> list[Nudge] | None:
    """Close the old program year once the new one has begun (any day), then, once a sending
    day (the job is done for the day when it returns a list): erase the notes past the
    policy's retention, the day's to-dos and, from June, the reminder to start the next year
    and the weekly report draft."""
    services.years.roll_over(now)
    nudges = services.nudges.deadline_sweep(now)
    if nudges is None:
        return None
    services.erasure.erase_old_notes(services.programs.current(now), now)
    return nudges + services.years.reminders(now) + services.report_drafts.due(now)


def _surveys(services: Services, now: datetime) -> list[Nudge] | None:
    """Surveys and exit tickets go only to people with a Slack id (the audience is who can
    answer), so this job leaves no one unreached; the last job's list must not be its own."""
    services.nudges.unreached = ()
    return services.surveys.due(now)


PRODUCERS: dict[str, tuple[str, Producer]] = {
    "deadline-sweep": (
        "to-do nudges for support teams, the overdue-assignment alert; closes a program year",
        _deadline_sweep,
    ),
    "weekly-digest": (
        "each lead mentor's digest of the previous school week",
        lambda s, now: s.nudges.weekly_digest(now),
    ),
    "monthly-summary": (
        "on the first school day of a month, each coordinator's summary of the month gone",
        lambda s, now: s.nudges.monthly_summary(now),
    ),
    "entry-reviews": (
        "when the policy asks for confirmation: each person's entries to confirm or flag",
        lambda s, now: (
            s.signoff.review_requests(now)
            if send_window_open(s.programs.current(now), now)
            else None
        ),
    ),
    "contact-nudges": (
        "nudge mentors whose mentee has had no logged contact for N school days",
        lambda s, now: s.nudges.contact_nudges(now),
    ),
    "surveys": (
        "open surveys on their day; invite, then remind once, those who haven't answered",
        _surveys,
    ),
}


JOBS: dict[str, str] = {name: about for name, (about, _) in PRODUCERS.items()}
JOBS["deliver"] = "send what is claimed in the outbox (school days, outside quiet hours)"


class JobError(Exception):
    """An unknown job."""


def produce(services: Services, name: str, now: datetime) -> tuple[int, int] | None:
    """Run one producer and claim its notifications: (produced, newly claimed), or None when
    it is not the job's time (weekend, holiday, quiet hours, before the digest time)."""
    nudges = PRODUCERS[name][1](services, now)
    if nudges is None:
        return None
    program = services.programs.current(now).name
    return claim(services.store, services.outbox, nudges, now, program)


def send_exit_tickets(
    services: Services, event_id: int, attendee_ids: list[int], now: datetime
) -> int:
    """Claim the exit tickets of a group session for its attendees (person ids); how many
    were newly claimed. The next delivery sends them; a Refusal names unknown attendees."""
    return ExitTickets(services.store, services.surveys, services.outbox)(
        event_id, attendee_ids, now
    )


def deliver(
    services: Services,
    client: WebClient,
    now: datetime,
    *,
    sleep: Sleep = time.sleep,
    rate_limits: RateLimits | None = None,
) -> DeliveryReport | None:
    """Send due outbox messages, unless it is a weekend, holiday or quiet hours (None then).

    `rate_limits` carries Slack's 429 windows from one run to the next (the scheduler keeps
    one); without it, a window still holds the messages already claimed, through the outbox."""
    program = services.programs.current(now)
    if not send_window_open(program, now):
        return None
    # Claimed before the previous send day began: a to-do list or digest that old is stale.
    previous = previous_send_day(program.calendar, program.today(now))
    cutoff = local_datetime(previous, clock_time(0), program.tz)
    sender = Sender(services.outbox, client, services.clock, sleep=sleep, rate_limits=rate_limits)
    report = sender.deliver(now, expire_before=cutoff)
    if services.mailer is not None:  # after the DMs: a DM that fell back goes in this run
        EmailSender(services.outbox, services.mailer, services.clock, services.email_from).deliver(
            now, report=report
        )
    return report


def _delivery_text(report: DeliveryReport | None) -> str:
    if report is None:
        return "delivery held: not a school day, or quiet hours"
    text = f"{report.sent} sent" + (f" ({report.emailed} by email)" if report.emailed else "")
    if report.by_email:
        text += f", {report.by_email} not on Slack (sent by email instead)"
    if report.retry:
        text += f", {report.retry} to retry"
    if report.review:
        text += f", {report.review} held for review"
    if report.expired:
        text += f", {report.expired} too old to send"
    if report.without_charts:
        text += f" ({report.without_charts} without their chart: Slack refused it)"
    if report.held:
        text += f", {report.held} left for a later tick (Slack asked to wait, or time ran out)"
    return text


def run_job(
    services: Services, name: str, at: datetime, client: WebClient, *, sleep: Sleep = time.sleep
) -> str:
    """Run a job as of an instant, deliver what it produced, and say what happened."""
    if name not in JOBS:
        raise JobError(f"No job called {name!r}. Jobs: {', '.join(JOBS)}.")
    program = services.programs.current(at)
    local = at.astimezone(program.tz)
    when = f"{format_day_long(local.date())} {local:%H:%M %Z}"
    if name == "deliver":
        return f"deliver at {when}: {_delivery_text(deliver(services, client, at, sleep=sleep))}"
    counts = produce(services, name, at)
    unreached = _unreached_lines(services.nudges.unreached)
    report = deliver(services, client, at, sleep=sleep)
    if counts is None:
        return f"{name} at {when}: not its time (weekend, holiday, quiet hours or too early)"
    produced, claimed = counts
    if produced == 0 and unreached:
        first = f"{name} at {when}: nothing sent, {len(services.nudges.unreached)} not reached"
        return "\n".join([f"{first}; {_delivery_text(report)}", *unreached])
    if produced == 0:
        return f"{name} at {when}: nothing due; {_delivery_text(report)}"
    return "\n".join(
        [
            f"{name} at {when}: {produced} message{'s' if produced != 1 else ''} due, "
            f"{claimed} new; {_delivery_text(report)}",
            *unreached,
        ]
    )


UNREACHED_LISTED = 20


def _unreached_lines(unreached: tuple[Unreached, ...]) -> list[str]:
    """One line per person a job could not reach (no Slack id), and what to do."""
    if not unreached:
        return []
    lines = [
        f"not reached (no Slack id on the roster): {u.person.name} <{u.person.email}> — "
        + "; ".join(u.missed)
        for u in unreached[:UNREACHED_LISTED]
    ]
    if len(unreached) > UNREACHED_LISTED:
        lines.append(f"…and {len(unreached) - UNREACHED_LISTED} more not reached")
    lines.append(
        "Add their slack_user_id to the roster and run `roster import` again, or set SMTP_URL "
        "to reach them by email."
    )
    return lines


def tick(
    services: Services,
    client: WebClient,
    now: datetime,
    *,
    ran: dict[str, str] | None = None,
    sleep: Sleep = time.sleep,
    rate_limits: RateLimits | None = None,
) -> str:
    """What the scheduler does each minute: every producer that is due, then delivery.

    `ran` remembers (per process) the local day each job last ran in full, so the heavy work
    happens once a day; the outbox, not this memo, is what keeps every message single."""
    ran = {} if ran is None else ran
    today = services.programs.current(now).today(now).isoformat()
    parts = []
    with services.nudges.shared_reads():
        for name in PRODUCERS:
            if ran.get(name) == today:
                continue
            try:
                counts = produce(services, name, now)
            except Exception:
                log.exception("job %s failed", name)
                parts.append(f"{name}: failed")
                continue
            if counts is None:
                continue
            ran[name] = today
            if counts[0]:
                parts.append(f"{name}: {counts[1]} new of {counts[0]}")
            if services.nudges.unreached:
                parts.append(f"{name}: {len(services.nudges.unreached)} not reached (no Slack id)")
    report = deliver(services, client, now, sleep=sleep, rate_limits=rate_limits)
    parts.append(_delivery_text(report))
    return "; ".join(parts)


# ---- messages held for review ------------------------------------------------------------

REVIEW_LISTED = 50
REVIEW_HINT = "resend one with `jobs review resend ID`, or drop it with `jobs review drop ID`"


def _age(since: datetime, now: datetime) -> str:
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} d {hours % 24} h"


def review_text(services: Services, now: datetime) -> str:
    """The messages held for review (delivery unknown, or refused by Slack), oldest first."""
    parked, total = services.outbox.parked(REVIEW_LISTED)
    if not parked:
        return "Nothing is held for review."
    lines = [
        f"{total} message{'s' if total != 1 else ''} held for review: Slack may or may not have "
        "them (a crash or timeout mid-send), or refused them. Resending may send one twice.",
        f"{'ID':>6}  {'RULE':<18} {'RECIPIENT':<12} {'SUBJECT':<14} {'PERIOD':<11} "
        f"{'TRIES':>5}  {'AGE':<9} LAST ERROR",
    ]
    for p in parked:
        lines.append(
            f"{p.id:>6}  {p.rule[:18]:<18} {p.recipient[:12]:<12} {p.subject[:14]:<14} "
            f"{p.period[:11]:<11} {p.attempts:>5}  {_age(p.created_at, now):<9} "
            f"{(p.last_error or '-')[:80]}"
        )
    if total > len(parked):
        lines.append(f"…and {total - len(parked)} more (oldest first; resolve these to see them)")
    lines.append(f"To act: {REVIEW_HINT}.")
    return "\n".join(lines)


def review_resolve(services: Services, action: str, message_id: int, now: datetime) -> str:
    """Resend or drop one held message; ReviewError when it can't be done."""
    if action == "resend":
        parked = services.outbox.resend(message_id, now)
        return (
            f"Message {parked.id} ({parked.rule} to {parked.recipient}, {parked.period}) "
            "goes out at the next delivery (`jobs run deliver`, or the scheduler's next tick)."
        )
    if action == "drop":
        parked = services.outbox.drop(message_id)
        return (
            f"Message {parked.id} ({parked.rule} to {parked.recipient}, {parked.period}) dropped."
        )
    raise ReviewError(f"Say resend or drop, not {action[:20]!r}: {REVIEW_HINT}.")


def review_command(services: Services, text: str, now: datetime, actor: Member) -> str:
    """The console's `:review [resend|drop ID]`, for coordinators."""
    if not actor.is_coordinator:
        return "Only coordinators review held messages."
    words = text.split()
    if not words:
        return review_text(services, now)
    if len(words) != 2 or words[0] not in ("resend", "drop") or not words[1].isdigit():
        return "Usage: :review, :review resend ID or :review drop ID (e.g. :review drop 12)."
    try:
        return review_resolve(services, words[0], int(words[1]), now)
    except ReviewError as exc:
        return str(exc)
