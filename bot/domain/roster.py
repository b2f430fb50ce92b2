"""Roster CSV → validated rows, or every bad row with its line number (pure)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.domain.calendar import EARLIEST_DAY, LATEST_DAY, in_calendar_range
from bot.domain.erasure import TOMBSTONE_DOMAIN, is_tombstone_email
from bot.domain.members import EDUCATOR_TYPES, ROLES
from bot.domain.reach import NOTIFY_CHOICES, SLACK

COLUMNS = (
    "email",
    "name",
    "roles",
    "school",
    "subject",
    "grade",
    "educator_type",
    "license",
    "hire_date",
    "slack_user_id",
    "induction_year",  # optional: a mentee's year of induction in the roster's year (1, 2, 3…)
    "exit_date",  # optional: the day they left the district (retention, report item f)
    "exit_reason",  # optional, with exit_date
    "notify",  # optional: slack (default), email or both (bot/domain/reach.py)
)
REQUIRED_COLUMNS = ("email", "name", "roles")
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
MAX_FIELD = 200
MAX_INDUCTION_YEAR = 9
SMALL_NUMBER = re.compile(r"[0-9]{1,3}")  # ASCII digits: "²" passes str.isdigit, not int()
# Control characters but the line breaks and tabs a quoted field may hold: an escape code in a
# name would act on the terminal that prints it.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
UNREADABLE = (
    "this line can't be read as CSV (a field longer than 128 KiB, or a NUL character); "
    f"each field holds at most {MAX_FIELD} characters"
)
EXAMPLE_ROW = (
    "bea@district.org,Bea Beginner,mentee,Lincoln Elementary,Math,4,"
    "beginning_teacher,Initial,2026-08-24,U0BEA"
)


@dataclass(frozen=True)
class RosterRow:
    """One valid roster line."""

    line: int
    email: str
    name: str
    roles: tuple[str, ...]
    school: str | None
    subject: str | None
    grade: str | None
    educator_type: str | None
    license: str | None
    hire_date: date | None
    slack_user_id: str | None
    induction_year: int | None = None  # None: inferred from hire_date
    exit_date: date | None = None  # left the district on this day (not before hire_date)
    exit_reason: str | None = None
    notify: str = SLACK  # how notifications reach them: slack, email or both


@dataclass(frozen=True)
class RowProblem:
    """Why a line was rejected."""

    line: int
    email: str
    reason: str


@dataclass
class RosterParse:
    """Valid rows and every problem; apply nothing unless `problems` is empty."""

    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _row_problems(raw: Mapping[str, str | None]) -> tuple[dict[str, object], list[str]]:
    problems: list[str] = []
    email = (raw.get("email") or "").strip().lower()
    if not email:
        problems.append("email is empty")
    elif not EMAIL.match(email):
        problems.append(f"email {email!r} is not an email address")
    elif is_tombstone_email(email):
        problems.append(
            f"email {email!r} is in {TOMBSTONE_DOMAIN}, kept for people forgotten on request: "
            "give the person's real address"
        )
    name = (raw.get("name") or "").strip()
    if not name:
        problems.append("name is empty")
    roles_text = (raw.get("roles") or "").strip()
    roles = tuple(dict.fromkeys(r.strip().lower() for r in roles_text.split(";") if r.strip()))
    unknown = [r for r in roles if r not in ROLES]
    if not roles:
        problems.append(f"roles is empty (expected some of: {' '.join(ROLES)}, ';'-separated)")
    elif unknown:
        problems.append(
            f"unknown role {', '.join(unknown)!s} (expected some of: {' '.join(ROLES)})"
        )
    if "mentee" in roles and ("mentor" in roles or "lead_mentor" in roles):
        problems.append("a mentee can't also be a mentor in the same year")
    educator_type = _blank(raw.get("educator_type"))
    if educator_type is not None:
        educator_type = educator_type.lower()
        if educator_type not in EDUCATOR_TYPES:
            problems.append(
                f"educator_type {educator_type!r} is not one of {' '.join(EDUCATOR_TYPES)}"
            )
    elif "mentee" in roles:
        problems.append(f"educator_type is required for a mentee ({' '.join(EDUCATOR_TYPES)})")
    hire_text = _blank(raw.get("hire_date"))
    hire_date = None
    if hire_text is not None:
        hire_date = _day("hire_date", hire_text, "2026-08-24", problems)
    induction_text = _blank(raw.get("induction_year"))
    induction_year = None
    if induction_text is not None:
        if not SMALL_NUMBER.fullmatch(induction_text) or not (
            1 <= int(induction_text) <= MAX_INDUCTION_YEAR
        ):
            problems.append(
                f"induction_year {induction_text!r} is not a year of induction like 1, 2 or 3"
            )
        elif "mentee" not in roles:
            problems.append("induction_year is for mentees (their year 1, 2 or 3)")
        else:
            induction_year = int(induction_text)
    exit_date, exit_reason = _exit(raw, hire_date, problems)
    slack_user_id = _blank(raw.get("slack_user_id"))
    if slack_user_id is not None and not SLACK_ID.match(slack_user_id):
        problems.append(f"slack_user_id {slack_user_id!r} is not a Slack user id like U0123ABCD")
    notify = _notify(raw, problems)
    for column in COLUMNS:
        if len(raw.get(column) or "") > MAX_FIELD:
            problems.append(f"{column} is longer than {MAX_FIELD} characters")
        elif CONTROL.search(raw.get(column) or ""):
            problems.append(
                f"{column} holds a control character (an escape code or the like); write it "
                "as plain text"
            )
    values: dict[str, object] = {
        "email": email,
        "name": name,
        "roles": roles,
        "school": _blank(raw.get("school")),
        "subject": _blank(raw.get("subject")),
        "grade": _blank(raw.get("grade")),
        "educator_type": educator_type,
        "license": _blank(raw.get("license")),
        "hire_date": hire_date,
        "slack_user_id": slack_user_id,
        "induction_year": induction_year,
        "exit_date": exit_date,
        "exit_reason": exit_reason,
        "notify": notify,
    }
    return values, problems


def _notify(raw: Mapping[str, str | None], problems: list[str]) -> str:
    """The notify column: slack (also when blank), email or both."""
    notify = (_blank(raw.get("notify")) or SLACK).lower()
    if notify not in NOTIFY_CHOICES:
        problems.append(
            f"notify {notify[:20]!r} is not one of {' '.join(NOTIFY_CHOICES)} (blank: slack)"
        )
        return SLACK
    return notify


def _day(column: str, text: str, example: str, problems: list[str]) -> date | None:
    """An ISO date within the calendar's range, or a problem saying what is wrong with it."""
    try:
        day = date.fromisoformat(text) if ISO_DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        problems.append(f"{column} {text!r} is not an ISO date like {example}")
    elif not in_calendar_range(day):
        problems.append(
            f"{column} {day} is outside the dates the program works with "
            f"({EARLIEST_DAY} to {LATEST_DAY}); write it like {example}"
        )
        day = None
    return day


