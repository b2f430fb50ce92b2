"""Fixtures of the Slack tests: the reassignment requests' world."""

from __future__ import annotations

import pytest

from bot.bootstrap import Services
from bot.services.programs import ProgramInfo
from tests.support.change_requests import add_second_coordinator


@pytest.fixture
def coordinators(services: Services, program: ProgramInfo, pairs: None) -> dict[str, int]:
    """Cora and Cole coordinate; Lee mentors Bea, Mia Ike, Max Bo; Nia has no mentor.
    Email → person id."""
    add_second_coordinator(services)
    with services.store.read() as session:
        return {m.email: m.id for m in services.people.all_members(session, program)}
