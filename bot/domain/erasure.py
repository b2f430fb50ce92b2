"""Erasure (pure): forgetting a person and the retention of notes, as a district's data-privacy
agreement asks.

What goes when a person is forgotten: the notes of every log entry where they are the mentor,
the mentee or the teacher observed (notes are the pair's: DOMAIN "Confidentiality"), the notes
of the activities they facilitated or recorded, the reasons on their entries and the reasons
they wrote (flag reasons, reopen reasons, reassignment requests and their answers, why an
assignment of theirs ended), the survey comments that name them, and their identity: the name
and email become a tombstone, the Slack id, subject, grade, licence and exit reason are
cleared. What stays, under their person id: the log rows (dates, minutes, kinds), the kept
totals, roles, school, educator type, hire and exit dates — what payroll and the state report
must keep — so every number is the same after as before.

A signed-off period is *open* for a person when one of their live entries (as mentor or mentee)
lies in a period no sign-off in force covers: pay for it is not settled, and nobody could
confirm or flag the entries once the person is a tombstone. `forget` is refused then, naming the
months, unless the coordinator says `--yes`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.domain.signoff import MONTH_NAMES

# RFC 2606 reserves `.invalid`: never deliverable, never a real roster address.
TOMBSTONE_DOMAIN = "forgotten.invalid"
MONTHS_LISTED = 6  # open months named in a refusal before "and N more"

# The kinds of text erased, in the order a summary says them.
ERASED_KINDS: tuple[tuple[str, str], ...] = (
    ("log_notes", "log entry notes"),
    ("activity_notes", "activity notes"),
    ("review_reasons", "flag reasons"),
    ("reopen_reasons", "reopen reasons"),
    ("request_reasons", "reassignment request reasons and answers"),
    ("assignment_reasons", "assignment end reasons"),
    ("survey_comments", "survey comments naming them"),
    ("messages_cancelled", "pending messages cancelled"),
    ("messages_scrubbed", "stored messages emptied"),
)


def tombstone_name(person_id: int) -> str:
    """The name a forgotten person is shown by: "Forgotten person #17"."""
    return f"Forgotten person #{person_id}"


def tombstone_email(person_id: int) -> str:
    """An address that is nobody's and can't be delivered: forgotten-17@forgotten.invalid."""
    return f"forgotten-{person_id}@{TOMBSTONE_DOMAIN}"


def tombstone_recipient(person_id: int) -> str:
    """What stored messages name as their recipient once the Slack id is gone."""
    return f"forgotten-{person_id}"


def is_tombstone_email(email: str) -> bool:
    """True for an address in the tombstone domain (a roster may not use it)."""
    return email.strip().lower().endswith("@" + TOMBSTONE_DOMAIN)


def retention_cutoff(today: date, years: int) -> date:
    """The first day whose notes are kept: `years` years before today (29 Feb → 28 Feb)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, and that year is not a leap year
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class OpenMonth:
    """A month holding entries of the person that no sign-off in force covers."""

    first: date
    entries: int

    @property
    def label(self) -> str:
        """ "March 2027"."""
        return f"{MONTH_NAMES[self.first.month - 1]} {self.first.year}"

    @property
    def key(self) -> str:
        """How `/induction signoff` names it: "2027-03"."""
        return f"{self.first:%Y-%m}"


def open_months(days: Iterable[date]) -> tuple[OpenMonth, ...]:
    """The months of the unsigned entries' days, oldest first, with how many in each."""
    counts = Counter(day.replace(day=1) for day in days)
    return tuple(OpenMonth(first, n) for first, n in sorted(counts.items()))


def open_refusal(person_id: int, months: tuple[OpenMonth, ...]) -> str:
    """Why forgetting is refused while their periods are open, and the two ways on."""
    shown = ", ".join(f"{m.label} ({m.entries})" for m in months[:MONTHS_LISTED])
    more = f" and {len(months) - MONTHS_LISTED} more" if len(months) > MONTHS_LISTED else ""
    total = sum(m.entries for m in months)
    return (
        f"person #{person_id} has {total} log entr{'y' if total == 1 else 'ies'} in periods not "
        f"signed off: {shown}{more}. Once they are forgotten nobody can confirm or flag those "
        f"entries. Sign the periods off first (`/induction signoff {months[0].key}`), or run "
        "again with --yes to forget them now (their minutes are kept either way)."
    )


@dataclass(frozen=True)
class ErasureCounts:
    """How many of each kind of text an erasure removed (or would remove)."""

    counts: Mapping[str, int] = field(default_factory=dict)

    def get(self, kind: str) -> int:
        """The count of one kind (0 when none)."""
        return int(self.counts.get(kind, 0))

    @property
    def total(self) -> int:
        """Every text erased, messages included."""
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, int]:
        """Every kind with its count (zeros included), for the audit row."""
        return {kind: self.get(kind) for kind, _ in ERASED_KINDS}

    def lines(self) -> list[str]:
        """ "12 log entry notes", one per kind, zeros included (counts only, never text)."""
        return [f"{self.get(kind)} {words}" for kind, words in ERASED_KINDS]


def names_person(text: str | None, needles: Iterable[str]) -> bool:
    """True when a free text names the person (their full name or email, any case)."""
    if not text:
        return False
    folded = text.casefold()
    return any(needle and needle.casefold() in folded for needle in needles)
