"""Issue 7, "One ledger": every surface counts the same minutes as the log rows say.

Each hypothesis example resets the world (no log rows, no totals, the `pairs` fixture's three
assignments) and runs a random sequence of operations through the real services: mentors'
logs (any kind, one or several mentees), a coordinator's group logs, mentees' `observed`
visits, Undo and Edit of earlier entries, reassignments and unassignments dated inside the
current week, and a clock that moves forward — from five starting days, one of which runs
across 1 July 2027 into the next program year — at 10:00 or 23:30 New York time (when the UTC
date is already tomorrow). Refused operations must leave the log rows and the assignments
as they were.

Then every surface is compared, to the minute, with a plain recomputation from the live
`log_entries` rows done here (docs/domain.md "What counts"; nothing from `bot.domain.ledger`):

- each echo (log, Edit, Undo): the pair's week, month, program year and all-time totals;
- `/hours` for the coordinator, the lead mentor (Lincoln), two mentors and a mentee, as of
  the last clock and of a day drawn from the log: the scope's week, month and year totals
  (every report holds all three; the period asked for rotates) and observations, which
  pairs are listed, and each pair's week, month, year, all-time totals and last contact;
- the weekly digest of some weeks (those with a reassignment first): its pairs — every pair
  active on a day of the week, none not yet begun — their minutes, observations and last
  contact, and the summary line's counts;
- `report annual`: (b) minutes and observations per educator served, (d) and (e) as their
  sums, (c) each mentor's time (each batch counted once per day, its longest entry);
- `export logs --year` for 2026-27 and 2027-28: which rows, and pair time per pair;
- `ledger verify`: no difference.

Runs on SQLite and PostgreSQL (the two params of `db_url`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from bot.bootstrap import Services
from bot.domain.calendar import week_target
from bot.domain.entries import LoggedEntry, LogOutcome
from bot.domain.ledger import PairSummary
from bot.services.errors import Refusal
from bot.store.models.core import (
    Assignment,
    LogAudit,
    LogEntry,
    MentorBucket,
    PairBucket,
    PairYear,
    Person,
    ScopeTotal,
)
from schedules import claims
from tests.support.hillside import NOW

T = TypeVar("T")

TZ = ZoneInfo("America/New_York")  # PROGRAM_TOML's timezone
SCHOOL_START = date(2026, 8, 31)
SCHOOL_END = date(2027, 6, 18)
NON_SCHOOL_DAYS = frozenset({date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11)})
KINDS = ("meeting", "observation", "planning", "co-teaching", "group", "video", "other")
VISIT = "observed"
OBSERVATION = "observation"
MENTORS = ("U0LEE", "U0MIA", "U0MAX")
MENTEES = ("U0BEA", "U0IKE", "U0BO", "U0NIA")
COORDINATOR = "U0CORA"
LEAD_MENTOR = "U0LEE"
LEAD_SCHOOL = "Lincoln"
EDUCATORS_OBSERVED = ("U0LEE", "U0MIA", "U0MAX", "U0PAT", "U0BEA", "U0IKE", "U0BO", "U0CORA")
HOURS_VIEWERS = (COORDINATOR, LEAD_MENTOR, "U0MIA", "U0MAX", "U0BEA")
PERIODS = ("week", "month", "year")
START_PAIRS = (  # as the `pairs` fixture assigns them
    ("lee@hillside.example", "bea@hillside.example", date(2026, 8, 26)),
    ("mia@hillside.example", "ike@hillside.example", date(2026, 9, 2)),
    ("max@hillside.example", "bo@hillside.example", date(2026, 8, 31)),
)
FIRST_DAYS = (  # where an example's clock starts: one test per day, EXAMPLES examples each
    date(2026, 9, 2),  # the first week of school
    date(2026, 10, 29),  # a week across October and November
    date(2026, 11, 27),  # a week across November and December
    date(2027, 3, 30),
    date(2027, 6, 30),  # the last day of program year 2026-27: runs into 2027-28
)
EXAMPLES = 6  # per first day and database: 30 per database
PROGRAM_YEARS = {"2026-27": date(2026, 7, 1), "2027-28": date(2027, 7, 1)}
OPERATIONS = (
    ("log",) * 6
    + ("group",) * 2
    + ("visit",) * 2
    + ("undo",) * 2
    + ("edit",) * 3
    + ("reassign",) * 2
    + ("unassign",)
    + ("advance",) * 3
)
MINUTES = st.one_of(
    st.integers(min_value=5, max_value=150), st.integers(min_value=1, max_value=720)
)
LOG_KINDS = st.sampled_from(KINDS + KINDS + (OBSERVATION, VISIT))

PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run and in CI
    database=None,
    # No shrinking: it can take minutes here, and each failure already notes every operation
    # run. To minimise a failing example locally, add Phase.shrink.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    # One database per test function; every example resets its world first (`reset_world`).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# ---- the recomputation: plain sums over the live rows ------------------------------------------


class Row(NamedTuple):
    """A live log entry."""

    id: int
    mentor: int
    mentee: int
    day: date
    minutes: int
    kind: str
    batch: str | None


class Assigned(NamedTuple):
    """An assignment row."""

    id: int
    mentor: int
    mentee: int
    started: date
    ended: date | None


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def program_year_first(day: date) -> date:
    """1 July of the program year (1 July – 30 June) holding the day."""
    return date(day.year if day.month >= 7 else day.year - 1, 7, 1)


def program_year_last(day: date) -> date:
    return date(program_year_first(day).year + 1, 6, 30)


def in_period(day: date, today: date, period: str) -> bool:
    """Whether a day lies in today's week (Monday–Sunday), month, program year, or ever."""
    if period == "week":
        return monday_of(day) == monday_of(today)
    if period == "month":
        return (day.year, day.month) == (today.year, today.month)
    if period == "year":
        return program_year_first(day) == program_year_first(today)
    return True  # since_start


