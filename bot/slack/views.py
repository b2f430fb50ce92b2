"""Block Kit views for replies and DMs (the Home tab: `home_views.py`). Hours and counts only —
never notes."""

from __future__ import annotations

from typing import Any

from bot.domain.assignments import (
    AssignmentResult,
    MentorCaution,
    PersonStatus,
    ProgramStatus,
)
from bot.domain.formatting import format_day, format_day_long, format_minutes
from bot.domain.hours import HoursReport, PairTotals
from bot.domain.members import Member
from bot.domain.milestones import MarkedDone, MilestoneMark, TeamChange
from bot.domain.months import Month
from bot.domain.record import InductionRecord
from bot.slack import ids
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
    section,
    week_against,
)
from bot.slack.standards_views import coverage_line

Payload = dict[str, Any]
PERIOD_NAMES = {"week": "this week", "month": "this month", "year": "this year"}
MAX_PAIR_ROWS = 40
MAX_LOADS_LISTED = 60
SECTION_CHARS = 2900


def refusal(message_text: str, example: str | None = None) -> Payload:
    """An ephemeral refusal: what was refused and why, with a correct example."""
    blocks: list[Block] = [section(f":warning: {message_text}")]
    if example:
        blocks.append(context(f"Try: `{example}`"))
    text = message_text + (f" Try: {example}" if example else "")
    return message(text, blocks)


def unknown_mention(user_id: str, program: str, example: str | None = None) -> Payload:
    """The refusal of an @mention of someone not on the roster, mentioning them."""
    return refusal(
        f"<@{user_id}> isn't on the {program} roster, so I can't log with them.", example
    )


def notice(text: str) -> Payload:
    """A one-line ephemeral reply."""
    return message(text, [section(text)])


def report_pointer(school_year: str, report_due: str) -> Payload:
    """`/induction report`: where the annual report comes from, and when it is due."""
    return notice(
        "The annual induction report comes from `mentor-minutes report annual "
        f"--year {school_year}` (csv, json or md); it is due {report_due}."
    )


def help_message(title: str, lines: list[tuple[str, str]], footer: str | None = None) -> Payload:
    """A help reply: each usage with what it does."""
    body = "\n".join(f"`{usage}` — {what}" for usage, what in lines)
    blocks: list[Block] = [header(title), section(body)]
    if footer:
        blocks.append(context(footer))
    return message(f"{title}\n{body}", blocks)


def target_text(report: HoursReport) -> str:
    """ "weekly target 1 h", or the policy's own pace: "12 h this semester"."""
    if report.weekly_target is not None:
        return f"weekly target {format_minutes(report.weekly_target)}"
    pace = next(iter(report.paces.values()), None)
    if pace is None:
        return "no weekly target"
    return f"minimum {format_minutes(pace.required)} {pace.period.label}"


def _pair_name(pair: PairTotals, report: HoursReport) -> str:
    """A pair as the viewer names it: their mentee, their mentor, or both."""
    if report.viewer.id == pair.mentor.id:
        return f"*{pair.mentee.name}*"
    if report.viewer.id == pair.mentee.id:
        return f"with *{pair.mentor.name}* (mentor)"
    return f"*{pair.mentee.name}* with {pair.mentor.name}"


def _pair_line(pair: PairTotals, report: HoursReport) -> str:
    week = pair.week
    name = _pair_name(pair, report)
    today = report.today
    ended = f" · ended {format_day(pair.ended_on, today)}" if pair.ended_on else ""
    last = format_day(pair.last_contact, today) if pair.last_contact else "no contact logged"
    period = ""
    beyond = "".join(f"\n{line}" for line in progress_lines(pair, report))
    if report.period not in ("week", "year"):
        period = f" · {PERIOD_NAMES[report.period]} {format_minutes(pair.minutes(report.period))}"
    return (
        f"{name}{ended}\n"
        f"{week_against(week, report.weekly_target)}{period} · "
        f"this year {format_minutes(pair.year)} · "
        f"since {format_day(pair.started_on, today)} {format_minutes(pair.since_start)} · "
        f"{pair.observations} observation{'s' if pair.observations != 1 else ''} · last {last}"
        f"{beyond}"
    )


