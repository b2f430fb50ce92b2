"""Home per role (bot/services/home.py, bot/slack/home_views.py), published on open: each
role's sections against hand-computed figures, on both engines.

The week (tests.support.home.WEEK_OF_LOGS), Mon 16 – Sun 22 Nov 2026, five school days, target 1 h:
Lee–Bea 45 + 30 = 75 min; Mia–Ike 20 min (and 60 the week before); Max–Bo 50 min; Bea's
30-minute visit to observe Mia is her own activity, never pair time."""

# Table tests keep one case per line (`# fmt: skip`), even when a case is long.

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.bootstrap import Services
from bot.domain.pay import divide_half_up
from bot.domain.policy import parse_program_toml
from bot.services.outbox import Notification
from bot.store.models.core import Assignment, LogEntry
from tests.support.bolt_requests import command
from tests.support.hillside import (
    NOW,
    PAID_TOML,
    ROSTER_CSV,
    SIGNING_SECRET,
    school_days,
)
from tests.support.home import NOTE_BEA_VISIT, NOTE_LEE_BEA, buttons, home_of, text_of
from tests.support.slack_api import FakeSlackApi


def live_ids(services: Services, logged_by: int) -> list[int]:
    with services.store.read() as session:
        return list(
            session.scalars(
                select(LogEntry.id)
                .where(LogEntry.logged_by_id == logged_by, LogEntry.deleted_at.is_(None))
                .order_by(LogEntry.id.desc())
            )
        )


# ---- mentor ----------------------------------------------------------------------------------


def test_a_mentor_sees_each_pair_against_the_weeks_target_and_the_entries_to_change(
    app: Any, slack_api: FakeSlackApi, week: Services, roster: dict[str, int]
) -> None:
    view = home_of(app, SIGNING_SECRET, slack_api, "U0MIA")
    shown = text_of(view)
    assert "*Ike Incoming*\n▰▰▰▱▱▱▱▱▱▱ this week 20 min of 1 h · this year 1 h 20" in shown
    assert "program year 2026-27: 1 h 20" in shown
    newest, older = live_ids(week, roster["mia@hillside.example"])
    assert [(b["action_id"], b.get("value")) for b in buttons(view)][:4:2] == [("log_edit", str(newest)), ("log_edit", str(older))]  # fmt: skip
    undo = [b for b in buttons(view) if b["action_id"] == "log_undo"]
    with week.store.read() as session:
        batches = [session.get(LogEntry, i).batch_id for i in (newest, older)]  # type: ignore[union-attr]
    assert [b["value"] for b in undo] == batches
    assert buttons(view)[-1]["action_id"] == "open_log_modal"
    assert "Max Mentor" not in shown and "Bo Beginner" not in shown


def test_a_short_week_prorates_the_target_on_home(
    app: Any, slack_api: FakeSlackApi, services: Services, pairs: None, clock: Any
) -> None:
    """Veterans Day week (Mon 9 – Sun 15 Nov): 4 school days owe 48 of 60 minutes."""
    clock.set(NOW - timedelta(days=6))  # Thu 12 Nov
    assert services.logs.log_text("U0LEE", "50m meeting", clock.now()).ok
    shown = text_of(home_of(app, SIGNING_SECRET, slack_api, "U0LEE"))
    assert "this week 50 min of 48 min ✓" in shown


