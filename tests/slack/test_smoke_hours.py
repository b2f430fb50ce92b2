"""A first wiring check: /hours through the app on both databases."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltRequest

from tests.support.hillside import SIGNING_SECRET
from tests.support.signing import signed_headers, slash_command_body


def test_hours_for_a_mentor_answers_in_the_ack(app: Any, pairs: None) -> None:
    body = slash_command_body("/hours", "", "U0LEE")
    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(SIGNING_SECRET, body)))
    assert response.status == 200
    assert "Bea Beginner" in response.body
