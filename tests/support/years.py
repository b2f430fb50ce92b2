"""Two program years at Hillside: the next year's program file and roster, Yan (hired 2025, in
year 2), exit dates for retention, and the instants these tests move the clock to."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.hillside import PROGRAM_TOML

YAN = "yan@hillside.example"  # a mentee hired in 2025: in her second year in 2026-27
YAN_ROW = "yan@hillside.example,Yan Second,mentee,Lincoln,Art,2,beginning_teacher,Initial,2025-08-25,U0YAN"  # fmt: skip
NEXT_TOML = (
    PROGRAM_TOML.replace("2026-08-31", "2027-08-30")
    .replace("2027-06-18", "2028-06-16")
    .replace(
        "non_school_days = [2026-09-07, 2026-10-12, 2026-11-11]", "non_school_days = [2027-09-06]"
    )
)
YEAR_AFTER_NEXT = (
    NEXT_TOML.replace("2027-08-30", "2028-08-28")
    .replace("2028-06-16", "2029-06-15")
    .replace("2027-09-06", "2028-09-04")
)
NEXT_ROSTER = """email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id,induction_year
cora@hillside.example,Cora Coordinator,coordinator,,,,,Professional,2015-08-24,U0CORA,
lee@hillside.example,Lee Lead,mentor;lead_mentor,Lincoln,Math,4,,Professional,2012-08-27,U0LEE,
mia@hillside.example,Mia Mentor,mentor,Lincoln,Science,5,,Professional,2016-08-29,U0MIA,
bea@hillside.example,Bea Beginner,mentee,Lincoln,Math,4,beginning_teacher,Initial,2026-08-24,U0BEA,2
zoe@hillside.example,Zoe Zero,mentee,Lincoln,Math,3,beginning_teacher,Initial,2027-08-20,U0ZOE,
"""


def at(day: str, hour: int = 14) -> datetime:
    """10:00 in New York (UTC-4/-5 is fine: 14:00 UTC is a school-hours instant)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


EXITS = {
    "bo@hillside.example": ("2027-06-30", "moved away"),  # gone before 2027-28's school year
    "nia@hillside.example": ("2027-09-15", "resigned"),  # still there when it began
}


def with_exits(roster: str, exits: dict[str, tuple[str, str]]) -> str:
    """The roster with exit_date and exit_reason columns, filled for these emails."""
    header, *rows = roster.strip().splitlines()
    lines = [header + ",exit_date,exit_reason"]
    for row in rows:
        day, reason = exits.get(row.split(",", 1)[0], ("", ""))
        lines.append(f"{row},{day},{reason}")
    return "\n".join(lines) + "\n"
