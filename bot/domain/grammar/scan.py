"""The text being read and what was found in it, shared by every reader of the grammar."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

MASK = "\x00"  # marks consumed text in the scan copy
SHIELD = "\x01"  # marks text no pattern may read (links, channels, other date phrases)
FLAGS = re.IGNORECASE | re.ASCII


def alternation(words: Iterable[str]) -> str:
    """Regex alternation of words, longest first so prefixes never win."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass
class Scan:
    """The text being read: `text` keeps the original, `scan` hides what was consumed."""

    text: str
    scan: str
    consumed: list[bool] = field(default_factory=list)

    def consume(self, start: int, end: int) -> None:
        self.scan = self.scan[:start] + MASK * (end - start) + self.scan[end:]
        for i in range(start, end):
            self.consumed[i] = True

    def shield(self, start: int, end: int) -> None:
        self.scan = self.scan[:start] + SHIELD * (end - start) + self.scan[end:]

    def leftover(self) -> str:
        pieces: list[str] = []
        gap = False
        for char, used in zip(self.text, self.consumed, strict=True):
            if used:
                gap = True
                continue
            if gap:
                pieces.append(" ")
                gap = False
            pieces.append(char)
        return "".join(pieces)


@dataclass
class DateOutcome:
    """The day a date phrase names, or why it can't be used."""

    phrase: str
    day: date | None = None
    error: str | None = None
    shown: date | None = None  # the day the error is about (future / before the year)
    choices: tuple[date, ...] = ()


@dataclass
class Reading:
    """Everything found in one text, before any refusal is decided."""

    durations: list[int] = field(default_factory=list)
    bare_numbers: bool = False  # the durations are numbers without a unit
    bad_minutes: str = ""  # an `1h99` or `1:75` as typed: minutes after the hours past 59
    minutes: int | None = None
    kind: str | None = None
    kind_guesses: tuple[str, ...] = ()  # a near-miss of a kind word: the kinds it may mean
    kind_word: str = ""  # the near-miss as typed
    when: DateOutcome | None = None
    mention_ids: list[str] = field(default_factory=list)
    mention_labels: dict[str, str] = field(default_factory=dict)
    unresolved_mentions: list[str] = field(default_factory=list)  # "@zzz" typed as plain text
    standards: list[str] = field(default_factory=list)
    unknown_standards: list[str] = field(default_factory=list)
    notes: str | None = None
    notes_chars: int = 0  # the notes' length before any cap
