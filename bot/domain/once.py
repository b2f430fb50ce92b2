"""What a button or a form was drawn from, so that it is answered at most once (pure).

A question's choices share the question's id; a form's submission is its view (Slack's view id
and hash: a retried submission carries the same). The store keeps one row per `Once` under a
unique key, taken in the same transaction as the write it guards: a second delivery, on any
process, conflicts and stores nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

QUESTION = "question"
VIEW = "view"


@dataclass(frozen=True)
class Once:
    """One answer's identity: its kind and what it was drawn from."""

    kind: str
    source: str

    @property
    def key(self) -> str:
        """The fixed-width key the store keeps (a SHA-256 in hex: whatever Slack sent)."""
        return hashlib.sha256(f"{self.kind}:{self.source}".encode()).hexdigest()