def pair_time(rows: Iterable[Row]) -> int:
    """Pair time: every entry's minutes except `observed` visits."""
    return sum(r.minutes for r in rows if r.kind != VISIT)


def observations(rows: Iterable[Row]) -> int:
    return sum(1 for r in rows if r.kind == OBSERVATION)


def last_contact(rows: Iterable[Row]) -> date | None:
    return max((r.day for r in rows if r.kind != VISIT), default=None)


def mentor_time(rows: Iterable[Row], mentor: int, year_first: date) -> tuple[int, int]:
    """A mentor's minutes and sessions in a program year: each (batch, day) once, its longest
    entry; `observed` visits never count."""
    longest: dict[tuple[str, date], int] = {}
    for r in rows:
        if r.mentor != mentor or r.kind == VISIT or program_year_first(r.day) != year_first:
            continue
        key = (r.batch or f"entry-{r.id}", r.day)
        longest[key] = max(longest.get(key, 0), r.minutes)
    return sum(longest.values()), len(longest)


def pair_numbers(rows: list[Row], pair: tuple[int, int], today: date) -> dict[str, Any]:
    """What a pair's summary must say as of today."""
    own = [r for r in rows if (r.mentor, r.mentee) == pair]
    numbers: dict[str, Any] = {
        period: pair_time(r for r in own if in_period(r.day, today, period))
        for period in (*PERIODS, "since_start")
    }
    this_year = [r for r in own if in_period(r.day, today, "year")]
    numbers["observations"] = observations(this_year)
    numbers["visits"] = sum(1 for r in this_year if r.kind == VISIT)
    numbers["last_contact"] = last_contact(own)
    return numbers


def summary_numbers(summary: PairSummary) -> dict[str, Any]:
    """What a pair's summary says."""
    return {
        "week": summary.week.minutes,
        "month": summary.month.minutes,
        "year": summary.year.minutes,
        "since_start": summary.since_start.minutes,
        "observations": summary.year.observations,
        "visits": summary.year.visits,
        "last_contact": summary.last_contact,
    }


