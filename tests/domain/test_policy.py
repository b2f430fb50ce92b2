"""Program policy, presets and the program TOML (bot/domain/policy.py)."""

# Table tests keep one case per line, even when the expected problem text is long.

from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from bot.domain.policy import (
    PRESETS,
    DeadlineRule,
    IcsEvent,
    Policy,
    ProgramConfig,
    ProgramConfigError,
    Vacation,
    ics_days,
    load_program_toml,
    next_month_day,
    parse_ics,
    parse_month_day,
    parse_program_toml,
    program_to_toml,
    school_year_label,
    with_overrides,
)
from tests.support.hillside import PROGRAM_KEYS
from tests.support.repo import DEMO_TOML

CONTRACT_TOML = """\
name = "Hillside Public Schools"
timezone = "America/New_York"
policy = "ma"                       # preset: "ma" (603 CMR 7.12) or "ca" (1 h/week)
school_year_start = 2026-08-31
school_year_end = 2027-06-18
non_school_days = [2026-09-07, 2026-10-12, 2026-11-11]
"""


def _toml(set_keys: dict[str, str | None] | None = None, tables: str = "") -> str:
    """The contract TOML with top-level keys set (None: removed) and tables appended."""
    keys = {**PROGRAM_KEYS, **(set_keys or {})}
    lines = [f"{key} = {value}" for key, value in keys.items() if value is not None]
    return "\n".join(lines) + "\n" + tables


def _problems(text: str, base_dir: Path | None = None) -> list[str]:
    with pytest.raises(ProgramConfigError) as info:
        parse_program_toml(text, base_dir=base_dir)
    return info.value.problems


# --------------------------------------------------------------------------- good programs


def test_contract_example_loads() -> None:
    cfg = parse_program_toml(CONTRACT_TOML)
    assert cfg.name == "Hillside Public Schools"
    assert cfg.timezone == "America/New_York"
    assert cfg.tz.key == "America/New_York"
    assert cfg.policy == "ma"
    assert (cfg.school_year_start, cfg.school_year_end) == (date(2026, 8, 31), date(2027, 6, 18))
    assert cfg.non_school_days == (date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11))
    assert cfg.vacations == ()
    assert cfg.school_year_label == "2026-27"
    assert cfg.effective_policy() == PRESETS["ma"]


def test_policy_defaults_to_ma() -> None:
    cfg = parse_program_toml(_toml({"policy": None}))
    assert cfg.policy == "ma"
    assert cfg.effective_policy().assignment_window_days == 14


def test_demo_program_loads() -> None:
    cfg = load_program_toml(DEMO_TOML)
    assert cfg.name == "Maple Valley Public Schools"
    assert cfg.school_year_label == "2026-27"
    assert date(2026, 9, 7) in cfg.non_school_days
    assert Vacation(start=date(2026, 12, 24), end=date(2027, 1, 1), name="Winter break") in (
        cfg.vacations
    )
    days = cfg.all_non_school_days()
    assert {date(2026, 12, 31), date(2027, 2, 17), date(2027, 4, 19), date(2027, 5, 31)} <= days
    assert cfg.effective_policy().hourly_rate_cents == 3000
    assert cfg.effective_policy().lead_stipend_cents == 120000


@pytest.mark.parametrize(
    ("set_keys", "attribute", "expected"),
    [
        ({"policy": '"ca"'}, "policy", "ca"),
        ({"name": '"  Padded  "'}, "name", "Padded"),
        ({"timezone": '"America/Los_Angeles"'}, "timezone", "America/Los_Angeles"),
        ({"non_school_days": None}, "non_school_days", ()),
        ({"school_year_start": "2026-01-26", "school_year_end": "2026-12-11", "program_year_start_month": "1"}, "school_year_label", "2026"),
        ({"vacations": "[[2026-12-24, 2027-01-01]]"}, "vacations", (Vacation(start=date(2026, 12, 24), end=date(2027, 1, 1)),)),
        ({"vacations": '[{start = 2026-12-24, end = 2027-01-01, name = "Winter break"}]'}, "vacations", (Vacation(start=date(2026, 12, 24), end=date(2027, 1, 1), name="Winter break"),)),
        ({"school_year_start": "2026-08-31T00:00:00"}, "school_year_start", date(2026, 8, 31)),
    ],
)  # fmt: skip
def test_good_program_values(
    set_keys: dict[str, str | None], attribute: str, expected: Any
) -> None:
    assert getattr(parse_program_toml(_toml(set_keys)), attribute) == expected


