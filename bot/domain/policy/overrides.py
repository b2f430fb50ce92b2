"""``[overrides]`` and ``[[deadlines]]``: a preset's policy changed by a program file."""

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from bot.domain.policy.limits import MAX_DEADLINE_ROWS
from bot.domain.policy.problems import ProgramConfigError, format_errors, unknown_key_text
from bot.domain.policy.rules import (
    FIXED_BY_PRESET,
    OVERRIDABLE_FIELDS,
    DeadlineRule,
    Policy,
    days_between_month_days,
)

# Policy scalars that are mirrored in a deadline rule: overriding the scalar updates the rule.
_LINKED_RULE_FIELDS: dict[str, tuple[str, str]] = {
    "assignment_window_days": ("mentor_assigned", "offset_days"),
    "assignment_window_school_days": ("mentor_assigned", "offset_school_days"),
    "orientation_late_hire_school_days": ("orientation", "late_hire_school_days"),
    "report_due": ("annual_report", "fixed_month_day"),
}
# Kinds are what /logmeeting reads and the form offers; what counts as pair time and as an
# observation in the report depends on them, so a file can't change them. Standards it may.
_FIXED_REASON = (
    "can't be overridden: /logmeeting and its form use the preset's {what} "
    "(choose the preset with the top-level key 'policy')"
)
_FIXED_WHAT = {"kinds": "kinds"}


def _key_problems(overrides: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for key in overrides:
        if key == "preset":
            problems.append("overrides.preset: set the preset with the top-level key 'policy'")
        elif key == "deadlines":
            problems.append("overrides.deadlines: change deadline rules with [[deadlines]] rows")
        elif key in FIXED_BY_PRESET:
            problems.append(f"overrides.{key}: {_FIXED_REASON.format(what=_FIXED_WHAT[key])}")
        elif key not in OVERRIDABLE_FIELDS:
            problems.append(f"overrides.{key}: {unknown_key_text(key, OVERRIDABLE_FIELDS)}")
    return problems


def with_overrides(
    base: Policy,
    overrides: Mapping[str, Any] | None = None,
    deadlines: Sequence[Mapping[str, Any]] = (),
) -> Policy:
    """``base`` with overrides and deadline rows applied; ProgramConfigError if invalid."""
    policy, problems = apply_overrides(base, overrides or {}, deadlines)
    if problems or policy is None:
        raise ProgramConfigError(problems)
    return policy


def apply_overrides(
    base: Policy, overrides: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> tuple[Policy | None, list[str]]:
    """Apply ``[overrides]`` and ``[[deadlines]]`` to a preset; return (policy, problems)."""
    problems = _key_problems(overrides)
    if len(rows) > MAX_DEADLINE_ROWS:
        problems.append(f"deadlines: {len(rows)} rows; at most {MAX_DEADLINE_ROWS}")
        rows = ()
    usable = {key: value for key, value in overrides.items() if key in OVERRIDABLE_FIELDS}
    data = base.model_dump()
    data.update(usable)
    if "standards" in usable and "standard_names" not in usable:
        # the program's own standards: the preset's names are kept for the codes it keeps
        listed = usable["standards"] if isinstance(usable["standards"], list | tuple) else ()
        data["standard_names"] = {
            code: name for code, name in base.standard_names.items() if code in listed
        }
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems.extend(format_errors(exc, prefix="overrides"))
        policy = base  # the rows are still checked, against the preset's rules
    overrides = usable

    rules = {rule.key: rule for rule in policy.deadlines}
    for field_name, (rule_key, rule_field) in _LINKED_RULE_FIELDS.items():
        if field_name in overrides and rule_key in rules:
            rules[rule_key] = rules[rule_key].model_copy(
                update={rule_field: getattr(policy, field_name)}
            )
    if ("report_due" in overrides or "report_nudge_from" in overrides) and "annual_report" in rules:
        lead = days_between_month_days(policy.report_nudge_from, policy.report_due)
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
        problems.extend(_apply_row(rules, index, row))
    if problems:
        return None, problems
    return policy.model_copy(update={"deadlines": tuple(rules.values())}), []


def _apply_row(rules: dict[str, DeadlineRule], index: int, row: Mapping[str, Any]) -> list[str]:
    """Patch, add or (enabled = false) drop the rule a ``[[deadlines]]`` row names."""
    where = f"deadlines[{index}]"
    if not isinstance(row, Mapping):
        return [f"{where}: expected a table of rule keys"]
    raw_key = row.get("key")
    if not isinstance(raw_key, str) or not raw_key:
        return [f"{where}.key: missing required key (the rule's key, e.g. 'orientation')"]
    key = raw_key
    patch = {name: value for name, value in row.items() if name != "enabled"}
    enabled = row.get("enabled", True)
    if not isinstance(enabled, bool):
        return [f"{where}.enabled: expected true or false"]
    if not enabled:
        if key not in rules:
            return [f"{where}.key: no rule {key[:60]!r} to disable"]
        rules.pop(key, None)
        return []
    merged = {**rules[key].model_dump(), **patch} if key in rules else dict(patch)
    if merged.get("anchor") != "fixed_date" and "fixed_month_day" not in patch:
        merged.pop("fixed_month_day", None)  # re-anchoring a fixed-date rule drops its date
    try:
        rules[key] = DeadlineRule.model_validate(merged)
    except ValidationError as exc:
        return format_errors(exc, prefix=where)
    return []
