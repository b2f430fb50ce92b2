"""A program file's problems: each names the key at fault, all of them at once."""

import difflib
from collections.abc import Sequence

from pydantic import ValidationError


class ProgramConfigError(ValueError):
    """A program TOML (or policy override) is invalid; ``problems`` name each key and problem."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        count = len(self.problems)
        header = f"{where}invalid program config ({count} problem{'s' if count != 1 else ''})"
        super().__init__("\n  - ".join([header + ":", *self.problems]))


def unknown_key_text(key: str, allowed: Sequence[str]) -> str:
    """ "unknown key", with the closest allowed key or the list of them."""
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


def format_errors(
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
            message = unknown_key_text(str(loc[-1]), choices) if choices else "unknown key"
        elif isinstance(ctx_error, ValueError):
            message = str(ctx_error)
        else:
            message = error["msg"][:1].lower() + error["msg"][1:]
            if "input" in error and not isinstance(error["input"], dict | list):
                message += f" (got {_shown(error['input'])})"
        problems.append(f"{where}: {message}" if where else message)
    return problems


def _shown(value: object) -> str:
    """A value as quoted in a problem, cut short (a 10 MB string is not repeated back)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def merge(problems: list[str], more: Sequence[str]) -> list[str]:
    """``problems`` followed by those of ``more`` not already listed."""
    merged = list(problems)
    for problem in more:
        if problem not in merged:
            merged.append(problem)
    return merged