def progress_lines(pair: PairTotals, report: HoursReport, *, beyond: bool = True) -> list[str]:
    """A pair's 50 hours beyond the induction year (unless `beyond` is off: a mentee's Home
    shows them apart) and its pace against the policy's paced minimum, when they apply."""
    lines = []
    if beyond and pair.mentee.id in report.beyond:
        year, minutes = report.beyond[pair.mentee.id]
        lines.append(
            f"Year {year}: {format_minutes(minutes)} of {format_minutes(report.year2_target)} "
            "logged beyond the induction year (years 2 and 3 together)"
        )
    pace = report.paces.get((pair.mentor.id, pair.mentee.id))
    if pace is not None:
        lines.append(f"Paced minimum: {pace.text()}")
    if pair.mentee.id in report.observed:
        done, minimum, years = report.observed[pair.mentee.id]
        over = f" over {years} years" if years > 1 else " this year"
        met = " ✓" if done >= minimum else ""
        lines.append(f"Formal observations: {done} of {minimum}{over}{met}")
    return lines


def _year_name(report: HoursReport) -> str:
    return f"year {report.year.label}" if report.year is not None else "this year"


def _visits(count: int) -> str:
    return f"{count} visit{'s' if count != 1 else ''} to observe a teacher · " if count else ""


def _observations(count: int) -> str:
    return f"{count} observation{'s' if count != 1 else ''}"


def past_month_report(report: HoursReport, month: Month) -> Payload:
    """`/hours october`: a past month's totals per pair, then the sum (no weekly pace: that
    month is over)."""
    title = f"{report.scope}: {format_minutes(report.total('month'))} in {month.label}"
    blocks: list[Block] = [header(title[:150])]
    if not report.pairs:
        blocks.append(section(f"No mentoring pairs to show for {month.label}."))
        return message(title, blocks)
    count = report.pair_count
    blocks.append(
        context(
            f"{count} pair{'s' if count != 1 else ''} · {format_day(month.first)} – "
            f"{format_day(month.last)} · {_observations(report.summary.month.observations)} · "
            f"{_year_name(report)} {format_minutes(report.total('year'))} so far"
        )
    )
    lines = []
    for pair in report.pairs[:MAX_PAIR_ROWS]:
        lines.append(
            f"{_pair_name(pair, report)}: {format_minutes(pair.month)} · "
            f"{_observations(pair.totals.month.observations)}"
        )
    blocks.extend(section(text) for text in pack_sections(lines))
    if count > MAX_PAIR_ROWS:
        blocks.append(
            context(f"…and {count - MAX_PAIR_ROWS} more pairs (the totals above count them all).")
        )
    return message("\n".join([title, *lines]), blocks[:MAX_BLOCKS])


def hours_report(report: HoursReport) -> Payload:
    """`/hours`: per-pair totals against the weekly target, then the sum."""
    if report.month is not None:
        return past_month_report(report, report.month)
    period_label = PERIOD_NAMES[report.period]
    total = report.total(report.period)
    title = f"{report.scope}: {format_minutes(total)} {period_label}"
    blocks: list[Block] = [header(title[:150])]
    if not report.pairs:
        blocks.append(section("No mentoring pairs to show yet."))
        return message(title, blocks)
    count = report.pair_count
    blocks.append(
        context(
            f"{count} pair{'s' if count != 1 else ''} · "
            f"{target_text(report)} · "
            f"{_year_name(report)} {format_minutes(report.total('year'))} · "
            f"{report.observations} observation{'s' if report.observations != 1 else ''} · "
            f"{_visits(report.visits)}as of {format_day_long(report.today)}"
        )
    )
    shown = report.pairs[:MAX_PAIR_ROWS]
    for pair in shown:
        blocks.append(section(_pair_line(pair, report)))
    if count > len(shown):
        blocks.append(
            context(
                f"…and {count - len(shown)} more pairs (the totals above count them all). "
                "Name a person (`/hours @name`) or export with `mentor-minutes export logs`."
            )
        )
    standards = _standards_lines(report)
    if standards:
        blocks.append(context(standards))
    text = "\n".join([title] + [_pair_line(p, report).replace("\n", " — ") for p in shown])
    return message(text, blocks[:MAX_BLOCKS])


