"""Block Kit for the Home tab, a section per role (records from `bot/domain/home.py`). Notes appear
only in the mentor's and the mentee's own entries.

Home holds at most 100 blocks and each section 3000 characters: every list is capped and says
"…and N more"."""

from __future__ import annotations

from typing import Any

from bot.domain.formatting import format_day, format_day_long, format_minutes
from bot.domain.home import (
    BehindPace,
    CoordinatorSection,
    Home,
    HomeEntry,
    MenteeSection,
    MentorSection,
)
from bot.domain.hours import HoursReport, PairTotals
from bot.domain.ledger import VISIT
from bot.domain.notices import AlertRow, Digest
from bot.domain.standards import Coverage
from bot.slack import charts, ids
from bot.slack.blocks import (
    Block,
    actions,
    button,
    context,
    divider,
    header,
    pack_sections,
    progress_bar,
    section,
    week_against,
)
from bot.slack.nudge_views import assign_buttons, weekly_digest
from bot.slack.pay_views import pay_blocks
from bot.slack.signoff_views import review_blocks
from bot.slack.standards_views import coverage_blocks
from bot.slack.views import progress_lines, target_text

Payload = dict[str, Any]
MAX_HOME_BLOCKS = 100
MAX_PAIRS = 8  # a mentor's or mentee's pairs
MAX_COVERAGE = 3  # pairs with their standards coverage on Home
MAX_SCHOOL_PAIRS = 15  # an evaluator's school
MAX_COHORT_BLOCKS = 22  # the digest's blocks on a lead mentor's Home
MAX_UNASSIGNED = 8  # rows with Assign buttons on a coordinator's Home
MAX_NOTE_CHARS = 400  # a note on Home; the whole note stays in the Edit form
MAX_NOTICE_BLOCKS = 4
MAX_MISSING = 8  # report items still missing, listed on a coordinator's Home
NOT_ON_ROSTER_TITLE = "Mentor Minutes · welcome"


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


# ---- the whole tab -----------------------------------------------------------------------------


def home_view(
    home: Home, *, notice: Payload | None = None, requests: list[Block] | None = None
) -> Payload:
    """The person's Home: a notice (what their last press did) on top, then one part per role.

    `requests`: the coordinators' open reassignment requests, as blocks built by the
    reassignment-requests part of issue 11 (placed under their own header)."""
    blocks: list[Block] = [header(f"Mentor Minutes · {home.viewer.name}"[:150])]
    if notice is not None:
        blocks += list(notice.get("blocks") or [])[:MAX_NOTICE_BLOCKS]
    blocks.append(
        context(
            f"{home.program_name} · program year {home.year.label} · "
            f"as of {format_day_long(home.today)}"
        )
    )
    parts: list[list[Block]] = []
    if home.mentor is not None:
        parts.append(mentor_part(home.mentor, home))
    if home.mentee is not None:
        parts.append(mentee_part(home.mentee, home))
    if home.cohort is not None:
        parts.append(cohort_part(home.cohort))
    if home.school is not None:
        parts.append(school_part(home.school))
    if home.coordinator is not None:
        parts.append(coordinator_part(home.coordinator, home, requests or []))
    if not parts:
        parts.append([section("You hold no role in the program this year.")])
    for part in parts:
        blocks += [divider(), *part]
    tail = _what_you_can_do(home)
    if len(blocks) + len(tail) > MAX_HOME_BLOCKS:
        blocks = blocks[: MAX_HOME_BLOCKS - len(tail) - 1]
        blocks.append(context("…Home is full: `/hours` and `/induction status` show the rest."))
    return {"type": "home", "blocks": blocks + tail}


HOME_HINTS: dict[str, str] = {
    "mentor": "*Log in one line:* `/logmeeting 45m observation` — or the button below",
    "mentee": "*Log a visit to observe a teacher:* `/logmeeting 30m observed @teacher`",
    "hours": "*See hours:* `/hours`, `/hours month`, `/hours @name`",
    "coordinator": (
        "*Coordinators:* `/induction status`, `/induction assign @mentor @mentee`, "
        "`/hours pay` (this month's pay so far)"
    ),
}


def _what_you_can_do(home: Home) -> list[Block]:
    """The commands each of the person's roles may use, and Log a meeting for those who log."""
    roles = home.viewer.roles
    logs = bool(roles & {"mentor", "lead_mentor", "coordinator"})
    hints = [HOME_HINTS["mentor"]] if logs else []
    if "mentee" in roles and not logs:
        hints.append(HOME_HINTS["mentee"])
    hints.append(HOME_HINTS["hours"])
    if "coordinator" in roles:
        hints.append(HOME_HINTS["coordinator"])
    blocks = [divider(), section("\n".join(hints))]
    if logs:
        log_button = button("Log a meeting", ids.LOG_OPEN_FORM, style="primary")
        blocks.append(actions(log_button, block_id="home_log_meeting"))
    return blocks


