"""Program activities (report item a), pure: the kinds of activity, a request to record one, what
recording did, and the year's summary — activities by kind and the kinds of logged mentoring,
counted by the ledger's rules (`bot/domain/ledger.py`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.domain.formatting import format_minutes
from bot.domain.ledger import Entry, MentorTime, Totals, entry_totals, sessions, total
from bot.domain.members import Member
from bot.domain.report import ReportItem, ReportSource

# The kinds of program activity the report lists, in its order; a group session is mentoring.
ACTIVITY_KINDS: tuple[str, ...] = ("orientation", "group", "training", "support_team")
GROUP = "group"
ACTIVITY_KIND_ALIASES: dict[str, str] = {
    "orientation": "orientation",
    "orient": "orientation",
    "group": "group",
    "group-session": "group",
    "group_session": "group",
    "training": "training",
    "mentor-training": "training",
    "mentor_training": "training",
    "support_team": "support_team",
    "support-team": "support_team",
    "team": "support_team",
}
ACTIVITY_TITLES: dict[str, str] = {
    "orientation": "orientation session",
    "group": "group mentoring session",
    "training": "mentor training",
    "support_team": "support-team meeting",
}
RECORDERS: tuple[str, ...] = ("lead_mentor", "coordinator")  # who may record an activity
MAX_ACTIVITY_NOTES = 2_000


def activity_kind(word: str) -> str | None:
    """The activity kind a word names (aliases allowed), or None."""
    return ACTIVITY_KIND_ALIASES.get(word.strip().lower())


@dataclass(frozen=True)
class ActivityRequest:
    """An activity to record, as typed: the people are references (mentions, ids or emails)."""

    kind: str
    minutes: int
    attendees: tuple[str, ...]
    occurred_on: date | None = None  # None: today in the program's timezone
    facilitator: str | None = None  # None: whoever records it
    notes: str | None = None


@dataclass(frozen=True)
class RecordedActivity:
    """What recording an activity stored: the activity, its people, and for a group session the
    mentoring it logged — one batch per mentor present, an entry per attending mentee."""

    id: int
    kind: str
    occurred_on: date
    minutes: int
    facilitator: Member
    attendees: tuple[Member, ...]
    logged: tuple[tuple[Member, tuple[Member, ...]], ...] = ()  # (mentor, their mentees here)
    no_mentor: tuple[Member, ...] = ()  # attending mentees with no mentor present: not logged

    @property
    def title(self) -> str:
        """The kind as a person reads it, with its article ("an orientation session")."""
        title = ACTIVITY_TITLES[self.kind]
        return f"{'an' if title[0] in 'aeiou' else 'a'} {title}"


@dataclass(frozen=True)
class ActivityKindLine:
    """One kind of activity over a program year: how many, who came, how long."""

    kind: str
    title: str
    count: int
    attendance: int  # distinct people who attended at least one
    attendances: int  # attendees summed over the activities
    minutes: int  # the activities' own durations summed

    @property
    def hours(self) -> float:
        """The activities' duration in hours (two decimals)."""
        return round(self.minutes / 60, 2)


@dataclass(frozen=True)
class MentoringKindLine:
    """One kind of logged mentoring over a program year, by the ledger's rules."""

    kind: str
    entries: int
    pair: Totals  # pair time (an `observed` visit: visits and visit minutes instead)
    mentor: MentorTime  # each log batch once


@dataclass(frozen=True)
class ActivitiesSummary:
    """Report item (a) for a program year: activities by kind and the kinds of mentoring."""

    year: str
    kinds: tuple[ActivityKindLine, ...]
    mentoring: tuple[MentoringKindLine, ...]
    source: ReportSource

    @property
    def count(self) -> int:
        """Activities recorded in the year."""
        return sum(line.count for line in self.kinds)


@dataclass(frozen=True)
class ActivityFact:
    """An activity as the summary counts it: kind, duration and attendees (never notes)."""

    kind: str
    minutes: int
    attendee_ids: frozenset[int]


