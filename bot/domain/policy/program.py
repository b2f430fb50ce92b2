"""A program as its TOML file describes it: name, timezone, school year, calendar, policy."""

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.domain.ledger import DEFAULT_YEAR_START_MONTH, ProgramYear, program_year_of
from bot.domain.policy.limits import (
    FIRST_SCHOOL_DATE,
    LAST_SCHOOL_DATE,
    MAX_CALENDAR_DAYS,
    MAX_LISTED_DAYS,
    MAX_NAME_CHARS,
    MAX_PATH_CHARS,
    MAX_SCHOOL_YEAR_DAYS,
    MAX_TIMEZONE_CHARS,
    MAX_VACATIONS,
)
from bot.domain.policy.overrides import apply_overrides, with_overrides
from bot.domain.policy.presets import PRESETS
from bot.domain.policy.problems import ProgramConfigError, format_errors, merge
from bot.domain.policy.rules import Policy
from bot.domain.policy.surveys import SurveyDefinition, survey_problems


def _sane_date(value: date) -> date:
    if not FIRST_SCHOOL_DATE <= value <= LAST_SCHOOL_DATE:
        raise ValueError(
            f"{value} is outside {FIRST_SCHOOL_DATE.year}–{LAST_SCHOOL_DATE.year} "
            "(a date such as 2026-08-31)"
        )
    return value


SchoolDate = Annotated[date, AfterValidator(_sane_date)]