def _standards_lines(report: HoursReport) -> str:
    """One line per own pair: the standards its entries addressed this program year."""
    covered = [c for c in report.coverage if c.standards][:MAX_PAIR_ROWS]
    if not covered:
        return ""
    if len(covered) == 1:
        return f":books: Standards: {coverage_line(covered[0])}"
    lines = [f"{c.mentee.name} with {c.mentor.name}: {coverage_line(c)}" for c in covered]
    return ":books: Standards\n" + "\n".join(lines)


def assignment_result(result: AssignmentResult) -> Payload:
    """What `/induction assign|unassign` did."""
    if result.mentor is None:
        parts = []
        if result.ended:
            ended = ", ".join(
                f"{m.name} (ended {format_day(d, result.today)})" for m, d in result.ended
            )
            parts.append(f"{result.mentee.name} no longer has a mentor: {ended}.")
        if result.cancelled:
            planned = ", ".join(
                f"{m.name}, to start {format_day(d, result.today)}" for m, d in result.cancelled
            )
            parts.append(f"Cancelled {result.mentee.name}'s planned assignment ({planned}).")
        text = " ".join(parts)
    elif result.unchanged:
        assert result.started_on is not None
        text = (
            f"{result.mentor.name} already mentors {result.mentee.name} "
            f"(since {format_day(result.started_on, result.today)}). Nothing changed."
        )
    else:
        assert result.started_on is not None
        text = (
            f":white_check_mark: {result.mentor.name} now mentors {result.mentee.name} "
            f"from {format_day(result.started_on, result.today)}."
        )
        if result.ended:
            text += (
                " Previous: "
                + ", ".join(
                    f"{m.name} (ended {format_day(d, result.today)})" for m, d in result.ended
                )
                + "."
            )
        if result.moved:
            text += (
                f" Moved {result.moved} entr{'y' if result.moved == 1 else 'ies'} to "
                f"{result.mentor.name} (audited)."
            )
        if result.caution is not None:
            text += "\n" + mentor_caution_text(result.mentor, result.caution)
    return message(text, [section(text)])


def mentor_caution_text(mentor: Member, caution: MentorCaution) -> str:
    """The warning on an assignment whose mentor may not meet the mentor rules."""
    reasons = []
    if caution.untrained:
        reasons.append("their mentor training isn't marked done and confirmed this year")
    if caution.licence is not None:
        reasons.append(f"the roster gives their licence as {caution.licence}")
    if caution.years is not None:
        reasons.append(
            f"hired {caution.years} full year{'s' if caution.years != 1 else ''} before it "
            f"starts, by the roster (under {caution.rule.years}; check experience elsewhere)"
        )
    if caution.caseload is not None:
        reasons.append(
            f"they now mentor {caution.caseload}, over the program's cap of {caution.cap}"
        )
    return (
        f":large_orange_diamond: Assigned anyway — {mentor.name} may not meet the mentor rules "
        f"({caution.rule.text}): "
        + "; ".join(reasons)
        + ". The annual report lists this assignment."
    )


