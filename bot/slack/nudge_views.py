"""Block Kit for what the scheduler sends: to-do nudges, overdue-assignment alerts, the weekly
lead-mentor digest and contact nudges. Hours and counts only — never notes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.domain.deadlines import PROGRESS_RULES, DueItem
from bot.domain.formatting import format_day, format_day_long, format_minutes
from bot.domain.members import Member
from bot.domain.milestones import MilestoneMark
from bot.domain.notices import (
    AlertRow,
    ContactNudge,
    DailyNudge,
    Digest,
    DigestPair,
    MonthlySummary,
    NextYearReminder,
    Nudge,
    OverdueAlert,
    ReportDraft,
    ReviewRequest,
    SurveyInvite,
    Unreached,
)
from bot.slack import charts, ids, survey_views
from bot.slack.blocks import (
    MAX_BLOCKS,
    Block,
    actions,
    button,
    context,
    divider,
    header,
    message,
    pack_sections,
    progress_bar,
    section,
    week_against,
)
from bot.slack.signoff_views import review_blocks
from bot.slack.standards_views import digest_flag

Payload = dict[str, Any]
MAX_REPORTS = 5  # reported milestones with a Confirm button in a coordinator's to-do
MAX_ITEMS = 40
MAX_ALERT_ROWS = 15
MAX_UNREACHED = 10  # people not reached, named in a coordinator's to-do
CHART_TEXT = 12_000  # a charted message's fallback text: its charts' figures, every one


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _when(item: DueItem, today: date) -> str:
    days = item.days_left(today)
    if days < 0:
        plural = "s" if days != -1 else ""
        return (
            f":red_circle: overdue by {-days} day{plural} (was due {format_day(item.due, today)})"
        )
    if days == 0:
        return ":large_orange_circle: due today"
    return f":calendar: due {format_day(item.due, today)} (in {days} day{'s' if days != 1 else ''})"


def item_text(item: DueItem, today: date, viewer_id: int) -> str:
    """One to-do line: what, for whom, when."""
    about = ""
    if item.subject.id is not None and item.subject.id != viewer_id:
        about = f" for {item.subject.name}"
    if item.rule.key in PROGRESS_RULES:
        return f"*{item.rule.title}*{about} — :bar_chart: progress"  # a target, not a date
    return f"*{item.rule.title}*{about} — {_when(item, today)}"


def done_value(item: DueItem) -> str:
    """The Mark-done button's value: the rule and the person it is about."""
    return json.dumps({"k": item.rule.key, "p": item.subject.id}, separators=(",", ":"))


def report_text(mark: MilestoneMark, today: date) -> str:
    """A milestone reported done, awaiting the coordinator's confirmation."""
    about = f" for {mark.person.name}" if mark.person else ""
    by = f" by {mark.marked_by.name}" if mark.marked_by else ""
    return (
        f"*{mark.title}*{about} — :ballot_box_with_check: reported done "
        f"{format_day(mark.done_on, today)}{by}, awaiting your confirmation"
    )


def confirm_value(mark: MilestoneMark) -> str:
    """The Confirm button's value: the rule and the person it is about."""
    person = mark.person.id if mark.person else None
    return json.dumps({"k": mark.key, "p": person}, separators=(",", ":"))


def unreached_text(unreached: tuple[Unreached, ...]) -> str:
    """Who the jobs could not reach, and what they missed (a coordinator's to-do)."""
    shown = [
        f"{u.person.name} ({u.missed[0]}"
        + (f" and {len(u.missed) - 1} more)" if len(u.missed) > 1 else ")")
        for u in unreached[:MAX_UNREACHED]
    ]
    more = f" …and {len(unreached) - MAX_UNREACHED} more" if len(unreached) > MAX_UNREACHED else ""
    return (
        f"Not reached — no Slack id on the roster: {'; '.join(shown)}{more}. Add their "
        "slack_user_id to the roster and run `roster import` again."
    )