def not_on_roster(text: str) -> Payload:
    """Someone not on the roster: whom to ask, and no buttons that would fail."""
    return {"type": "home", "blocks": [header(NOT_ON_ROSTER_TITLE), section(text)]}


# ---- mentor ----------------------------------------------------------------------------------


def _pair_line(pair: PairTotals, report: HoursReport, *, as_mentee: bool = False) -> str:
    who = f"with *{pair.mentor.name}* (mentor)" if as_mentee else f"*{pair.mentee.name}*"
    ended = f" · ended {format_day(pair.ended_on, report.today)}" if pair.ended_on else ""
    last = format_day(pair.last_contact, report.today) if pair.last_contact else "none yet"
    lines = progress_lines(pair, report, beyond=not as_mentee)
    progress = "".join(f"\n{line}" for line in lines)
    return (
        f"{who}{ended}\n{week_against(pair.week, report.weekly_target)} · this year "
        f"{format_minutes(pair.year)} · {_plural(pair.observations, 'observation')} · "
        f"last contact {last}{progress}"
    )


def _pairs(report: HoursReport, *, as_mentee: bool = False, limit: int = MAX_PAIRS) -> list[Block]:
    if not report.pairs:
        return [section("No mentoring pair this program year yet.")]
    shown = report.pairs[:limit]
    blocks = [section(_pair_line(p, report, as_mentee=as_mentee)) for p in shown]
    if report.pair_count > len(shown):
        more = report.pair_count - len(shown)
        blocks.append(context(f"…and {_plural(more, 'more pair')}: `/hours` lists them."))
    return blocks


def _coverage(coverage: tuple[Coverage, ...]) -> list[Block]:
    """Standards coverage of the first pairs (counts and dates only)."""
    blocks = [b for c in coverage[:MAX_COVERAGE] for b in coverage_blocks(c)]
    if len(coverage) > MAX_COVERAGE:
        more = len(coverage) - MAX_COVERAGE
        blocks.append(context(f"…and standards coverage of {more} more pairs: `/hours`."))
    return blocks


def _entry_text(entry: HomeEntry, today: Any, *, with_mentee: bool) -> str:
    if entry.kind == VISIT:
        what = f"{format_minutes(entry.minutes)} visit to observe a teacher"
    else:
        what = f"{format_minutes(entry.minutes)} {entry.kind}"
        if with_mentee:
            what += f" with {entry.mentee.name}"
        else:
            what += f" with {entry.mentor.name}"
    line = f"*{format_day(entry.occurred_on, today)}* · {what}"
    if entry.batch_size > 1:
        line += f" (group of {entry.batch_size})"
    if entry.notes:
        note = (
            entry.notes
            if len(entry.notes) <= MAX_NOTE_CHARS
            else entry.notes[:MAX_NOTE_CHARS] + "…"
        )
        line += f"\n:memo: {note}"
    return line


def mentor_part(part: MentorSection, home: Home) -> list[Block]:
    """The mentor's pairs against this week's target and their latest entries with Edit and
    Undo (Log a meeting closes the Home)."""
    report = part.hours
    blocks: list[Block] = [
        header("Your mentoring"),
        context(
            (
                f"Weekly target this week {format_minutes(report.weekly_target)} (prorated by "
                "its school days)"
                if report.weekly_target is not None
                else target_text(report).capitalize()
            )
            + f" · program year {home.year.label}: "
            f"{format_minutes(report.total('year'))} · "
            f"{_plural(report.observations, 'observation')}"
        ),
    ]
    blocks += _pairs(report)
    blocks += _coverage(part.coverage)
    if part.entries:
        blocks.append(section("*Your latest entries* (you can change them)"))
        for entry in part.entries:
            blocks.append(section(_entry_text(entry, home.today, with_mentee=True)))
            controls = [button("Edit", ids.LOG_EDIT, str(entry.id))]
            if entry.batch_id:
                label = "Undo" if entry.batch_size == 1 else f"Undo all {entry.batch_size}"
                controls.append(button(label, ids.LOG_UNDO, entry.batch_id, style="danger"))
            blocks.append(actions(*controls, block_id=f"home_entry_{entry.id}"))
        blocks.append(context(":lock: Notes are kept for you and your mentee only."))
    return blocks


# ---- mentee ----------------------------------------------------------------------------------