# --------------------------------------------------------------------------- bad programs


@pytest.mark.parametrize(
    ("set_keys", "tables", "expected"),
    [
        ({"timezone": '"America/Nowhere"'}, "", "timezone: unknown timezone 'America/Nowhere' (expected an IANA name such as America/New_York)"),
        ({"timezone": '""'}, "", "timezone: must not be empty (expected an IANA name such as America/New_York)"),
        ({"school_year_end": "2026-06-18"}, "", "school_year_end: 2026-06-18 is before school_year_start 2026-08-31"),
        ({"school_year_end": "2026-08-31"}, "", "school_year_end: 2026-08-31 is the same day as school_year_start 2026-08-31"),
        ({"school_year_end": "2027-12-18"}, "", "school_year_end: 2027-12-18 is more than 13 months after school_year_start 2026-08-31"),
        ({"policy": '"zz"'}, "", "policy: unknown preset 'zz' (expected one of: ma, ca, tx, il, ny, ok)"),
        ({"policy": None}, "[policy]\nweekly_target_minutes = 90\n", "policy: expected a preset name (ma, ca, tx, il, ny, ok); put policy settings in [overrides]"),
        ({"non_school_days": "[2026-09-07, 2025-09-07]"}, "", "non_school_days[1]: 2025-09-07 is outside the school year"),
        ({"non_school_days": '[2026-09-07, "soon"]'}, "", "non_school_days[1]: input should be a valid date"),
        ({"name": None}, "", "name: missing required key"),
        ({"timezone": None}, "", "timezone: missing required key"),
        ({"school_year_start": None}, "", "school_year_start: missing required key"),
        ({"school_year_end": None}, "", "school_year_end: missing required key"),
        ({"name": '"   "'}, "", "name: must not be empty"),
        ({"name": "42"}, "", "name: input should be a valid string (got 42)"),
        ({"school_year_start": '"next fall"'}, "", "school_year_start: input should be a valid date"),
        ({"colour": '"blue"'}, "", "colour: unknown key (expected one of: name, timezone, policy,"),
        ({"timezon": '"UTC"'}, "", "timezon: unknown key (did you mean 'timezone'?)"),
        ({"vacations": "[{start = 2026-12-24, end = 2026-12-20}]"}, "", "vacations[0]: end 2026-12-20 is before start 2026-12-24"),
        ({"vacations": "[{start = 2027-06-14, end = 2027-06-25}]"}, "", "vacations[0]: 2027-06-14..2027-06-25 is outside the school year"),
        ({"vacations": "[{start = 2026-12-24}]"}, "", "vacations[0].end: missing required key"),
        ({"vacations": "[{start = 2026-12-24, end = 2027-01-01, why = 1}]"}, "", "vacations[0].why: unknown key"),
        ({}, "[overrides]\nweekly_target_minute = 90\n", "overrides.weekly_target_minute: unknown key (did you mean 'weekly_target_minutes'?)"),
        ({}, "[overrides]\nweekly_target_minutes = \"lots\"\n", "overrides.weekly_target_minutes: input should be a valid integer (got 'lots')"),
        ({}, "[overrides]\nassignment_window_days = 0\n", "overrides.assignment_window_days: input should be greater than or equal to 1 (got 0)"),
        ({}, "[overrides]\ndigest_time = \"25:00\"\n", "overrides.digest_time: input should be in a valid time format"),
        ({}, "[overrides]\ndigest_weekday = 7\n", "overrides.digest_weekday: input should be less than or equal to 6 (got 7)"),
        ({}, "[overrides]\nreport_due = \"07-32\"\n", "overrides.report_due: '07-32' is not a valid month-day (MM-DD)"),
        ({}, "[overrides]\nkinds = [\"obs\"]\n", "overrides.kinds: can't be overridden: /logmeeting and its form use the preset's kinds"),
        ({}, "[overrides]\nkinds = [\"meeting\", \"walkthrough\"]\n", "overrides.kinds: can't be overridden"),
        ({}, "[overrides]\nstandards = [\"I\", \"i\"]\n", "overrides.standards: lists a standard twice (codes are read in any case)"),
        ({}, "[overrides]\nstandards = [\"#2\"]\n", "overrides.standards: '#2' is not a standard code: letters and digits only"),
        ({}, "[overrides]\nstandards = [\"A\"]\nstandard_names = {A = \"\"}\n", "overrides.standard_names: the name of 'A' must not be empty"),
        ({}, "[overrides]\npreset = \"ca\"\n", "overrides.preset: set the preset with the top-level key 'policy'"),
        ({}, "[overrides]\ndeadlines = []\n", "overrides.deadlines: change deadline rules with [[deadlines]] rows"),
        ({}, "[overrides]\nstandard_names = {V = \"Leadership\"}\n", "overrides: standard_names names unknown standards: V"),
        ({}, "[[deadlines]]\ntitle = \"No key\"\n", "deadlines[0].key: missing required key"),
        ({}, "[[deadlines]]\nkey = \"mentor_assigned\"\nnudge = [\"boss\"]\n", "deadlines[0].nudge: unknown value 'boss' (expected one of: mentee, mentor, coordinator, evaluator, lead_mentor)"),
        ({}, "[[deadlines]]\nkey = \"mentor_assigned\"\noffset_days = \"two weeks\"\n", "deadlines[0].offset_days: input should be a valid integer"),
        ({}, "[[deadlines]]\nkey = \"new_rule\"\ntitle = \"New\"\n", "deadlines[0].applies_to: missing required key"),
        ({}, "[[deadlines]]\nkey = \"report\"\ntitle = \"R\"\napplies_to = [\"program\"]\nanchor = \"fixed_date\"\n", "deadlines[0]: anchor 'fixed_date' needs fixed_month_day"),
        ({}, "[[deadlines]]\nkey = \"nothing\"\nenabled = false\n", "deadlines[0].key: no rule 'nothing' to disable"),
        ({}, "[[deadlines]]\nkey = \"orientation\"\nenabled = \"no\"\n", "deadlines[0].enabled: expected true or false"),
        ({}, "[[deadlines]]\nkey = \"orientation\"\ncolour = 1\n", "deadlines[0].colour: unknown key"),
        ({}, "x = = 1\n", "TOML syntax error: Invalid value (at line 7, column 5)"),
        ({"name": '"unterminated'}, "", "TOML syntax error: Illegal character '\\n' (at line 1, column 21)"),
    ],
)  # fmt: skip
def test_bad_program(set_keys: dict[str, str | None], tables: str, expected: str) -> None:
    problems = _problems(_toml(set_keys, tables))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    text = _toml({"timezone": '"Mars/Olympus"', "policy": '"zz"', "colour": "1"})
    assert [p.split(":")[0] for p in _problems(text)] == ["timezone", "policy", "colour"]


