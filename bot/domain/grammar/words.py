"""Reading the words: the kind, mentions of mentees, standards tags, and the notes left over.

A kind word counts only where a kind is written: among the leading parts, before the notes
begin (`45m observation with @bea …`). Once a word of notes has been written, later words are
notes: `45 min with @bea discussed unit plan` is a meeting whose notes say "discussed unit plan".
A word one typo away from a kind in that place (`obsevation`) is asked about, never guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.domain.grammar.scan import FLAGS, MASK, SHIELD, Reading, Scan, alternation
from bot.domain.grammar.types import MAX_NOTES_CHARS
from bot.domain.policy import DEFAULT_KIND, Standard

KIND_ALIASES: dict[str, str] = {
    "meeting": "meeting", "meet": "meeting", "mtg": "meeting", "check-in": "meeting",
    "checkin": "meeting", "check in": "meeting",
    "observation": "observation", "obs": "observation", "observe": "observation",
    "observing": "observation", "classroom-visit": "observation", "classroom visit": "observation",
    "observed": "observed", "observed-teaching": "observed",
    "co-teaching": "co-teaching", "coteach": "co-teaching", "co-teach": "co-teaching",
    "coteaching": "co-teaching", "co-taught": "co-teaching", "co teaching": "co-teaching",
    "co teach": "co-teaching",
    "planning": "planning", "plan": "planning", "planned": "planning",
    "group": "group", "group-session": "group", "group session": "group", "peer-group": "group",
    "video": "video", "video-analysis": "video",
    "other": "other",
}  # fmt: skip
# Words allowed between the leading parts and a kind word: "45m an observation with @bea".
LEADING_FILLERS = frozenset({"a", "an", "the", "with", "w/", "for", "of", "and", "&", "-", ","})
NEAR_MISS_MIN_CHARS = 5  # shorter words are too often other words (plan → plant, meet → meat)
NEAR_MISS_EXCLUDED = frozenset({"other"})  # mother, others
MAX_KIND_GUESSES = 3

_MENTION = r"<@(?P<{name}>[UW][A-Z0-9]+)(?:\|[^<>]*)?>"
MENTION_RE = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|(?P<label>[^<>]*))?>")
_MENTION_GROUP_RE = re.compile(
    r"(?:(?<![\w-])(?i:with|w/)\s*)?"
    + _MENTION.format(name="first")
    + r"(?:\s*(?:,|(?i:and)|&amp;|&|\+)?\s*"
    + _MENTION.format(name="more")
    + r")*"
)
# "@zzz" left as plain text: Slack linked no one (an email's "@" has a word before it).
_UNRESOLVED_MENTION_RE = re.compile(r"(?<![\w.+\-])@(?P<name>[^\s<>@,;:!?()]+)")
SHIELD_RE = re.compile(r"<[^<>@\s][^<>]*>")  # links, #channels, !here — kept as notes
_KIND_WORDS = alternation(KIND_ALIASES).replace("\\ ", r"[\s-]+")  # "co teaching", "co  teaching"
_KIND_RE = re.compile(rf"(?<![\w#@/-])(?P<kind>{_KIND_WORDS})(?![\w-])", FLAGS)
_ARTICLE_BEFORE_RE = re.compile(r"(?<![\w])(?:an?|the)\s+$", FLAGS)  # "an observation"
_WORD_RE = re.compile(r"[^\s\x00\x01]+")
# What reads as a standards tag whatever the program's standards are — the shapes of every
# preset's codes (`#V`, `#cstp9`, `#D2`, `#ipts3`) — so a tag outside the policy is refused
# rather than kept as notes; `#goals` stays notes.
_TAG_SHAPES = r"[ivx]{1,4}|cstp[0-9]{1,2}|d[0-9]|ipts[0-9]{1,2}"
# A bare number tag (`#3`) is a standard meant among the leading parts (`45m #3 meeting`,
# `20m meeting #10`): asked about there, never stored as notes; after notes began ("talked about
# #1 priority") it is notes.
_NUMBER_TAG_RE = re.compile(r"(?<![\w#&<])#(?P<number>[0-9]{1,3})(?![\w])")
_NOTES_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([,;:.!?])")
_NOTES_REPEATED_COMMA_RE = re.compile(r",(?:\s*,)+")
_NOTES_ORPHAN_COMMA_RE = re.compile(r"[,;:]+(?=[.!?])")
_NOTES_EDGE_CHARS = " \t,;:-\u2013\u2014/|"
_NOTES_PUNCTUATION_ONLY = " .,;:!?-\u2013\u2014\u2026"


def read_mentions(scan: Scan, reading: Reading) -> None:
    """Slack's escaped mentions (`<@U123|bea>`), with a leading "with"; plain "@name" noted."""
    for group in _MENTION_GROUP_RE.finditer(scan.scan):
        for mention in MENTION_RE.finditer(group.group(0)):
            user_id = mention.group("id")
            if user_id not in reading.mention_ids:
                reading.mention_ids.append(user_id)
            label = (mention.group("label") or "").strip()
            if label and user_id not in reading.mention_labels:
                reading.mention_labels[user_id] = label
        scan.consume(group.start(), group.end())
    for match in _UNRESOLVED_MENTION_RE.finditer(scan.scan):
        reading.unresolved_mentions.append(match.group(0))
        scan.consume(match.start(), match.end())