def active_during(a: Assigned, first: date, last: date) -> bool:
    """An assignment active on any day from first to last."""
    return a.started <= last and (a.ended is None or a.ended >= first)


def is_school_day(day: date) -> bool:
    return SCHOOL_START <= day <= SCHOOL_END and day.weekday() < 5 and day not in NON_SCHOOL_DAYS


def digest_day(monday: date) -> date | None:
    """The day the digest of a week goes out (the next week's first school day), if any."""
    if not any(is_school_day(monday + timedelta(days=i)) for i in range(7)):
        return None
    following = monday + timedelta(days=7)
    return next(
        (
            following + timedelta(days=i)
            for i in range(7)
            if is_school_day(following + timedelta(days=i))
        ),
        None,
    )


DURATION = re.compile(r"^(?:(?P<hours>\d+) h(?: (?P<rest>\d+))?|(?P<minutes>\d+) min)$")
SUMMARY = re.compile(
    r"^(?P<pairs>\d+) pairs? · (?P<met>\d+) met the (?P<target>.+?) target"
    r"(?: \(\d school days?\))? · "
    r"(?P<total>.+?) in all · (?P<observations>\d+) observations?$"
)
DIGEST_ROW = re.compile(
    r"^\*(?P<mentee>[^*]+)\* with (?P<mentor>.+?)(?: · ended [^\n]+)?\n"
    r"[▰▱]+ (?P<minutes>.+?) of (?P<target>.+?)(?: ✓)? · (?P<observations>\d+) observations? · "
    r"last contact (?P<last>.+)$"
)


def minutes_in(text: str) -> int:
    """Minutes from a duration as the views write it: "45 min", "2 h", "1 h 05"."""
    match = DURATION.match(text)
    assert match is not None, f"not a duration: {text!r}"
    if match["minutes"] is not None:
        return int(match["minutes"])
    return int(match["hours"]) * 60 + int(match["rest"] or 0)


def day_text(day: date | None, today: date | None = None) -> str:
    """A day as the views show it: with its year when that is not today's."""
    if day is None:
        return "none yet"
    shown = f"{day:%a} {day.day} {day:%b}"
    return shown if today is None or today.year == day.year else f"{shown} {day.year}"


# ---- the world ----------------------------------------------------------------------------------


class Member(NamedTuple):
    id: int
    name: str
    email: str
    school: str | None