def test_error_message_lists_problems_and_source(tmp_path: Path) -> None:
    path = tmp_path / "program.toml"
    path.write_text(_toml({"policy": '"zz"', "timezone": '"Nowhere"'}), encoding="utf-8")
    with pytest.raises(ProgramConfigError) as info:
        load_program_toml(path)
    assert str(info.value).startswith(f"{path}: invalid program config (2 problems):")
    assert "\n  - policy: unknown preset 'zz'" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ProgramConfigError, match="file not found"):
        load_program_toml(tmp_path / "nope.toml")


def test_python_construction_validates_too() -> None:
    with pytest.raises(ValueError, match="is before school_year_start"):
        ProgramConfig(
            name="X",
            timezone="UTC",
            school_year_start=date(2026, 8, 31),
            school_year_end=date(2026, 6, 1),
        )


# --------------------------------------------------------------------------- presets


@pytest.mark.parametrize(
    ("preset", "field", "expected"),
    [
        ("ma", "assignment_window_days", 14),
        ("ca", "assignment_window_days", 30),
        ("ma", "weekly_target_minutes", 60),
        ("ca", "weekly_target_minutes", 60),
        ("ma", "no_contact_school_days", 5),
        ("ma", "year2_target_hours", 50),
        ("ma", "report_due", "07-31"),
        ("ma", "report_nudge_from", "06-15"),
        ("ma", "orientation_late_hire_school_days", 5),
        ("ma", "digest_weekday", 0),
        ("ma", "digest_time", time(7, 30)),
        ("ma", "quiet_hours", (time(18, 0), time(7, 0))),
        ("ma", "overdue_alert_repeat_school_days", 3),
        ("ma", "standards", ("I", "II", "III", "IV")),
        ("ca", "standards", ("CSTP1", "CSTP2", "CSTP3", "CSTP4", "CSTP5", "CSTP6")),
        ("ma", "kinds", ("meeting", "observation", "observed", "co-teaching", "planning", "group", "video", "other")),
        ("ma", "max_minutes_per_day", 720),
        ("ma", "hourly_rate_cents", None),
        ("ma", "lead_stipend_cents", None),
    ],
)  # fmt: skip
def test_preset_values(preset: str, field: str, expected: Any) -> None:
    assert getattr(PRESETS[preset], field) == expected