def mentee_part(part: MenteeSection, home: Home) -> list[Block]:
    """The mentee's pairs, their collaborative log (read-only, their pairs' notes), milestones,
    the hours beyond the induction year and Request a change."""
    blocks: list[Block] = [header("Your induction")]
    blocks += _pairs(part.hours, as_mentee=True)
    blocks += _coverage(part.coverage)
    if part.year2 is not None:
        done, target = part.year2.minutes, part.year2.target_minutes
        met = " ✓" if done >= target else ""
        blocks.append(
            section(
                f"*Mentoring beyond the induction year:* {progress_bar(done, target)} "
                f"{format_minutes(done)} of {format_minutes(target)}{met} (years 2 and later)"
            )
        )
    if part.milestones:
        lines = ["*Milestones*"]
        for m in part.milestones:
            if m.done_on is not None:
                state = f":white_check_mark: done {format_day(m.done_on, home.today)}"
                if not m.confirmed:
                    state += " (reported, awaiting a coordinator)"
            elif m.due is not None and m.due < home.today:
                state = f":red_circle: was due {format_day(m.due, home.today)}"
            elif m.due is not None:
                state = f":calendar: due {format_day(m.due, home.today)}"
            else:
                state = ":hourglass: not yet"
            lines.append(f"• {m.title} — {state}")
        blocks += [section(text) for text in pack_sections(lines)[:2]]
    count = _plural(part.entry_count, "entry", "entries")
    lines = [f"*Your collaborative log* ({count} this program year; read-only)"]
    if not part.entries:
        lines.append("Nothing logged yet.")
    lines += [_entry_text(e, home.today, with_mentee=False) for e in part.entries]
    blocks += [section(text) for text in pack_sections(lines)[:4]]
    if part.entry_count > len(part.entries):
        blocks.append(context(f"…and {part.entry_count - len(part.entries)} earlier entries."))
    blocks.append(context(":lock: Notes are kept for you and your mentor only."))
    blocks += _to_review(part.entries, home)
    if part.assignment_id is not None:
        blocks.append(
            actions(
                button("Request a change", ids.REQUEST_CHANGE, str(part.assignment_id)),
                block_id="home_request_change",
            )
        )
    return blocks


MAX_TO_REVIEW = 3  # entries with Confirm / Flag on a Home


def _to_review(entries: tuple[HomeEntry, ...], home: Home) -> list[Block]:
    """Entries the other side of the pair logged, with Confirm and Flag (sign-off before pay)."""
    waiting = [e for e in entries if e.to_review][:MAX_TO_REVIEW]
    if not waiting:
        return []
    blocks: list[Block] = [section("*To confirm* (a flag goes back to the author with why)")]
    for e in waiting:
        blocks += review_blocks(e.id, e.mentor.name, e.minutes, e.kind, e.occurred_on, home.today)
    return blocks


# ---- lead mentor and evaluator ---------------------------------------------------------------


def cohort_part(digest: Digest) -> list[Block]:
    """A lead mentor's cohort as the weekly digest shows it, for this week so far: its chart's
    figures as text (Home can't show a chart)."""
    blocks = [
        b
        for payload in weekly_digest(digest)
        for b in (charts.without_charts(payload) or payload)["blocks"]
    ]
    blocks = [b for b in blocks if b["type"] != "header"]
    first, last = digest.week
    head = [
        header(f"Your cohort · {digest.cohort}"[:150]),
        context(
            f"This week so far ({format_day(first)} – {format_day(last)}), "
            "as the weekly digest counts it"
        ),
    ]
    if len(blocks) > MAX_COHORT_BLOCKS:
        hidden = len(blocks) - MAX_COHORT_BLOCKS + 1
        more = context(f"…and {hidden} more rows: `/hours` lists every pair.")
        blocks = [*blocks[: MAX_COHORT_BLOCKS - 1], more]
    return head + blocks


def school_part(report: HoursReport) -> list[Block]:
    """An evaluator's school: pair time and counts, never notes."""
    blocks: list[Block] = [
        header(f"{report.scope}: hours and counts"[:150]),
        context(
            f"{_plural(report.pair_count, 'pair')} · "
            f"this week {format_minutes(report.total('week'))} · "
            f"this program year {format_minutes(report.total('year'))} · "
            f"{_plural(report.observations, 'observation')} · "
            f"{_plural(report.visits, 'visit')} to observe a teacher"
        ),
    ]
    if not report.pairs:
        return [*blocks, section("No mentoring pairs to show yet.")]
    shown = report.pairs[:MAX_SCHOOL_PAIRS]
    lines = [
        f"*{p.mentee.name}* with {p.mentor.name} — "
        f"{week_against(p.week, report.weekly_target, bar=False)} · "
        f"this year {format_minutes(p.year)} · "
        f"{_plural(p.observations, 'observation')}"
        for p in shown
    ]
    blocks += [section(text) for text in pack_sections(lines)]
    if report.pair_count > len(shown):
        blocks.append(
            context(
                f"…and {report.pair_count - len(shown)} more pairs: `/hours month` totals them all."
            )
        )
    blocks.append(context("Hours and counts only — mentoring notes stay with each pair."))
    return blocks


