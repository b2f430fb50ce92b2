"""Calls released together on threads of their own, for the invariants the database holds
(unique keys, locks): the tests assert the invariant afterwards, never a timing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

WAIT = 60.0  # a deadline for threads that must finish, never a pause


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call on its own thread, all released together; each result or exception."""
    gate = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        gate.wait(WAIT)
        try:
            results[index] = calls[index]()
        except Exception as exc:  # kept: the test sorts refusals from failures
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return results