@dataclass
class World:
    """The services, who is who, the clock, and what was logged (to pick Undo and Edit from)."""

    services: Services
    data: st.DataObject
    people: dict[str, Member]  # by Slack id
    today: date
    late: bool = False
    batches: dict[str, str] = field(default_factory=dict)  # batch → its author's Slack id
    entries: dict[int, tuple[str, date, str]] = field(default_factory=dict)  # author, day, kind
    changes: list[date] = field(default_factory=list)  # days assignments changed
    operations: int = 0

    @property
    def now(self) -> datetime:
        local = datetime.combine(self.today, time(23, 30) if self.late else time(10, 0), TZ)
        return local.astimezone(UTC)

    def draw(self, strategy: st.SearchStrategy[T], label: str | None = None) -> T:
        return self.data.draw(strategy, label=label)

    def draw_day(self, near: date | None = None) -> date:
        """A day the log accepts: mostly this week or last, sometimes months back."""
        if near is not None and self.draw(st.booleans()):
            day = near + timedelta(days=self.draw(st.integers(min_value=-3, max_value=3)))
        else:
            back = self.draw(
                st.sampled_from((0, 1, 2, 3, 5, 8, 12, -1, -1)).flatmap(
                    lambda back: st.integers(0, 150) if back < 0 else st.just(back)
                )
            )
            day = self.today - timedelta(days=back)
        return min(max(day, SCHOOL_START), self.today)

    def id_of(self, slack_id: str) -> int:
        return self.people[slack_id].id

    # ---- reading the store --------------------------------------------------------------------
    def live_rows(self) -> list[Row]:
        with self.services.store.read() as session:
            found = session.execute(
                select(
                    LogEntry.id,
                    LogEntry.mentor_id,
                    LogEntry.mentee_id,
                    LogEntry.occurred_on,
                    LogEntry.minutes,
                    LogEntry.kind,
                    LogEntry.batch_id,
                ).where(LogEntry.deleted_at.is_(None))
            )
            return [Row(*r) for r in found]

    def assignments(self) -> list[Assigned]:
        with self.services.store.read() as session:
            found = session.execute(
                select(
                    Assignment.id,
                    Assignment.mentor_id,
                    Assignment.mentee_id,
                    Assignment.started_on,
                    Assignment.ended_on,
                ).order_by(Assignment.started_on, Assignment.id)
            )
            return [Assigned(*r) for r in found]

    def stored_state(self) -> tuple[list[Any], list[Assigned]]:
        """Every log row (live or undone) and every assignment."""
        with self.services.store.read() as session:
            logs = session.execute(
                select(
                    LogEntry.id,
                    LogEntry.mentor_id,
                    LogEntry.mentee_id,
                    LogEntry.occurred_on,
                    LogEntry.minutes,
                    LogEntry.kind,
                    LogEntry.deleted_at,
                ).order_by(LogEntry.id)
            ).all()
        return [tuple(r) for r in logs], self.assignments()

    def current_mentees(self, mentor: str) -> list[str]:
        mentor_id = self.id_of(mentor)
        open_ = {a.mentee for a in self.assignments() if a.mentor == mentor_id and a.ended is None}
        return [m for m in MENTEES if self.id_of(m) in open_]

    # ---- operations ---------------------------------------------------------------------------
    def attempt(self, label: str, action: Callable[[], T]) -> T | None:
        """Run an operation; a refusal (or a question back) must store nothing."""
        note(f"{self.today} {'23:30' if self.late else '10:00'}: {label}")
        before = self.stored_state()
        try:
            result = action()
        except Refusal as refusal:
            note(f"  refused: {refusal.message}")
            assert self.stored_state() == before, f"{label}: refused, yet the store changed"
            event("an operation was refused")
            return None
        if isinstance(result, LogOutcome) and not result.ok:
            assert result.error is not None, f"{label}: nothing stored and no reason given"
            note(f"  asked back: {result.error.message}")
            assert self.stored_state() == before, f"{label}: not logged, yet the store changed"
            event("an operation was refused")
            return None
        self.operations += 1
        return result

    def check_echo(self, label: str, echoed: Iterable[LoggedEntry]) -> None:
        """The totals a reply shows are the pair's totals after the write, as of now."""
        rows = self.live_rows()
        today = self.now.astimezone(TZ).date()
        for entry in echoed:
            pair = (entry.mentor.id, entry.mentee.id)
            assert summary_numbers(entry.pair) == pair_numbers(rows, pair, today), (
                f"{label}: the echo for {entry.mentor.name}–{entry.mentee.name} disagrees "
                "with the log rows"
            )

    def logged(self, label: str, author: str, text: str, minutes: int) -> None:
        outcome = self.attempt(label, lambda: self.services.logs.log_text(author, text, self.now))
        if outcome is None:
            return
        assert outcome.batch_id is not None
        assert all(e.minutes == minutes for e in outcome.entries), label
        self.batches[outcome.batch_id] = author
        for entry in outcome.entries:
            self.entries[entry.id] = (author, entry.occurred_on, entry.kind)
        mentors = {e.mentor.id for e in outcome.entries}
        if len(outcome.entries) > 1:
            event("a batch of several mentees" + (" and mentors" if len(mentors) > 1 else ""))
        self.check_echo(label, outcome.entries)

    def log(self) -> None:
        """A mentor logs with their mentees (or others'), any kind, any recent day."""
        mentor = self.draw(st.sampled_from(MENTORS))
        own = self.current_mentees(mentor)
        pool = own if own and self.draw(st.integers(0, 4)) else list(MENTEES)
        if len(own) == 1 and self.draw(st.booleans()):
            named: list[str] = []  # the only mentee, implied
        else:
            named = self.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        minutes, kind, day = self.draw(MINUTES), self.draw(LOG_KINDS), self.draw_day()
        mentions = "".join(f" <@{m}>" for m in named)
        text = f"{duration(minutes)} {kind}{mentions} {day.isoformat()}"
        self.logged(f"{mentor}: /logmeeting {text}", mentor, text, minutes)

    def group(self) -> None:
        """The coordinator logs a session naming mentees of (possibly) several mentors."""
        named = self.draw(st.lists(st.sampled_from(MENTEES), min_size=1, max_size=3, unique=True))
        minutes, day = self.draw(MINUTES), self.draw_day()
        kind = self.draw(st.sampled_from(("group", "group", *KINDS)))
        text = f"{duration(minutes)} {kind} {' '.join(f'<@{m}>' for m in named)} {day.isoformat()}"
        self.logged(f"{COORDINATOR}: /logmeeting {text}", COORDINATOR, text, minutes)

    def visit(self) -> None:
        """A mentee logs a visit to watch a teacher (or, refused, anything else)."""
        mentee = self.draw(st.sampled_from(MENTEES))
        watched = self.draw(
            st.one_of(st.none(), st.sampled_from([p for p in EDUCATORS_OBSERVED if p != mentee]))
        )
        kind = self.draw(st.sampled_from((VISIT,) * 5 + ("meeting",)))
        minutes, day = self.draw(MINUTES), self.draw_day()
        text = f"{duration(minutes)} {kind}{f' <@{watched}>' if watched else ''} {day.isoformat()}"
        self.logged(f"{mentee}: /logmeeting {text}", mentee, text, minutes)

    def undo(self) -> None:
        if not self.batches:
            return
        batch = self.draw(st.sampled_from(list(self.batches)))  # in the order logged
        author = self.batches[batch]
        actor = self.draw(st.sampled_from((author,) * 4 + (COORDINATOR, "U0MAX", "U0BEA")))
        undone = self.attempt(
            f"{actor}: Undo batch {batch[:8]} (by {author})",
            lambda: self.services.logs.undo(actor, batch, self.now),
        )
        if undone is not None:
            event("Undo")
            self.check_echo("Undo", undone)

    def edit(self) -> None:
        if not self.entries:
            return
        entry_id = self.draw(st.sampled_from(list(self.entries)))  # in the order logged
        author, day, kind = self.entries[entry_id]
        actor = self.draw(st.sampled_from((author,) * 4 + (COORDINATOR, "U0MIA")))
        keep = kind == VISIT and self.draw(st.integers(0, 5)) > 0
        new_kind = VISIT if keep else self.draw(LOG_KINDS)
        minutes, new_day = self.draw(MINUTES), self.draw_day(near=day)
        label = (
            f"{actor}: Edit entry {entry_id} (by {author}) to {minutes} min {new_kind} {new_day}"
        )
        edited = self.attempt(
            label,
            lambda: self.services.logs.edit(
                actor,
                entry_id,
                self.now,
                duration_text=duration(minutes),
                kind=new_kind,
                on=new_day,
                notes=None,
            ),
        )
        if edited is not None:
            event("Edit")
            assert (edited.minutes, edited.kind, edited.occurred_on) == (minutes, new_kind, new_day)
            self.entries[entry_id] = (author, new_day, new_kind)
            self.check_echo(label, [edited])

    def reassign(self) -> None:
        """A coordinator (re)assigns a mentee from a day of this week; the old pair ends then."""
        mentee, mentor = self.draw(st.sampled_from(MENTEES)), self.draw(st.sampled_from(MENTORS))
        on = self.today - timedelta(days=self.draw(st.integers(min_value=0, max_value=6)))
        done = self.attempt(
            f"assign {mentor} → {mentee} from {on}",
            lambda: self.services.assignments.assign(
                None, self.people[mentor].email, self.people[mentee].email, on, self.now
            ),
        )
        if done is not None and not done.unchanged:
            self.changes.append(on)
            if done.ended:
                event("a reassignment")

    def unassign(self) -> None:
        mentee = self.draw(st.sampled_from(MENTEES))
        on = self.today - timedelta(days=self.draw(st.integers(min_value=0, max_value=6)))
        done = self.attempt(
            f"unassign {mentee} from {on}",
            lambda: self.services.assignments.unassign(
                None, self.people[mentee].email, "schedule change", on, self.now
            ),
        )
        if done is not None:
            self.changes.append(on)

    def advance(self) -> None:
        self.today += timedelta(days=self.draw(st.integers(min_value=1, max_value=4)))
        self.late = self.draw(st.booleans())


