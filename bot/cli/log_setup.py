"""Where the process logs, and what it may say: never a word a person typed.

Mentoring notes, reasons, flag and decline notes, survey comments: none of them may reach a log
line at any verbosity (docs/domain.md, "Confidentiality"). Three rules hold that:
- libraries log at WARNING whatever `-v` says: SQLAlchemy's INFO is every statement with its
  parameters, Bolt's and slack_sdk's DEBUG are request bodies;
- an exception is logged as its type and its frames, never its message: a driver's error
  quotes the row it refused, `int("…")` quotes the value it could not read;
- SQL echo is a developer's switch (`--sql-echo`), refused with `serve`.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import TextIO

OUR_LOGGERS = ("bot", "handlers", "schedules", "migrations")
LIBRARY_LEVEL = logging.WARNING
SQL_ECHO_LOGGER = "sqlalchemy.engine"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class WithoutExceptionText(logging.Formatter):
    """A formatter that shows where an exception came from but not what it said."""

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        exc_type, exc, tb = ei
        if exc_type is None or exc is None:
            return ""
        lines = ["Traceback (most recent call last):\n"]
        lines.extend(traceback.format_list(traceback.extract_tb(tb)))
        cause = exc.__cause__ or exc.__context__
        chained = f" (from {type(cause).__module__}.{type(cause).__qualname__})" if cause else ""
        lines.append(f"{exc_type.__module__}.{exc_type.__qualname__}: (message withheld){chained}")
        return "".join(lines).rstrip("\n")


def configure_logging(
    *,
    verbose: bool,
    serving: bool = False,
    sql_echo: bool = False,
    stream: TextIO | None = None,
) -> None:
    """Our modules at INFO when serving (DEBUG with -v, else WARNING); libraries at WARNING."""
    ours = logging.DEBUG if verbose else (logging.INFO if serving else logging.WARNING)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(WithoutExceptionText(LOG_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LIBRARY_LEVEL)
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(ours)
    for name in library_loggers():  # a package at WARNING, its modules as the package
        logging.getLogger(name).setLevel(logging.NOTSET if "." in name else LIBRARY_LEVEL)
    if sql_echo:
        logging.getLogger(SQL_ECHO_LOGGER).setLevel(logging.INFO)


def library_loggers() -> list[str]:
    """Every logger created so far that is not ours (a library may have set its own level)."""
    names = logging.root.manager.loggerDict
    return [name for name in names if name.split(".")[0] not in OUR_LOGGERS]
