"""Mentors the overdue alert suggests (bot/services/nudges.py `suggest`): a beginning
administrator is offered administrators — mentors who evaluate, are administrators on the
roster, or whose roster subject is Administration — never teachers; trained mentors are
preferred, and a mentor suggested before their training is marked done says "not trained yet"."""

from __future__ import annotations

import pytest

from bot.bootstrap import Services
from bot.domain.members import Member
from bot.domain.notices import OverdueAlert
from bot.services.snapshot import mentors_administrators
from schedules import claims
from tests.support.bolt_requests import all_text
from tests.support.hillside import ROSTER_CSV
from tests.support.scheduler import at

ADA = "ada@hillside.example,Ada Admin,mentee,Lincoln,,,beginning_administrator,Initial,2026-10-19,U0ADA"  # fmt: skip
PIA = "pia@hillside.example,Pia Principal,mentor;evaluator,Lincoln,,,,Professional,2008-08-25,U0PIA"  # fmt: skip
AXEL = "axel@hillside.example,Axel Assistant,mentor,Jefferson,Administration,,,Professional,2011-08-29,U0AXEL"  # fmt: skip
TUE_3_NOV = at("2026-11-03")


def load(services: Services, *rows: str) -> None:
    report = services.roster.import_csv(ROSTER_CSV + "\n".join(rows) + "\n")
    assert report.ok, report.problems


def alert(services: Services) -> OverdueAlert:
    notes = services.nudges.deadline_sweep(TUE_3_NOV) or []
    (found,) = {n.content for n in notes if isinstance(n.content, OverdueAlert)}
    assert isinstance(found, OverdueAlert)
    return found


def suggested(found: OverdueAlert, name: str) -> list[str]:
    row = next(r for r in found.rows if r.mentee.name == name)
    return [mentor.name for mentor, _ in row.suggestions]


def test_a_beginning_administrator_is_offered_administrators(
    services: Services, pairs: None
) -> None:
    load(services, ADA, PIA, AXEL)
    found = alert(services)
    assert suggested(found, "Ada Admin") == ["Pia Principal", "Axel Assistant"]  # same school first
    assert not {"Pia Principal", "Axel Assistant"} & set(suggested(found, "Nia New"))


def test_an_administrator_without_administrator_mentors_gets_no_teacher(
    services: Services, pairs: None
) -> None:
    load(services, ADA)
    found = alert(services)
    assert suggested(found, "Ada Admin") == []
    (note,) = [n for n in claims.notifications(services.nudges.deadline_sweep(TUE_3_NOV) or []) if n.rule == "overdue-assignment"]  # fmt: skip
    assert "No administrator mentor to suggest" in all_text(note.payload)


def test_untrained_suggestions_say_so(services: Services, pairs: None) -> None:
    """Nobody's training is marked done: mentors are still suggested, each labelled."""
    found = alert(services)
    row = next(r for r in found.rows if r.mentee.name == "Nia New")
    assert row.suggestions and row.untrained == {m.id for m, _ in row.suggestions}
    (note,) = [n for n in claims.notifications(services.nudges.deadline_sweep(TUE_3_NOV) or []) if n.rule == "overdue-assignment"]  # fmt: skip
    assert "not trained yet" in all_text(note.payload)


def test_trained_mentors_are_suggested_first_and_unlabelled(
    services: Services, pairs: None, roster: dict[str, int]
) -> None:
    services.milestones.mark_done("U0CORA", "mentor_training", roster["mia@hillside.example"], None, at("2026-11-02", 9))  # fmt: skip
    found = alert(services)
    row = next(r for r in found.rows if r.mentee.name == "Nia New")
    assert [m.name for m, _ in row.suggestions] == ["Mia Mentor"]
    assert row.untrained == frozenset()
    (note,) = [n for n in claims.notifications(services.nudges.deadline_sweep(TUE_3_NOV) or []) if n.rule == "overdue-assignment"]  # fmt: skip
    assert "not trained yet" not in all_text(note.payload)


def mentor(subject: str | None = None, educator_type: str | None = None, *roles: str) -> Member:
    return Member(9, "m@x", "M", "Lincoln", subject, None, educator_type, None, None, None, True, frozenset({"mentor", *roles}))  # fmt: skip


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (mentor(None, None, "evaluator"), True),  # a principal who evaluates
        (mentor("Administration"), True),  # flagged on the roster
        (mentor(" administrators "), True),
        (mentor(None, "incoming_administrator"), True),
        (mentor("Math"), False),
        (mentor(None, None, "lead_mentor"), False),
        (mentor("Admin Science"), False),
    ],
)  # fmt: skip
def test_who_mentors_administrators(candidate: Member, expected: bool) -> None:
    assert mentors_administrators(candidate) is expected