def duration(minutes: int) -> str:
    """A duration as a teacher types it: 45m, 2h, 1h05."""
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return f"{minutes}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


def reset_world(services: Services) -> None:
    """No log rows, no totals, the three starting assignments."""
    with services.store.write() as session:
        for model in (
            LogAudit,
            PairBucket,
            PairYear,
            MentorBucket,
            ScopeTotal,
            LogEntry,
            Assignment,
        ):
            session.execute(delete(model))
    for mentor, mentee, day in START_PAIRS:
        services.assignments.assign(None, mentor, mentee, day, NOW)


def load_people(services: Services) -> dict[str, Member]:
    with services.store.read() as session:
        found = session.execute(
            select(Person.slack_user_id, Person.id, Person.name, Person.email, Person.school)
        )
        return {
            slack: Member(pid, name, email, school) for slack, pid, name, email, school in found
        }


# ---- the surfaces -------------------------------------------------------------------------------


def check_hours(
    world: World, rows: list[Row], assignments: list[Assigned], now: datetime, shift: int
) -> None:
    """`/hours` for each role as of `now`: the scope's week, month and year (one report holds
    all three; the period asked for rotates over the viewers), its pairs and their totals."""
    today = now.astimezone(TZ).date()
    first, last = program_year_first(today), program_year_last(today)
    starts = {"week": monday_of(today), "month": today.replace(day=1), "year": first}
    school = {m.id: m.school for m in world.people.values()}
    for index, viewer in enumerate(HOURS_VIEWERS):
        me = world.id_of(viewer)

        def sees(mentor: int, mentee: int, viewer: str = viewer, me: int = me) -> bool:
            if viewer == COORDINATOR:
                return True
            if viewer == LEAD_MENTOR:
                return me in (mentor, mentee) or school[mentee] == LEAD_SCHOOL
            return me in (mentor, mentee)

        seen = [r for r in rows if sees(r.mentor, r.mentee)]
        expected_pairs = {
            (a.mentor, a.mentee)
            for a in assignments
            if active_during(a, first, last) and sees(a.mentor, a.mentee)
        }
        period = PERIODS[(index + shift) % len(PERIODS)]
        report = world.services.hours.report(viewer, now, period=period)
        where = f"/hours {period} for {viewer} on {today}"
        assert (report.period, report.period_start) == (period, starts[period]), where
        assert {p: report.total(p) for p in PERIODS} == {
            p: pair_time(r for r in seen if in_period(r.day, today, p)) for p in PERIODS
        }, where
        assert report.observations == observations(
            r for r in seen if in_period(r.day, today, "year")
        ), where
        assert report.pair_count == len(expected_pairs), where
        listed = {(p.mentor.id, p.mentee.id): p.totals for p in report.pairs}
        assert set(listed) == expected_pairs, where
        for pair, summary in listed.items():
            assert summary_numbers(summary) == pair_numbers(rows, pair, today), (
                f"{where}: pair {pair}"
            )