@pytest.mark.parametrize(
    ("preset", "keys"),
    [
        ("ma", ("orientation", "mentor_assigned", "support_team_meeting", "mentor_training", "year2_hours", "annual_report")),
        ("ca", ("orientation", "mentor_assigned", "ilp_goals", "mentor_training")),
    ],
)  # fmt: skip
def test_preset_deadline_keys(preset: str, keys: tuple[str, ...]) -> None:
    assert tuple(rule.key for rule in PRESETS[preset].deadlines) == keys


@pytest.mark.parametrize(
    ("preset", "key", "field", "expected"),
    [
        ("ma", "mentor_assigned", "offset_days", 14),
        ("ca", "mentor_assigned", "offset_days", 30),
        ("ma", "mentor_assigned", "anchor", "hire_or_start"),
        ("ma", "mentor_assigned", "applies_to", ("beginning_teacher", "beginning_administrator")),
        ("ma", "mentor_assigned", "repeat_every_school_days", 3),
        ("ma", "mentor_assigned", "escalate_to", ("coordinator",)),
        ("ma", "orientation", "applies_to", ("beginning_teacher", "incoming_teacher", "beginning_administrator", "incoming_administrator")),
        ("ma", "orientation", "late_hire_school_days", 5),
        ("ma", "support_team_meeting", "nudge", ("coordinator", "evaluator", "mentor")),
        ("ma", "support_team_meeting", "anchor", "before_start"),
        ("ma", "mentor_training", "applies_to", ("mentor",)),
        ("ma", "annual_report", "applies_to", ("program",)),
        ("ma", "annual_report", "fixed_month_day", "07-31"),
        ("ma", "annual_report", "nudge_days_before", 46),
        ("ma", "year2_hours", "applies_to", ("beginning_teacher", "incoming_teacher")),
    ],
)  # fmt: skip
def test_preset_rules(preset: str, key: str, field: str, expected: Any) -> None:
    rule = PRESETS[preset].deadline(key)
    assert rule is not None
    assert getattr(rule, field) == expected


@pytest.mark.parametrize(
    ("preset", "code", "name"),
    [
        ("ma", "II", "Teaching All Students"),
        ("ma", "IV", "Professional Culture"),
        ("ca", "CSTP5", "Assessing Students for Learning"),
        ("ma", "V", "V"),
    ],
)
def test_standard_names(preset: str, code: str, name: str) -> None:
    assert PRESETS[preset].standard_name(code) == name


# --------------------------------------------------------------------------- overrides


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ("weekly_target_minutes = 90", "weekly_target_minutes", 90),
        ("assignment_window_days = 10", "assignment_window_days", 10),
        ('digest_time = "08:00"', "digest_time", time(8, 0)),
        ("digest_time = 08:15:00", "digest_time", time(8, 15)),
        ("digest_weekday = 4", "digest_weekday", 4),
        ('quiet_hours = ["20:00", "06:30"]', "quiet_hours", (time(20, 0), time(6, 30))),
        ("no_contact_school_days = 7", "no_contact_school_days", 7),
        ("hourly_rate_cents = 3000", "hourly_rate_cents", 3000),
        ("max_minutes_per_day = 600", "max_minutes_per_day", 600),
    ],
)  # fmt: skip
def test_overrides(overrides: str, field: str, expected: Any) -> None:
    cfg = parse_program_toml(_toml(tables=f"[overrides]\n{overrides}\n"))
    assert getattr(cfg.effective_policy(), field) == expected