def _bounded_name(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(f"is {len(value)} characters long (at most {MAX_NAME_CHARS})")
    return value


def school_year_label(start: date, end: date) -> str:
    """Label a school year by its bounds: 2026-08-31..2027-06-18 → "2026-27"."""
    if end.year == start.year:
        return str(start.year)
    return f"{start.year}-{end.year % 100:02d}"


class Vacation(BaseModel):
    """An inclusive range of non-school days; TOML ``{start = ..., end = ..., name = "..."}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: SchoolDate
    end: SchoolDate
    name: Annotated[str, AfterValidator(_bounded_name)] = ""

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
    """A program as described by its TOML file (see the package docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    timezone: str
    policy: str = "ma"
    school_year_start: SchoolDate
    school_year_end: SchoolDate
    program_year_start_month: int = Field(
        default=DEFAULT_YEAR_START_MONTH, strict=True, ge=1, le=12
    )
    non_school_days: tuple[SchoolDate, ...] = Field(default=(), max_length=MAX_LISTED_DAYS)
    vacations: tuple[Vacation, ...] = Field(default=(), max_length=MAX_VACATIONS)
    calendar_ics: str | None = Field(default=None, max_length=MAX_PATH_CHARS)
    # filled from calendar_ics by the loader
    calendar_ics_days: tuple[SchoolDate, ...] = Field(default=(), max_length=MAX_CALENDAR_DAYS)
    overrides: dict[str, Any] = Field(default_factory=dict)
    deadlines: tuple[dict[str, Any], ...] = ()
    surveys: tuple[SurveyDefinition, ...] = ()

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return _bounded_name(value)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        hint = "(expected an IANA name such as America/New_York)"
        if not value.strip():
            raise ValueError(f"must not be empty {hint}")
        if len(value) > MAX_TIMEZONE_CHARS:
            raise ValueError(f"is longer than {MAX_TIMEZONE_CHARS} characters {hint}")
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
            raise ValueError(f"unknown preset {value[:40]!r} (expected one of: {expected})")
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
        problems = school_year_problems(
            self.school_year_start,
            self.school_year_end,
            self.program_year_start_month,
            self.non_school_days,
            self.vacations,
        )
        _, policy_problems = apply_overrides(PRESETS[self.policy], self.overrides, self.deadlines)
        problems.extend(policy_problems)
        problems.extend(survey_problems(self.surveys, self.school_year_start, self.school_year_end))
        if problems:
            raise ProgramConfigError(problems)
        return self

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
        return with_overrides(PRESETS[self.policy], self.overrides, self.deadlines)

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


def school_year_problems(
    start: date,
    end: date,
    year_start_month: int,
    non_school_days: Sequence[date | None],
    vacations: Sequence[Vacation | None],
) -> list[str]:
    """What is wrong with a school year and its days off (empty when nothing is); a None day
    or vacation is one already refused on its own."""
    reversed_vacations = [
        f"vacations[{index}]: end {vacation.end} is before start {vacation.start}"
        for index, vacation in enumerate(vacations)
        if vacation is not None and vacation.end < vacation.start
    ]
    if end < start:
        return [f"school_year_end: {end} is before school_year_start {start}", *reversed_vacations]
    if end == start:
        return [
            f"school_year_end: {end} is the same day as school_year_start {start}",
            *reversed_vacations,
        ]
    if (end - start).days > MAX_SCHOOL_YEAR_DAYS:
        return [
            f"school_year_end: {end} is more than 13 months after school_year_start {start}",
            *reversed_vacations,
        ]
    problems: list[str] = []
    year = program_year_of(start, year_start_month)
    if not year.contains(end):
        problems.append(
            f"school_year_end: {end} is outside the program year {year.label} "
            f"({year.first} to {year.last}) that school_year_start opens; "
            "set program_year_start_month so the school year lies in one program year"
        )
    span = f"({start} to {end})"
    for index, day in enumerate(non_school_days):
        if day is not None and not start <= day <= end:
            problems.append(f"non_school_days[{index}]: {day} is outside the school year {span}")
    for index, vacation in enumerate(vacations):
        if vacation is None:
            continue
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


PROGRAM_KEYS: tuple[str, ...] = tuple(ProgramConfig.model_fields)


def validate_program(data: Mapping[str, Any], source: str | None = None) -> ProgramConfig:
    """Validate a parsed TOML mapping into a ProgramConfig (ProgramConfigError lists problems).

    Every problem is reported at once: when a key fails on its own, the checks across keys
    (the school year, the overrides) still run on the keys and items that are sound."""
    try:
        return ProgramConfig.model_validate(dict(data))
    except ValidationError as exc:
        problems = format_errors(exc, allowed=PROGRAM_KEYS)
    raise ProgramConfigError(merge(problems, _problems_across_keys(data)), source)


def _field(data: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """(True, value) when the key validates on its own (or is absent with a default)."""
    info = ProgramConfig.model_fields[name]
    if name not in data:
        return (not info.is_required(), info.get_default(call_default_factory=True))
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[info.annotation, info])  # type: ignore[arg-type]
    try:
        return True, adapter.validate_python(data[name])
    except ValidationError:
        return False, None


def _items(data: Mapping[str, Any], name: str, adapter: TypeAdapter[Any]) -> list[Any]:
    """Each item of a list key validated alone (None where it fails)."""
    items = data.get(name, ())
    if not isinstance(items, list | tuple):
        return []
    checked: list[Any] = []
    for item in items:
        try:
            checked.append(adapter.validate_python(item))
        except ValidationError:
            checked.append(None)
    return checked


def _problems_across_keys(data: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    bounds = [_field(data, name) for name in _YEAR_BOUNDS]
    if all(sound for sound, _ in bounds):
        start, end, month = (value for _, value in bounds)
        problems += school_year_problems(
            start,
            end,
            month,
            _items(data, "non_school_days", _SCHOOL_DATE),
            _items(data, "vacations", _VACATION),
        )
    policy = data.get("policy", "ma")
    overrides, deadlines = _field(data, "overrides"), _field(data, "deadlines")
    if overrides[0] and deadlines[0]:
        # An unknown preset is refused on its own; the overrides and deadline rows are still
        # checked, against the default preset, so that one pass names every problem.
        preset = PRESETS[policy] if isinstance(policy, str) and policy in PRESETS else PRESETS["ma"]
        problems += apply_overrides(preset, _freeze(overrides[1]), deadlines[1])[1]
    start, end = _field(data, "school_year_start"), _field(data, "school_year_end")
    if start[0] and end[0]:
        problems += survey_problems(_items(data, "surveys", _SURVEY), start[1], end[1])
    return problems


_YEAR_BOUNDS = ("school_year_start", "school_year_end", "program_year_start_month")
_SCHOOL_DATE: TypeAdapter[date] = TypeAdapter(SchoolDate)
_VACATION: TypeAdapter[Vacation] = TypeAdapter(Vacation)
_SURVEY: TypeAdapter[SurveyDefinition] = TypeAdapter(SurveyDefinition)