def check_digest(
    world: World, rows: list[Row], assignments: list[Assigned], monday: date, sent_on: date
) -> None:
    """The lead mentor's digest of one week, sent on `sent_on`: every pair active during the
    week, with its minutes and observations that week."""
    sunday = monday + timedelta(days=6)
    now = datetime.combine(sent_on, time(10, 0), TZ).astimezone(UTC)
    cohort = sorted(
        (m for slack, m in world.people.items() if slack in MENTEES and m.school == LEAD_SCHOOL),
        key=lambda m: m.name,
    )
    names = {m.id: m.name for m in world.people.values()}
    expected: list[tuple[str, str, int, int, str]] = []
    for mentee in cohort:
        mentors: list[int] = []
        for a in assignments:
            if (
                a.mentee == mentee.id
                and active_during(a, monday, sunday)
                and a.mentor not in mentors
            ):
                mentors.append(a.mentor)
        for mentor in mentors:
            own = [r for r in rows if (r.mentor, r.mentee) == (mentor, mentee.id)]
            week = [r for r in own if monday <= r.day <= sunday]
            expected.append(
                (
                    mentee.name,
                    names[mentor],
                    pair_time(week),
                    observations(week),
                    day_text(last_contact(own), sent_on),
                )
            )
    nudges = world.services.nudges.weekly_digest(now)
    assert nudges is not None, f"no digest on {sent_on}"
    notifications = claims.notifications(nudges)
    lead = world.people[LEAD_MENTOR]
    payloads = [n.payload for n in notifications if n.recipient == LEAD_MENTOR]
    assert payloads, f"no digest for {lead.name} on {sent_on}"
    texts = [text for payload in payloads for text in block_texts(payload)]
    title = f"{day_text(monday)} – {day_text(sunday)}"
    assert any(title in p["blocks"][0]["text"]["text"] for p in payloads), title
    shown = []
    for text in texts:
        match = DIGEST_ROW.match(text)
        if match:
            shown.append(
                (
                    match["mentee"],
                    match["mentor"],
                    minutes_in(match["minutes"]),
                    int(match["observations"]),
                    match["last"],
                )
            )
    where = f"digest of the week of {monday}"
    assert shown == expected, where
    summaries = [m for m in (SUMMARY.match(t) for t in texts) if m]
    assert len(summaries) == 1, f"{where}: {texts}"
    summary = summaries[0]
    target = minutes_in(summary["target"])
    program = world.services.programs.current()  # a short week owes its share of the target
    assert target == week_target(program.calendar, program.policy.weekly_target_minutes, monday)
    assert (
        int(summary["pairs"]),
        int(summary["met"]),
        minutes_in(summary["total"]),
        int(summary["observations"]),
    ) == (
        len(expected),
        sum(1 for row in expected if row[2] >= target),
        sum(row[2] for row in expected),
        sum(row[3] for row in expected),
    ), where
    if any(a.ended is not None and monday <= a.ended <= sunday for a in assignments):
        event("a digest week in which a pair ended")


