"""Program policy (deadline rules, targets, presets) and the program TOML; pure: no clock, no
store, no Slack.

- ``rules``: ``DeadlineRule`` and ``Policy``; ``presets``: "ma" and "ca";
  ``overrides``: ``[overrides]`` and ``[[deadlines]]`` applied to a preset;
- ``program``: ``ProgramConfig``; ``program_file``: TOML in and out; ``ics``: ICS calendars;
- ``limits``: the bounds on every value a file may set; ``problems``: errors naming each key.

A program is described by a TOML file (see ``bot/devtools/demo/program.toml``)::

    name = "Hillside Public Schools"
    timezone = "America/New_York"
    policy = "ma"                       # preset: "ma" (603 CMR 7.12) or "ca" (1 h/week)
    school_year_start = 2026-08-31
    school_year_end = 2027-06-18
    non_school_days = [2026-09-07, 2026-10-12, 2026-11-11]
    vacations = [{ start = 2026-12-24, end = 2027-01-01, name = "Winter break" }]
    calendar_ics = "holidays.ics"       # optional; inside the TOML file's folder

    [overrides]                         # a Policy field except preset, deadlines, kinds
    weekly_target_minutes = 90
    digest_time = "08:00"
    standards = ["A", "B"]              # the program's own standards (default: the preset's)
    standard_names = { A = "Planning", B = "Instruction" }

    [[deadlines]]                       # a preset's key patches that rule ...
    key = "mentor_assigned"
    applies_to = ["beginning_teacher", "incoming_teacher"]

    [[deadlines]]                       # ... a new key adds a rule; enabled = false drops one
    key = "support_team_meeting"
    enabled = false
"""

from bot.domain.members import EDUCATOR_TYPES
from bot.domain.policy.ics import IcsEvent, ics_days, parse_ics
from bot.domain.policy.limits import MAX_SCHOOL_YEAR_DAYS, MINUTES_PER_DAY
from bot.domain.policy.overrides import with_overrides
from bot.domain.policy.presets import (
    CA_PRESET,
    CA_STANDARD_NAMES,
    MA_PRESET,
    MA_STANDARD_NAMES,
    PRESETS,
)
from bot.domain.policy.problems import ProgramConfigError
from bot.domain.policy.program import (
    PROGRAM_KEYS,
    ProgramConfig,
    Vacation,
    school_year_label,
    validate_program,
)
from bot.domain.policy.program_file import load_program_toml, parse_program_toml, program_to_toml
from bot.domain.policy.rules import (
    DEFAULT_KIND,
    DEFAULT_KINDS,
    FIXED_BY_PRESET,
    NUDGE_ROLES,
    OVERRIDABLE_FIELDS,
    RULE_SUBJECTS,
    Anchor,
    DeadlineRule,
    MentorRule,
    Policy,
    Standard,
    next_month_day,
    parse_month_day,
)

__all__ = [
    "CA_PRESET",
    "CA_STANDARD_NAMES",
    "DEFAULT_KIND",
    "DEFAULT_KINDS",
    "EDUCATOR_TYPES",
    "FIXED_BY_PRESET",
    "MAX_SCHOOL_YEAR_DAYS",
    "MA_PRESET",
    "MA_STANDARD_NAMES",
    "MINUTES_PER_DAY",
    "NUDGE_ROLES",
    "OVERRIDABLE_FIELDS",
    "PRESETS",
    "PROGRAM_KEYS",
    "RULE_SUBJECTS",
    "Anchor",
    "DeadlineRule",
    "IcsEvent",
    "MentorRule",
    "Policy",
    "ProgramConfig",
    "ProgramConfigError",
    "Standard",
    "Vacation",
    "ics_days",
    "load_program_toml",
    "next_month_day",
    "parse_ics",
    "parse_month_day",
    "parse_program_toml",
    "program_to_toml",
    "school_year_label",
    "validate_program",
    "with_overrides",
]
