"""Who may mark what (bot/services/milestones.py): a milestone marked by the person it concerns
or their mentor is reported, and a coordinator confirms it; until then it does not count for
the coordinators' reminders or the report's trained mentors. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import select

from bot.bootstrap import Services
from bot.domain.assignments import MentorCaution
from bot.domain.notices import Digest
from bot.services.errors import NotAllowed
from bot.slack import views
from bot.store.models.core import MilestoneDone
from tests.support.bolt_requests import all_text, press_for_answer
from tests.support.hillside import CORA, MIA, NIA, NOW
from tests.support.scheduler import Sent, Ticker, at
from tests.support.slack_api import FakeSlackApi

pytestmark = pytest.mark.usefixtures("no_note_reaches_slack")

CORA_U, MAX_U, MIA_U, NIA_U = "U0CORA", "U0MAX", "U0MIA", "U0NIA"
LATER = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # Thu 19 Nov, 10:00 in New York


def row(services: Services, person_id: int, milestone: str) -> MilestoneDone:
    with services.store.read() as session:
        found = session.scalars(
            select(MilestoneDone).where(
                MilestoneDone.person_id == person_id, MilestoneDone.milestone == milestone
            )
        ).one()
        session.expunge(found)
        return found


def trained_in_report(services: Services) -> list[str]:
    return [m.email for m in services.reports.annual(None, NOW).teachers.trained_mentors]


# ---- marks and confirmations, with who and when ----------------------------------------------


def test_a_mentee_marking_her_own_milestone_reports_it(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    done = services.milestones.mark_done(NIA_U, "orientation", roster[NIA], None, NOW)
    assert (done.confirmed, done.marked_by and done.marked_by.email) == (False, NIA)
    stored = row(services, roster[NIA], "orientation")
    assert (stored.confirmed, stored.marked_by_id, stored.confirmed_by_id) == (False, roster[NIA], None)  # fmt: skip
    assert stored.created_at == NOW and stored.confirmed_at is None
    assert "reported done" in all_text(views.milestone_done(done))


def test_a_coordinators_mark_is_confirmed_at_once(
    services: Services, roster: dict[str, int]
) -> None:
    done = services.milestones.mark_done(CORA_U, "orientation", roster[NIA], None, NOW)
    assert done.confirmed and done.marked_by is None
    stored = row(services, roster[NIA], "orientation")
    assert (stored.confirmed, stored.marked_by_id, stored.confirmed_by_id) == (True, roster[CORA], roster[CORA])  # fmt: skip
    assert stored.confirmed_at == NOW


def test_a_coordinator_confirms_a_report_and_who_and_when_are_kept(
    services: Services, roster: dict[str, int]
) -> None:
    services.milestones.mark_done(NIA_U, "orientation", roster[NIA], None, NOW)
    done = services.milestones.confirm(CORA_U, "orientation", roster[NIA], LATER)
    assert done.confirmed and not done.already and done.marked_by and done.marked_by.email == NIA
    stored = row(services, roster[NIA], "orientation")
    assert (stored.confirmed, stored.marked_by_id, stored.created_at) == (True, roster[NIA], NOW)
    assert (stored.confirmed_by_id, stored.confirmed_at) == (roster[CORA], LATER)
    again = services.milestones.confirm(CORA_U, "orientation", roster[NIA], LATER)
    assert again.already and again.confirmed


def test_a_coordinator_marking_a_reported_milestone_confirms_it(
    services: Services, roster: dict[str, int]
) -> None:
    services.milestones.mark_done(NIA_U, "orientation", roster[NIA], None, NOW)
    done = services.milestones.mark_done(CORA_U, "orientation", roster[NIA], None, LATER)
    assert done.confirmed and not done.already
    stored = row(services, roster[NIA], "orientation")
    assert (stored.confirmed_by_id, stored.confirmed_at, stored.done_on) == (roster[CORA], LATER, date(2026, 11, 18))  # fmt: skip


@pytest.mark.parametrize("presser", [NIA_U, MIA_U, MAX_U])
def test_only_a_coordinator_confirms(
    services: Services, pairs: None, roster: dict[str, int], presser: str
) -> None:
    services.assignments.assign(None, MIA, NIA, date(2026, 11, 2), NOW)
    services.milestones.mark_done(MIA_U, "orientation", roster[NIA], None, NOW)  # her mentor
    with pytest.raises(NotAllowed, match="Only a coordinator confirms"):
        services.milestones.confirm(presser, "orientation", roster[NIA], LATER)
    assert not row(services, roster[NIA], "orientation").confirmed


# ---- what an unconfirmed report counts for ----------------------------------------------------


def test_a_mentors_own_training_counts_for_the_report_once_confirmed(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    services.milestones.mark_done(MIA_U, "mentor_training", roster[MIA], None, NOW)
    assert MIA not in trained_in_report(services)
    caution = services.assignments.assign(None, MIA, NIA, None, NOW).caution
    assert (
        caution is not None
        and caution.untrained
        and caution == MentorCaution(True, rule=caution.rule)
    )
    services.milestones.confirm(CORA_U, "mentor_training", roster[MIA], LATER)
    assert MIA in trained_in_report(services)
    assert services.reports.annual(None, NOW).milestones == {"mentor_training": 1}


def test_status_shows_milestones_with_who_marked_them_and_whether_confirmed(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    services.milestones.mark_done(NIA_U, "orientation", roster[NIA], None, NOW)
    services.milestones.mark_done(CORA_U, "support_team_meeting", roster[NIA], None, NOW)
    cora = services.assignments.coordinator(CORA_U)
    person = services.assignments.person_status(cora, NIA, NOW)
    assert [(m.key, m.confirmed, m.marked_by and m.marked_by.email) for m in person.milestones] == [
        ("orientation", False, NIA),
        ("support_team_meeting", True, CORA),
    ]
    shown = all_text(views.person_status(person))
    assert "reported by Nia New on Wed 18 Nov 2026, awaiting a coordinator's confirmation" in shown
    assert "marked by Cora Coordinator on Wed 18 Nov 2026, confirmed" in shown

    program = services.assignments.program_status(cora, NOW)
    assert [(m.key, m.person and m.person.email) for m in program.awaiting] == [("orientation", NIA)]  # fmt: skip
    assert "awaiting confirmation" in all_text(views.program_status(program))

    services.milestones.confirm(CORA_U, "orientation", roster[NIA], LATER)
    assert services.assignments.program_status(cora, LATER).awaiting == ()
    shown = all_text(views.person_status(services.assignments.person_status(cora, NIA, LATER)))
    assert "reported by Nia New on Wed 18 Nov 2026, confirmed by Cora Coordinator on Thu 19 Nov 2026" in shown  # fmt: skip


# ---- the to-do DMs and the Confirm button -----------------------------------------------------


def buttons(sent: Sent) -> list[dict[str, Any]]:
    return [block["accessory"] for block in sent.blocks if "accessory" in block]


def test_a_reported_orientation_stops_her_reminders_and_the_coordinator_confirms_it(
    services: Services, pairs: None, roster: dict[str, int], app: App, slack_api: FakeSlackApi
) -> None:
    ticker = Ticker(services, slack_api)
    ticker.tick(at("2026-10-19"))
    (own,) = ticker.of("todo", NIA_U)
    (mark,) = buttons(own)
    services.clock.set(at("2026-10-20", 9, 0))  # type: ignore[attr-defined]
    answer = press_for_answer(app, slack_api, NIA_U, mark)
    assert "Orientation for Nia New reported done on Tue 20 Oct 2026" in answer
    assert not row(services, roster[NIA], "orientation").confirmed

    ticker.tick(at("2026-10-23"))  # a reminder day for the orientation
    assert ticker.of("todo", NIA_U) == [own]  # her reminders stopped
    (todo,) = [s for s in ticker.of("todo", CORA_U) if s.day == date(2026, 10, 23)]
    assert "reported done Tue 20 Oct by Nia New, awaiting your confirmation" in todo.text
    (confirm,) = buttons(todo)
    assert (confirm["action_id"], json.loads(confirm["value"])) == ("milestone_confirm", {"k": "orientation", "p": roster[NIA]})  # fmt: skip

    for other in (NIA_U, MAX_U):  # the button forwarded: checked against who pressed it
        assert "Only a coordinator confirms" in press_for_answer(app, slack_api, other, confirm)
    assert not row(services, roster[NIA], "orientation").confirmed
    services.clock.set(at("2026-10-23", 9, 0))  # type: ignore[attr-defined]
    assert "reported by Nia New: confirmed" in press_for_answer(app, slack_api, CORA_U, confirm)
    stored = row(services, roster[NIA], "orientation")
    assert (stored.confirmed_by_id, stored.confirmed_at) == (roster[CORA], at("2026-10-23", 9, 0))

    ticker.tick(at("2026-10-26"))  # due day: confirmed, so nobody hears of it
    assert [s for s in ticker.of("todo") if s.day == date(2026, 10, 26) and "Orientation" in s.text] == []  # fmt: skip


def test_an_unconfirmed_report_keeps_the_coordinators_reminder_as_a_confirm_request(
    services: Services, pairs: None, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    """A report made before any reminder day still reaches the coordinator's next to-do."""
    services.milestones.mark_done(NIA_U, "orientation", roster[NIA], None, at("2026-10-19", 7, 0))
    ticker = Ticker(services, slack_api)
    ticker.tick(at("2026-10-19"))
    assert ticker.of("todo", NIA_U) == []
    (todo,) = ticker.of("todo", CORA_U)
    assert [b["action_id"] for b in buttons(todo)] == ["milestone_confirm"]
    assert "Mark done" not in json.dumps(todo.blocks)


def test_a_lead_mentors_digest_treats_a_report_as_done(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    def overdue() -> list[tuple[str, str]]:
        (note,) = services.nudges.weekly_digest(at("2026-11-23")) or []
        digest = note.content
        assert isinstance(digest, Digest)
        return [(i.rule.key, i.subject.name) for i in digest.overdue]

    assert ("orientation", "Bea Beginner") in overdue()
    services.milestones.mark_done("U0BEA", "orientation", roster["bea@hillside.example"], None, NOW)
    assert ("orientation", "Bea Beginner") not in overdue()