# ---- coordinator -----------------------------------------------------------------------------


def _unassigned_line(row: AlertRow, today: Any) -> str:
    if row.days_overdue:
        state = (
            f":red_circle: {_plural(row.days_overdue, 'day')} overdue "
            f"(due {format_day(row.due, today)})"
        )
    else:
        state = f":large_yellow_circle: due {format_day(row.due, today)}"
    placement = ", ".join(p for p in (row.mentee.school, row.mentee.subject) if p)
    return f"*{row.mentee.name}* — {state}" + (f" · {placement}" if placement else "")


def coordinator_part(part: CoordinatorSection, home: Home, requests: list[Block]) -> list[Block]:
    """Unassigned educators with Assign buttons, open requests, parked DMs, the report's
    readiness and this month's pay."""
    rows = part.unassigned
    overdue = sum(1 for r in rows if r.days_overdue)
    blocks: list[Block] = [
        header("Coordinator"),
        section(
            f"*Without a mentor:* {len(rows)} ({overdue} overdue)"
            if rows
            else "*Without a mentor:* nobody — every beginning educator has a mentor."
        ),
    ]
    for row in rows[:MAX_UNASSIGNED]:
        blocks.append(section(_unassigned_line(row, home.today)))
        if row.suggestions:
            blocks.append(actions(*assign_buttons(row), block_id=f"home_assign_{row.mentee.id}"))
        else:
            blocks.append(context("No mentor to suggest — `/induction assign @mentor @mentee`."))
    if len(rows) > MAX_UNASSIGNED:
        blocks.append(context(f"…and {len(rows) - MAX_UNASSIGNED} more: `/induction status`."))
    blocks += requests or [
        section("*Requests for a change of pairing*"),
        context("No open requests."),
    ]
    if part.behind is not None:
        blocks.append(section(_behind_text(part.behind)))
    blocks.append(section(_parked_text(part)))
    blocks.append(section(_readiness_text(part)))
    if part.pay is not None:
        blocks += pay_blocks(part.pay)
    else:
        blocks.append(section(f"*Pay this month:* {part.pay_refusal or 'not available'}"))
    return blocks


def _behind_text(behind: BehindPace) -> str:
    """The pairs furthest behind the pace, capped, with how many more and where to see them."""
    pace = behind.pace
    head = (
        f"*Behind pace {pace.period.label}:* {behind.count} of "
        f"{_plural(behind.active, 'pair')} ({format_minutes(pace.expected)} of "
        f"{format_minutes(pace.required)} expected by now)"
    )
    if not behind.count:
        return f"{head} — every pair is on track."
    lines = [head]
    lines += [
        f"• *{p.mentee.name}* with {p.mentor.name} — behind by {format_minutes(p.pace.behind)} "
        f"({format_minutes(p.pace.done)} done)"
        for p in behind.pairs
    ]
    if behind.count > len(behind.pairs):
        lines.append(f"…and {behind.count - len(behind.pairs)} more: `/hours` lists every pair.")
    return pack_sections(lines)[0]


def _parked_text(part: CoordinatorSection) -> str:
    if not part.parked_count:
        return "*Parked messages:* none — every DM was delivered or is on its way."
    lines = [f"*Parked messages:* {part.parked_count} (delivery unknown or refused by Slack)"]
    for p in part.parked:
        error = f" · {p.last_error[:120]}" if p.last_error else ""
        lines.append(
            f"• #{p.id} {p.rule} to {p.recipient} ({p.period}) · "
            f"{_plural(p.attempts, 'attempt')}{error}"
        )
    if part.parked_count > len(part.parked):
        lines.append(f"…and {part.parked_count - len(part.parked)} more.")
    lines.append("Resend or drop with `mentor-minutes jobs review`.")
    return pack_sections(lines)[0]


def _readiness_text(part: CoordinatorSection) -> str:
    readiness = part.readiness
    state = "ready" if readiness.ready else f"{len(readiness.missing)} items to complete"
    lines = [f"*Annual report {readiness.year}:* {state}", *readiness.headlines]
    lines += [f":x: {line}" for line in readiness.missing[:MAX_MISSING]]
    if len(readiness.missing) > MAX_MISSING:
        lines.append(
            f"…and {len(readiness.missing) - MAX_MISSING} more: `mentor-minutes report annual`."
        )
    return pack_sections(lines)[0]
