"""What is due, for whom, as of a day (pure): deadline rules × people × the school calendar.

Rules are data (bot/domain/policy/). A rule's due date comes from its anchor (and the late-hire
window);
reminders fall on lead days before it, escalations on the first send day after it and then every
`repeat_every_school_days`. Reminder points that land on a weekend or holiday move to the next
send day, so nothing is lost and nothing goes out twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.domain.calendar import OutsideSchoolYearError, SchoolCalendar
from bot.domain.policy import DeadlineRule, Policy

REMINDER_LEAD_DAYS = (60, 30, 14, 7, 3, 1, 0)
PROGRAM = "program"
MENTOR = "mentor"
ASSIGNMENT_RULE = "mentor_assigned"
YEAR2_RULE = "year2_hours"
# Targets reached by logged hours, not deadlines: the regulation sets no date for the 50 hours
# beyond the induction year, so they are reminded as progress, never overdue nor escalated.
PROGRESS_RULES = frozenset({YEAR2_RULE})
State = Literal["upcoming", "overdue"]


@dataclass(frozen=True)
class Subject:
    """Whom a rule is about: a mentee, a mentor, or the program (id None)."""

    id: int | None
    name: str
    educator_type: str | None = None
    hire_date: date | None = None
    is_mentor: bool = False


@dataclass(frozen=True)
class DueItem:
    """One rule for one subject that needs attention today, and the roles to tell."""

    rule: DeadlineRule
    subject: Subject
    due: date
    state: State
    notify: tuple[str, ...] = ()

    def days_left(self, today: date) -> int:
        """Days until due (negative when overdue)."""
        return (self.due - today).days


def is_send_day(calendar: SchoolCalendar, day: date) -> bool:
    """School days within the school year; weekdays outside it (the July report nudges)."""
    if calendar.contains(day):
        return calendar.is_school_day(day)
    return day.weekday() < 5


def previous_send_day(calendar: SchoolCalendar, day: date) -> date:
    """The last send day before `day` (looks back at most a year)."""
    cursor = day - timedelta(days=1)
    for _ in range(400):
        if is_send_day(calendar, cursor):
            return cursor
        cursor -= timedelta(days=1)
    return cursor


def applies(rule: DeadlineRule, subject: Subject) -> bool:
    """True when the rule is about this subject."""
    if subject.id is None:
        return PROGRAM in rule.applies_to
    if subject.is_mentor:
        return MENTOR in rule.applies_to
    return subject.educator_type is not None and subject.educator_type in rule.applies_to


def due_date(rule: DeadlineRule, subject: Subject, calendar: SchoolCalendar) -> date:
    """The subject's due date under the rule (late hires get the rule's late-hire window)."""
    try:
        return calendar.deadline_due(rule, subject.hire_date)
    except OutsideSchoolYearError:
        return rule.base_due(calendar.start, subject.hire_date)


def _points_since(points: Iterable[date], after: date, today: date) -> bool:
    """True when a point falls in (after, today]: today is the send day that carries it."""
    return any(after < point <= today for point in points)


def escalation_points(
    rule: DeadlineRule, due: date, calendar: SchoolCalendar, today: date
) -> list[date]:
    """The days an overdue item is escalated: the first send day after due, then every N
    school days from that first alert."""
    first = due + timedelta(days=1)
    if calendar.contains(first) and not is_send_day(calendar, first):
        with suppress(OutsideSchoolYearError):
            first = calendar.next_school_day(first)
    points = [first]
    if rule.repeat_every_school_days:
        cursor = first
        while cursor < today:
            try:
                cursor = calendar.add_school_days(cursor, rule.repeat_every_school_days)
            except OutsideSchoolYearError:
                break
            points.append(cursor)
    return points


def open_rules(
    policy: Policy, subjects: Iterable[Subject], done: set[tuple[int | None, str]]
) -> Iterator[tuple[Subject, DeadlineRule]]:
    """Each (subject, rule) that applies and is not done yet."""
    for subject in subjects:
        for rule in policy.deadlines:
            if applies(rule, subject) and (subject.id, rule.key) not in done:
                yield subject, rule


def _evaluate(
    rule: DeadlineRule, subject: Subject, calendar: SchoolCalendar, since: date, today: date
) -> tuple[date, State | None, tuple[str, ...]]:
    """(due, what today carries or None, the roles to tell) for one rule and hire date."""
    due = due_date(rule, subject, calendar)
    leads = {k for k in REMINDER_LEAD_DAYS if k <= rule.nudge_days_before}
    leads.add(rule.nudge_days_before)  # the window opens with a first reminder
    reminded = bool(rule.nudge) and _points_since(
        [due - timedelta(days=k) for k in leads], since, today
    )
    if today <= due:
        return (due, "upcoming", rule.nudge) if reminded else (due, None, ())
    if rule.key in PROGRESS_RULES:
        return due, None, ()
    escalated = bool(rule.escalate_to) and _points_since(
        escalation_points(rule, due, calendar, today), since, today
    )
    if not (escalated or reminded):
        return due, None, ()
    # A reminder that fell on a weekend or holiday still reaches its people.
    roles = (rule.escalate_to if escalated else ()) + (rule.nudge if reminded else ())
    return due, "overdue", tuple(dict.fromkeys(roles))


def items_for_day(
    policy: Policy,
    calendar: SchoolCalendar,
    subjects: Iterable[Subject],
    done: set[tuple[int | None, str]],
    today: date,
) -> list[DueItem]:
    """Every reminder and escalation that today's send day carries (nothing on other days).

    A rule's dates depend only on the hire date, so they are worked out once per hire date."""
    if not is_send_day(calendar, today):
        return []
    since = previous_send_day(calendar, today)
    memo: dict[tuple[str, date | None], tuple[date, State | None, tuple[str, ...]]] = {}
    items: list[DueItem] = []
    for subject, rule in open_rules(policy, subjects, done):
        key = (rule.key, subject.hire_date)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _evaluate(rule, subject, calendar, since, today)
        due, state, roles = found
        if state is not None:
            items.append(DueItem(rule, subject, due, state, roles))
    return items