@pytest.mark.parametrize(
    ("overrides", "rule_key", "field", "expected"),
    [
        ("assignment_window_days = 10", "mentor_assigned", "offset_days", 10),
        ("orientation_late_hire_school_days = 3", "orientation", "late_hire_school_days", 3),
        ('report_due = "08-15"', "annual_report", "fixed_month_day", "08-15"),
        ('report_due = "08-15"', "annual_report", "nudge_days_before", 61),
        ('report_nudge_from = "06-01"', "annual_report", "nudge_days_before", 60),
        ("overdue_alert_repeat_school_days = 5", "mentor_assigned", "repeat_every_school_days", 5),
        ("overdue_alert_repeat_school_days = 5", "orientation", "repeat_every_school_days", None),
    ],
)  # fmt: skip
def test_overrides_follow_into_linked_rules(
    overrides: str, rule_key: str, field: str, expected: Any
) -> None:
    policy = parse_program_toml(_toml(tables=f"[overrides]\n{overrides}\n")).effective_policy()
    rule = policy.deadline(rule_key)
    assert rule is not None
    assert getattr(rule, field) == expected


@pytest.mark.parametrize(
    ("rows", "key", "field", "expected"),
    [
        ('key = "mentor_assigned"\napplies_to = ["beginning_teacher", "incoming_teacher"]', "mentor_assigned", "applies_to", ("beginning_teacher", "incoming_teacher")),
        ('key = "orientation"\nnudge_days_before = 10', "orientation", "nudge_days_before", 10),
        ('key = "orientation"\nnudge_days_before = 10', "orientation", "late_hire_school_days", 5),
        ('key = "year2_hours"\nanchor = "school_year_start"\noffset_days = 280', "year2_hours", "fixed_month_day", None),
        ('key = "group_session"\ntitle = "Monthly group session"\napplies_to = ["beginning_teacher"]\nanchor = "school_year_start"\noffset_days = 30\nnudge = ["lead_mentor"]', "group_session", "nudge", ("lead_mentor",)),
        ('key = "support_team_meeting"\nenabled = false', "support_team_meeting", "key", None),
    ],
)  # fmt: skip
def test_deadline_rows(rows: str, key: str, field: str, expected: Any) -> None:
    policy = parse_program_toml(_toml(tables=f"[[deadlines]]\n{rows}\n")).effective_policy()
    rule = policy.deadline(key)
    assert (getattr(rule, field) if rule is not None else None) == expected


def test_adding_a_rule_is_adding_a_row() -> None:
    extra = DeadlineRule(
        key="midyear_survey",
        title="Mid-year satisfaction survey",
        applies_to=("beginning_teacher",),
        anchor="fixed_date",
        fixed_month_day="01-31",
        nudge=("mentee",),
    )
    policy = PRESETS["ma"].model_copy(update={"deadlines": (*PRESETS["ma"].deadlines, extra)})
    assert policy.deadline("midyear_survey") == extra
    assert extra.base_due(date(2026, 8, 31)) == date(2027, 1, 31)


def test_with_overrides_rejects_bad_values() -> None:
    with pytest.raises(ProgramConfigError, match=r"overrides\.weekly_target_minutes"):
        with_overrides(PRESETS["ma"], {"weekly_target_minutes": -5})
    assert with_overrides(PRESETS["ca"], {"weekly_target_minutes": 90}).weekly_target_minutes == 90


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"anchor": "fixed_date"}, "anchor 'fixed_date' needs fixed_month_day"),
        ({"anchor": "before_start", "offset_days": 3}, "anchor 'before_start' needs offset_days <= 0"),
        ({"anchor": "school_year_start", "fixed_month_day": "07-31"}, "fixed_month_day is only used with anchor 'fixed_date'"),
        ({"anchor": "fixed_date", "fixed_month_day": "02-30"}, "'02-30' is not a valid month-day"),
        ({"anchor": "fixed_date", "fixed_month_day": "7/31"}, "'7/31' is not a month-day"),
        ({"anchor": "school_year_start", "key": "Mentor Assigned"}, "is not a snake_case key"),
        ({"anchor": "school_year_start", "applies_to": ()}, "must name at least one of"),
        ({"anchor": "school_year_start", "applies_to": ("student",)}, "unknown value 'student'"),
        ({"anchor": "someday"}, "Input should be 'school_year_start'"),
        ({"anchor": "school_year_start", "repeat_every_school_days": 0}, "greater than or equal to 1"),
    ],
)  # fmt: skip
def test_bad_deadline_rule(fields: dict[str, Any], expected: str) -> None:
    data = {"key": "rule", "title": "Rule", "applies_to": ("mentor",), **fields}
    with pytest.raises(ValueError, match=expected):
        DeadlineRule.model_validate(data)


