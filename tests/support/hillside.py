"""The contract's example program, Hillside Public Schools, as every test sees it: the frozen
moment, the app's secrets, the program file, the roster, and its people by email and Slack id."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # Wed 18 Nov 2026, 10:00 in New York
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"

PROGRAM_TOML = """
name = "Hillside Public Schools"
timezone = "America/New_York"
policy = "ma"
school_year_start = 2026-08-31
school_year_end = 2027-06-18
non_school_days = [2026-09-07, 2026-10-12, 2026-11-11]
"""

# PROGRAM_TOML key by key, for tests that change or drop one.
PROGRAM_KEYS: dict[str, str] = {
    "name": '"Hillside Public Schools"',
    "timezone": '"America/New_York"',
    "policy": '"ma"',
    "school_year_start": "2026-08-31",
    "school_year_end": "2027-06-18",
    "non_school_days": "[2026-09-07, 2026-10-12, 2026-11-11]",
}

ROSTER_CSV = """email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id
cora@hillside.example,Cora Coordinator,coordinator,,,,,Professional,2015-08-24,U0CORA
lee@hillside.example,Lee Lead,mentor;lead_mentor,Lincoln,Math,4,,Professional,2012-08-27,U0LEE
mia@hillside.example,Mia Mentor,mentor,Lincoln,Science,5,,Professional,2016-08-29,U0MIA
max@hillside.example,Max Mentor,mentor,Jefferson,English,7,,Professional,2014-08-25,U0MAX
bea@hillside.example,Bea Beginner,mentee,Lincoln,Math,4,beginning_teacher,Initial,2026-08-24,U0BEA
ike@hillside.example,Ike Incoming,mentee,Lincoln,Science,5,incoming_teacher,Professional,2026-08-24,U0IKE
bo@hillside.example,Bo Beginner,mentee,Jefferson,English,7,beginning_teacher,Provisional,2026-08-24,U0BO
nia@hillside.example,Nia New,mentee,Jefferson,Science,8,beginning_teacher,Initial,2026-10-19,U0NIA
pat@hillside.example,Pat Principal,evaluator,Lincoln,,,,Professional,2010-07-01,U0PAT
"""

# The roster's people by email (what services and the CLI take) ...
CORA = "cora@hillside.example"  # coordinator
LEE = "lee@hillside.example"  # mentor and lead mentor, mentors Bea
MIA = "mia@hillside.example"  # mentor of Ike
MAX = "max@hillside.example"  # mentor of Bo
BEA = "bea@hillside.example"  # beginning teacher
IKE = "ike@hillside.example"  # incoming teacher
BO = "bo@hillside.example"  # beginning teacher
NIA = "nia@hillside.example"  # beginning teacher, hired 19 Oct, no mentor
PAT = "pat@hillside.example"  # evaluator (principal at Lincoln)

# ... and by Slack user id (what Slack sends and the app posts to).
CORA_ID, LEE_ID, MIA_ID, MAX_ID = "U0CORA", "U0LEE", "U0MIA", "U0MAX"
BEA_ID, IKE_ID, BO_ID, NIA_ID, PAT_ID = "U0BEA", "U0IKE", "U0BO", "U0NIA", "U0PAT"

# Mentor → mentee and the day each assignment starts (the `pairs` fixture).
PAIRS = (
    (LEE, BEA, "2026-08-26"),
    (MIA, IKE, "2026-09-02"),
    (MAX, BO, "2026-08-31"),
)

# The program's holidays (PROGRAM_TOML's non_school_days) and its pay rates.
HOLIDAYS = {date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11)}
PAID_TOML = PROGRAM_TOML + "\n[overrides]\nhourly_rate_cents = 3000\nlead_stipend_cents = 120000\n"


def school_days(first: date, last: date) -> int:
    """Weekdays that are not holidays, counted by hand (not with the calendar module)."""
    days, day = 0, first
    while day <= last:
        days += day.weekday() < 5 and day not in HOLIDAYS
        day += timedelta(days=1)
    return days