def upcoming_within(
    policy: Policy,
    calendar: SchoolCalendar,
    subjects: Iterable[Subject],
    done: set[tuple[int | None, str]],
    today: date,
    days: int,
) -> tuple[list[DueItem], list[DueItem]]:
    """(overdue, due in the next `days`) for a digest: every open item, not just today's."""
    overdue: list[DueItem] = []
    soon: list[DueItem] = []
    horizon = today + timedelta(days=days)
    memo: dict[tuple[str, date | None], date] = {}
    for subject, rule in open_rules(policy, subjects, done):
        if rule.key in PROGRESS_RULES:
            continue  # progress has no due date to list
        key = (rule.key, subject.hire_date)
        due = memo.get(key)
        if due is None:
            due = memo[key] = due_date(rule, subject, calendar)
        if due < today:
            overdue.append(DueItem(rule, subject, due, "overdue"))
        elif due <= horizon:
            soon.append(DueItem(rule, subject, due, "upcoming"))
    return overdue, soon


def reassignment_due(due: date, last_ended: date | None, window_days: int) -> date:
    """When a mentee without a mentor is due one: their assignment deadline, or, when an
    assignment of theirs ended, `window_days` after that end if later (a gap is not overdue
    against the original deadline at once)."""
    if last_ended is None:
        return due
    return max(due, last_ended + timedelta(days=window_days))


def school_days_since(calendar: SchoolCalendar, last: date, today: date) -> int:
    """Complete school days after `last` and before today: the jobs run while today is not
    over, so a contact later today still counts (0 when last is yesterday or later)."""
    if last >= today:
        return 0
    start = max(last, calendar.start - timedelta(days=1))
    end = min(today - timedelta(days=1), calendar.end)
    if end <= start:
        return 0
    return calendar.school_days_between(start, end)