@pytest.mark.parametrize(
    ("anchor", "offset", "month_day", "hire", "expected"),
    [
        ("school_year_start", 0, None, None, date(2026, 8, 31)),
        ("school_year_start", 30, None, date(2026, 10, 1), date(2026, 9, 30)),
        ("hire_or_start", 14, None, None, date(2026, 9, 14)),
        ("hire_or_start", 14, None, date(2026, 7, 1), date(2026, 9, 14)),
        ("hire_or_start", 14, None, date(2026, 11, 2), date(2026, 11, 16)),
        ("before_start", 0, None, None, date(2026, 8, 30)),
        ("before_start", -7, None, None, date(2026, 8, 23)),
        ("fixed_date", 0, "07-31", None, date(2027, 7, 31)),
        ("fixed_date", 0, "09-15", None, date(2026, 9, 15)),
        ("fixed_date", 0, "08-31", None, date(2027, 8, 31)),
    ],
)
def test_base_due(
    anchor: str, offset: int, month_day: str | None, hire: date | None, expected: date
) -> None:
    rule = DeadlineRule.model_validate(
        {
            "key": "rule",
            "title": "Rule",
            "applies_to": ["beginning_teacher"],
            "anchor": anchor,
            "offset_days": offset,
            "fixed_month_day": month_day,
        }
    )
    assert rule.base_due(date(2026, 8, 31), hire) == expected


def test_policy_consistency_checks() -> None:
    data = PRESETS["ma"].model_dump()
    data["deadlines"] = [*data["deadlines"], data["deadlines"][0]]
    with pytest.raises(ValueError, match="duplicate rule keys: orientation"):
        Policy.model_validate(data)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [("07-31", (7, 31)), ("01-01", (1, 1)), ("12-31", (12, 31))],
)
def test_parse_month_day(text: str, expected: tuple[int, int]) -> None:
    assert parse_month_day(text) == expected


@pytest.mark.parametrize(
    ("month_day", "after", "expected"),
    [
        ("07-31", date(2026, 8, 31), date(2027, 7, 31)),
        ("07-31", date(2027, 7, 30), date(2027, 7, 31)),
        ("07-31", date(2027, 7, 31), date(2028, 7, 31)),
    ],
)
def test_next_month_day(month_day: str, after: date, expected: date) -> None:
    assert next_month_day(month_day, after) == expected


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2026, 8, 31), date(2027, 6, 18), "2026-27"),
        (date(2099, 9, 1), date(2100, 6, 20), "2099-00"),
        (date(2026, 1, 26), date(2026, 12, 11), "2026"),
    ],
)
def test_school_year_label(start: date, end: date, label: str) -> None:
    assert school_year_label(start, end) == label


# --------------------------------------------------------------------------- ICS

