"""Reading how long it was: `45m`, `1h30`, `1:30`, `1.5h`, `1 1/2 hours`, `half an hour`, `90`."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.domain.grammar.scan import FLAGS, Reading, Scan, alternation

MAX_DIGITS = 7  # longer numbers are certainly out of range; also keeps int() cheap
HUGE_MINUTES = 10**7
MAX_MINUTES_AFTER_HOURS = 59  # `1h59` and `1:59`; `1h99` is a typo, not 2 h 39
SPOKEN_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "twenty-five": 25, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
    "sixty": 60, "ninety": 90,
}  # fmt: skip

_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_HOUR_UNIT = r"(?:hours|hour|hrs|hr|h)"
_MIN_UNIT = r"(?:minutes|minute|mins|min|m)"
_DURATION_RE = re.compile(
    rf"""
    (?<![\w.,:/#'-])
    (?P<neg>-(?=[0-9]))?
    (?:
        (?:(?P<fw>[0-9]{{1,2}})\s+)?(?P<fn>[13])/(?P<fd>[24])\s*{_HOUR_UNIT}
      | (?P<h>{_NUM})(?:\s*|-){_HOUR_UNIT}
        (?:
            (?P<hm_adj>[0-9]{{1,2}})(?:\s*{_MIN_UNIT})?
          | \s+(?:and\s+)?(?P<hm_sp>[0-9]{{1,3}})\s*{_MIN_UNIT}
        )?
      | (?P<m>{_NUM})(?:\s*|-){_MIN_UNIT}
      | (?P<ch>[0-9]{{1,2}}):(?P<cm>[0-9]{{2}})
    )
    (?![\w:]|[.,][0-9])
    """,
    FLAGS | re.VERBOSE,
)
_SPOKEN = alternation(SPOKEN_NUMBERS)
_SPOKEN_RE = re.compile(
    rf"""
    (?<![\w'-])
    (?:
        (?P<half>(?:a\s+)?half\s+(?:an\s+)?hour)
      | (?P<quarter>(?:a\s+)?quarter\s+(?:of\s+an\s+)?hour)
      | (?P<hours>{_SPOKEN})\s+hours?(?P<and_half>\s+and\s+a\s+half)?
      | (?P<minutes>{_SPOKEN})\s+minutes?
    )
    (?![\w'-])
    """,
    FLAGS | re.VERBOSE,
)
_BARE_NUMBER_RE = re.compile(r"(?<![^\s(\x00])(?P<n>-?[0-9]+)(?=$|[\s)\x00]|[,;.!?](?![0-9]))")


def read_explicit_durations(scan: Scan, reading: Reading) -> None:
    """Every duration with a unit (or h:mm), written or spoken."""
    for match in _DURATION_RE.finditer(scan.scan):
        reading.durations.append(_duration_minutes(match))
        after_hours = match.group("hm_adj") or match.group("cm")
        if after_hours is not None and int(after_hours) > MAX_MINUTES_AFTER_HOURS:
            reading.bad_minutes = reading.bad_minutes or match.group(0).strip()
        scan.consume(match.start(), match.end())
    for match in _SPOKEN_RE.finditer(scan.scan):
        reading.durations.append(_spoken_minutes(match))
        scan.consume(match.start(), match.end())


def read_bare_numbers(scan: Scan, reading: Reading) -> None:
    """Numbers standing alone are minutes when no duration has a unit; two of them → ask."""
    for match in _BARE_NUMBER_RE.finditer(scan.scan):
        raw = match.group("n")
        sign = -1 if raw.startswith("-") else 1
        reading.durations.append(sign * round_minutes(number(raw.lstrip("-"))))
        reading.bare_numbers = True
        scan.consume(match.start(), match.end())


def _duration_minutes(match: re.Match[str]) -> int:
    """Minutes meant by one explicit duration match, rounded to the nearest minute."""
    sign = -1 if match.group("neg") else 1
    if match.group("fn") is not None:
        whole = int(match.group("fw") or 0)
        total = Decimal(whole * 60) + Decimal(60 * int(match.group("fn"))) / int(match.group("fd"))
    elif match.group("ch") is not None:
        total = number(match.group("ch")) * 60 + number(match.group("cm"))
    elif match.group("h") is not None:
        extra = match.group("hm_adj") or match.group("hm_sp") or "0"
        total = number(match.group("h")) * 60 + number(extra)
    else:
        total = number(match.group("m"))
    return sign * round_minutes(total)


def _spoken_minutes(match: re.Match[str]) -> int:
    if match.group("half"):
        return 30
    if match.group("quarter"):
        return 15
    if match.group("hours"):
        hours = SPOKEN_NUMBERS[match.group("hours").lower()]
        return hours * 60 + (30 if match.group("and_half") else 0)
    return SPOKEN_NUMBERS[match.group("minutes").lower()]


def number(raw: str) -> Decimal:
    """A decimal from "1.5" or "1,5"; absurdly long numbers become one huge value."""
    whole = raw.replace(",", ".").split(".")[0].lstrip("0")
    if len(whole) > MAX_DIGITS:
        return Decimal(HUGE_MINUTES)
    try:
        return Decimal(raw.replace(",", ".")[: MAX_DIGITS * 3])
    except InvalidOperation:
        return Decimal(HUGE_MINUTES)


def round_minutes(value: Decimal) -> int:
    """Whole minutes, halves up; anything huge is one huge value."""
    if value >= HUGE_MINUTES:
        return HUGE_MINUTES
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