def daily_nudge(nudge: DailyNudge) -> Payload:
    """One DM listing every item of the day for a person: (item, Mark-done button?, detail)."""
    recipient, items, today = nudge.recipient, nudge.items, nudge.today
    title = f"Induction to-dos · {format_day(today)}"
    blocks: list[Block] = [header(title)]
    lines = []
    for item, can_mark, detail in items[:MAX_ITEMS]:
        line = item_text(item, today, recipient.id) + (f" · {detail}" if detail else "")
        lines.append(line)
        accessory = button("Mark done", ids.MILESTONE_DONE, done_value(item)) if can_mark else None
        blocks.append(section(line, accessory=accessory))
    if len(items) > MAX_ITEMS:
        blocks.append(
            context(f"…and {len(items) - MAX_ITEMS} more. `/induction status` lists them.")
        )
    for mark in nudge.reports[:MAX_REPORTS]:
        line = report_text(mark, today)
        lines.append(line)
        blocks.append(
            section(line, accessory=button("Confirm", ids.MILESTONE_CONFIRM, confirm_value(mark)))
        )
    if len(nudge.reports) > MAX_REPORTS:
        more = len(nudge.reports) - MAX_REPORTS
        blocks.append(context(f"…and {more} more reported. `/induction status` lists them."))
    if nudge.unreached:
        line = unreached_text(nudge.unreached)
        lines.append(line)
        blocks.append(context(line))
    blocks.append(context("Mark an item done when it's finished and its reminders stop."))
    return message(
        "\n".join([title, *[line.replace("*", "") for line in lines]]), blocks, ephemeral=False
    )


def _placement(person: Member) -> str:
    parts = [person.school, person.subject, f"grade {person.grade}" if person.grade else None]
    return ", ".join(p for p in parts if p) or "no school set"


def assign_buttons(row: AlertRow) -> list[Block]:
    """An Assign button per suggested mentor (the first is primary): the alert's and Home's."""
    return [
        button(
            f"Assign {mentor.name} · {load} mentee{'s' if load != 1 else ''}"
            + (" · not trained yet" if mentor.id in row.untrained else ""),
            ids.choice(ids.ASSIGN_SUGGESTED, row.mentee.id, mentor.id),
            # What it was drawn from: the mentee had no mentor ("had": null). A press after
            # that changed stores nothing (`AssignmentService.assign_ids`).
            json.dumps({"mentor": mentor.id, "mentee": row.mentee.id, "had": None}),
            style="primary" if index == 0 else None,
        )
        for index, (mentor, load) in enumerate(row.suggestions[:3])
    ]


def overdue_alert(alert: OverdueAlert) -> Payload:
    """The coordinators' overdue-assignment alert with suggested mentors and Assign buttons."""
    rows, today = alert.rows, alert.today
    count = len(rows)
    title = f"{count} beginning educator{'s' if count != 1 else ''} without a mentor"
    blocks: list[Block] = [
        header(f":rotating_light: {title}"),
        context(f"Mentors must be assigned within the policy window · {format_day(today)}"),
    ]
    lines = [title]
    for row in rows[:MAX_ALERT_ROWS]:
        line = (
            f"*{row.mentee.name}* — {row.days_overdue} day{'s' if row.days_overdue != 1 else ''} "
            f"overdue (due {format_day(row.due, today)}) · {_placement(row.mentee)}"
        )
        lines.append(line.replace("*", ""))
        blocks.append(section(line))
        if row.suggestions:
            blocks.append(actions(*assign_buttons(row)))
        elif (row.mentee.educator_type or "").endswith("_administrator"):
            blocks.append(
                context(
                    "No administrator mentor to suggest (one who evaluates, or roster subject "
                    "Administration) — `/induction assign @mentor @mentee`."
                )
            )
        else:
            blocks.append(
                context("No trained mentor free to suggest — `/induction assign @mentor @mentee`.")
            )
    if count > MAX_ALERT_ROWS:
        blocks.append(context(f"…and {count - MAX_ALERT_ROWS} more: `/induction status`."))
    return message("\n".join(lines), blocks[:MAX_BLOCKS], ephemeral=False)