def test_a_lead_mentor_who_mentors_sees_both_their_pairs_and_their_cohort(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    shown = text_of(home_of(app, SIGNING_SECRET, slack_api, "U0LEE"))
    assert "Your mentoring" in shown and "this week 1 h 15 of 1 h ✓" in shown
    assert "Your cohort · Lincoln" in shown
    assert "2 pairs · 1 met the 1 h target · 1 h 35 in all · 1 observation" in shown
    assert "*Ike Incoming* with Mia Mentor" in shown and "20 min of 1 h" in shown
    assert "Bo Beginner" not in shown  # Jefferson is not Lee's cohort


# ---- mentee ----------------------------------------------------------------------------------


def test_a_mentee_reads_the_pairs_log_with_its_notes_their_milestones_and_may_ask_for_a_change(
    app: Any, slack_api: FakeSlackApi, week: Services, roster: dict[str, int]
) -> None:
    view = home_of(app, SIGNING_SECRET, slack_api, "U0BEA")
    shown = text_of(view)
    assert "with *Lee Lead* (mentor)\n▰▰▰▰▰▰▰▰▰▰ this week 1 h 15 of 1 h ✓" in shown
    assert "*Your collaborative log* (3 entries this program year; read-only)" in shown
    assert "*Mon 16 Nov* · 45 min observation with Lee Lead\n:memo: " + NOTE_LEE_BEA in shown
    assert "30 min visit to observe a teacher\n:memo: " + NOTE_BEA_VISIT in shown
    assert "• Mentor assigned — :white_check_mark: done Wed 26 Aug" in shown
    assert "• Orientation — :red_circle: was due Mon 31 Aug" in shown
    assert "beyond the induction year" not in shown  # her induction year
    with week.store.read() as session:
        assignment = session.scalar(select(Assignment.id).where(Assignment.mentee_id == roster["bea@hillside.example"]))  # fmt: skip
    home_buttons = [(b["action_id"], b["value"]) for b in buttons(view)]
    assert [b for b in home_buttons if b[0] == "request_change"] == [
        ("request_change", str(assignment))
    ]
    assert {b[0] for b in home_buttons} <= {"request_change", "entry_confirm", "entry_flag"}


def test_a_reported_milestone_shows_as_awaiting_a_coordinator(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    week.milestones.mark_done("U0BEA", "orientation", "U0BEA", date(2026, 11, 2), NOW)
    shown = text_of(home_of(app, SIGNING_SECRET, slack_api, "U0BEA"))
    assert (
        "• Orientation — :white_check_mark: done Mon 2 Nov (reported, awaiting a coordinator)"
        in shown
    )


def test_a_year_two_teacher_sees_the_hours_beyond_the_induction_year(
    app: Any, slack_api: FakeSlackApi, services: Services, pairs: None
) -> None:
    yan = "yan@hillside.example,Yan Second,mentee,Lincoln,Math,4,beginning_teacher,Initial,2024-08-26,U0YAN\n"  # fmt: skip
    assert services.roster.import_csv(ROSTER_CSV + yan).ok
    services.assignments.assign(None, "mia@hillside.example", "yan@hillside.example", date(2026, 9, 1), NOW)  # fmt: skip
    for line in ("1h30 meeting <@U0YAN> 2026-11-16", "45m observation <@U0YAN> 2026-11-17"):
        assert services.logs.log_text("U0MIA", line, NOW).ok
    shown = text_of(home_of(app, SIGNING_SECRET, slack_api, "U0YAN"))
    assert "*Mentoring beyond the induction year:* ▱▱▱▱▱▱▱▱▱▱ 2 h 15 of 50 h (years 2 and later)" in shown  # fmt: skip
    assert "Mentor assigned" not in shown  # the assignment window is the induction year's


# ---- evaluator -------------------------------------------------------------------------------


def test_an_evaluator_sees_their_schools_hours_and_counts(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    view = home_of(app, SIGNING_SECRET, slack_api, "U0PAT")
    shown = text_of(view)
    assert "2 pairs · this week 1 h 35 · this program year 2 h 35 · 1 observation · 1 visit to observe a teacher" in shown  # fmt: skip
    assert "*Ike Incoming* with Mia Mentor — this week 20 min of 1 h · this year 1 h 20" in shown
    assert "Bo Beginner" not in shown
    assert buttons(view) == []


# ---- coordinator -----------------------------------------------------------------------------


def test_a_coordinator_sees_the_unassigned_with_assign_buttons_readiness_and_no_pay_without_rates(
    app: Any, slack_api: FakeSlackApi, week: Services, roster: dict[str, int]
) -> None:
    view = home_of(app, SIGNING_SECRET, slack_api, "U0CORA")
    shown = text_of(view)
    assert "*Without a mentor:* 1 (1 overdue)" in shown
    assert "*Nia New* — :red_circle: 16 days overdue (due Mon 2 Nov) · Jefferson, Science" in shown
    assigns = [b for b in buttons(view) if b["action_id"].startswith("assign_suggested:")]
    nia = roster["nia@hillside.example"]
    assert {b["action_id"] for b in assigns} == {f"assign_suggested:{nia}:{roster[e]}" for e in ("lee@hillside.example", "mia@hillside.example", "max@hillside.example")}  # fmt: skip
    assert "*Annual report 2026-27:* 3 items to complete" in shown
    # (e) 75 + 80 + 50 minutes over the four served = 205 min = 3.42 h
    assert (
        "Teachers: (b) 4 served · (c) 0 trained mentors of 3 · (d) 1 · (e) 3.42 h together" in shown
    )
    assert ":x: Teachers (g) Participant satisfaction: no participant surveys" in shown
    assert "No hourly pay: the program sets no hourly rate" in shown
    assert "$0" not in shown and "Total" not in shown
    assert "*Parked messages:* none" in shown
    assert "*Requests for a change of pairing*" in shown


def test_a_coordinators_pay_this_month_matches_export_pay(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    week.programs.load(parse_program_toml(PAID_TOML))
    shown = text_of(home_of(app, SIGNING_SECRET, slack_api, "U0CORA"))
    # November 1–18: Lee 45 + 30 min, Mia 60 + 20, Max 50 (Bea's visit is never paid)
    stipend = divide_half_up(120000 * school_days(date(2026, 11, 1), date(2026, 11, 18)), school_days(date(2026, 8, 31), date(2027, 6, 18)))  # fmt: skip
    assert "• Lee Lead (mentor) — 1 h 15 at $30.00/h: *$37.50*" in shown
    assert "• Mia Mentor (mentor) — 1 h 20 at $30.00/h: *$40.00*" in shown
    assert "• Max Mentor (mentor) — 50 min at $30.00/h: *$25.00*" in shown
    assert f"• Lee Lead (lead mentor) — stipend $1,200.00/year, prorated by school days: *${stipend // 100}.{stipend % 100:02d}*" in shown  # fmt: skip
    total = 3750 + 4000 + 2500 + stipend
    assert f"*Total: ${total // 100}.{total % 100:02d}*" in shown
    period = week.pay.period(date(2026, 11, 1), date(2026, 11, 18))
    assert period.total_cents == total


def test_a_coordinator_sees_parked_messages(
    app: Any, slack_api: FakeSlackApi, week: Services
) -> None:
    note = Notification("daily-nudge", "U0BEA", "todo", "2026-11-18", {"text": "x", "blocks": []})
    with week.store.write() as session:
        assert week.outbox.claim_all(session, [note], NOW) == 1
    (pending,) = week.outbox.due(NOW)
    week.outbox.needs_review(pending.id, "timeout: delivery unknown")
    shown = text_of(home_of(app, SIGNING_SECRET, slack_api, "U0CORA"))
    assert "*Parked messages:* 1 (delivery unknown or refused by Slack)" in shown
    assert f"• #{pending.id} daily-nudge to Bea Beginner (2026-11-18)" in shown
    assert "timeout: delivery unknown" in shown


# ---- /hours pay ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("U0CORA", "Pay this month so far, Sun 1 Nov – Wed 18 Nov"),
        ("U0LEE", "Only coordinators see pay totals."),
        ("U0PAT", "Only coordinators see pay totals."),
    ],
)  # fmt: skip
def test_hours_pay_is_for_coordinators(app: Any, week: Services, user: str, expected: str) -> None:
    week.programs.load(parse_program_toml(PAID_TOML))
    reply = command(app, SIGNING_SECRET, "/hours", "pay", user)
    assert expected in text_of(reply)
    assert ("$37.50" in text_of(reply)) is (user == "U0CORA")


def test_hours_pay_says_a_missing_rate_and_never_zero(app: Any, week: Services) -> None:
    reply = command(app, SIGNING_SECRET, "/hours", "pay", "U0CORA")
    shown = text_of(reply)
    assert "No hourly pay: the program sets no hourly rate" in shown
    assert "$0" not in shown


def test_hours_pay_takes_nothing_but_a_month(app: Any, week: Services) -> None:
    reply = command(app, SIGNING_SECRET, "/hours", "pay month", "U0CORA")
    assert (
        "I didn't understand 'month' after `pay`: `/hours pay` takes one month, written like "
        "october, oct or 2026-10 (without one: this month so far)."
    ) in text_of(reply)
    assert "Try: `/hours pay october`" in text_of(reply)


def test_a_note_with_markup_is_shown_as_text_on_home(
    app: Any, slack_api: FakeSlackApi, services: Services, pairs: None
) -> None:
    """Escaped at the one boundary (the Block Kit builders): no live broadcast or mention."""
    assert services.logs.log_text(
        "U0LEE", "20m meeting <!channel> see <https://x.example|this> & co", NOW
    ).ok
    dumped = str(home_of(app, SIGNING_SECRET, slack_api, "U0BEA"))
    assert "&lt;!channel&gt;" in dumped and "&amp; co" in dumped
    assert "<!channel>" not in dumped and "<https://x.example|this>" not in dumped


def test_the_mentor_and_the_mentee_see_their_pairs_standards_coverage(
    app: Any, slack_api: FakeSlackApi, services: Services, pairs: None
) -> None:
    for line in ("20m meeting #II 2026-11-16", "30m planning #II #IV 2026-11-17"):
        assert services.logs.log_text("U0LEE", line, NOW).ok, line
    for user in ("U0LEE", "U0BEA"):
        shown = text_of(home_of(app, SIGNING_SECRET, slack_api, user))
        assert "*Standards* · Bea Beginner with Lee Lead" in shown, user
        assert "I — none yet · II ✓ 2 (last 17 Nov) · III — none yet · IV ✓ 1 (last 17 Nov)" in shown, user  # fmt: skip
    mia = text_of(home_of(app, SIGNING_SECRET, slack_api, "U0MIA"))  # her own pair only
    assert "*Standards* · Ike Incoming with Mia Mentor" in mia and "Bea Beginner" not in mia