def read_kind(scan: Scan, reading: Reading) -> None:
    """The kind word among the leading parts, or a near miss of one there to ask about."""
    match = _KIND_RE.search(scan.scan)
    if match is not None and _only_leading_parts(scan.scan[: match.start()]):
        reading.kind = kind_of(match.group("kind"))
        article = _ARTICLE_BEFORE_RE.search(scan.scan[: match.start()])
        scan.consume(article.start() if article else match.start(), match.end())
        return
    first_word = _first_notes_word(scan.scan)
    if first_word is not None:
        reading.kind_guesses = near_miss_kinds(first_word)
        reading.kind_word = first_word if reading.kind_guesses else ""


def kind_of(word: str) -> str:
    """The kind an alias names, however its parts are spaced or hyphenated."""
    lowered = word.lower()
    for candidate in (lowered, re.sub(r"[\s-]+", " ", lowered), re.sub(r"[\s-]+", "-", lowered)):
        if candidate in KIND_ALIASES:
            return KIND_ALIASES[candidate]
    return KIND_ALIASES.get(re.sub(r"[\s-]+", "", lowered), DEFAULT_KIND)


def near_miss_kinds(word: str) -> tuple[str, ...]:
    """The kinds a word is one typo from (two for long words), same first letter, about the same
    length; none for a kind word itself or its plural."""
    lowered = word.lower().strip(".,;:!?")
    if len(lowered) < NEAR_MISS_MIN_CHARS or lowered in KIND_ALIASES:
        return ()
    found: list[str] = []
    for alias, kind in KIND_ALIASES.items():
        if kind in found or alias in NEAR_MISS_EXCLUDED or len(alias) < NEAR_MISS_MIN_CHARS:
            continue
        if lowered in (alias + "s", alias + "es"):
            continue  # a plural is a word of notes ("plans", "videos"), not a typo
        if alias[0] != lowered[0] or abs(len(alias) - len(lowered)) > 1:
            continue  # typos keep the first letter and about the length ("teaching" is a word)
        if _typos(lowered, alias) <= (1 if len(alias) < 8 else 2):
            found.append(kind)
    return tuple(found[:MAX_KIND_GUESSES])


def _typos(a: str, b: str) -> int:
    """Edits from a to b: insertions, deletions, substitutions, swaps of neighbours."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _only_leading_parts(before: str) -> bool:
    """Whether nothing but understood parts and filler words come before this point."""
    return all(word.lower() in LEADING_FILLERS for word in _WORD_RE.findall(before))


def _first_notes_word(scan: str) -> str | None:
    """The first word nothing understood, if only understood parts come before it."""
    for match in _WORD_RE.finditer(scan):
        word = match.group(0)
        if word.lower() in LEADING_FILLERS:
            continue
        if SHIELD in scan[: match.start()] or MASK in word:
            return None
        return word
    return None


@lru_cache(maxsize=16)
def _standard_re(codes: tuple[str, ...]) -> re.Pattern[str]:
    """`#CODE` for a program code or a standard's shape, and `std:a,b` lists."""
    tags = "|".join(filter(None, (alternation(codes), _TAG_SHAPES)))
    return re.compile(
        rf"(?<![\w#&<])(?:\#(?P<hash>{tags})|std:(?P<std>[a-z0-9]+(?:,[a-z0-9]+)*))(?![\w])",
        FLAGS,
    )


def read_standards(scan: Scan, reading: Reading, vocabulary: tuple[Standard, ...]) -> None:
    """`#II`, `#cstp3`, `std:ii,iii`: the standards of the program's vocabulary addressed (in
    any case); tags outside it are kept to refuse."""
    by_upper = {standard.code.upper(): standard.code for standard in vocabulary}
    for match in _standard_re(tuple(by_upper)).finditer(scan.scan):
        tokens = [match.group("hash")] if match.group("hash") else match.group("std").split(",")
        for token in tokens:
            code = by_upper.get(token.upper())
            if code is not None:
                if code not in reading.standards:
                    reading.standards.append(code)
            elif token not in reading.unknown_standards:
                reading.unknown_standards.append(token)
        scan.consume(match.start(), match.end())
    for match in _NUMBER_TAG_RE.finditer(scan.scan):
        if _only_leading_parts(_KIND_RE.sub(" ", scan.scan[: match.start()])):
            typed = f"#{match.group('number')}"
            if typed not in reading.unknown_standards:
                reading.unknown_standards.append(typed)
            scan.consume(match.start(), match.end())


def tidy_notes(leftover: str) -> tuple[str | None, int]:
    """What is left once every understood part is taken out, readable, HTML escapes undone;
    with its length, so notes over the limit are refused rather than cut."""
    notes = " ".join(leftover.split())
    notes = notes.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    notes = _NOTES_SPACE_BEFORE_PUNCT_RE.sub(r"\1", notes)
    notes = _NOTES_REPEATED_COMMA_RE.sub(",", notes)
    notes = _NOTES_ORPHAN_COMMA_RE.sub("", notes)
    notes = notes.strip(_NOTES_EDGE_CHARS)
    length = len(notes)
    notes = notes[:MAX_NOTES_CHARS].strip()
    return (notes if notes.strip(_NOTES_PUNCTUATION_ONLY) else None), length