def block_texts(payload: dict[str, Any]) -> list[str]:
    """The text of each section and context block of a message."""
    found = []
    for block in payload["blocks"]:
        if block["type"] == "section":
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found += [element["text"] for element in block["elements"]]
    return found


def check_report(world: World, rows: list[Row], now: datetime) -> None:
    """`report annual` (program year 2026-27): (b), (c), (d), (e)."""
    year_first = PROGRAM_YEARS["2026-27"]
    report = world.services.reports.annual(None, now)
    assert report.period == (year_first, date(2027, 6, 30))
    in_year = [r for r in rows if program_year_first(r.day) == year_first]
    served = {world.people[m] for m in MENTEES}  # all four are in their induction year
    expected = {
        m.name: (
            pair_time(r for r in in_year if r.mentee == m.id),
            observations(r for r in in_year if r.mentee == m.id),
        )
        for m in served
    }
    teachers = report.teachers
    assert {line.name: (line.minutes, line.observations) for line in teachers.served} == expected
    assert len(teachers.served) == len(expected), "an educator listed twice in (b)"
    assert teachers.beyond_induction == []
    assert teachers.observations == sum(o for _, o in expected.values()) == observations(in_year)
    assert teachers.minutes_together == sum(m for m, _ in expected.values()) == pair_time(in_year)
    assert {m.name: (m.minutes, m.time.sessions) for m in teachers.mentors} == {
        world.people[m].name: mentor_time(rows, world.id_of(m), year_first) for m in MENTORS
    }


