"""Program files: TOML in (with its ICS calendar, read only from the file's own folder) and out."""

import json
import re
import tomllib
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path, PureWindowsPath
from typing import Any

from bot.domain.ledger import DEFAULT_YEAR_START_MONTH
from bot.domain.policy.ics import ics_days
from bot.domain.policy.limits import MAX_ICS_BYTES, MAX_PATH_CHARS, MAX_PROGRAM_BYTES
from bot.domain.policy.problems import ProgramConfigError, merge
from bot.domain.policy.program import ProgramConfig, validate_program

_EXAMPLE_ICS = '"holidays.ics"'


MAX_TOML_DEPTH = 8  # a program file nests five at most (the file, [policy], a list of tables, …)
TOO_DEEP = (
    f"arrays or tables are nested more than {MAX_TOML_DEPTH} levels deep; a program file "
    "needs five at most: write lists flat, e.g. non_school_days = [2026-09-07, 2026-10-12]"
)


def _nesting(data: object) -> int:
    """How deep tables and arrays nest (a walk without recursion, whatever the depth)."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth + 1)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_program_toml(
    text: str, base_dir: Path | None = None, source: str | None = None
) -> ProgramConfig:
    """Parse program TOML text; ProgramConfigError names every key at fault.

    With ``base_dir`` (the program file's folder) ``calendar_ics`` is read from inside that
    folder; when the file is missing but the TOML lists ``calendar_ics_days`` (as
    ``program_to_toml`` writes them), those days are kept. Without ``base_dir`` (a program as
    stored) no file is read: the calendar's days are the listed ``calendar_ics_days``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgramConfigError([f"TOML syntax error: {exc}"], source) from None
    except RecursionError:  # tomllib reads nested arrays by recursion
        data = None
    if data is None or _nesting(data) > MAX_TOML_DEPTH:
        raise ProgramConfigError([TOO_DEEP], source)
    problems: list[str] = []
    ics = data.get("calendar_ics")
    if ics is not None and not isinstance(ics, str):
        problems.append(f"calendar_ics: expected a file path string such as {_EXAMPLE_ICS}")
        data.pop("calendar_ics")
    elif isinstance(ics, str) and base_dir is not None:
        try:
            days = _calendar_days(ics, base_dir)
        except ValueError as exc:
            problems.append(f"calendar_ics: {exc}")
        else:
            if days is not None:
                data["calendar_ics_days"] = list(days)
            elif "calendar_ics_days" not in data:
                problems.append(f"calendar_ics: file not found: {ics} (in {base_dir.resolve()})")
    try:
        config = validate_program(data, source)
    except ProgramConfigError as exc:
        raise ProgramConfigError(merge(problems, exc.problems), source) from None
    if problems:
        raise ProgramConfigError(problems, source)
    return config


def _calendar_days(ics: str, base_dir: Path) -> tuple[date, ...] | None:
    """The days off an ICS file inside ``base_dir`` lists; None when there is no such file.

    ValueError when the path is absolute, leads out of the folder, or the file is unreadable."""
    shown = ics if len(ics) <= 80 else ics[:77] + "..."
    if not ics.strip():
        raise ValueError(f"must not be empty (a file beside the program file, e.g. {_EXAMPLE_ICS})")
    if len(ics) > MAX_PATH_CHARS or "\x00" in ics:
        raise ValueError(f"{shown!r} is not a usable file path")
    if Path(ics).is_absolute() or PureWindowsPath(ics).drive or ics.startswith("~"):
        raise ValueError(
            f"{shown!r} is an absolute path; give a path relative to the program file's folder "
            f"(e.g. {_EXAMPLE_ICS})"
        )
    folder = base_dir.resolve()
    path = (folder / ics).resolve()
    if not path.is_relative_to(folder):
        raise ValueError(
            f"{shown!r} leads outside the program file's folder ({folder}); "
            "put the calendar in that folder"
        )
    if not path.exists():
        return None
    if not path.is_file():
        raise ValueError(f"{shown!r} is not a file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_ICS_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"cannot read {shown!r}: {exc.strerror}") from None
    if len(raw) > MAX_ICS_BYTES:
        raise ValueError(f"{shown!r} is larger than {MAX_ICS_BYTES // 1_000_000} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"cannot read {shown!r}: not UTF-8 text") from None
    try:
        return ics_days(text)
    except ValueError as exc:
        raise ValueError(f"{shown}: {exc}") from None


def load_program_toml(path: Path) -> ProgramConfig:
    """Load a program TOML file (and its calendar_ics, from the file's folder)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PROGRAM_BYTES + 1)
    except FileNotFoundError:
        raise ProgramConfigError([f"file not found: {path}"], str(path)) from None
    except OSError as exc:
        raise ProgramConfigError([f"cannot read {path}: {exc.strerror}"], str(path)) from None
    if len(raw) > MAX_PROGRAM_BYTES:
        raise ProgramConfigError(
            [f"the file is larger than {MAX_PROGRAM_BYTES // 1_000_000} MB"], str(path)
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProgramConfigError([f"cannot read {path}: not UTF-8 text"], str(path)) from None
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
    if cfg.calendar_ics_days or cfg.calendar_ics is not None:
        lines.append(f"calendar_ics_days = {_toml_date_list(cfg.calendar_ics_days)}")
    if cfg.overrides:
        lines += ["", "[overrides]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in cfg.overrides.items()]
    for row in cfg.deadlines:
        lines += ["", "[[deadlines]]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in row.items()]
    for survey in cfg.surveys:
        lines += ["", "[[surveys]]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in survey.model_dump().items()]
    return "\n".join(lines) + "\n"
