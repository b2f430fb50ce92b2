"""Messages parked for review — a crash mid-send, Slack slower than the client's timeout, a DM
Slack refused — are listed, and a coordinator resends or drops each: `mentor-minutes jobs
review` and the console's `:review` (schedules/jobs.py, bot/services/outbox.py)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.bootstrap import Services
from bot.cli.main import main
from bot.config import ENV_NAMES, Settings
from bot.devtools.console import run_console
from bot.services.outbox import Notification, ReviewError
from bot.slack.sender import Sender
from bot.store.models.core import OutboxMessage
from schedules.jobs import review_text
from tests.support.scheduler import ALERT_DAY, POST, TOKEN, FakeMonotonic, SleepRecorder
from tests.support.servers import MuteSlack
from tests.support.slack_api import FakeSlackApi

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def note(recipient: str, subject: str, rule: str = "daily-nudge") -> Notification:
    text = f"Hello {recipient} about {subject}"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return Notification(rule, recipient, subject, "2026-11-03", {"text": text, "blocks": blocks})


def claim(services: Services, *notes: Notification, now: datetime = ALERT_DAY) -> int:
    with services.store.write() as session:
        return services.outbox.claim_all(session, list(notes), now)


def rows(services: Services) -> list[OutboxMessage]:
    with services.store.read() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def sender(services: Services, client: WebClient) -> Sender:
    return Sender(
        services.outbox, client, services.clock, sleep=SleepRecorder(), monotonic=FakeMonotonic()
    )


def park_two(world: Services) -> tuple[int, int]:
    """Cora's to-do died mid-send (kill -9); Lee's digest was refused by Slack."""
    claim(world, note("U0CORA", "todo"), note("U0LEE", "part-0", rule="weekly-digest"))
    cora, lee = rows(world)
    with world.store.write() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == cora.id).values(status="sending", attempts=1, not_before=ALERT_DAY))  # fmt: skip
    world.outbox.recover_stale(ALERT_DAY + timedelta(minutes=11))
    world.outbox.needs_review(lee.id, "channel_not_found")
    return cora.id, lee.id


# ---- parking, listing, resolving -------------------------------------------------------------


def test_a_timeout_is_parked_for_review_and_listed(world: Services) -> None:
    claim(world, note("U0CORA", "todo"))
    silent = MuteSlack(hang_up=False)
    try:
        client = WebClient(token=TOKEN, base_url=silent.url, timeout=0.3)
        report = sender(world, client).deliver(ALERT_DAY)
    finally:
        silent.close()
    assert (report.sent, report.review) == (0, 1)
    parked, total = world.outbox.parked()
    assert total == 1
    assert (parked[0].rule, parked[0].recipient, parked[0].attempts) == ("daily-nudge", "U0CORA", 1)
    assert "ambiguous network error" in (parked[0].last_error or "")


def test_the_list_shows_each_parked_message(world: Services) -> None:
    cora, lee = park_two(world)
    text = review_text(world, ALERT_DAY + timedelta(days=2, hours=3))
    lines = text.splitlines()
    assert lines[0].startswith("2 messages held for review")
    assert lines[1].split() == ["ID", "RULE", "RECIPIENT", "SUBJECT", "PERIOD", "TRIES", "AGE", "LAST", "ERROR"]  # fmt: skip
    assert lines[2].split()[:9] == [str(cora), "daily-nudge", "U0CORA", "todo", "2026-11-03", "1", "2", "d", "3"]  # fmt: skip
    assert lines[2].endswith("interrupted while sending")
    assert lines[3].split()[:5] == [str(lee), "weekly-digest", "U0LEE", "part-0", "2026-11-03"]
    assert lines[3].endswith("channel_not_found")
    assert "jobs review resend ID" in text


def test_resend_sends_it_once_at_the_next_delivery(
    world: Services, slack_api: FakeSlackApi
) -> None:
    cora, _ = park_two(world)
    later = ALERT_DAY + timedelta(days=2)  # past the stale cutoff: resending re-claims it
    world.outbox.resend(cora, later)
    client = WebClient(token=TOKEN, base_url=slack_api.url)
    assert sender(world, client).deliver(later).sent == 1
    assert sender(world, client).deliver(later + timedelta(minutes=5)).sent == 0
    assert [c.params["channel"] for c in slack_api.calls_to(POST)] == ["U0CORA"]
    statuses = {r.id: (r.status, r.last_error) for r in rows(world)}
    assert statuses[cora] == ("sent", None)
    with pytest.raises(ReviewError, match=f"Message {cora} is not held for review"):
        world.outbox.resend(cora, later)


def test_drop_never_sends_it_and_keeps_its_key_claimed(
    world: Services, slack_api: FakeSlackApi
) -> None:
    cora, lee = park_two(world)
    world.outbox.drop(lee)
    client = WebClient(token=TOKEN, base_url=slack_api.url)
    sender(world, client).deliver(ALERT_DAY + timedelta(hours=1))
    assert slack_api.calls_to(POST) == []
    assert claim(world, note("U0LEE", "part-0", rule="weekly-digest")) == 0  # never again
    assert {r.id: r.status for r in rows(world)} == {cora: "review", lee: "dropped"}
    assert world.outbox.parked()[1] == 1


def test_resolving_an_unknown_message_says_so(world: Services) -> None:
    with pytest.raises(ReviewError, match=r"No message 999 in the outbox\."):
        world.outbox.drop(999)


# ---- the command and the console ---------------------------------------------------------------


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("MENTOR_MINUTES_NOW", "2026-11-05T10:00:00-05:00")


def test_jobs_review_lists_resends_and_drops(
    world: Services, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cora, lee = park_two(world)
    capsys.readouterr()
    assert main(["jobs", "review"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("2 messages held for review")
    assert f"\n{cora:>6}  daily-nudge" in listing and "interrupted while sending" in listing

    assert main(["jobs", "review", "drop", str(lee)]) == 0
    assert capsys.readouterr().out.strip() == f"Message {lee} (weekly-digest to U0LEE, 2026-11-03) dropped."  # fmt: skip
    assert main(["jobs", "review", "resend", str(cora)]) == 0
    assert "goes out at the next delivery" in capsys.readouterr().out
    assert main(["jobs", "review"]) == 0
    assert capsys.readouterr().out.strip() == "Nothing is held for review."

    assert main(["jobs", "review", "drop", str(lee)]) == 1
    assert f"Message {lee} is not held for review (it is dropped)." in capsys.readouterr().err
    assert main(["jobs", "review", "resend"]) == 2
    assert "which message?" in capsys.readouterr().err
    (resent,) = [r for r in rows(world) if r.id == cora]
    assert resent.status == "pending"


@SQLITE_ONLY
def test_the_console_reviews_for_coordinators_only(world: Services, settings: Settings) -> None:
    cora, lee = park_two(world)
    out = io.StringIO()
    script = (
        f":review\n:review drop {lee}\n:review drop {lee}\n:review nonsense\n:as lee\n:review\n"
    )
    run_console(settings, world, io.StringIO(script), out, as_email="cora@hillside.example")
    text = out.getvalue()
    assert "2 messages held for review" in text
    assert f"Message {lee} (weekly-digest to U0LEE, 2026-11-03) dropped." in text
    assert f"Message {lee} is not held for review (it is dropped)." in text
    assert "Usage: :review, :review resend ID or :review drop ID" in text
    assert text.rstrip().endswith("Only coordinators review held messages.")
    assert {r.id: r.status for r in rows(world)} == {cora: "review", lee: "dropped"}