def check_exports(world: World, rows: list[Row]) -> None:
    """`export logs --year`: each live row in its program year's export, pair time per pair."""
    emails = {m.id: m.email for m in world.people.values()}
    assert {program_year_first(r.day) for r in rows} <= set(PROGRAM_YEARS.values())
    for label, first in PROGRAM_YEARS.items():
        exported = world.services.log_export.rows(year=label, include_notes=False, as_email=None)
        in_year = [r for r in rows if program_year_first(r.day) == first]
        assert sorted(e.id for e in exported) == sorted(r.id for r in in_year), label
        sums: dict[tuple[str, str], int] = {}
        for e in exported:
            key = (e.mentor_email, e.mentee_email)
            sums[key] = sums.get(key, 0) + (e.minutes if e.kind != VISIT else 0)
        expected: dict[tuple[str, str], int] = {}
        for r in in_year:
            key = (emails[r.mentor], emails[r.mentee])
            expected[key] = expected.get(key, 0) + (r.minutes if r.kind != VISIT else 0)
        assert sums == expected, label
        if in_year and first == PROGRAM_YEARS["2027-28"]:
            event("entries in program year 2027-28")


def check_everything(world: World) -> None:
    rows, assignments = world.live_rows(), world.assignments()
    note(f"{len(rows)} live entries; assignments {assignments}")
    verification = world.services.ledger.verify()
    assert verification.differences == (), [str(d) for d in verification.differences]
    assert verification.entries == len(rows)
    probes = [world.now]
    if rows:
        day = world.draw(st.sampled_from(sorted({r.day for r in rows})), label="probe day")
        late = world.draw(st.booleans(), label="probe late")
        local = datetime.combine(day, time(23, 30) if late else time(10, 0), TZ)
        probes.append(local.astimezone(UTC))
    for shift, now in enumerate(probes):
        check_hours(world, rows, assignments, now, shift)
    weeks = sorted(
        {monday_of(r.day) for r in rows} | {monday_of(d) for d in world.changes},
        key=lambda w: (w not in {monday_of(d) for d in world.changes}, w),
    )
    sent = [(monday, day) for monday in weeks if (day := digest_day(monday)) is not None]
    for monday, sent_on in sent[:3]:
        check_digest(world, rows, assignments, monday, sent_on)
    check_report(world, rows, world.now)
    check_exports(world, rows)


# ---- the property -------------------------------------------------------------------------------


@pytest.mark.parametrize("first_day", FIRST_DAYS, ids=str)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_every_surface_counts_what_the_log_rows_say(
    services: Services, pairs: None, first_day: date, data: st.DataObject
) -> None:
    reset_world(services)
    world = World(services, data, load_people(services), first_day)
    steps = data.draw(st.integers(min_value=12, max_value=30), label="operations")
    for step in range(steps):
        if step == steps // 2:
            world.advance()  # every example moves on: the June one into program year 2027-28
        operation = getattr(world, data.draw(st.sampled_from(OPERATIONS)))
        operation()
    event(f"stored {world.operations // 5 * 5}+ operations")
    check_everything(world)