def program_status(status: ProgramStatus) -> Payload:
    """`/induction status`: overdue and unassigned mentees first, then pairs and mentor loads."""
    title = f"{status.program_name} — assignments"
    blocks: list[Block] = [
        header(title),
        context(
            f"{status.mentee_count} mentees · {status.unassigned_count} without a mentor · "
            f"{status.overdue_count} overdue · as of {format_day_long(status.today)}"
        ),
    ]
    if status.awaiting:
        awaiting = [f"• {milestone_mark_text(mark)}" for mark in status.awaiting]
        body = _sections(["Milestones reported done, awaiting confirmation:", *awaiting])[0][0]
        blocks.append(section(body))
    lines: list[str] = []
    for row in status.mentees:
        who = f"*{row.mentee.name}* ({_placement(row.mentee)})"
        if row.mentor is None:
            due = format_day(row.due, status.today)
            state = (
                f":red_circle: no mentor, {row.days_overdue} day"
                f"{'s' if row.days_overdue != 1 else ''} overdue (due {due})"
                if row.days_overdue
                else f":large_yellow_circle: no mentor yet (due {due})"
            )
            if row.upcoming is not None:
                state += (
                    f" · {row.upcoming[0].name} from {format_day(row.upcoming[1], status.today)}"
                )
        else:
            assert row.assigned_on is not None
            state = f"mentor {row.mentor.name} since {format_day(row.assigned_on, status.today)}"
        lines.append(f"{who} — {state}")
    sections = _sections(lines)
    room = MAX_BLOCKS - len(blocks) - 3
    blocks += [section(body) for body, _ in sections[:room]]
    shown = sum(count for _, count in sections[:room])
    if shown < status.mentee_count:
        blocks.append(
            context(
                f"…and {status.mentee_count - shown} more mentees "
                "(overdue and unassigned come first). "
                "`/induction status @name` shows one person."
            )
        )
    if status.mentors:
        blocks.append(divider())
        loads = [f"{m.name} {count}" for m, count in status.mentors]
        listed = ", ".join(loads[:MAX_LOADS_LISTED])
        extra = status.mentor_count - min(len(loads), MAX_LOADS_LISTED)
        more = f" …and {extra} more" if extra > 0 else ""
        blocks.append(context(f"Mentees per mentor: {listed}{more}"))
    text = "\n".join([title, *lines[:shown]])
    return message(text, blocks)


def person_status(status: PersonStatus) -> Payload:
    """`/induction status @person`: roles and assignment history."""
    person = status.person
    roles = ", ".join(sorted(person.roles)) or "no role this year"
    lines = [f"*{person.name}* · {person.email} · {roles} · {_placement(person)}"]
    if not person.active:
        lines.append("_deactivated_")
    if status.reach is not None:
        lines.append(
            f"Reached {status.reach.why}"
            if status.reach.reachable
            else status.reach.why[:1].upper() + status.reach.why[1:]
        )
    for label, rows, other in (
        ("Mentored by", status.as_mentee, "mentor"),
        ("Mentors", status.as_mentor, "mentee"),
    ):
        for row in rows:
            partner = row.mentor if other == "mentor" else row.mentee
            span = f"since {format_day_long(row.started_on)}"
            if row.ended_on:
                span = (
                    f"{format_day_long(row.started_on)} – {format_day_long(row.ended_on)}"
                    f" ({row.end_reason or 'ended'})"
                )
            lines.append(f"{label} {partner.name}: {span}")
    if status.due and not any(r.ended_on is None for r in status.as_mentee):
        lines.append(f"No active mentor — assignment due {format_day_long(status.due)}.")
    text = "\n".join(lines)
    blocks = [section(text)]
    if status.milestones:  # a block of their own: a long history doesn't crowd them out
        marks = [f"• {milestone_mark_text(mark, whose=False)}" for mark in status.milestones]
        packed = _sections(["*Milestones this year*", *marks])
        blocks += [section(body) for body, _ in packed[: MAX_BLOCKS - 2]]
        text += "\n" + "\n".join(["Milestones this year:", *marks])
    if "mentee" in person.roles or status.as_mentee:
        blocks.append(actions(button("Induction record", ids.RECORD_SHOW, str(person.id))))
    return message(text, blocks)


