"""Deadline rules and the policy they belong to (targets, nudging, deadlines): pure data."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.members import EDUCATOR_TYPES
from bot.domain.policy.limits import (
    MAX_CASELOAD,
    MAX_NOTES_RETENTION_YEARS,
    MAX_NUDGE_DAYS,
    MAX_OBSERVATIONS,
    MAX_OFFSET_DAYS,
    MAX_PACED_HOURS,
    MAX_RATE_CENTS,
    MAX_RETENTION_AFTER_UNINSTALL_DAYS,
    MAX_RULE_KEY_CHARS,
    MAX_SCHOOL_DAYS,
    MAX_STANDARD_CODE_CHARS,
    MAX_STANDARDS,
    MAX_STIPEND_CENTS,
    MAX_TITLE_CHARS,
    MAX_WEEKLY_TARGET_MINUTES,
    MAX_WINDOW_DAYS,
    MAX_YEAR2_TARGET_HOURS,
    MINUTES_PER_DAY,
)

RULE_SUBJECTS: tuple[str, ...] = (*EDUCATOR_TYPES, "mentor", "program")
NUDGE_ROLES: tuple[str, ...] = ("mentee", "mentor", "coordinator", "evaluator", "lead_mentor")
DEFAULT_KINDS: tuple[str, ...] = (
    "meeting",
    "observation",
    "observed",
    "co-teaching",
    "planning",
    "group",
    "video",
    "other",
)
DEFAULT_KIND = "meeting"

Anchor = Literal["school_year_start", "hire_or_start", "fixed_date", "before_start"]

_MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_KIND_RE = re.compile(r"^[a-z][a-z0-9-]*$")
# A standard code is typed as a tag (`#II`, `#cstp3`, `std:a1,a2`): letters and digits only.
STANDARD_CODE_RE = re.compile(rf"^[A-Za-z0-9]{{1,{MAX_STANDARD_CODE_CHARS}}}$")
_REFERENCE_YEAR = 2001  # a non-leap year used to check and compare MM-DD strings


def parse_month_day(value: str) -> tuple[int, int]:
    """Parse an "MM-DD" string (Feb 29 excluded) into (month, day); ValueError if invalid."""
    match = _MONTH_DAY_RE.match(value)
    if match is None:
        raise ValueError(f"{value[:20]!r} is not a month-day such as '07-31' (MM-DD)")
    month, day = int(match.group(1)), int(match.group(2))
    try:
        date(_REFERENCE_YEAR, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid month-day (MM-DD)") from None
    return month, day


def next_month_day(month_day: str, after: date) -> date:
    """The first date strictly after ``after`` falling on ``month_day`` ("MM-DD")."""
    month, day = parse_month_day(month_day)
    candidate = date(after.year, month, day)
    return candidate if candidate > after else date(after.year + 1, month, day)


def days_between_month_days(earlier: str, later: str) -> int:
    """Calendar days from ``earlier`` to the next ``later`` (both MM-DD), in a non-leap year."""
    em, ed = parse_month_day(earlier)
    lm, ld = parse_month_day(later)
    start = date(_REFERENCE_YEAR, em, ed)
    end = date(_REFERENCE_YEAR, lm, ld)
    if end < start:
        end = date(_REFERENCE_YEAR + 1, lm, ld)
    return (end - start).days


@dataclass(frozen=True)
class Standard:
    """One standard a log can tag: its code (`II`, `CSTP3`) and its name."""

    code: str
    name: str


def _check_members(values: Iterable[str], allowed: Sequence[str]) -> None:
    for value in values:
        if value not in allowed:
            raise ValueError(f"unknown value {value!r} (expected one of: {', '.join(allowed)})")


def _counted(low: int, high: int, **kwargs: Any) -> Any:
    """A whole number within [low, high]; strict, so `true` or `"5"` in a file is refused."""
    return Field(strict=True, ge=low, le=high, **kwargs)


class DeadlineRule(BaseModel):
    """One milestone the scheduler watches; rules are data (adding a rule is adding a row)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    title: str
    applies_to: tuple[str, ...]
    anchor: Anchor
    offset_days: int = _counted(-MAX_OFFSET_DAYS, MAX_OFFSET_DAYS, default=0)
    fixed_month_day: str | None = None
    nudge: tuple[str, ...] = ()
    nudge_days_before: int = _counted(0, MAX_NUDGE_DAYS, default=0)
    escalate_to: tuple[str, ...] = ()
    repeat_every_school_days: int | None = _counted(1, MAX_SCHOOL_DAYS, default=None)
    late_hire_school_days: int | None = _counted(0, MAX_SCHOOL_DAYS, default=None)
    # Counted in school days from the anchor instead of offset_days (e.g. "within 10 teaching
    # days"); the calendar knows school days, so `SchoolCalendar.deadline_due` applies it.
    offset_school_days: int | None = _counted(1, MAX_SCHOOL_DAYS, default=None)

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str) -> str:
        if len(value) > MAX_RULE_KEY_CHARS:
            raise ValueError(f"is longer than {MAX_RULE_KEY_CHARS} characters")
        if not _KEY_RE.match(value):
            raise ValueError(f"{value!r} is not a snake_case key such as 'mentor_assigned'")
        return value

    @field_validator("title")
    @classmethod
    def _check_title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        if len(value.strip()) > MAX_TITLE_CHARS:
            raise ValueError(f"is longer than {MAX_TITLE_CHARS} characters")
        return value.strip()

    @field_validator("applies_to")
    @classmethod
    def _check_applies_to(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError(f"must name at least one of: {', '.join(RULE_SUBJECTS)}")
        _check_members(value, RULE_SUBJECTS)
        return value

    @field_validator("nudge", "escalate_to")
    @classmethod
    def _check_roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _check_members(value, NUDGE_ROLES)
        return value

    @field_validator("fixed_month_day")
    @classmethod
    def _check_month_day(cls, value: str | None) -> str | None:
        if value is not None:
            parse_month_day(value)
        return value

    @model_validator(mode="after")
    def _check_anchor(self) -> "DeadlineRule":
        if self.anchor == "fixed_date" and self.fixed_month_day is None:
            raise ValueError("anchor 'fixed_date' needs fixed_month_day (MM-DD, e.g. '07-31')")
        if self.anchor != "fixed_date" and self.fixed_month_day is not None:
            raise ValueError(
                f"fixed_month_day is only used with anchor 'fixed_date', not {self.anchor!r}"
            )
        if self.anchor == "before_start" and self.offset_days > 0:
            raise ValueError("anchor 'before_start' needs offset_days <= 0")
        return self

    def base_due(self, school_year_start: date, hire_date: date | None = None) -> date:
        """The due date from the anchor alone (no late-hire rule), in calendar days.

        school_year_start: start + offset; hire_or_start: max(start, hire) + offset;
        before_start: the day before the start + offset (offset <= 0);
        fixed_date: the first fixed_month_day after the school-year start (+ offset).
        """
        if self.anchor == "school_year_start":
            anchor = school_year_start
        elif self.anchor == "hire_or_start":
            anchor = max(school_year_start, hire_date) if hire_date else school_year_start
        elif self.anchor == "before_start":
            anchor = school_year_start - timedelta(days=1)
        else:
            assert self.fixed_month_day is not None  # guaranteed by _check_anchor
            anchor = next_month_day(self.fixed_month_day, school_year_start)
        return anchor + timedelta(days=self.offset_days)

    def is_late_hire(self, school_year_start: date, hire_date: date | None) -> bool:
        """True when the rule has a late-hire window and the hire is after the usual due date."""
        return (
            self.late_hire_school_days is not None
            and hire_date is not None
            and hire_date > self.base_due(school_year_start, hire_date)
        )


class MentorRule(BaseModel):
    """Who may mentor under a policy, as the assign warning checks it: mentor training (always),
    full years since hire on the roster (`years`, when the rule sets them) and the roster's
    licence (`licences`, lower case, when the rule names them); `text` says it, with its source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1, max_length=300)
    years: int | None = _counted(1, 40, default=None)
    licences: tuple[str, ...] = ()

    @field_validator("licences")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip().lower() for v in value if v.strip())


class Policy(BaseModel):
    """Targets, nudging rules and deadlines of a program (a preset plus overrides)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    preset: Literal["ma", "ca", "tx", "il", "ny", "ok"]
    assignment_window_days: int = _counted(1, MAX_WINDOW_DAYS)
    # When set, the window is counted in school (teaching) days instead: Oklahoma's 10.
    assignment_window_school_days: int | None = _counted(1, MAX_SCHOOL_DAYS, default=None)
    # days to reassign a mentee whose assignment ended before they count as overdue again
    reassignment_window_days: int = _counted(1, MAX_WINDOW_DAYS, default=14)
    weekly_target_minutes: int = _counted(0, MAX_WEEKLY_TARGET_MINUTES)
    no_contact_school_days: int = _counted(1, MAX_SCHOOL_DAYS)
    year2_target_hours: int = _counted(0, MAX_YEAR2_TARGET_HOURS)
    report_due: str = "07-31"
    report_nudge_from: str = "06-15"
    orientation_late_hire_school_days: int = _counted(0, MAX_SCHOOL_DAYS)
    digest_weekday: int = _counted(0, 6, default=0)
    digest_time: time = time(7, 30)
    quiet_hours: tuple[time, time] = (time(18, 0), time(7, 0))
    overdue_alert_repeat_school_days: int = _counted(1, MAX_SCHOOL_DAYS, default=3)
    standards: tuple[str, ...]
    standard_names: dict[str, str]
    kinds: tuple[str, ...] = DEFAULT_KINDS
    max_minutes_per_day: int = _counted(1, MINUTES_PER_DAY, default=720)
    hourly_rate_cents: int | None = _counted(0, MAX_RATE_CENTS, default=None)
    lead_stipend_cents: int | None = _counted(0, MAX_STIPEND_CENTS, default=None)
    # Who signs a period off (locking its entries): coordinators always; e.g. add "evaluator"
    # (principals) or "lead_mentor". With confirmation_required_for_pay, `export pay` counts
    # only entries the other side of the pair confirmed.
    sign_off_roles: tuple[str, ...] = ("coordinator",)
    confirmation_required_for_pay: bool = False
    ask_confirmation: bool = False  # DM the other side of a pair each day to confirm entries
    # A state minimum paced over its period: `paced_minutes` of pair time per `paced_period`
    # ("week", "semester": each half of the school year's school days, "school_year": the ten
    # months of school, "year": the program year), expected day by day in school days.
    paced_minutes: int | None = _counted(1, MAX_PACED_HOURS * 60, default=None)
    paced_period: Literal["week", "semester", "school_year", "year"] = "week"
    # Formal observations a beginning educator must receive over `observation_years` years.
    observation_minimum: int | None = _counted(1, MAX_OBSERVATIONS, default=None)
    observation_years: int = _counted(1, 5, default=1)
    caseload_cap: int | None = _counted(1, MAX_CASELOAD, default=None)  # mentees per mentor
    mentoring_years: int = _counted(1, 5, default=1)  # years a beginning educator is mentored
    mentor_rule: MentorRule = MentorRule(text="trained")  # each preset states its own
    # Notes (of log entries and activities) dated more than this many years ago are erased by
    # the daily deadline sweep; the minutes stay. None: notes are kept.
    notes_retention_years: int | None = _counted(1, MAX_NOTES_RETENTION_YEARS, default=None)
    # Days an uninstalled program's rows are kept (for `export all`) before the deadline sweep
    # erases them all.
    retention_after_uninstall_days: int = _counted(
        1, MAX_RETENTION_AFTER_UNINSTALL_DAYS, default=30
    )
    deadlines: tuple[DeadlineRule, ...] = ()

    @field_validator("sign_off_roles")
    @classmethod
    def _check_sign_off_roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        allowed = ("coordinator", "lead_mentor", "evaluator")
        unknown = [role for role in value if role not in allowed]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} can't sign off (one of: {', '.join(allowed)})")
        return tuple(dict.fromkeys(("coordinator", *value)))

    @field_validator("report_due", "report_nudge_from")
    @classmethod
    def _check_month_day(cls, value: str) -> str:
        parse_month_day(value)
        return value

    @field_validator("digest_time")
    @classmethod
    def _check_naive_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError(
                "must be a local time without an offset (the program timezone applies)"
            )
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet_hours(cls, value: tuple[time, time]) -> tuple[time, time]:
        if any(t.tzinfo is not None for t in value):
            raise ValueError("must be local times without an offset (the program timezone applies)")
        return value

    @field_validator("standards")
    @classmethod
    def _check_standards(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) > MAX_STANDARDS:
            raise ValueError(f"lists {len(value)} standards; at most {MAX_STANDARDS}")
        for code in value:
            if not STANDARD_CODE_RE.match(code):
                raise ValueError(
                    f"{code[:40]!r} is not a standard code: letters and digits only, at most "
                    f"{MAX_STANDARD_CODE_CHARS} (such as 'II' or 'CSTP3')"
                )
        if len({code.upper() for code in value}) != len(value):
            raise ValueError("lists a standard twice (codes are read in any case)")
        return value

    @field_validator("standard_names")
    @classmethod
    def _check_standard_names(cls, value: dict[str, str]) -> dict[str, str]:
        for code, name in value.items():
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"the name of {code[:40]!r} must not be empty")
            if len(name) > MAX_TITLE_CHARS:
                raise ValueError(f"the name of {code[:40]!r} is longer than {MAX_TITLE_CHARS}")
        return value

    @field_validator("kinds")
    @classmethod
    def _check_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for kind in value:
            if not _KIND_RE.match(kind):
                raise ValueError(f"{kind!r} is not a lowercase kind word such as 'co-teaching'")
        if len(set(value)) != len(value):
            raise ValueError("lists a kind twice")
        if DEFAULT_KIND not in value:
            raise ValueError(f"must include {DEFAULT_KIND!r} (the default kind)")
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> "Policy":
        unknown = [code for code in self.standard_names if code not in self.standards]
        if unknown:
            raise ValueError(f"standard_names names unknown standards: {', '.join(unknown)}")
        keys = [rule.key for rule in self.deadlines]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"deadlines: duplicate rule keys: {', '.join(duplicates)}")
        return self

    def deadline(self, key: str) -> DeadlineRule | None:
        """The deadline rule with this key, or None."""
        return next((rule for rule in self.deadlines if rule.key == key), None)

    def standard_name(self, code: str) -> str:
        """Human name of a standard code ("II" → "Teaching All Students"); the code if unnamed."""
        return self.standard_names.get(code, code)

    @property
    def vocabulary(self) -> tuple[Standard, ...]:
        """The standards a log may tag, in the policy's order, with their names."""
        return tuple(Standard(code, self.standard_name(code)) for code in self.standards)


# The kinds /logmeeting and its form offer come from the preset alone (see overrides.py);
# a program may name its own standards.
FIXED_BY_PRESET: tuple[str, ...] = ("kinds",)
OVERRIDABLE_FIELDS: tuple[str, ...] = tuple(
    name for name in Policy.model_fields if name not in {"preset", "deadlines", *FIXED_BY_PRESET}
)
