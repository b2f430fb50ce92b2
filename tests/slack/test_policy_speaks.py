"""Each policy speaks for itself (issue 19): a policy without a weekly target shows its own
pace, never "0 min of 0 min ✓" nor "met the 0 min target"; each preset's assign warning states
its own mentor rule with its source; a bare `#number` among /logmeeting's leading parts is asked
about (what was understood, a correct example, nothing stored), while notes keep their `#1`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.domain.calendar import SchoolCalendar
from bot.domain.grammar import LogContext, MenteeOption, ParseError, parse_log
from bot.domain.ledger import ProgramYear
from bot.domain.pacing import paced_period, paced_share
from bot.domain.policy import PRESETS, parse_program_toml
from bot.email import views as email_views
from bot.slack import log_views, views
from bot.slack.nudge_views import monthly_summary, weekly_digest
from bot.store.models.core import LogEntry
from handlers.home import home_payload
from tests.support.blockkit import valid_view
from tests.support.bolt_requests import all_text
from tests.support.hillside import NIA, PROGRAM_TOML

NOV_16 = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
NOV_18 = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


def load(services: Services, preset: str) -> None:
    services.programs.load(
        parse_program_toml(PROGRAM_TOML.replace('policy = "ma"', f'policy = "{preset}"'))
    )


@pytest.fixture
def texas(services: Services, pairs: None, clock: FixedClock) -> Services:
    """The test district under the Texas preset (12 h a semester, no weekly target)."""
    load(services, "tx")
    clock.set(NOV_16)
    assert services.logs.log_text("U0LEE", "90m meeting", clock.now()).ok
    clock.set(NOV_18)
    return services


# ---- the pace a policy sets, never a 0-minute target ---------------------------------------


def test_without_a_weekly_target_hours_and_home_show_the_semester_pace(texas: Services) -> None:
    report = texas.hours.report("U0LEE", texas.clock.now())
    assert report.weekly_target is None
    hours = all_text(views.hours_report(report))
    home = json.dumps(home_payload(texas, "U0LEE"))
    for text in (hours, home):
        assert "of 0 min" not in text and "0 min target" not in text
        assert "this semester" in text
    assert "minimum 12 h this semester" in hours
    assert "Minimum 12 h this semester" in home
    valid_view(home_payload(texas, "U0LEE"))


def test_without_a_weekly_target_the_digest_counts_pairs_on_track_for_the_semester(
    texas: Services,
) -> None:
    nudges = texas.nudges.weekly_digest(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    [digest] = [n.content for n in nudges if n.recipient == "U0LEE"]
    assert digest.weekly_target is None  # type: ignore[union-attr]
    text = " ".join(all_text(m) for m in weekly_digest(digest))  # type: ignore[arg-type]
    assert "met the 0 min target" not in text and "of 0 min" not in text
    on_track = sum(1 for p in digest.pairs if p.pace is not None and p.pace.on_track)  # type: ignore[union-attr]
    assert f"{on_track} on track for this semester (12 h minimum)" in text
    # by email, the same words from the same record
    emailed = email_views.plain_text(email_views.weekly_digest(digest, "Hillside"))  # type: ignore[arg-type]
    assert f"{on_track} on track for this semester (12 h minimum)" in emailed
    assert "0 min target" not in emailed and "of 0 min" not in emailed


def test_the_log_echo_under_a_policy_without_a_weekly_target_names_no_target(
    texas: Services,
) -> None:
    outcome = texas.logs.log_text("U0LEE", "20m meeting", texas.clock.now())
    assert outcome.ok and outcome.weekly_target is None
    text = all_text(log_views.logged(outcome))
    assert "this week 1 h 50, this year 1 h 50" in text and "target" not in text


def test_a_weekly_policy_still_shows_its_target(services: Services, pairs: None) -> None:
    services.programs.load(parse_program_toml(PROGRAM_TOML))
    report = services.hours.report("U0LEE", NOV_18)
    assert report.weekly_target == 60
    assert "weekly target 1 h" in all_text(views.hours_report(report))


# ---- each preset's own mentor rule ---------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "says"),
    [
        ("ma", "3+ full years under an Initial or Professional licence (603 CMR 7.12)"),
        ("tx", "3 complete years of teaching experience (TEC §21.458"),
        ("il", "105 ILCS 5/21A-20"),
        ("ca", "CTC Teacher Induction Program Standards"),
        ("ny", "8 NYCRR §100.2(dd)"),
        ("ok", "70 O.S. §6-195"),
    ],
)
def test_each_preset_warns_with_its_own_mentor_rule(
    services: Services, roster: dict[str, int], preset: str, says: str
) -> None:
    load(services, preset)
    result = services.assignments.assign(None, "mia@hillside.example", NIA, None, NOV_18)
    assert result.caution is not None and result.caution.rule == PRESETS[preset].mentor_rule
    text = all_text(views.assignment_result(result))
    assert says in text
    if preset != "ma":
        assert "Initial/Professional" not in text and "Initial or Professional" not in text


def test_texas_flags_a_short_career_but_never_the_licence(
    services: Services, roster: dict[str, int]
) -> None:
    load(services, "tx")
    rows = (
        "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id\n"
        "rae@hillside.example,Rae Recent,mentor,Lincoln,Math,4,,Provisional,2025-08-25,U0RAE\n"
    )
    assert services.roster.import_csv(rows).ok
    result = services.assignments.assign(None, "rae@hillside.example", NIA, None, NOV_18)
    assert result.caution is not None
    assert (result.caution.licence, result.caution.years) == (None, 1)
    assert "(under 3; check experience elsewhere)" in all_text(views.assignment_result(result))


# ---- a `#` tag that is neither a standard nor plain notes is asked about ------------------


def il_context() -> LogContext:
    return LogContext(
        NOV_18,
        ZoneInfo("America/New_York"),
        date(2026, 8, 31),
        (MenteeOption(1, "Bea Beginner", "U0BEA"),),
        PRESETS["il"].vocabulary,
    )


@pytest.mark.parametrize(
    ("text", "says", "example"),
    [
        ("20m meeting #10", 'I read "#10" as a standard', "#IPTS1"),
        ("45m #3 meeting", "Did you mean #IPTS3?", "#IPTS3"),
        ("#4 30m observation", "Did you mean #IPTS4?", "#IPTS4"),
        ("20m meeting #V", "\"V\" isn't one of this program's standards", "#IPTS1"),
    ],
)
def test_a_tag_outside_the_standards_is_asked_about(text: str, says: str, example: str) -> None:
    found = parse_log(text, il_context())
    assert isinstance(found, ParseError) and found.code == "unknown_standard"
    assert (
        says in found.message and "IPTS3 (Planning for Differentiated Instruction)" in found.message
    )
    assert example in found.example
    assert found.understood.get("duration")
    assert not isinstance(
        parse_log(found.example.removeprefix("/logmeeting "), il_context()), ParseError
    )


@pytest.mark.parametrize(
    ("text", "notes", "standards"),
    [
        ("45m meeting talked about #1 priority", "talked about #1 priority", ()),
        ("45m unit #3", "unit #3", ()),
        ("45m meeting #goals for spring", "#goals for spring", ()),
        ("45m #ipts3 meeting", None, ("IPTS3",)),
    ],
)
def test_notes_keep_their_hash_and_real_tags_are_read(
    text: str, notes: str | None, standards: tuple[str, ...]
) -> None:
    found = parse_log(text, il_context())
    assert not isinstance(found, ParseError), found
    assert (found.notes, found.standards) == (notes, standards)


def test_an_asked_tag_stores_nothing(services: Services, pairs: None) -> None:
    load(services, "il")
    outcome = services.logs.log_text("U0LEE", "20m meeting #10", NOV_18)
    assert not outcome.ok and outcome.error is not None
    with services.store.read() as session:
        assert session.scalar(select(func.count()).select_from(LogEntry)) == 0


def test_a_paced_minimums_share_of_a_span_is_its_school_days_share() -> None:
    calendar = SchoolCalendar(date(2026, 8, 31), date(2027, 6, 18), frozenset())
    year = ProgramYear(date(2026, 7, 1), date(2027, 6, 30))
    fall = paced_period("semester", calendar, year, date(2026, 10, 1))
    fall_days = calendar.school_days_in(fall.school_first, fall.school_last)
    october = calendar.school_days_in(date(2026, 10, 1), date(2026, 10, 31))
    assert paced_share(720, "semester", calendar, year, date(2026, 10, 1), date(2026, 10, 31)) == (
        -(-720 * october // fall_days)
    )
    # the whole semester owes the whole minimum; a span across the split owes a share of each
    assert paced_share(720, "semester", calendar, year, fall.first, fall.last) == 720
    assert paced_share(720, "semester", calendar, year, date(2026, 7, 1), date(2027, 6, 30)) == 1440
    assert paced_share(720, "semester", calendar, year, date(2026, 10, 31), date(2026, 10, 1)) == 0


def test_without_a_weekly_target_the_monthly_summary_uses_the_policys_pace(
    texas: Services, clock: FixedClock
) -> None:
    nudges = texas.nudges.monthly_summary(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))
    [summary] = [n.content for n in nudges or []]
    assert summary.measure == "12 h minimum per semester"  # type: ignore[union-attr]
    assert summary.target > 0  # type: ignore[union-attr]
    text = " ".join(all_text(m) for m in monthly_summary(summary))  # type: ignore[arg-type]
    assert "below their share of the 12 h minimum per semester" in text
    assert "0 min for the whole month" not in text
    assert summary.behind  # type: ignore[union-attr]  # 90 min logged in November: short of the share
