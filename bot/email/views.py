"""What the scheduler and the coordinators' answers say by email (pure): the same records the
Slack views render (`bot/domain/notices.py`, `bot/domain/reassignment.py`), never Block Kit.

Each record becomes an `EmailView` — a subject, headed sections of lines and the commands to
type — and one view gives both parts: `plain_text` and `html`. Every string of a view is escaped
at one boundary (`_text` for the plain part, `_html` for the HTML part), so a name typed as
`<!channel>` or `*bold*` reaches the reader as written and never as markup. Buttons become the
slash command to type. Hours and counts only: no mentoring note, reason or comment is ever in a
record an email is made from, and none is added here."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.deadlines import PROGRESS_RULES, DueItem
from bot.domain.formatting import format_day, format_day_long, format_minutes
from bot.domain.members import Member
from bot.domain.notices import (
    AlertRow,
    ContactNudge,
    Content,
    DailyNudge,
    Digest,
    NextYearReminder,
    OverdueAlert,
    ReportDraft,
    ReviewRequest,
    SurveyInvite,
)
from bot.domain.reassignment import CoordinatorAlert, RequesterNotice

MAX_ALERT_ROWS = 40
MAX_ITEMS = 60
MAX_PAIRS = 200
MAX_NAMED = 20
# What would be markup somewhere: Slack's <!channel>, <@U…>, <url|label>; control characters.
ANGLE = str.maketrans({"<": "‹", ">": "›"})
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FOOTER = (
    "Sent by Mentor Minutes for your induction program. Hours and counts only: mentoring notes "
    "stay with each pair and never go by email."
)

EmailRecord = Content | RequesterNotice | CoordinatorAlert


@dataclass(frozen=True)
class Section:
    """A heading (may be empty) and its lines."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class EmailView:
    """One email before it is written out: both parts are made from this."""

    subject: str
    title: str
    sections: tuple[Section, ...]
    commands: tuple[str, ...] = ()  # what to type in Slack: the buttons of the DM
    cli: tuple[str, ...] = ()  # the same at the command line, for coordinators without Slack
    footer: str = FOOTER


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _placement(person: Member) -> str:
    parts = [person.school, person.subject, f"grade {person.grade}" if person.grade else None]
    return ", ".join(p for p in parts if p) or "no school set"


def _when(item: DueItem, today: date) -> str:
    days = item.days_left(today)
    if item.rule.key in PROGRESS_RULES:
        return "progress"
    if days < 0:
        return f"overdue by {_count(-days, 'day')} (was due {format_day(item.due, today)})"
    if days == 0:
        return "due today"
    return f"due {format_day(item.due, today)} (in {_count(days, 'day')})"


# ---- one view per record --------------------------------------------------------------------


def overdue_alert(alert: OverdueAlert, program: str) -> EmailView:
    """The coordinators' overdue-assignment alert: every row, suggestions as commands."""
    rows, today = alert.rows, alert.today
    title = f"{_count(len(rows), 'beginning educator')} without a mentor"
    lines = []
    commands = []
    for row in rows[:MAX_ALERT_ROWS]:
        lines.append(
            f"{row.mentee.name}: {_count(row.days_overdue, 'day')} overdue "
            f"(due {format_day(row.due, today)}) · {_placement(row.mentee)}" + _suggested(row)
        )
        if row.suggestions:
            mentor = row.suggestions[0][0]
            commands.append(f"{_ref(mentor)} {_ref(row.mentee)}")
    if len(rows) > MAX_ALERT_ROWS:
        lines.append(f"…and {len(rows) - MAX_ALERT_ROWS} more: /induction status lists them.")
    pairs = tuple(dict.fromkeys(commands))
    return EmailView(
        subject=f"{program}: overdue mentor assignment — {title}",
        title=title,
        sections=(
            Section(
                f"Mentors must be assigned within the policy window · {format_day_long(today)}",
                tuple(lines),
            ),
        ),
        commands=(*(f"/induction assign {p}" for p in pairs), "/induction assign @mentor @mentee"),
        cli=tuple(f"mentor-minutes assign {p}" for p in pairs),
    )


def _suggested(row: AlertRow) -> str:
    if not row.suggestions:
        return " · no trained mentor free to suggest"
    names = [
        f"{mentor.name} ({_count(load, 'mentee')}"
        + (", not trained yet)" if mentor.id in row.untrained else ")")
        for mentor, load in row.suggestions[:3]
    ]
    return " · suggested: " + "; ".join(names)