def weekly_digest(digest: Digest) -> list[Payload]:
    """The digest as one or more messages of at most 50 blocks each."""
    first, last = digest.week
    title = f"Weekly digest · {digest.cohort} · {format_day(first)} – {format_day(last)}"
    summary = (
        f"{len(digest.pairs)} pairs · {digest.met_text()} · "
        f"{format_minutes(digest.total.minutes)} in all · "
        f"{_count(digest.total.observations, 'observation')}"
    )
    flags: list[str] = []
    quiet = [
        p
        for p in digest.pairs
        if p.ended_on is None and p.quiet_school_days >= digest.no_contact_days
    ]
    if quiet:
        flags.append(
            f":hourglass: No contact in {digest.no_contact_days}+ school days: "
            + ", ".join(f"{p.mentee.name} ({p.quiet_school_days})" for p in quiet[:20])
        )
    if digest.unassigned:
        flags.append(
            ":red_circle: Without a mentor: " + ", ".join(m.name for m in digest.unassigned[:20])
        )
    if digest.overdue:
        flags.append(
            ":warning: Overdue: "
            + ", ".join(f"{i.rule.title} ({i.subject.name})" for i in digest.overdue[:20])
        )
    standards = digest_flag(list(digest.coverage))
    if standards:
        flags.append(standards)
    if digest.upcoming:
        flags.append(
            ":calendar: Next two weeks: "
            + ", ".join(
                f"{i.rule.title} ({i.subject.name}) {format_day(i.due, digest.today)}"
                for i in digest.upcoming[:20]
            )
        )
    head: list[Block] = [header(title), context(summary)]
    head += [section(flag) for flag in flags]
    head.append(divider())
    groups: list[list[Block]] = []
    figures: dict[int, tuple[list[str], Block]] = {}  # a group's chart as text, and as a block
    for number, pairs in enumerate(charts.chunks(digest.pairs)):
        chart, lines, as_text = _digest_chart(digest, pairs, number, len(digest.pairs))
        figures[len(groups)] = (lines, as_text)
        groups.append([chart, *(_digest_row(digest, pair) for pair in pairs)])
    if not groups:
        groups.append([section("No active pairs in your cohort yet.")])
    footer = context("Hours and counts only — mentoring notes stay with each pair.")
    return _chart_messages(
        title,
        head,
        groups,
        figures,
        footer,
        last_text=f"{title}\n{summary}\n" + "\n".join(flags),
    )


def _digest_row(digest: Digest, pair: DigestPair) -> Block:
    last_text = format_day(pair.last_contact, digest.today) if pair.last_contact else "none yet"
    ended = f" · ended {format_day(pair.ended_on, digest.today)}" if pair.ended_on else ""
    return section(
        f"*{pair.mentee.name}* with {pair.mentor.name}{ended}\n"
        f"{week_against(pair.minutes, digest.weekly_target, label='')} · "
        f"{pair.observations} observation"
        f"{'s' if pair.observations != 1 else ''} · last contact {last_text}"
        + (f"\nPaced minimum: {pair.pace.text()}" if pair.pace else "")
    )


def _digest_chart(
    digest: Digest, pairs: Sequence[DigestPair], number: int, total: int
) -> tuple[Block, list[str], Block]:
    """A bar chart of these pairs' minutes against the week's prorated target, the same
    figures as text lines (from the same record: the digest's own numbers), and as a block of
    text bars (where the chart can't go)."""
    target = digest.weekly_target  # None: the policy sets no weekly target (no target bars)
    title = (
        f"Minutes this week vs the {format_minutes(target)} target"
        if target is not None
        else "Minutes this week"
    )
    if total > charts.MAX_POINTS:
        first = number * charts.MAX_POINTS + 1
        title = f"{title} ({first}–{first + len(pairs) - 1} of {total})"
    labels = charts.category_labels([p.mentee.name for p in pairs])
    block = charts.bar_chart(
        title,
        labels,
        [
            charts.Series("Minutes", tuple(p.minutes for p in pairs)),
            *(
                [charts.Series("Target", tuple(target for _ in pairs))]
                if target is not None
                else []
            ),
        ],
        y_label="minutes",
    )
    lines = [f"{title}:"] + [
        f"{p.mentee.name} with {p.mentor.name}: {format_minutes(p.minutes)}"
        + (f" of {format_minutes(target)}" if target is not None else "")
        for p in pairs
    ]
    bars = [f"*{title}*"] + [
        f"{progress_bar(p.minutes, target)} {p.mentee.name}: {format_minutes(p.minutes)} of "
        f"{format_minutes(target)}"
        if target is not None
        else f"{p.mentee.name}: {format_minutes(p.minutes)}"
        for p in pairs
    ]
    return block, lines, charts.text_section(bars)


