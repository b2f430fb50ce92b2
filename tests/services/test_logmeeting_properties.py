"""Properties of LogService.log_text (bot/services/logs.py) over arbitrary text, on SQLite:
it never raises anything but a Refusal, and whatever it refuses leaves the store untouched."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.services.errors import Refusal
from bot.store.models.core import LogAudit, LogEntry
from tests.support.hillside import NOW

PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
USERS = ("U0LEE", "U0MIA", "U0MAX", "U0CORA", "U0BEA", "U0NIA", "U0PAT", "U0NOBODY")
TOKENS = (
    "45m", "1h30", "1:30", "90", "720", "721", "0m", "-30m", "13h", "1,5h", "2 hours", "12h", "min",
    "obs", "observed", "observation", "co-teach", "plan", "group", "video", "other", "meeting",
    "today", "yesterday", "tomorrow", "monday", "last friday", "on sat", "2 days ago", "last week",
    "9/10", "11/9", "2/30", "8/30", "2026-11-05", "2026-08-30", "Sep 11", "may", "dec 25",
    "<@U0BEA>", "<@U0BEA|bea>", "<@U0IKE>", "<@U0BO>", "<@U0NIA>", "<@U0LEE>", "<@U0MIA>",
    "<@U0CORA>", "<@U0GHOST|ghost>", "<@W0X>", "with", "w/", "and", "&amp;", ",",
    "#II", "#V", "std:cstp1", "std:i,iv", "<https://x.org/45m|doc>", "<#C0|general>", "\x00", "\ud800",
    "obsevation", "planing", "@zzz", "@Bea Beginner", "the 17th", "the 3rd period", "12/11", "11/30",
    "an hour", "half an hour", "1 1/2 hours", "co teaching", "x" * 2_001,
)  # fmt: skip
ANY_TEXT = st.text(st.characters(), max_size=200)
GRAMMAR_TEXT = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(st.characters(), max_size=5)), max_size=10
).map(" ".join)
TEXT = st.one_of(ANY_TEXT, GRAMMAR_TEXT)
CHOSEN_DAYS = st.one_of(
    st.none(),
    st.dates(min_value=date(2026, 8, 1), max_value=date(2026, 12, 31)),
)


@pytest.fixture
def db_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """SQLite only, one database per test function (shared by all its examples)."""
    path = tmp_path / "properties.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"


def counts(services: Services) -> tuple[int, int]:
    with services.store.read() as session:
        entries = session.scalar(select(func.count()).select_from(LogEntry))
        audits = session.scalar(select(func.count()).select_from(LogAudit))
    return int(entries or 0), int(audits or 0)


def check_one(services: Services, user: str, text: str, **kwargs: Any) -> None:
    """One log_text call: a Refusal or a question stores nothing; a success stores its entries."""
    before = counts(services)
    try:
        outcome = services.logs.log_text(user, text, NOW, **kwargs)
    except Refusal as exc:
        assert exc.message
        assert counts(services) == before
        return
    if not outcome.ok:
        assert outcome.error is not None and outcome.error.message
        assert outcome.entries == () and outcome.batch_id is None
        assert counts(services) == before
        return
    stored = len(outcome.entries)
    assert counts(services) == (before[0] + stored, before[1] + stored)
    assert all(1 <= e.minutes <= 720 for e in outcome.entries)
    assert all(date(2026, 8, 31) <= e.occurred_on <= date(2026, 11, 18) for e in outcome.entries)


@PROPERTY_SETTINGS
@given(user=st.sampled_from(USERS), text=TEXT)
def test_log_text_never_raises_and_never_stores_on_refusal(
    services: Services, pairs: None, user: str, text: str
) -> None:
    check_one(services, user, text)


@PROPERTY_SETTINGS
@given(
    user=st.sampled_from(USERS),
    text=TEXT,
    mentee=st.one_of(st.none(), st.sampled_from(("bea", "ike", "bo", "nia", "lee", "cora"))),
    on=CHOSEN_DAYS,
    notes=st.one_of(st.none(), st.text(st.characters(), max_size=50)),
)
def test_button_and_form_choices_never_raise_and_never_store_on_refusal(
    services: Services, pairs: None, roster: dict[str, int],
    user: str, text: str, mentee: str | None, on: date | None, notes: str | None,
) -> None:  # fmt: skip
    # The values a forwarded or forged button (or a form) can carry: any mentee, any day.
    mentee_id = roster[f"{mentee}@hillside.example"] if mentee else None
    check_one(services, user, text, mentee_id=mentee_id, on=on, notes=notes)


@settings(PROPERTY_SETTINGS, max_examples=50)  # three writes per example
@given(
    user=st.sampled_from(USERS),
    duration=TEXT,
    kind=st.one_of(st.sampled_from(("meeting", "observation", "planning", "observed")), TEXT),
    shift=st.integers(min_value=-120, max_value=30),
    notes=st.one_of(st.none(), st.text(st.characters(), max_size=50)),
)
def test_edit_never_raises_and_never_changes_on_refusal(
    services: Services, pairs: None,
    user: str, duration: str, kind: str, shift: int, notes: str | None,
) -> None:  # fmt: skip
    outcome = services.logs.log_text("U0LEE", "45m observation kept", NOW)
    assert outcome.ok and outcome.batch_id
    try:
        check_edit(services, outcome.entries[0].id, user, duration, kind, shift, notes)
    finally:  # undone entries leave the day's cap, so the next example can log again
        services.logs.undo("U0CORA", outcome.batch_id, NOW)


def check_edit(
    services: Services, entry_id: int, user: str, duration: str, kind: str, shift: int,
    notes: str | None,
) -> None:  # fmt: skip
    before = counts(services)
    on = date(2026, 11, 18) + timedelta(days=shift)
    try:
        edited = services.logs.edit(user, entry_id, NOW, duration_text=duration, kind=kind, on=on, notes=notes)  # fmt: skip
    except Refusal:
        with services.store.read() as session:
            row = session.get(LogEntry, entry_id)
            assert row is not None
            assert (row.minutes, row.kind, row.notes, row.occurred_on) == (45, "observation", "kept", date(2026, 11, 18))  # fmt: skip
        assert counts(services) == before
        return
    assert 1 <= edited.minutes <= 720
    assert date(2026, 8, 31) <= edited.occurred_on <= date(2026, 11, 18)
    assert counts(services)[0] == before[0]
    assert counts(services)[1] in (before[1], before[1] + 1)