ICS_TEXT = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//Hillside//Calendar//EN\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:1@hillside\r\n"
    "DTSTART;VALUE=DATE:20261126\r\n"
    "DTEND;VALUE=DATE:20261128\r\n"
    "SUMMARY:Thanksgiving \r\n"
    " recess\\, no school\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;VALUE=DATE:20261111\r\n"
    "SUMMARY:Veterans Day\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;VALUE=DATE:20270215\r\n"
    "DURATION:P1W\r\n"
    "SUMMARY:February vacation\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;TZID=America/New_York:20261014T150000\r\n"
    "DTEND;TZID=America/New_York:20261014T160000\r\n"
    "SUMMARY:Open house (timed: not a day off)\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART:20270531\r\n"
    "DTEND:20270601\r\n"
    "SUMMARY:Memorial Day\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;VALUE=DATE:20270705\r\n"
    "SUMMARY:Summer (outside the school year)\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_parse_ics_events() -> None:
    assert parse_ics(ICS_TEXT) == [
        IcsEvent(date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving recess, no school"),
        IcsEvent(date(2026, 11, 11), date(2026, 11, 11), "Veterans Day"),
        IcsEvent(date(2027, 2, 15), date(2027, 2, 21), "February vacation"),
        IcsEvent(date(2027, 5, 31), date(2027, 5, 31), "Memorial Day"),
        IcsEvent(date(2027, 7, 5), date(2027, 7, 5), "Summer (outside the school year)"),
    ]


def test_ics_days_expands_multi_day_events() -> None:
    days = ics_days(ICS_TEXT)
    assert days[:3] == (date(2026, 11, 11), date(2026, 11, 26), date(2026, 11, 27))
    assert len(days) == 2 + 1 + 7 + 1 + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BEGIN:VEVENT\nDTSTART;VALUE=DATE:2026112\nEND:VEVENT\n", "line 2: bad DTSTART value '2026112'"),
        ("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261131\nEND:VEVENT\n", "line 2: bad DTSTART date '20261131'"),
        ("BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n", "line 3: VEVENT without DTSTART"),
        ("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261126\nDTEND;VALUE=DATE:20261126\nEND:VEVENT\n", "line 3: DTEND 2026-11-26 is not after DTSTART"),
        ("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261126\nDURATION:PT3H\nEND:VEVENT\n", "line 3: unsupported DURATION"),
        ("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261126\n", "VEVENT without END:VEVENT"),
        ("BEGIN:VEVENT\nno colon here\nEND:VEVENT\n", "line 2: expected NAME:VALUE"),
    ],
)  # fmt: skip
def test_bad_ics(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        parse_ics(text)


def test_folded_line_numbers_point_at_the_logical_line() -> None:
    text = "BEGIN:VEVENT\nSUMMARY:long\n  folded\nDTSTART;VALUE=DATE:\n 2026xx01\nEND:VEVENT\n"
    with pytest.raises(ValueError, match="line 4: bad DTSTART value '2026xx01'"):
        parse_ics(text)


def test_program_reads_ics_relative_to_the_toml(tmp_path: Path) -> None:
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "days.ics").write_text(ICS_TEXT, encoding="utf-8")
    path = tmp_path / "program.toml"
    path.write_text(_toml({"calendar_ics": '"cal/days.ics"'}), encoding="utf-8")
    cfg = load_program_toml(path)
    assert cfg.calendar_ics == "cal/days.ics"  # as written: read from the file's folder
    assert date(2026, 11, 27) in cfg.calendar_ics_days
    days = cfg.all_non_school_days()
    assert {date(2026, 9, 7), date(2026, 11, 27), date(2027, 2, 19)} <= days
    assert date(2027, 7, 5) not in days  # outside the school year: ignored


@pytest.mark.parametrize(
    ("ics", "expected"),
    [
        (None, "calendar_ics: file not found:"),
        ("BEGIN:VEVENT\nDTSTART;VALUE=DATE:nope\nEND:VEVENT\n", "calendar_ics: "),
    ],
)
def test_bad_ics_file_in_program(tmp_path: Path, ics: str | None, expected: str) -> None:
    if ics is not None:
        (tmp_path / "days.ics").write_text(ics, encoding="utf-8")
    problems = _problems(_toml({"calendar_ics": '"days.ics"'}), base_dir=tmp_path)
    assert problems[0].startswith(expected), problems


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize(
    ("set_keys", "tables"),
    [
        ({}, ""),
        ({"policy": '"ca"', "non_school_days": None}, ""),
        ({"name": '"Quote \\" and \\\\ and é"'}, ""),
        ({"vacations": '[{start = 2026-12-24, end = 2027-01-01, name = "Winter break"}, [2027-02-15, 2027-02-19]]'}, ""),
        ({}, '[overrides]\nweekly_target_minutes = 90\ndigest_time = "08:00"\nquiet_hours = [20:00:00, "06:30"]\n'),
        ({}, '[[deadlines]]\nkey = "support_team_meeting"\nenabled = false\n\n[[deadlines]]\nkey = "orientation"\nnudge_days_before = 10\n'),
    ],
)  # fmt: skip
def test_program_to_toml_round_trips(set_keys: dict[str, str | None], tables: str) -> None:
    cfg = parse_program_toml(_toml(set_keys, tables))
    again = parse_program_toml(program_to_toml(cfg))
    assert again == cfg
    assert again.effective_policy() == cfg.effective_policy()


def test_demo_round_trips() -> None:
    cfg = load_program_toml(DEMO_TOML)
    assert parse_program_toml(program_to_toml(cfg)) == cfg


def test_round_trip_keeps_ics_days_when_the_file_is_gone(tmp_path: Path) -> None:
    (tmp_path / "days.ics").write_text(ICS_TEXT, encoding="utf-8")
    cfg = parse_program_toml(_toml({"calendar_ics": '"days.ics"'}), base_dir=tmp_path)
    text = program_to_toml(cfg)
    assert parse_program_toml(text) == cfg
    (tmp_path / "days.ics").unlink()
    assert parse_program_toml(text) == cfg