def _ref(person: Member) -> str:
    """How to name a person in a slash command: their email (works without a mention)."""
    return person.email


def daily_nudge(nudge: DailyNudge, program: str) -> EmailView:
    """One person's to-dos of the day; for coordinators, reports to confirm and who was not
    reached."""
    today = nudge.today
    title = f"Induction to-dos · {format_day_long(today)}"
    lines = []
    commands = []
    for item, can_mark, detail in nudge.items[:MAX_ITEMS]:
        about = (
            f" for {item.subject.name}"
            if item.subject.id is not None and item.subject.id != nudge.recipient.id
            else ""
        )
        lines.append(
            f"{item.rule.title}{about} — {_when(item, today)}" + (f" · {detail}" if detail else "")
        )
        if can_mark:  # the Mark-done button, as a command naming the person it is about
            commands.append(
                f"/induction done {item.rule.key}"
                + (f" (and {item.subject.name}'s @mention or email)" if about else "")
            )
    if len(nudge.items) > MAX_ITEMS:
        lines.append(f"…and {len(nudge.items) - MAX_ITEMS} more: /induction status lists them.")
    sections = [Section("", tuple(lines))] if lines else []
    if nudge.reports:
        sections.append(
            Section(
                "Reported done, awaiting your confirmation",
                tuple(
                    f"{m.title}"
                    + (f" for {m.person.name}" if m.person else "")
                    + f" — reported {format_day(m.done_on, today)}"
                    + (f" by {m.marked_by.name}" if m.marked_by else "")
                    for m in nudge.reports[:MAX_ITEMS]
                ),
            )
        )
        commands.append("/induction status")
    if nudge.unreached:
        sections.append(
            Section(
                "Not reached (no Slack id, and no email could go)",
                tuple(
                    f"{u.person.name}: {'; '.join(u.missed)}" for u in nudge.unreached[:MAX_NAMED]
                )
                + (
                    (f"…and {len(nudge.unreached) - MAX_NAMED} more",)
                    if len(nudge.unreached) > MAX_NAMED
                    else ()
                ),
            )
        )
    count = len(nudge.items)
    return EmailView(
        subject=f"{program}: induction to-dos — {_count(count, 'item')} for {format_day(today)}",
        title=title,
        sections=tuple(sections) or (Section("", ("Nothing due today.",)),),
        commands=tuple(dict.fromkeys(commands)),
    )


def weekly_digest(digest: Digest, program: str) -> EmailView:
    """A lead mentor's weekly digest: the summary, the flags, then every pair."""
    first, last = digest.week
    title = f"Weekly digest · {digest.cohort} · {format_day(first)} – {format_day(last)}"
    short = f" ({_count(digest.school_days, 'school day')})" if digest.school_days < 5 else ""
    summary = (
        f"{_count(len(digest.pairs), 'pair')} · {digest.met_target} met the "
        f"{format_minutes(digest.weekly_target)} target{short} · "
        f"{format_minutes(digest.total.minutes)} in all · "
        f"{_count(digest.total.observations, 'observation')}"
    )
    flags = []
    quiet = [
        p
        for p in digest.pairs
        if p.ended_on is None and p.quiet_school_days >= digest.no_contact_days
    ]
    if quiet:
        flags.append(
            f"No contact in {digest.no_contact_days}+ school days: "
            + ", ".join(f"{p.mentee.name} ({p.quiet_school_days})" for p in quiet[:MAX_NAMED])
        )
    if digest.unassigned:
        flags.append(
            "Without a mentor: " + ", ".join(m.name for m in digest.unassigned[:MAX_NAMED])
        )
    if digest.overdue:
        flags.append(
            "Overdue: "
            + ", ".join(f"{i.rule.title} ({i.subject.name})" for i in digest.overdue[:MAX_NAMED])
        )
    if digest.upcoming:
        flags.append(
            "Next two weeks: "
            + ", ".join(
                f"{i.rule.title} ({i.subject.name}) {format_day(i.due, digest.today)}"
                for i in digest.upcoming[:MAX_NAMED]
            )
        )
    pairs = []
    for pair in digest.pairs[:MAX_PAIRS]:
        met = " (met)" if pair.minutes >= digest.weekly_target else ""
        last_text = format_day(pair.last_contact, digest.today) if pair.last_contact else "none yet"
        ended = f" · ended {format_day(pair.ended_on, digest.today)}" if pair.ended_on else ""
        pairs.append(
            f"{pair.mentee.name} with {pair.mentor.name}{ended}: {format_minutes(pair.minutes)} "
            f"of {format_minutes(digest.weekly_target)}{met} · "
            f"{_count(pair.observations, 'observation')} · last contact {last_text}"
            + (f" · paced minimum: {pair.pace.text()}" if pair.pace else "")
        )
    if not pairs:
        pairs.append("No active pairs in your cohort yet.")
    sections = [Section(summary, tuple(flags))] if flags else [Section(summary, ())]
    sections.append(Section("Pairs", tuple(pairs)))
    return EmailView(
        subject=f"{program}: weekly digest — {digest.cohort}, week of {format_day_long(first)}",
        title=title,
        sections=tuple(sections),
        commands=("/hours",),
    )


