"""Who people are in a program (pure constants, defined once): roles and educator types."""

from __future__ import annotations

ROLES: tuple[str, ...] = ("mentee", "mentor", "lead_mentor", "coordinator", "evaluator")
EDUCATOR_TYPES: tuple[str, ...] = (
    "beginning_teacher",
    "incoming_teacher",
    "beginning_administrator",
    "incoming_administrator",
)