def _chart_messages(
    title: str,
    head: list[Block],
    groups: list[list[Block]],
    figures: dict[int, tuple[list[str], Block]],
    footer: Block,
    *,
    last_text: str,
) -> list[Payload]:
    """Head, groups (a chart and its rows each) and footer as messages of at most 50 blocks
    and `charts.MAX_CHARTS_PER_MESSAGE` charts; each message's text carries the figures of its
    charts, and its blocks without charts (the same figures as text) go with it for the sender."""
    parts: list[tuple[list[Block], list[int]]] = [(list(head), [])]
    for index, group in enumerate(groups):
        for block in group:
            blocks, held = parts[-1]
            charted = sum(1 for b in blocks if charts.is_chart(b))
            if len(blocks) >= MAX_BLOCKS - 1 or (
                charts.is_chart(block) and charted >= charts.MAX_CHARTS_PER_MESSAGE
            ):
                parts.append(([context(f"{title} (continued)")], []))
                blocks, held = parts[-1]
            if charts.is_chart(block):
                held.append(index)
            blocks.append(block)
    parts[-1][0].append(footer)
    messages: list[Payload] = []
    for number, (blocks, held) in enumerate(parts, start=1):
        figure_lines = [line for index in held for line in figures[index][0]]
        text = last_text if number == len(parts) else title
        payload = message(
            "\n".join([text, *figure_lines]), blocks, ephemeral=False, text_limit=CHART_TEXT
        )
        chart_at = [i for i, b in enumerate(blocks) if charts.is_chart(b)]
        replacements = {at: figures[index][1] for at, index in zip(chart_at, held, strict=True)}
        messages.append(charts.message_with_charts(payload, replacements))
    return messages


def contact_nudge(nudge: ContactNudge) -> Payload:
    """A just-in-time nudge to a mentor whose mentee has had no logged contact for a while."""
    mentee, last, school_days = nudge.mentee, nudge.last_contact, nudge.school_days
    since = f"since {format_day(last)}" if last else "since the assignment began"
    text = (
        f"No mentoring with {mentee.name} logged {since} — {school_days} school days. "
        "A quick check-in counts."
    )
    prefill = f"<@{mentee.slack_user_id}>" if mentee.slack_user_id else ""
    blocks = [
        section(f":wave: {text}"),
        actions(button("Log a meeting", ids.LOG_OPEN_FORM, prefill, style="primary")),
    ]
    return message(text, blocks, ephemeral=False)


def next_year_reminder(reminder: NextYearReminder) -> Payload:
    """A coordinator's June reminder to start the next program year."""
    text = (
        f"Program year {reminder.year} ends {format_day_long(reminder.last_day)}, and "
        f"{reminder.following} is not started yet. Prepare its program file and roster "
        "(mark year-2 and year-3 educators with the roster's induction_year column), preview, "
        "then start it; this year's assignments end on its last day."
    )
    command = (
        f"mentor-minutes year start {reminder.following}.toml --roster {reminder.following}.csv"
    )
    blocks = [
        section(f":calendar: {text}"),
        context(f"`{command} --dry-run`, then without `--dry-run`"),
    ]
    return message(text, blocks, ephemeral=False)


MAX_BEHIND = 40  # pairs behind named in a monthly summary before "and N more"


def _week_name(start: date) -> str:
    return f"Week of {format_day(start)}"


def monthly_summary(summary: MonthlySummary) -> list[Payload]:
    """A coordinator's month: a bar chart of hours by school and week (schools along the axis,
    a bar per week), the figures as text, and who fell short of the weekly target."""
    first, last = summary.month
    title = f"Monthly summary · {summary.program} · {first:%B %Y}"
    headline = (
        f"{_count(summary.pairs, 'pair')} · {format_minutes(summary.total)} of mentoring in all · "
        f"{len(summary.behind)} below their share of the {summary.measure} "
        f"({format_minutes(summary.target)} for the whole month)"
    )
    head: list[Block] = [header(title[:150]), context(headline), divider()]
    groups: list[list[Block]] = []
    figures: dict[int, tuple[list[str], Block]] = {}
    schools = summary.schools
    for number, chunk in enumerate(charts.chunks(schools)):
        chart_title = "Hours by school and week"
        if len(schools) > charts.MAX_POINTS:
            start = number * charts.MAX_POINTS + 1
            chart_title += f" ({start}–{start + len(chunk) - 1} of {len(schools)})"
        names = [s.school or "No school" for s in chunk]
        block = charts.bar_chart(
            chart_title,
            charts.category_labels(names),
            [
                charts.Series(_week_name(week), tuple(round(s.minutes[i] / 60, 2) for s in chunk))
                for i, week in enumerate(summary.weeks)
            ],
            y_label="hours",
        )
        lines = [f"{chart_title}:"] + [
            f"{name}: {format_minutes(s.total)} ("
            + ", ".join(
                f"{format_day(week)} {format_minutes(s.minutes[i])}"
                for i, week in enumerate(summary.weeks)
            )
            + ")"
            for name, s in zip(names, chunk, strict=True)
        ]
        # the section below the chart says the same in text: without the chart, its title says so
        figures[len(groups)] = (lines, context(f"{chart_title}, week by week:"))
        groups.append([block, *(section(text) for text in pack_sections(lines[1:]))])
    if not groups:
        groups.append([section("No school has a mentoring pair yet.")])
    behind = [
        f"{b.mentee.name} with {b.mentor.name}: {format_minutes(b.minutes)} of "
        f"{format_minutes(b.target)}"
        for b in summary.behind[:MAX_BEHIND]
    ]
    more = len(summary.behind) - len(behind)
    if behind:
        tail = [f"*Below their share of the {summary.measure} in {first:%B}*", *behind]
        tail += [f"…and {more} more: `/hours month` lists every pair."] if more else []
        groups.append([section(text) for text in pack_sections(tail)])
    else:
        groups.append(
            [section(f"Every pair met its share of the {summary.measure} in {first:%B}.")]
        )
    footer = context(
        f"{format_day(first)} – {format_day(last)} · hours and counts only — "
        "mentoring notes stay with each pair."
    )
    behind_text = "\n".join(
        [f"Below their share of the {summary.measure}: {len(summary.behind)}", *behind]
        + ([f"…and {more} more"] if more else [])
    )
    return _chart_messages(
        title, head, groups, figures, footer, last_text=f"{title}\n{headline}\n{behind_text}"
    )