def kind_lines(activities: Iterable[ActivityFact]) -> tuple[ActivityKindLine, ...]:
    """Activities summed by kind, in the report's order (every kind listed, zeros included)."""
    by_kind: dict[str, list[ActivityFact]] = defaultdict(list)
    for activity in activities:
        by_kind[activity.kind].append(activity)
    lines = []
    for kind in ACTIVITY_KINDS:
        found = by_kind.get(kind, [])
        people: set[int] = set()
        for activity in found:
            people |= activity.attendee_ids
        lines.append(
            ActivityKindLine(
                kind=kind,
                title=ACTIVITY_TITLES[kind],
                count=len(found),
                attendance=len(people),
                attendances=sum(len(a.attendee_ids) for a in found),
                minutes=sum(a.minutes for a in found),
            )
        )
    return tuple(lines)


def mentoring_lines(entries: Iterable[Entry]) -> tuple[MentoringKindLine, ...]:
    """Logged mentoring by kind: pair time per the ledger (`entry_totals`) and mentor time with
    each batch once (`sessions`), kinds in alphabetical order, only kinds that occur."""
    by_kind: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_kind[entry.kind].append(entry)
    return tuple(
        MentoringKindLine(
            kind=kind,
            entries=len(found),
            pair=total(entry_totals(e) for e in found),
            mentor=sum(
                (MentorTime(minutes, 1) for minutes in sessions(found).values()), MentorTime()
            ),
        )
        for kind, found in sorted(by_kind.items())
    )


def activities_source(year: str, activity_count: int, entry_count: int) -> ReportSource:
    """Counted when anything was recorded or logged in the year, else none with the reason."""
    if activity_count or entry_count:
        return ReportSource("counted")
    return ReportSource(
        "none",
        f"no program activities were recorded and no mentoring was logged in {year} "
        "(record one with /induction event or mentor-minutes event add)",
    )


ACTIVITY_COLUMNS = ("kind", "activities", "attendance", "attendances", "minutes", "hours")


def activities_item(summary: ActivitiesSummary) -> ReportItem:
    """Report item (a) in the report's shape: one row per kind of activity (count, distinct
    attendees, attendances, hours), the kinds of logged mentoring in `extra` and the notes."""
    if summary.source.kind == "none":
        return ReportItem.missing(summary.source.reason or "nothing recorded")
    rows = tuple(
        {
            "kind": line.kind,
            "activities": line.count,
            "attendance": line.attendance,
            "attendances": line.attendances,
            "minutes": line.minutes,
            "hours": line.hours,
        }
        for line in summary.kinds
    )
    mentoring = [
        {
            "kind": line.kind,
            "entries": line.entries,
            "pair_minutes": line.pair.minutes,
            "mentor_minutes": line.mentor.minutes,
            "sessions": line.mentor.sessions,
            "observations": line.pair.observations,
            "visits": line.pair.visits,
            "visit_minutes": line.pair.visit_minutes,
        }
        for line in summary.mentoring
    ]
    notes = tuple(
        f"{line.count} {line.title}{'s' if line.count != 1 else ''}, "
        f"{line.attendance} people attended, {format_minutes(line.minutes)}"
        for line in summary.kinds
        if line.count
    ) + tuple(
        f"logged {line.kind}: {line.entries} entr{'y' if line.entries == 1 else 'ies'}, "
        + (
            f"{format_minutes(line.pair.visit_minutes)} of visits"
            if line.pair.visits and not line.pair.minutes
            else f"{format_minutes(line.pair.minutes)} together, "
            f"{format_minutes(line.mentor.minutes)} of mentor time"
        )
        for line in summary.mentoring
    )
    return ReportItem(
        value=summary.count,
        source=summary.source.kind,
        columns=ACTIVITY_COLUMNS,
        rows=rows,
        notes=notes,
        extra={"mentoring": mentoring},
    )
