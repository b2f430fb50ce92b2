"""What counts (bot/domain/ledger.py): periods, pair time, mentor time, visits — pure rules."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.ledger import (
    ZERO,
    Entry,
    MentorTime,
    ProgramYear,
    Rollups,
    Totals,
    beyond_induction_year,
    bucket_last,
    bucket_of,
    change,
    entry_totals,
    in_induction_year,
    induction_year_of,
    month_of,
    program_year_by_label,
    program_year_of,
    recompute,
    sessions,
    total,
    week_of,
)

SCHOOL_START = date(2026, 8, 31)


# ---- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start_month", "first", "last", "label"),
    [
        (date(2026, 6, 30), 7, date(2025, 7, 1), date(2026, 6, 30), "2025-26"),
        (date(2026, 7, 1), 7, date(2026, 7, 1), date(2027, 6, 30), "2026-27"),
        (date(2027, 6, 25), 7, date(2026, 7, 1), date(2027, 6, 30), "2026-27"),  # after the school year's last day
        (date(2026, 8, 15), 7, date(2026, 7, 1), date(2027, 6, 30), "2026-27"),  # summer before it
        (date(2026, 3, 3), 1, date(2026, 1, 1), date(2026, 12, 31), "2026"),
        (date(2028, 2, 29), 9, date(2027, 9, 1), date(2028, 8, 31), "2027-28"),
    ],
)  # fmt: skip
def test_every_day_belongs_to_one_program_year(day: date, start_month: int, first: date, last: date, label: str) -> None:  # fmt: skip
    year = program_year_of(day, start_month)
    assert (year.first, year.last, year.label) == (first, last, label)
    assert year.contains(day)
    assert program_year_by_label(label, start_month) == year


@pytest.mark.parametrize("label", ["2026-28", "26-27", "abcd", "2026-2", "", "2026-27-28"])
def test_a_label_that_names_no_program_year_is_refused(label: str) -> None:
    with pytest.raises(ValueError, match="is not a program year"):
        program_year_by_label(label)


def test_program_years_follow_each_other_without_a_gap() -> None:
    year = program_year_of(date(2026, 7, 1))
    following = year.following()
    assert following.first == year.last + timedelta(days=1)
    assert following.label == "2027-28"


@pytest.mark.parametrize(
    ("day", "bucket", "last"),
    [
        (date(2026, 11, 18), date(2026, 11, 16), date(2026, 11, 22)),  # a whole week in November
        (date(2026, 12, 2), date(2026, 12, 1), date(2026, 12, 6)),  # Mon 30 Nov – Sun 6 Dec splits at 1 Dec
        (date(2026, 11, 30), date(2026, 11, 30), date(2026, 11, 30)),  # the November part: one day
        (date(2027, 7, 1), date(2027, 7, 1), date(2027, 7, 4)),  # a program year begins mid-week
        (date(2027, 6, 29), date(2027, 6, 28), date(2027, 6, 30)),  # …and the old one ends
    ],
)  # fmt: skip
def test_buckets_split_weeks_at_month_ends(day: date, bucket: date, last: date) -> None:
    assert bucket_of(day) == bucket
    assert bucket_last(bucket) == last


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 12))
@settings(max_examples=300)
def test_a_bucket_lies_in_one_week_one_month_and_one_program_year(day: date, start_month: int) -> None:  # fmt: skip
    start, last = bucket_of(day), bucket_last(bucket_of(day))
    assert start <= day <= last
    assert week_of(start) == week_of(last) == week_of(day)
    assert month_of(start) == month_of(last) == month_of(day)
    assert program_year_of(start, start_month) == program_year_of(last, start_month)


# ---- what one entry counts --------------------------------------------------------------------


def entry(
    entry_id: int,
    minutes: int,
    kind: str = "meeting",
    *,
    mentor: int = 1,
    mentee: int = 10,
    day: date = date(2026, 11, 18),
    batch: str | None = None,
) -> Entry:
    return Entry(entry_id, mentor, mentee, day, minutes, kind, batch or f"b{entry_id}")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("meeting", Totals(minutes=45, contacts=1, last_contact=date(2026, 11, 18))),
        ("observation", Totals(minutes=45, observations=1, contacts=1, last_contact=date(2026, 11, 18))),
        ("observed", Totals(visits=1, visit_minutes=45)),  # the mentee's own visit: never pair time
        ("group", Totals(minutes=45, contacts=1, last_contact=date(2026, 11, 18))),
    ],
)  # fmt: skip
def test_what_an_entry_adds_to_its_pair(kind: str, expected: Totals) -> None:
    assert entry_totals(entry(1, 45, kind)) == expected


def test_totals_add_up_and_keep_the_latest_contact() -> None:
    a = Totals(30, 1, 0, 0, 1, date(2026, 11, 2))
    b = Totals(15, 0, 1, 20, 1, date(2026, 11, 9))
    assert a + b == Totals(45, 1, 1, 20, 2, date(2026, 11, 9))
    assert total([a, b, ZERO]) == a + b
    assert total([]) == ZERO
    assert Totals(minutes=100).hours == 1.67


def test_a_group_session_is_one_session_of_mentor_time() -> None:
    group = [entry(1, 60, "group", mentee=10, batch="g"), entry(2, 60, "group", mentee=11, batch="g")]  # fmt: skip
    assert sessions(group) == {(1, "g", date(2026, 11, 18)): 60}
    rollups = recompute(group)
    assert rollups.mentor_buckets == {(1, date(2026, 11, 16)): MentorTime(60, 1)}
    assert sum(t.minutes for t in rollups.pair_buckets.values()) == 120  # each pair its full hour


def test_mentor_time_counts_a_batch_once_per_mentor_and_day() -> None:
    entries = [
        entry(1, 60, mentor=1, mentee=10, batch="g"),
        entry(2, 45, mentor=1, mentee=11, batch="g"),  # edited shorter: the longest counts
        entry(3, 60, mentor=2, mentee=12, batch="g"),  # another mentor named in the same batch
        entry(
            4, 30, mentor=1, mentee=10, batch="g", day=date(2026, 11, 19)
        ),  # moved to another day
        entry(5, 30, "observed", mentor=1, mentee=10, batch="v"),  # a visit: no mentor time
    ]
    assert sessions(entries) == {
        (1, "g", date(2026, 11, 18)): 60,
        (2, "g", date(2026, 11, 18)): 60,
        (1, "g", date(2026, 11, 19)): 30,
    }


# ---- deltas -------------------------------------------------------------------------------------


def apply(rollups: Rollups, delta_source: tuple[list[Entry], list[Entry]]) -> Rollups:
    """Rollups after a change, by the deltas alone (latest contacts left aside)."""
    delta = change(*delta_source)
    result = Rollups(
        dict(rollups.pair_buckets), dict(rollups.pair_years), dict(rollups.mentor_buckets)
    )
    for key, value in delta.pair_buckets.items():
        result.pair_buckets[key] = result.pair_buckets.get(key, ZERO) + value
    for key, value in delta.pair_years.items():
        result.pair_years[key] = result.pair_years.get(key, ZERO) + value
    for key, value in delta.mentor_buckets.items():
        result.mentor_buckets[key] = result.mentor_buckets.get(key, MentorTime()) + value
    return result


def counts(rollups: Rollups) -> tuple[Counter[object], ...]:
    """Rollups without the latest-contact days (a removal recomputes those from the rows)."""

    def strip(table: dict[object, Totals]) -> Counter[object]:
        return Counter(
            {
                (key, field): value
                for key, t in table.items()
                for field, value in (
                    ("m", t.minutes),
                    ("o", t.observations),
                    ("v", t.visits),
                    ("vm", t.visit_minutes),
                    ("c", t.contacts),
                )
                if value
            }
        )

    mentor = Counter(
        {(k, f): v for k, t in rollups.mentor_buckets.items() for f, v in (("m", t.minutes), ("s", t.sessions)) if v}
    )  # fmt: skip
    return strip(dict(rollups.pair_buckets)), strip(dict(rollups.pair_years)), mentor


KINDS = ("meeting", "observation", "observed", "group", "planning")
entries_strategy = st.lists(
    st.tuples(
        st.integers(1, 3),  # mentor
        st.integers(10, 13),  # mentee
        st.dates(min_value=date(2026, 6, 20), max_value=date(2026, 7, 10)),  # across a year's end
        st.integers(1, 720),
        st.sampled_from(KINDS),
        st.integers(0, 4),  # batch
    ),
    max_size=12,
)


def as_entries(rows: list[tuple[int, int, date, int, str, int]], first_id: int, prefix: str) -> list[Entry]:  # fmt: skip
    return [
        Entry(first_id + i, mentor, mentee, day, minutes, kind, f"{prefix}{batch}")
        for i, (mentor, mentee, day, minutes, kind, batch) in enumerate(rows)
    ]


@given(entries_strategy, entries_strategy, entries_strategy)
@settings(max_examples=200)
def test_applying_a_change_equals_counting_again(base_rows: list, before_rows: list, after_rows: list) -> None:  # type: ignore[type-arg]  # fmt: skip
    """Whatever a write does to the batches it touches, the deltas take the rollups from what
    the log held before to what it holds after."""
    base = as_entries(base_rows, 1, "base")
    before = as_entries(before_rows, 1000, "touched")
    after = [*before[: len(before) // 2], *as_entries(after_rows, 2000, "touched")]
    old = recompute([*base, *before])
    new = recompute([*base, *after])
    assert counts(apply(old, (before, after))) == counts(new)


def test_an_undo_marks_the_buckets_whose_latest_contact_must_be_recounted() -> None:
    kept, undone = entry(1, 30, day=date(2026, 11, 16)), entry(2, 45, day=date(2026, 11, 18))
    delta = change([undone], [])
    assert delta.recheck_last == {(1, 10, date(2026, 11, 16))}
    assert delta.pair_buckets[(1, 10, date(2026, 11, 16))].minutes == -45
    assert change([kept], [kept]).empty


# ---- the induction year --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hire_date", "induction"),
    [
        (None, True),
        (date(2026, 8, 24), True),  # hired for this school year
        (date(2026, 7, 2), True),  # 60 days before it
        (date(2026, 7, 1), True),  # the first day of the program year 2026-27
        (date(2026, 6, 30), False),  # the last day of 2025-26: last year was the induction year
        (date(2025, 8, 20), False),
        (date(2027, 1, 10), True),  # hired mid-year
    ],
)  # fmt: skip
def test_the_induction_year(hire_date: date | None, induction: bool) -> None:
    assert in_induction_year(hire_date, SCHOOL_START) is induction


@pytest.mark.parametrize(
    ("hire_date", "school_start", "induction"),
    [
        (date(2026, 6, 30), date(2026, 8, 31), "2025-26"),  # 62 days before the school year
        (date(2026, 7, 1), date(2026, 8, 31), "2026-27"),  # 1 July: the program year's first day
        (date(2026, 7, 1), date(2026, 9, 14), "2026-27"),  # a late school year: still this one
        (date(2026, 6, 20), date(2026, 8, 15), "2026-27"),  # 56 days before it: the grace
        (date(2026, 6, 10), date(2026, 8, 15), "2025-26"),  # 66 days before it
        (date(2027, 6, 30), date(2026, 8, 31), "2026-27"),
        (date(2027, 7, 1), date(2026, 8, 31), "2027-28"),
    ],
)  # fmt: skip
def test_the_induction_year_never_falls_before_the_hire_dates_program_year(hire_date: date, school_start: date, induction: str) -> None:  # fmt: skip
    found = induction_year_of(hire_date, school_start)
    assert found is not None and found.label == induction
    assert program_year_of(hire_date).first <= found.first


@pytest.mark.parametrize(
    ("hire_date", "year_first", "beyond"),
    [
        (date(2025, 8, 20), date(2025, 7, 1), False),  # the induction year itself
        (date(2025, 8, 20), date(2026, 7, 1), True),  # year 2
        (date(2025, 8, 20), date(2027, 7, 1), True),  # year 3
        (date(2026, 8, 24), date(2026, 7, 1), False),
        (date(2026, 8, 24), date(2025, 7, 1), False),  # before they were hired
        (None, date(2026, 7, 1), False),
    ],
)  # fmt: skip
def test_years_beyond_the_induction_year(hire_date: date | None, year_first: date, beyond: bool) -> None:  # fmt: skip
    year = ProgramYear(year_first, date(year_first.year + 1, 6, 30))
    assert beyond_induction_year(year, hire_date, SCHOOL_START) is beyond


@given(entries_strategy)
@settings(max_examples=200)
def test_the_fast_recount_follows_the_rules_entry_by_entry(rows: list) -> None:  # type: ignore[type-arg]
    """`recompute` runs in one pass for speed; it must say what `entry_totals` and `sessions`
    say, entry by entry."""
    entries = as_entries(rows, 1, "b")
    pair_buckets: dict[object, Totals] = {}
    pair_years: dict[object, Totals] = {}
    for e in entries:
        bucket = (e.mentor_id, e.mentee_id, bucket_of(e.day))
        year = (e.mentor_id, e.mentee_id, program_year_of(e.day).first)
        pair_buckets[bucket] = pair_buckets.get(bucket, ZERO) + entry_totals(e)
        pair_years[year] = pair_years.get(year, ZERO) + entry_totals(e)
    mentor_buckets: dict[object, MentorTime] = {}
    for (mentor, _, day), minutes in sessions(entries).items():
        key = (mentor, bucket_of(day))
        mentor_buckets[key] = mentor_buckets.get(key, MentorTime()) + MentorTime(minutes, 1)
    fast = recompute(entries)
    assert (fast.pair_buckets, fast.pair_years, fast.mentor_buckets) == (pair_buckets, pair_years, mentor_buckets)  # fmt: skip