MAX_DRAFT_LINES = 12  # missing items listed in a draft before "and N more"


def report_draft(draft: ReportDraft) -> Payload:
    """A coordinator's draft of the annual report: headline figures, then what is missing."""
    ready = draft.readiness
    due = format_day_long(draft.due)
    title = f"Annual report {ready.year}: draft (due {due})"
    lines = [f"• {line}" for line in ready.headlines]
    if ready.missing:
        shown = ready.missing[:MAX_DRAFT_LINES]
        more = len(ready.missing) - len(shown)
        todo = [f"• {line}" for line in shown] + ([f"…and {more} more"] if more else [])
        still = "Still missing:\n" + "\n".join(todo)
    else:
        still = (
            "Every item is filled: file it, then mark it done with `/induction done annual_report`."
        )
    blocks = [
        header(title[:150]),
        section("\n".join(lines) or "Nothing counted yet."),
        section(still),
        context(f"The whole report: `mentor-minutes report annual --year {ready.year}`"),
    ]
    text = f"{title}. " + (
        "; ".join(ready.missing[:3]) if ready.missing else "Every item is filled."
    )
    return message(text, blocks, ephemeral=False)


def review_request(request: ReviewRequest) -> Payload:
    """Entries the other side of a pair logged, each with Confirm / Flag."""
    count = len(request.entries) + request.more
    title = f"{count} mentoring entr{'y' if count == 1 else 'ies'} to confirm"
    blocks: list[Block] = [header(title)]
    for item in request.entries:
        blocks += review_blocks(item.entry_id, item.author.name, item.minutes, item.kind, item.day)
    if request.more:
        blocks.append(context(f"…and {request.more} more: they come in the next days."))
    blocks.append(
        context(
            "Confirming says the time is right; a flag goes back to the author with your reason."
        )
    )
    return message(title, blocks, ephemeral=False)


def render(nudge: Nudge) -> list[tuple[str, Payload]]:
    """A nudge as the messages to claim: (subject, payload); a long digest is several parts."""
    content = nudge.content
    if isinstance(content, DailyNudge):
        return [(nudge.subject, daily_nudge(content))]
    if isinstance(content, OverdueAlert):
        return [(nudge.subject, overdue_alert(content))]
    if isinstance(content, ContactNudge):
        return [(nudge.subject, contact_nudge(content))]
    if isinstance(content, NextYearReminder):
        return [(nudge.subject, next_year_reminder(content))]
    if isinstance(content, ReportDraft):
        return [(nudge.subject, report_draft(content))]
    if isinstance(content, ReviewRequest):
        return [(nudge.subject, review_request(content))]
    if isinstance(content, SurveyInvite):
        return [(nudge.subject, survey_views.invite(content))]
    if isinstance(content, MonthlySummary):
        return [
            (nudge.subject if index == 1 else f"{nudge.subject}-part-{index}", payload)
            for index, payload in enumerate(monthly_summary(content), start=1)
        ]
    return [
        (f"part-{index}", payload) for index, payload in enumerate(weekly_digest(content), start=1)
    ]