def induction_record(record: InductionRecord) -> Payload:
    """One educator's induction record in brief (the full one: `export record`)."""
    lines = [
        f"*{record.name}* · induction year {record.induction_year}"
        + (" (from the hire date)" if record.induction_inferred else "")
    ]
    lines += [
        f"{y.label} (year {y.number}): {format_minutes(y.minutes)} together · "
        f"{y.observations} observation{'s' if y.observations != 1 else ''}"
        for y in record.years
    ]
    lines.append(
        f"Beyond the induction year: {format_minutes(record.beyond_minutes)} of "
        f"{format_minutes(record.beyond_target)} · sign-off: {record.sign_off}"
    )
    title = f"Induction record — {record.name}"
    blocks: list[Block] = [
        header(title[:150]),
        section("\n".join(lines)),
        context(f"The full record to sign: `mentor-minutes export record {record.email}`"),
    ]
    return message(title, blocks)


def milestone_mark_text(mark: MilestoneMark, *, whose: bool = True) -> str:
    """A milestone marked done: by whom, when, and whether a coordinator confirmed it."""
    about = f" for {mark.person.name}" if whose and mark.person else ""
    marker = mark.marked_by.name if mark.marked_by else "the command line"
    if mark.confirmed and mark.confirmed_by is not None and mark.confirmed_by != mark.marked_by:
        state = (
            f"reported by {marker} on {format_day_long(mark.marked_on)}, confirmed by "
            f"{mark.confirmed_by.name}"
            + (f" on {format_day_long(mark.confirmed_on)}" if mark.confirmed_on else "")
        )
    elif mark.confirmed:
        state = f"marked by {marker} on {format_day_long(mark.marked_on)}, confirmed"
    else:
        state = (
            f"reported by {marker} on {format_day_long(mark.marked_on)}, "
            "awaiting a coordinator's confirmation"
        )
    return f"*{mark.title}*{about} done {format_day_long(mark.done_on)} — {state}"


def milestone_done(done: MarkedDone) -> Payload:
    """What marking (or confirming) a milestone done did."""
    whose = f" for {done.person.name}" if done.person else ""
    day = format_day_long(done.done_on)
    reporter = done.marked_by.name if done.marked_by else "someone"
    if done.already and done.confirmed:
        text = f"{done.title}{whose} was already marked done on {day}, and confirmed."
    elif done.already:
        text = (
            f"{done.title}{whose} was already reported done on {day} by {reporter}; "
            "a coordinator confirms it."
        )
    elif not done.confirmed:
        text = (
            f":white_check_mark: {done.title}{whose} reported done on {day}. Your reminders "
            "stop; a coordinator confirms it (until then it doesn't count as done for their "
            "reminders or the annual report)."
        )
    elif done.marked_by is not None:
        text = (
            f":white_check_mark: {done.title}{whose} done on {day}, reported by {reporter}: "
            "confirmed. Its reminders stop."
        )
    else:
        text = f":white_check_mark: {done.title}{whose} marked done on {day}. Its reminders stop."
    return message(text, [section(text)])


def team_change(change: TeamChange) -> Payload:
    """A support team after adding or removing someone."""
    verb = "added to" if change.added else "removed from"
    members = ", ".join(f"{m.name} ({role})" for m, role in change.team) or "nobody yet"
    text = f"{change.member.name} {verb} {change.mentee.name}'s support team. Team: {members}."
    return message(text, [section(text)])


def _placement(person: Any) -> str:
    parts = [person.school, person.subject, f"grade {person.grade}" if person.grade else None]
    return ", ".join(p for p in parts if p) or "no school set"


def _sections(lines: list[str], limit: int = SECTION_CHARS) -> list[tuple[str, int]]:
    """Lines packed into section texts under Slack's limit: (text, how many lines)."""
    packed: list[tuple[str, int]] = []
    current: list[str] = []
    for full in lines:
        line = full[:limit]
        if current and len("\n".join([*current, line])) > limit:
            packed.append(("\n".join(current), len(current)))
            current = []
        current.append(line)
    if current:
        packed.append(("\n".join(current), len(current)))
    return packed