def _exit(
    raw: Mapping[str, str | None], hire_date: date | None, problems: list[str]
) -> tuple[date | None, str | None]:
    """The exit date and reason of a row; a problem for a bad date, one before the hire date,
    or a reason without a date."""
    exit_text = _blank(raw.get("exit_date"))
    reason = _blank(raw.get("exit_reason"))
    if exit_text is None:
        if reason is not None:
            problems.append("exit_reason is given without an exit_date")
        return None, None
    exit_date = _day("exit_date", exit_text, "2027-06-30", problems)
    if exit_date is None:
        return None, None
    if hire_date is not None and exit_date < hire_date:
        problems.append(f"exit_date {exit_date} is before the hire_date {hire_date}")
        return None, None
    return exit_date, reason


def parse_roster(text: str) -> RosterParse:
    """Validate every line of a roster CSV; duplicates within the file are problems too."""
    result = RosterParse()
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        return _read_roster(reader, result)
    except csv.Error:  # a field over the csv module's limit (128 KiB), or a NUL
        result.problems.append(RowProblem(max(reader.line_num, 1), "", UNREADABLE))
        result.rows.clear()
        return result


def _read_roster(reader: Any, result: RosterParse) -> RosterParse:
    """Validate the rows `reader` yields into `result` (a csv.Error propagates)."""
    header: list[str] = []
    for fields in reader:
        if any(f.strip() for f in fields):
            header = [h.strip().lower() for h in fields]
            break
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        result.problems.append(
            RowProblem(
                max(reader.line_num, 1),
                "",
                f"the header lacks {', '.join(missing)} (expected: {','.join(COLUMNS)})",
            )
        )
        return result
    seen_email: dict[str, int] = {}
    seen_slack: dict[str, int] = {}
    previous_end = reader.line_num
    for fields in reader:
        line_start, previous_end = previous_end + 1, reader.line_num
        if not any(f.strip() for f in fields):
            continue
        raw = dict(zip(header, fields, strict=False))
        email = (raw.get("email") or "").strip()
        if len(fields) > len(header):
            result.problems.append(RowProblem(line_start, email, "more fields than the header"))
            continue
        values, problems = _row_problems(raw)
        email = str(values["email"])
        if email and email in seen_email:
            problems.append(f"email {email} is already on line {seen_email[email]}")
        slack_user_id = values["slack_user_id"]
        if isinstance(slack_user_id, str) and slack_user_id in seen_slack:
            problems.append(
                f"slack_user_id {slack_user_id} is already on line {seen_slack[slack_user_id]}"
            )
        if problems:
            result.problems.extend(RowProblem(line_start, email, p) for p in problems)
            continue
        seen_email[email] = line_start
        if isinstance(slack_user_id, str):
            seen_slack[slack_user_id] = line_start
        result.rows.append(RosterRow(line=line_start, **values))  # type: ignore[arg-type]
    if not result.rows and not result.problems:
        result.problems.append(RowProblem(1, "", "the file has a header but no people"))
    return result
