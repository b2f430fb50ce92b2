"""Program policy (deadline rules, targets, presets) and the program TOML.

Everything here is pure: no clock, no store, no Slack.  A program is described by a TOML file
(see ``bot/demo/program.toml``)::

    name = "Hillside Public Schools"
    timezone = "America/New_York"
    policy = "ma"                       # preset: "ma" (603 CMR 7.12) or "ca" (1 h/week)
    school_year_start = 2026-08-31
    school_year_end = 2027-06-18
    non_school_days = [2026-09-07, 2026-10-12, 2026-11-11]
    vacations = [{ start = 2026-12-24, end = 2027-01-01, name = "Winter break" }]
    calendar_ics = "holidays.ics"       # optional; relative to the TOML file

    [overrides]                         # any Policy field except preset/deadlines
    weekly_target_minutes = 90
    digest_time = "08:00"

    [[deadlines]]                       # a preset's key patches that rule ...
    key = "mentor_assigned"
    applies_to = ["beginning_teacher", "incoming_teacher"]

    [[deadlines]]                       # ... a new key adds a rule; enabled = false drops one
    key = "support_team_meeting"
    enabled = false
"""

import difflib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.ledger import DEFAULT_YEAR_START_MONTH, ProgramYear, program_year_of

EDUCATOR_TYPES: tuple[str, ...] = (
    "beginning_teacher",
    "incoming_teacher",
    "beginning_administrator",
    "incoming_administrator",
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
MAX_SCHOOL_YEAR_DAYS = 396  # "a school year is at most ~13 months"
MINUTES_PER_DAY = 24 * 60

Anchor = Literal["school_year_start", "hire_or_start", "fixed_date", "before_start"]

_MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_KIND_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_REFERENCE_YEAR = 2001  # a non-leap year used to check and compare MM-DD strings


def parse_month_day(value: str) -> tuple[int, int]:
    """Parse an "MM-DD" string (Feb 29 excluded) into (month, day); ValueError if invalid."""
    match = _MONTH_DAY_RE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a month-day such as '07-31' (MM-DD)")
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


def school_year_label(start: date, end: date) -> str:
    """Label a school year by its bounds: 2026-08-31..2027-06-18 → "2026-27"."""
    if end.year == start.year:
        return str(start.year)
    return f"{start.year}-{end.year % 100:02d}"


def _days_between_month_days(earlier: str, later: str) -> int:
    """Calendar days from ``earlier`` to the next ``later`` (both MM-DD), in a non-leap year."""
    em, ed = parse_month_day(earlier)
    lm, ld = parse_month_day(later)
    start = date(_REFERENCE_YEAR, em, ed)
    end = date(_REFERENCE_YEAR, lm, ld)
    if end < start:
        end = date(_REFERENCE_YEAR + 1, lm, ld)
    return (end - start).days


# --------------------------------------------------------------------------- deadline rules


class DeadlineRule(BaseModel):
    """One milestone the scheduler watches; rules are data (adding a rule is adding a row)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    title: str
    applies_to: tuple[str, ...]
    anchor: Anchor
    offset_days: int = 0
    fixed_month_day: str | None = None
    nudge: tuple[str, ...] = ()
    nudge_days_before: int = Field(default=0, ge=0)
    escalate_to: tuple[str, ...] = ()
    repeat_every_school_days: int | None = Field(default=None, ge=1)
    late_hire_school_days: int | None = Field(default=None, ge=0)

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str) -> str:
        if not _KEY_RE.match(value):
            raise ValueError(f"{value!r} is not a snake_case key such as 'mentor_assigned'")
        return value

    @field_validator("title")
    @classmethod
    def _check_title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
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


def _check_members(values: Iterable[str], allowed: Sequence[str]) -> None:
    for value in values:
        if value not in allowed:
            raise ValueError(f"unknown value {value!r} (expected one of: {', '.join(allowed)})")


# --------------------------------------------------------------------------- policy


class Policy(BaseModel):
    """Targets, nudging rules and deadlines of a program (a preset plus overrides)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    preset: Literal["ma", "ca"]
    assignment_window_days: int = Field(ge=1, le=366)
    weekly_target_minutes: int = Field(ge=0, le=7 * MINUTES_PER_DAY)
    no_contact_school_days: int = Field(ge=1)
    year2_target_hours: int = Field(ge=0)
    report_due: str = "07-31"
    report_nudge_from: str = "06-15"
    orientation_late_hire_school_days: int = Field(ge=0)
    digest_weekday: int = Field(default=0, ge=0, le=6)
    digest_time: time = time(7, 30)
    quiet_hours: tuple[time, time] = (time(18, 0), time(7, 0))
    overdue_alert_repeat_school_days: int = Field(default=3, ge=1)
    standards: tuple[str, ...]
    standard_names: dict[str, str]
    kinds: tuple[str, ...] = DEFAULT_KINDS
    max_minutes_per_day: int = Field(default=720, ge=1, le=MINUTES_PER_DAY)
    hourly_rate_cents: int | None = Field(default=None, ge=0)
    lead_stipend_cents: int | None = Field(default=None, ge=0)
    deadlines: tuple[DeadlineRule, ...] = ()

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
        if len(set(value)) != len(value):
            raise ValueError("lists a standard twice")
        if any(not code.strip() for code in value):
            raise ValueError("a standard code must not be empty")
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

    def with_overrides(
        self,
        overrides: Mapping[str, Any] | None = None,
        deadlines: Sequence[Mapping[str, Any]] = (),
    ) -> "Policy":
        """This policy with overrides and deadline rows applied; ProgramConfigError if invalid."""
        policy, problems = _apply_overrides(self, overrides or {}, deadlines)
        if problems or policy is None:
            raise ProgramConfigError(problems)
        return policy


OVERRIDABLE_FIELDS: tuple[str, ...] = tuple(
    name for name in Policy.model_fields if name not in {"preset", "deadlines"}
)

# Policy scalars that are mirrored in a deadline rule: overriding the scalar updates the rule.
_LINKED_RULE_FIELDS: dict[str, tuple[str, str]] = {
    "assignment_window_days": ("mentor_assigned", "offset_days"),
    "orientation_late_hire_school_days": ("orientation", "late_hire_school_days"),
    "report_due": ("annual_report", "fixed_month_day"),
}


def _apply_overrides(
    base: Policy, overrides: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> tuple[Policy | None, list[str]]:
    """Apply ``[overrides]`` and ``[[deadlines]]`` to a preset; return (policy, problems)."""
    problems: list[str] = []
    for key in overrides:
        if key == "preset":
            problems.append("overrides.preset: set the preset with the top-level key 'policy'")
        elif key == "deadlines":
            problems.append("overrides.deadlines: change deadline rules with [[deadlines]] rows")
        elif key not in OVERRIDABLE_FIELDS:
            problems.append(f"overrides.{key}: {_unknown_key_text(key, OVERRIDABLE_FIELDS)}")
    if problems:
        return None, problems

    data = base.model_dump()
    data.update(overrides)
    if "standards" in overrides and "standard_names" not in overrides:
        data["standard_names"] = {
            code: name
            for code, name in base.standard_names.items()
            if code in overrides["standards"]
        }
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        return None, _format_errors(exc, prefix="overrides")

    rules = {rule.key: rule for rule in policy.deadlines}
    for field_name, (rule_key, rule_field) in _LINKED_RULE_FIELDS.items():
        if field_name in overrides and rule_key in rules:
            rules[rule_key] = rules[rule_key].model_copy(
                update={rule_field: getattr(policy, field_name)}
            )
    if ("report_due" in overrides or "report_nudge_from" in overrides) and "annual_report" in rules:
        lead = _days_between_month_days(policy.report_nudge_from, policy.report_due)
        rules["annual_report"] = rules["annual_report"].model_copy(
            update={"nudge_days_before": lead}
        )
    if "overdue_alert_repeat_school_days" in overrides:
        for key, rule in rules.items():
            if rule.repeat_every_school_days is not None:
                rules[key] = rule.model_copy(
                    update={"repeat_every_school_days": policy.overdue_alert_repeat_school_days}
                )

    for index, row in enumerate(rows):
        where = f"deadlines[{index}]"
        raw_key = row.get("key")
        if not isinstance(raw_key, str) or not raw_key:
            problems.append(
                f"{where}.key: missing required key (the rule's key, e.g. 'orientation')"
            )
            continue
        key = raw_key
        patch = {name: value for name, value in row.items() if name != "enabled"}
        enabled = row.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(f"{where}.enabled: expected true or false")
            continue
        if not enabled:
            if key not in rules:
                problems.append(f"{where}.key: no rule {key!r} to disable")
            rules.pop(key, None)
            continue
        merged = {**rules[key].model_dump(), **patch} if key in rules else dict(patch)
        if merged.get("anchor") != "fixed_date" and "fixed_month_day" not in patch:
            merged.pop("fixed_month_day", None)  # re-anchoring a fixed-date rule drops its date
        try:
            rules[key] = DeadlineRule.model_validate(merged)
        except ValidationError as exc:
            problems.extend(_format_errors(exc, prefix=where))
    if problems:
        return None, problems
    return policy.model_copy(update={"deadlines": tuple(rules.values())}), []


# --------------------------------------------------------------------------- presets

_ALL_EDUCATORS = EDUCATOR_TYPES
_BEGINNING = ("beginning_teacher", "beginning_administrator")

MA_STANDARD_NAMES: dict[str, str] = {
    "I": "Curriculum, Planning & Assessment",
    "II": "Teaching All Students",
    "III": "Family & Community Engagement",
    "IV": "Professional Culture",
}
CA_STANDARD_NAMES: dict[str, str] = {
    "CSTP1": "Engaging and Supporting All Students in Learning",
    "CSTP2": "Creating and Maintaining Effective Environments for Student Learning",
    "CSTP3": "Understanding and Organizing Subject Matter for Student Learning",
    "CSTP4": "Planning Instruction and Designing Learning Experiences for All Students",
    "CSTP5": "Assessing Students for Learning",
    "CSTP6": "Developing as a Professional Educator",
}


def _orientation(late_hire_school_days: int) -> DeadlineRule:
    return DeadlineRule(
        key="orientation",
        title="Orientation",
        applies_to=_ALL_EDUCATORS,
        anchor="school_year_start",
        offset_days=0,
        nudge=("mentee", "coordinator"),
        nudge_days_before=7,
        escalate_to=("coordinator",),
        late_hire_school_days=late_hire_school_days,
    )


def _mentor_assigned(window_days: int, repeat: int) -> DeadlineRule:
    return DeadlineRule(
        key="mentor_assigned",
        title="Mentor assigned",
        applies_to=_BEGINNING,
        anchor="hire_or_start",
        offset_days=window_days,
        nudge=("coordinator",),
        nudge_days_before=3,
        escalate_to=("coordinator",),
        repeat_every_school_days=repeat,
    )


def _mentor_training() -> DeadlineRule:
    return DeadlineRule(
        key="mentor_training",
        title="Mentor training",
        applies_to=("mentor",),
        anchor="before_start",
        nudge=("mentor", "coordinator"),
        nudge_days_before=14,
        escalate_to=("coordinator",),
    )


MA_PRESET = Policy(
    preset="ma",
    assignment_window_days=14,  # 603 CMR 7.12(2)(b): within the first two weeks (or of hire)
    weekly_target_minutes=60,  # program default; the regulation sets no weekly minimum
    no_contact_school_days=5,
    year2_target_hours=50,  # 603 CMR 7.04(2)(c): 50 hours beyond the induction year
    report_due="07-31",  # 603 CMR 7.12(3): annual report, link sent in June
    report_nudge_from="06-15",
    orientation_late_hire_school_days=5,
    digest_weekday=0,
    digest_time=time(7, 30),
    quiet_hours=(time(18, 0), time(7, 0)),
    overdue_alert_repeat_school_days=3,
    standards=tuple(MA_STANDARD_NAMES),
    standard_names=MA_STANDARD_NAMES,
    deadlines=(
        _orientation(late_hire_school_days=5),
        _mentor_assigned(window_days=14, repeat=3),
        DeadlineRule(
            key="support_team_meeting",
            title="Support team formed and first meeting",
            applies_to=_BEGINNING,
            anchor="before_start",
            nudge=("coordinator", "evaluator", "mentor"),
            nudge_days_before=7,
            escalate_to=("coordinator",),
            late_hire_school_days=10,  # program default for late hires (two school weeks)
        ),
        _mentor_training(),
        DeadlineRule(
            key="year2_hours",
            title="50 hours of mentoring beyond the induction year",
            applies_to=("beginning_teacher", "incoming_teacher"),
            anchor="fixed_date",
            fixed_month_day="06-30",  # progress target: by the end of the school (fiscal) year
            nudge=("mentee", "mentor"),
            nudge_days_before=60,
            escalate_to=("coordinator",),
        ),
        DeadlineRule(
            key="annual_report",
            title="Annual induction and mentoring report",
            applies_to=("program",),
            anchor="fixed_date",
            fixed_month_day="07-31",
            nudge=("coordinator",),
            nudge_days_before=_days_between_month_days("06-15", "07-31"),
            escalate_to=("coordinator",),
        ),
    ),
)

CA_PRESET = Policy(
    preset="ca",
    assignment_window_days=30,  # CA induction: mentor within 30 days of enrollment
    weekly_target_minutes=60,  # "one hour per week of individualized mentoring"
    no_contact_school_days=5,
    year2_target_hours=50,
    report_due="07-31",
    report_nudge_from="06-15",
    orientation_late_hire_school_days=5,
    digest_weekday=0,
    digest_time=time(7, 30),
    quiet_hours=(time(18, 0), time(7, 0)),
    overdue_alert_repeat_school_days=3,
    standards=tuple(CA_STANDARD_NAMES),
    standard_names=CA_STANDARD_NAMES,
    deadlines=(
        _orientation(late_hire_school_days=5),
        _mentor_assigned(window_days=30, repeat=3),
        DeadlineRule(
            key="ilp_goals",
            title="Individual Learning Plan goals",
            applies_to=("beginning_teacher",),
            anchor="hire_or_start",
            offset_days=60,
            nudge=("mentor", "mentee"),
            nudge_days_before=7,
            escalate_to=("coordinator",),
        ),
        _mentor_training(),
    ),
)

PRESETS: dict[str, Policy] = {"ma": MA_PRESET, "ca": CA_PRESET}


# --------------------------------------------------------------------------- errors


class ProgramConfigError(ValueError):
    """A program TOML (or policy override) is invalid; ``problems`` name each key and problem."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        count = len(self.problems)
        header = f"{where}invalid program config ({count} problem{'s' if count != 1 else ''})"
        super().__init__("\n  - ".join([header + ":", *self.problems]))


def _unknown_key_text(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (expected one of: {', '.join(allowed)})"


def _format_loc(loc: Sequence[int | str], prefix: str = "") -> str:
    text = prefix
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _format_errors(
    exc: ValidationError, prefix: str = "", allowed: Sequence[str] | None = None
) -> list[str]:
    """Turn a pydantic ValidationError into "key: problem" lines."""
    problems: list[str] = []
    for error in exc.errors():
        loc = error["loc"]
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ProgramConfigError):
            problems.extend(ctx_error.problems)
            continue
        where = _format_loc(loc, prefix)
        kind = error["type"]
        if kind == "missing":
            message = "missing required key"
        elif kind == "extra_forbidden":
            choices = allowed if allowed is not None and len(loc) == 1 else ()
            message = _unknown_key_text(str(loc[-1]), choices) if choices else "unknown key"
        elif isinstance(ctx_error, ValueError):
            message = str(ctx_error)
        else:
            message = error["msg"][:1].lower() + error["msg"][1:]
            if "input" in error and not isinstance(error["input"], dict | list):
                message += f" (got {error['input']!r})"
        problems.append(f"{where}: {message}" if where else message)
    return problems


# --------------------------------------------------------------------------- ICS


class IcsEvent(NamedTuple):
    """An all-day VEVENT: inclusive first and last day, and its SUMMARY."""

    start: date
    end: date
    summary: str

    def days(self) -> list[date]:
        """Every date the event covers."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


_ICS_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ICS_DURATION_RE = re.compile(r"^P(?:(\d+)W|(\d+)D)$")


def _unfold_ics(text: str) -> list[tuple[int, str]]:
    """RFC 5545 unfolding: a line starting with a space or tab continues the previous one."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in {" ", "\t"} and lines:
            first, content = lines[-1]
            lines[-1] = (first, content + raw[1:])
        elif raw.strip():
            lines.append((number, raw))
    return lines


def _ics_unescape(value: str) -> str:
    return re.sub(
        r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value
    ).strip()


def parse_ics(text: str) -> list[IcsEvent]:
    """All-day VEVENTs of an ICS text (timed events are ignored: they are not non-school days).

    Handles folded lines, ``DTSTART;VALUE=DATE:20261126``, an exclusive DTEND or a DURATION
    (PnD / PnW); a missing DTEND means one day.  Raises ValueError naming the line on bad input.
    """
    events: list[IcsEvent] = []
    current: dict[str, tuple[int, str, str]] | None = None
    for number, line in _unfold_ics(text):
        name_params, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {number}: expected NAME:VALUE, got {line[:40]!r}")
        name, *params = name_params.split(";")
        name = name.strip().upper()
        if name == "BEGIN" and value.strip().upper() == "VEVENT":
            current = {}
        elif name == "END" and value.strip().upper() == "VEVENT":
            if current is None:
                raise ValueError(f"line {number}: END:VEVENT without BEGIN:VEVENT")
            event = _ics_event(current, number)
            if event is not None:
                events.append(event)
            current = None
        elif current is not None and name in {"DTSTART", "DTEND", "DURATION", "SUMMARY"}:
            current[name] = (number, ";".join(params).upper(), value)
    if current is not None:
        raise ValueError("end of file: VEVENT without END:VEVENT")
    return events


def _ics_event(props: Mapping[str, tuple[int, str, str]], end_line: int) -> IcsEvent | None:
    if "DTSTART" not in props:
        raise ValueError(f"line {end_line}: VEVENT without DTSTART")
    start = _ics_date(*props["DTSTART"], name="DTSTART")
    if start is None:
        return None  # a timed event
    last = start
    if "DTEND" in props:
        end = _ics_date(*props["DTEND"], name="DTEND")
        if end is None:
            raise ValueError(f"line {props['DTEND'][0]}: DTEND is a date-time but DTSTART a date")
        if end <= start:
            raise ValueError(f"line {props['DTEND'][0]}: DTEND {end} is not after DTSTART {start}")
        last = end - timedelta(days=1)  # DTEND is exclusive for all-day events
    elif "DURATION" in props:
        number, _, value = props["DURATION"]
        match = _ICS_DURATION_RE.match(value.strip().upper())
        if match is None:
            raise ValueError(f"line {number}: unsupported DURATION {value!r} (expected PnD or PnW)")
        days = int(match.group(1)) * 7 if match.group(1) else int(match.group(2))
        last = start + timedelta(days=max(days, 1) - 1)
    summary = _ics_unescape(props["SUMMARY"][2]) if "SUMMARY" in props else ""
    return IcsEvent(start, last, summary)


def _ics_date(number: int, params: str, value: str, name: str) -> date | None:
    value = value.strip()
    match = _ICS_DATE_RE.match(value)
    if match is None:
        if "VALUE=DATE" not in params.split(";") and re.match(r"^\d{8}T\d{6}Z?$", value):
            return None
        raise ValueError(f"line {number}: bad {name} value {value!r} (expected YYYYMMDD)")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValueError(f"line {number}: bad {name} date {value!r}") from None


def ics_days(text: str) -> tuple[date, ...]:
    """Sorted distinct dates covered by the all-day events of an ICS text."""
    return tuple(sorted({day for event in parse_ics(text) for day in event.days()}))


# --------------------------------------------------------------------------- program config


class Vacation(BaseModel):
    """An inclusive range of non-school days; TOML ``{start = ..., end = ..., name = "..."}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    name: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, list | tuple) and len(data) == 2:
            return {"start": data[0], "end": data[1]}
        return data

    def days(self) -> list[date]:
        """Every date in the vacation, start and end included."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def _freeze(value: Any) -> Any:
    """Lists → tuples (recursively) so overrides compare equal after a TOML round-trip."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, dict):
        return {key: _freeze(item) for key, item in value.items()}
    return value


class ProgramConfig(BaseModel):
    """A program as described by its TOML file (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    timezone: str
    policy: str = "ma"
    school_year_start: date
    school_year_end: date
    program_year_start_month: int = Field(default=DEFAULT_YEAR_START_MONTH, ge=1, le=12)
    non_school_days: tuple[date, ...] = ()
    vacations: tuple[Vacation, ...] = ()
    calendar_ics: str | None = None
    calendar_ics_days: tuple[date, ...] = ()  # filled from calendar_ics by the loader
    overrides: dict[str, Any] = Field(default_factory=dict)
    deadlines: tuple[dict[str, Any], ...] = ()

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        hint = "(expected an IANA name such as America/New_York)"
        if not value.strip():
            raise ValueError(f"must not be empty {hint}")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} {hint}") from None
        return value

    @field_validator("policy", mode="before")
    @classmethod
    def _check_policy(cls, value: Any) -> Any:
        expected = ", ".join(PRESETS)
        if isinstance(value, dict):
            raise ValueError(
                f"expected a preset name ({expected}); put policy settings in [overrides]"
            )
        if isinstance(value, str) and value not in PRESETS:
            raise ValueError(f"unknown preset {value!r} (expected one of: {expected})")
        return value

    @field_validator("overrides", mode="after")
    @classmethod
    def _freeze_overrides(cls, value: dict[str, Any]) -> dict[str, Any]:
        frozen: dict[str, Any] = _freeze(value)
        return frozen

    @field_validator("deadlines", mode="after")
    @classmethod
    def _freeze_deadlines(cls, value: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        return tuple(_freeze(row) for row in value)

    @field_validator("calendar_ics_days", mode="after")
    @classmethod
    def _sort_ics_days(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _check_program(self) -> "ProgramConfig":
        problems = self._year_problems()
        _, policy_problems = _apply_overrides(PRESETS[self.policy], self.overrides, self.deadlines)
        problems.extend(policy_problems)
        if problems:
            raise ProgramConfigError(problems)
        return self

    def _year_problems(self) -> list[str]:
        start, end = self.school_year_start, self.school_year_end
        if end < start:
            return [f"school_year_end: {end} is before school_year_start {start}"]
        if end == start:
            return [f"school_year_end: {end} is the same day as school_year_start {start}"]
        if (end - start).days > MAX_SCHOOL_YEAR_DAYS:
            return [
                f"school_year_end: {end} is more than 13 months after school_year_start {start}"
            ]
        problems: list[str] = []
        year = program_year_of(start, self.program_year_start_month)
        if not year.contains(end):
            problems.append(
                f"school_year_end: {end} is outside the program year {year.label} "
                f"({year.first} to {year.last}) that school_year_start opens; "
                "set program_year_start_month so the school year lies in one program year"
            )
        span = f"({start} to {end})"
        for index, day in enumerate(self.non_school_days):
            if not start <= day <= end:
                problems.append(
                    f"non_school_days[{index}]: {day} is outside the school year {span}"
                )
        for index, vacation in enumerate(self.vacations):
            if vacation.end < vacation.start:
                problems.append(
                    f"vacations[{index}]: end {vacation.end} is before start {vacation.start}"
                )
            elif vacation.start < start or vacation.end > end:
                problems.append(
                    f"vacations[{index}]: {vacation.start}..{vacation.end} is outside "
                    f"the school year {span}"
                )
        return problems

    @property
    def tz(self) -> ZoneInfo:
        """The program timezone."""
        return ZoneInfo(self.timezone)

    @property
    def school_year_label(self) -> str:
        """The school year as "2026-27"."""
        return school_year_label(self.school_year_start, self.school_year_end)

    @property
    def program_year(self) -> ProgramYear:
        """The program year that holds this school year (by default 1 July – 30 June)."""
        return program_year_of(self.school_year_start, self.program_year_start_month)

    def effective_policy(self) -> Policy:
        """The preset named by ``policy`` with ``[overrides]`` and ``[[deadlines]]`` applied."""
        return PRESETS[self.policy].with_overrides(self.overrides, self.deadlines)

    def all_non_school_days(self) -> frozenset[date]:
        """Listed non-school days, vacation days and ICS days (ICS days clipped to the year)."""
        days = set(self.non_school_days)
        for vacation in self.vacations:
            days.update(vacation.days())
        days.update(
            day
            for day in self.calendar_ics_days
            if self.school_year_start <= day <= self.school_year_end
        )
        return frozenset(days)


PROGRAM_KEYS: tuple[str, ...] = tuple(ProgramConfig.model_fields)


def validate_program(data: Mapping[str, Any], source: str | None = None) -> ProgramConfig:
    """Validate a parsed TOML mapping into a ProgramConfig (ProgramConfigError lists problems)."""
    try:
        return ProgramConfig.model_validate(dict(data))
    except ValidationError as exc:
        raise ProgramConfigError(_format_errors(exc, allowed=PROGRAM_KEYS), source) from None


def parse_program_toml(
    text: str, base_dir: Path | None = None, source: str | None = None
) -> ProgramConfig:
    """Parse program TOML text; ``calendar_ics`` is resolved against ``base_dir`` (default: cwd).

    When the ICS file is missing but the TOML already lists ``calendar_ics_days`` (as written by
    ``program_to_toml``), those days are kept.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgramConfigError([f"TOML syntax error: {exc}"], source) from None
    ics = data.get("calendar_ics")
    if isinstance(ics, str) and ics.strip():
        path = Path(ics).expanduser()
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        path = path.resolve()
        data["calendar_ics"] = str(path)
        try:
            ics_text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            if "calendar_ics_days" not in data:
                raise ProgramConfigError(
                    [f"calendar_ics: file not found: {path}"], source
                ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ProgramConfigError([f"calendar_ics: cannot read {path}: {exc}"], source) from None
        else:
            try:
                data["calendar_ics_days"] = list(ics_days(ics_text))
            except ValueError as exc:
                raise ProgramConfigError([f"calendar_ics: {path}: {exc}"], source) from None
    elif ics is not None and not isinstance(ics, str):
        raise ProgramConfigError(["calendar_ics: expected a file path string"], source)
    return validate_program(data, source)


def load_program_toml(path: Path) -> ProgramConfig:
    """Load a program TOML file (and its calendar_ics, relative to the file)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProgramConfigError([f"file not found: {path}"], str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgramConfigError([f"cannot read {path}: {exc}"], str(path)) from None
    return parse_program_toml(text, base_dir=path.resolve().parent, source=str(path))


# --------------------------------------------------------------------------- TOML writer


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_date_list(days: Sequence[date]) -> str:
    if len(days) <= 4:
        return _toml_value(days)
    return "[\n" + "".join(f"  {day.isoformat()},\n" for day in days) + "]"


def program_to_toml(cfg: ProgramConfig) -> str:
    """Render a program as TOML that ``parse_program_toml`` reads back to an equal config."""
    lines = [
        f"name = {_toml_value(cfg.name)}",
        f"timezone = {_toml_value(cfg.timezone)}",
        f"policy = {_toml_value(cfg.policy)}",
        f"school_year_start = {cfg.school_year_start.isoformat()}",
        f"school_year_end = {cfg.school_year_end.isoformat()}",
    ]
    if cfg.program_year_start_month != DEFAULT_YEAR_START_MONTH:
        lines.append(f"program_year_start_month = {cfg.program_year_start_month}")
    lines += [
        f"non_school_days = {_toml_date_list(cfg.non_school_days)}",
    ]
    if cfg.vacations:
        lines.append("vacations = [")
        for vacation in cfg.vacations:
            fields: dict[str, date | str] = {"start": vacation.start, "end": vacation.end}
            if vacation.name:
                fields["name"] = vacation.name
            lines.append(f"  {_toml_value(fields)},")
        lines.append("]")
    if cfg.calendar_ics is not None:
        lines.append(f"calendar_ics = {_toml_value(cfg.calendar_ics)}")
    if cfg.calendar_ics_days:
        lines.append(f"calendar_ics_days = {_toml_date_list(cfg.calendar_ics_days)}")
    if cfg.overrides:
        lines += ["", "[overrides]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in cfg.overrides.items()]
    for row in cfg.deadlines:
        lines += ["", "[[deadlines]]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in row.items()]
    return "\n".join(lines) + "\n"