def contact_nudge(nudge: ContactNudge, program: str) -> EmailView:
    """A mentor whose mentee has had no logged contact for a while."""
    since = (
        f"since {format_day(nudge.last_contact)}"
        if nudge.last_contact
        else ("since the assignment began")
    )
    line = (
        f"No mentoring with {nudge.mentee.name} logged {since} — "
        f"{_count(nudge.school_days, 'school day')}. A quick check-in counts."
    )
    return EmailView(
        subject=f"{program}: no contact logged — {nudge.mentee.name}",
        title=f"No contact with {nudge.mentee.name} logged",
        sections=(Section("", (line,)),),
        commands=("/logmeeting 30m (with an @mention of your mentee when you have several)",),
    )


def next_year_reminder(reminder: NextYearReminder, program: str) -> EmailView:
    """A coordinator's reminder to start the next program year."""
    line = (
        f"Program year {reminder.year} ends {format_day_long(reminder.last_day)}, and "
        f"{reminder.following} is not started yet. Prepare its program file and roster, "
        "preview, then start it."
    )
    return EmailView(
        subject=f"{program}: start program year {reminder.following}",
        title=f"Start program year {reminder.following}",
        sections=(Section("", (line,)),),
        commands=(
            f"mentor-minutes year start {reminder.following}.toml "
            f"--roster {reminder.following}.csv --dry-run",
        ),
    )


def report_draft(draft: ReportDraft, program: str) -> EmailView:
    """A coordinator's draft of the annual report: headline figures, then what is missing."""
    ready = draft.readiness
    title = f"Annual report {ready.year}: draft (due {format_day_long(draft.due)})"
    sections = [Section("Counted so far", tuple(ready.headlines) or ("Nothing counted yet.",))]
    if ready.missing:
        sections.append(Section("Still missing", tuple(ready.missing)))
    else:
        sections.append(Section("", ("Every item is filled: file it, then mark it done.",)))
    return EmailView(
        subject=f"{program}: annual report {ready.year} — draft",
        title=title,
        sections=tuple(sections),
        commands=(
            f"mentor-minutes report annual --year {ready.year}",
            "/induction done annual_report",
        ),
    )


def review_request(request: ReviewRequest, program: str) -> EmailView:
    """Entries the other side of a pair logged, to confirm or flag (in Slack)."""
    count = len(request.entries) + request.more
    lines = [
        f"{format_day(item.day)}: {format_minutes(item.minutes)} {item.kind} logged by "
        f"{item.author.name}"
        for item in request.entries
    ]
    if request.more:
        lines.append(f"…and {request.more} more in the next days.")
    return EmailView(
        subject=f"{program}: entry review — {_count(count, 'entry', 'entries')} to confirm",
        title=f"{_count(count, 'mentoring entry', 'mentoring entries')} to confirm",
        sections=(
            Section("", tuple(lines)),
            Section("", ("Confirm or flag each from the message from Mentor Minutes in Slack.",)),
        ),
    )


def survey_invite(invite: SurveyInvite, program: str) -> EmailView:
    """A survey or exit ticket to answer; the Answer button is in the Slack message."""
    what = "exit ticket" if invite.kind == "exit_ticket" else "survey"
    again = "Reminder: " if invite.reminder else ""
    return EmailView(
        subject=f"{program}: {what} — {again}{invite.title}",
        title=f"{again}{invite.title}",
        sections=(
            Section(
                "",
                (
                    f"A {what} of {_count(invite.questions, 'question')}, open until "
                    f"{format_day_long(invite.closes)}.",
                    "Answer it in Slack: open the message from Mentor Minutes and press Answer.",
                ),
            ),
        ),
    )


