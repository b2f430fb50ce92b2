"""Standards coverage: the pure rule (bot/domain/standards.py) with dates worked out by hand around
holidays and vacations, and its read (bot/services/standards.py) on SQLite and PostgreSQL —
visits and Undo'd entries left out, blocks valid Block Kit, no notes anywhere.

The calendar is the contract's (2026-08-31..2027-06-18; Sep 7, Oct 12, Nov 11 off) with
Thanksgiving (Wed 25 – Fri 27 Nov) and a winter break (Mon 21 Dec – Fri 1 Jan) that empties
two whole weeks. A school week is a Monday–Sunday week with a school day; a standard is quiet
after 6 of them, counted from the week after its last entry (or the pair's start) and only
once a week is over."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.bootstrap import Services
from bot.domain.calendar import SchoolCalendar
from bot.domain.members import Member
from bot.domain.policy import CA_PRESET, MA_PRESET, Standard
from bot.domain.standards import (
    QUIET_SCHOOL_WEEKS,
    TaggedEntry,
    coverage,
    entries_per_standard,
    split_tags,
)
from bot.services.programs import ProgramInfo
from bot.slack.standards_views import coverage_blocks, coverage_line, digest_flag
from tests.support.blockkit import valid_blocks
from tests.support.scheduler import SECRET, at

HOLIDAYS = {date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11)}
THANKSGIVING = {date(2026, 11, d) for d in (25, 26, 27)}
WINTER = {date(2026, 12, d) for d in range(21, 32)} | {date(2027, 1, 1)}
CALENDAR = SchoolCalendar(date(2026, 8, 31), date(2027, 6, 18), frozenset(HOLIDAYS | THANKSGIVING | WINTER))  # fmt: skip
MA = MA_PRESET.vocabulary
LEE = Member(1, "lee@x", "Lee Lead", "Lincoln", None, None, None, None, None, "U0LEE", True, frozenset({"mentor"}))  # fmt: skip
BEA = Member(2, "bea@x", "Bea <!channel> & Co", "Lincoln", None, None, "beginning_teacher", None, None, "U0BEA", True, frozenset({"mentee"}))  # fmt: skip


def D(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


# (since, today, school weeks over): weeks without school (winter break) don't count, a week
# with a holiday or Thanksgiving does, the week of `since` never does, a week counts once over
@pytest.mark.parametrize(
    ("since", "today", "weeks"),
    [
        (D(10, 7), D(11, 22), 5),  # Oct 12 … Nov 9 weeks; Nov 16's ends today, not over
        (D(10, 7), D(11, 23), 6),  # Oct 12 (Columbus Day), 19, 26, Nov 2, 9, 16
        (D(10, 5), D(11, 23), 6),  # a Monday: its own week is not counted either
        (D(10, 11), D(11, 23), 6),  # a Sunday: the same week
        (D(10, 12), D(11, 23), 5),  # the next week's Monday: one fewer
        (D(11, 25), D(12, 21), 3),  # Nov 30, Dec 7, Dec 14
        (D(11, 25), D(1, 4, 2027), 3),  # the two break weeks add nothing
        (D(11, 25), D(1, 11, 2027), 4),  # Jan 4
        (D(11, 25), D(1, 25, 2027), 6),  # Jan 11, Jan 18
        (D(8, 20), D(9, 14), 2),  # before the year: Aug 31 and Sep 7 (Labor Day) weeks
        (D(11, 18), D(11, 18), 0),
    ],
)  # fmt: skip
def test_school_weeks_between(since: date, today: date, weeks: int) -> None:
    assert CALENDAR.school_weeks_between(since, today) == weeks


def test_split_tags_reads_the_stored_column() -> None:
    assert split_tags("I,III") == ("I", "III")
    assert split_tags(" II , II,") == ("II",)
    assert split_tags(None) == split_tags("") == ()


ENTRIES = [
    TaggedEntry(D(10, 7), "meeting", ("I",)),
    TaggedEntry(D(10, 20), "observation", ("I", "II")),
    TaggedEntry(D(11, 3), "observed", ("III",)),  # the mentee's visit: not pair time
    TaggedEntry(D(11, 10), "meeting", ()),
    TaggedEntry(D(11, 12), "planning", ("CSTP1",)),  # not this program's: not counted
]


def test_coverage_counts_last_days_and_quiet_weeks_by_hand() -> None:
    result = coverage(LEE, BEA, D(8, 31), None, MA, ENTRIES, CALENDAR, D(11, 23))
    rows = {
        row.code: (row.entries, row.last, row.quiet_weeks, row.quiet) for row in result.standards
    }
    assert rows == {
        "I": (2, D(10, 20), 4, False),  # weeks of Oct 26, Nov 2, 9, 16
        "II": (1, D(10, 20), 4, False),
        "III": (0, None, 11, True),  # the visit doesn't count: from the pair's start (Aug 31)
        "IV": (0, None, 11, True),
    }  # fmt: skip
    assert [r.code for r in result.none_yet] == ["III", "IV"]
    assert [r.code for r in result.quiet] == ["III", "IV"]
    assert coverage_line(result) == (
        "I ✓ 2 (last 20 Oct) · II ✓ 1 (last 20 Oct) · III — none yet · IV — none yet"
    )


@pytest.mark.parametrize(
    ("last", "today", "quiet"),
    [
        (D(11, 25), D(1, 18, 2027), False),  # Thanksgiving week entry; 5 school weeks by Jan 18
        (D(11, 25), D(1, 25, 2027), True),  # the 6th is the week of Jan 18 (the break skipped)
        (D(10, 7), D(11, 22), False),
        (D(10, 7), D(11, 23), True),
    ],
)
def test_the_six_week_flag_around_vacations(last: date, today: date, quiet: bool) -> None:
    entries = [TaggedEntry(last, "meeting", ("II",))]
    result = coverage(LEE, BEA, D(8, 31), None, MA, entries, CALENDAR, today)
    (second,) = [row for row in result.standards if row.code == "II"]
    assert second.quiet is quiet
    assert (second in result.quiet) is quiet


def test_a_new_pair_has_six_school_weeks_before_any_flag() -> None:
    # begun Mon 19 Oct: Oct 26, Nov 2, 9, 16, 23 (Thanksgiving week still has school), Nov 30
    assert not coverage(LEE, BEA, D(10, 19), None, MA, [], CALENDAR, D(11, 30)).quiet
    assert len(coverage(LEE, BEA, D(10, 19), None, MA, [], CALENDAR, D(12, 7)).quiet) == 4


def test_an_ended_pair_is_never_flagged_and_stops_counting_at_its_end() -> None:
    result = coverage(LEE, BEA, D(8, 31), D(10, 30), MA, ENTRIES, CALENDAR, D(11, 23))
    assert result.quiet == ()
    assert {row.code: row.quiet_weeks for row in result.standards}["I"] == 0  # Oct 26 not over


def test_counts_follow_the_vocabulary_ma_ca_and_a_programs_own() -> None:
    assert entries_per_standard(MA, ENTRIES) == {"I": 2, "II": 1, "III": 0, "IV": 0}
    assert entries_per_standard(CA_PRESET.vocabulary, ENTRIES) == {f"CSTP{n}": int(n == 1) for n in range(1, 7)}  # fmt: skip
    own = (Standard("PLAN", "Planning"), Standard("I", "Inquiry"))
    assert entries_per_standard(own, ENTRIES) == {"PLAN": 0, "I": 2}


def test_the_blocks_are_valid_and_escape_what_people_typed() -> None:
    result = coverage(LEE, BEA, D(8, 31), None, MA, ENTRIES, CALENDAR, D(11, 23))
    blocks = valid_blocks(coverage_blocks(result))
    section, flag = blocks
    assert section["text"]["text"] == (
        "*Standards* · Bea &lt;!channel&gt; &amp; Co with Lee Lead\n"
        "I ✓ 2 (last 20 Oct) · II ✓ 1 (last 20 Oct) · III — none yet · IV — none yet"
    )
    assert flag["elements"][0]["text"] == (
        ":hourglass: Nothing on III Family &amp; Community Engagement, IV Professional Culture "
        f"in {QUIET_SCHOOL_WEEKS}+ school weeks."
    )
    assert coverage_blocks(coverage(LEE, BEA, D(8, 31), None, (), ENTRIES, CALENDAR, D(11, 23))) == []  # fmt: skip


def test_the_digest_flag_is_one_line_per_ongoing_pair_with_a_quiet_standard() -> None:
    quiet = coverage(LEE, BEA, D(8, 31), None, MA, ENTRIES, CALENDAR, D(11, 23))
    fine = coverage(LEE, BEA, D(11, 2), None, MA, ENTRIES, CALENDAR, D(11, 23))
    assert digest_flag([fine]) == ""
    assert digest_flag([quiet, fine]) == (
        f":books: No entry on a standard in {QUIET_SCHOOL_WEEKS}+ school weeks:\n"
        "• Bea <!channel> & Co with Lee Lead: III, IV (none yet)"
    )  # escaped where it becomes Block Kit (bot/slack/blocks.py), not here


# ---- the read, on both databases -------------------------------------------------------------


def log(services: Services, user: str, text: str, day: str, notes: str | None = None) -> str:
    outcome = services.logs.log_text(user, text, at(day, 16), notes=notes)
    assert outcome.ok, outcome.error
    assert outcome.batch_id is not None
    return outcome.batch_id


def test_own_pairs_read_live_pair_time_entries_only(
    services: Services, program: ProgramInfo, pairs: None
) -> None:
    log(services, "U0LEE", "45m #I #ii", "2026-10-07", notes=SECRET)
    log(services, "U0LEE", "30m observation std:ii,iv", "2026-11-02", notes=SECRET)
    undone = log(services, "U0LEE", "20m #III", "2026-11-03", notes=SECRET)
    services.logs.undo("U0LEE", undone, at("2026-11-03", 17))
    log(services, "U0MIA", "20m #III", "2026-11-04")  # another pair
    now = at("2026-11-23", 9)

    (lee_bea,) = services.standards.own_pairs("U0LEE", now)
    assert (lee_bea.mentor.name, lee_bea.mentee.name, lee_bea.started_on) == ("Lee Lead", "Bea Beginner", D(8, 26))  # fmt: skip
    assert coverage_line(lee_bea) == (
        "I ✓ 1 (last 7 Oct) · II ✓ 2 (last 2 Nov) · III — none yet · IV ✓ 1 (last 2 Nov)"
    )
    # I: the weeks of Oct 12 … Nov 16; III: from the start (Aug 26): Aug 31 … Nov 16, Undo ignored
    assert [(row.code, row.quiet_weeks) for row in lee_bea.quiet] == [("I", 6), ("III", 12)]
    # the mentee sees her own pair, the same figures; an evaluator is in no pair
    (bea_own,) = services.standards.own_pairs("U0BEA", now)
    assert bea_own == lee_bea
    assert services.standards.own_pairs("U0PAT", now) == []
    blocks = valid_blocks(coverage_blocks(lee_bea))
    assert SECRET not in json.dumps(blocks)
