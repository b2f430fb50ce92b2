"""A first wiring check: /hours through the app on both databases."""

from __future__ import annotations

from typing import Any

from tests.support.bolt_requests import all_text, slash


def test_hours_for_a_mentor_answers_in_the_ack(app: Any, pairs: None) -> None:
    reply = slash(app, "/hours", "", "U0LEE")
    assert "Bea Beginner" in all_text(reply)