def requester_notice(notice: RequesterNotice, program: str) -> EmailView:
    """How a reassignment request was answered (the coordinator's note stays in Slack)."""
    answer = notice.answer
    pair = answer.request.pair
    other = pair.other_than(answer.request.requester.id)
    if answer.outcome == "reassigned" and answer.new_mentor is not None:
        on = f" from {format_day_long(answer.on)}" if answer.on else ""
        line = (
            f"{answer.by.name} answered your request about the pairing with {other.name}: "
            f"{answer.new_mentor.name} is the mentor{on}."
        )
    else:
        line = (
            f"{answer.by.name} answered your request about the pairing with {other.name}: the "
            "pairing stays as it is. Their note is in Slack, or ask them."
        )
    return EmailView(
        subject=f"{program}: reassignment request — answered",
        title="Your request for a change of pairing",
        sections=(Section("", (line,)),),
    )


def coordinator_alert(alert: CoordinatorAlert, program: str) -> EmailView:
    """A new request for a change of pairing (its reason stays in Slack: confidential)."""
    request = alert.request
    line = (
        f"{request.requester.name} asked for a change of the pairing of "
        f"{request.pair.mentee.name} with {request.pair.mentor.name} on "
        f"{format_day_long(request.asked_on)}. The reason is in Slack."
    )
    return EmailView(
        subject=f"{program}: reassignment request — from {request.requester.name}",
        title="A request for a change of pairing",
        sections=(Section("", (line,)),),
        commands=("/induction status",),
    )


VIEWS: dict[type, Callable[[Any, str], EmailView]] = {
    OverdueAlert: overdue_alert,
    DailyNudge: daily_nudge,
    Digest: weekly_digest,
    ContactNudge: contact_nudge,
    NextYearReminder: next_year_reminder,
    ReportDraft: report_draft,
    ReviewRequest: review_request,
    SurveyInvite: survey_invite,
    RequesterNotice: requester_notice,
    CoordinatorAlert: coordinator_alert,
}


def view_of(record: EmailRecord, program: str) -> EmailView:
    """The email view of any record the outbox sends."""
    return VIEWS[type(record)](record, program)


# ---- the one boundary: every string of a view is escaped here -----------------------------


def _text(value: str) -> str:
    """A string for the plain part: no control characters, no angle brackets (so nothing
    reads as Slack's <!channel> or <@U…> wherever the text is pasted)."""
    return CONTROL.sub("", value).translate(ANGLE)


def _html(value: str) -> str:
    """A string for the HTML part: escaped, so no tag or entity of anyone's making."""
    return html.escape(CONTROL.sub("", value), quote=True)


def plain_text(view: EmailView) -> str:
    """The plain-text part."""
    out = [_text(view.title), ""]
    for section in view.sections:
        if section.heading:
            out.append(_text(section.heading))
        out += [f"- {_text(line)}" for line in section.lines]
        out.append("")
    if view.commands:
        out.append("To act, type in Slack:")
        out += [f"    {_text(command)}" for command in view.commands]
        out.append("")
    if view.cli:
        out.append("Or at the command line:")
        out += [f"    {_text(command)}" for command in view.cli]
        out.append("")
    out.append(_text(view.footer))
    return "\n".join(out) + "\n"


def html_part(view: EmailView) -> str:
    """The HTML part: the same view, escaped at the same boundary."""
    out = [
        "<!DOCTYPE html>",
        '<html><body style="font-family: sans-serif; line-height: 1.4">',
        f"<h2>{_html(view.title)}</h2>",
    ]
    for section in view.sections:
        if section.heading:
            out.append(f"<p><strong>{_html(section.heading)}</strong></p>")
        if section.lines:
            out.append("<ul>")
            out += [f"<li>{_html(line)}</li>" for line in section.lines]
            out.append("</ul>")
    if view.commands:
        out.append("<p>To act, type in Slack:</p>")
        out += [f"<pre>{_html(command)}</pre>" for command in view.commands]
    if view.cli:
        out.append("<p>Or at the command line:</p>")
        out += [f"<pre>{_html(command)}</pre>" for command in view.cli]
    out.append(f'<p style="color: #666">{_html(view.footer)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render(record: EmailRecord, program: str) -> dict[str, str]:
    """An email's subject and both parts, as the outbox stores them."""
    view = view_of(record, program)
    return {
        "subject": _text(view.subject)[:250],
        "text": plain_text(view),
        "html": html_part(view),
    }
