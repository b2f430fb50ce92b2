"""Bounds on every number, date, name and list a program file may set.

A program file is typed by hand; these keep what it says within what a school year, the store's
columns and the date arithmetic of the scheduler can hold, so a typo is refused at load instead
of crashing a tick later (``offset_days = 999999999`` overflows ``date + timedelta``).
"""

from datetime import date

FIRST_SCHOOL_DATE = date(2000, 1, 1)  # school-year and calendar dates: a sane range
LAST_SCHOOL_DATE = date(2100, 12, 31)
MAX_SCHOOL_YEAR_DAYS = 396  # "a school year is at most ~13 months"
MAX_NAME_CHARS = 200  # programs.name and people.name are String(200)
MAX_TIMEZONE_CHARS = 64  # programs.timezone is String(64)
MAX_RULE_KEY_CHARS = 40  # milestones_done.milestone is String(50)
MAX_TITLE_CHARS = 200
MAX_PATH_CHARS = 255
MAX_ICS_BYTES = 2_000_000  # a district calendar is a few KB
MAX_ICS_EVENT_DAYS = 366  # one all-day event (a vacation) spans at most a year
MAX_LISTED_DAYS = 400  # non_school_days: at most one per day of a school year
MAX_CALENDAR_DAYS = 5_000  # calendar_ics_days (several years of district calendars)
MAX_VACATIONS = 100
MAX_DEADLINE_ROWS = 50
MAX_OFFSET_DAYS = 366  # a deadline's offset from its anchor, either way
MAX_NUDGE_DAYS = 366  # how long before a deadline nudges begin
MAX_SCHOOL_DAYS = 200  # a count of school days (a school year has about 180)
MAX_WINDOW_DAYS = 366  # the assignment window
MAX_WEEKLY_TARGET_MINUTES = 40 * 60  # a full working week
MINUTES_PER_DAY = 24 * 60
MAX_YEAR2_TARGET_HOURS = 1_000
MAX_RATE_CENTS = 100_000  # $1,000 an hour
MAX_STIPEND_CENTS = 10_000_000  # $100,000 a year
MAX_PROGRAM_BYTES = 1_000_000  # a program file is a few KB
MAX_PACED_HOURS = 500  # a paced minimum (Oklahoma asks 72 hours a year)
MAX_CASELOAD = 50  # mentees per mentor
MAX_NOTES_RETENTION_YEARS = 50  # notes kept at most this long when a retention is set
MAX_RETENTION_AFTER_UNINSTALL_DAYS = 3650  # an uninstalled program's rows kept at most this long
MAX_OBSERVATIONS = 100
MAX_STANDARDS = 20  # a program's own standards (MA has 4, CA 6)
MAX_STANDARD_CODE_CHARS = 12  # codes are stored comma-separated in log_entries.standards
