"""Who people are in a program (pure, defined once): roles, educator types and `Member`, the
person every rule, service and view works with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ROLES: tuple[str, ...] = ("mentee", "mentor", "lead_mentor", "coordinator", "evaluator")
EDUCATOR_TYPES: tuple[str, ...] = (
    "beginning_teacher",
    "incoming_teacher",
    "beginning_administrator",
    "incoming_administrator",
)


@dataclass(frozen=True)
class Member:
    """A person as the rules see them: identity, placement and this year's roles."""

    id: int
    email: str
    name: str
    school: str | None
    subject: str | None
    grade: str | None
    educator_type: str | None
    license: str | None
    hire_date: date | None
    slack_user_id: str | None
    active: bool
    roles: frozenset[str]
    # The school year that was their induction year as the roster said; None: from hire_date.
    induction_school_year: str | None = None
    notify: str = "slack"  # the roster's notify column: slack, email or both (bot/domain/reach.py)

    def has(self, *roles: str) -> bool:
        """True when the person holds any of these roles."""
        return any(role in self.roles for role in roles)

    @property
    def is_coordinator(self) -> bool:
        """Coordinators may act for anyone in the program."""
        return "coordinator" in self.roles

    @property
    def is_beginning(self) -> bool:
        """A beginning teacher or administrator (mentor assignment is required)."""
        return (self.educator_type or "").startswith("beginning_")
