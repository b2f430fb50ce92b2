"""Email as the outbox's second channel, against an in-process SMTP sink (aiosmtpd on the
loopback): who gets what by email, exactly once across reruns, two schedulers and a crash; a
4xx retried with backoff on the injected clock, a 5xx or a hang-up during DATA parked for
review; the fallback when Slack answers `users_not_found`; both parts in every email, no note
and no raw `<!channel>` in any."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.bootstrap import Services, build_services
from bot.clock import FixedClock
from bot.config import Settings
from bot.config import SmtpServer as ServerAddress
from bot.email.sender import EmailSender, SmtpMailer
from bot.slack import request_views
from bot.store.models.core import OutboxMessage, Person
from schedules import jobs
from tests.support.hillside import BOT_TOKEN, CORA, LEE
from tests.support.scheduler import ALERT_DAY, POST, SleepRecorder, at, two_schedulers_at_once
from tests.support.slack_api import FakeSlackApi
from tests.support.smtp import HANG_UP, SmtpServer, free_port, parts

pytestmark = pytest.mark.usefixtures("no_note_reaches_slack")

FROM = "induction@hillside.example"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def mailing(settings: Settings, smtp: SmtpServer, day: object = ALERT_DAY) -> Services:
    """Services that send email to the sink (as SMTP_URL would), from FROM."""
    configured = settings.model_copy(update={"EMAIL_FROM": FROM})
    return build_services(configured, clock=FixedClock(day), mailer=smtp.mailer())  # type: ignore[arg-type]


@pytest.fixture
def mailed(settings: Settings, smtp: SmtpServer, pairs: None) -> Iterator[Services]:
    """The contract roster and pairs, email on; Cora (the only coordinator) has no Slack id."""
    services = mailing(settings, smtp)
    unlink(services, CORA)
    yield services
    services.close()


def unlink(services: Services, *emails: str) -> None:
    with services.store.write() as session:
        session.execute(update(Person).where(Person.email.in_(emails)).values(slack_user_id=None))


def set_notify(services: Services, email: str, notify: str) -> None:
    with services.store.write() as session:
        session.execute(update(Person).where(Person.email == email).values(notify=notify))


def client(slack_api: FakeSlackApi) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack_api.url)


def run(services: Services, slack_api: FakeSlackApi, name: str, when: object = ALERT_DAY) -> str:
    return jobs.run_job(services, name, when, client(slack_api), sleep=SleepRecorder())  # type: ignore[arg-type]


def rows(services: Services, via: str | None = None) -> list[OutboxMessage]:
    with services.store.read() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if via is not None:
            query = query.where(OutboxMessage.via == via)
        return list(session.scalars(query))


def sender(services: Services) -> EmailSender:
    assert services.mailer is not None
    return EmailSender(services.outbox, services.mailer, services.clock, FROM)


# ---- who gets what -----------------------------------------------------------------------


def test_the_overdue_alert_reaches_a_coordinator_without_slack_by_email(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    """The issue's case: the only coordinator has no Slack id; Nia is overdue on Tue 3 Nov."""
    out = run(mailed, slack_api, "deadline-sweep")
    assert "by email" in out and "not reached" not in out, out
    alerts = [m for m in smtp.to(CORA) if "overdue mentor assignment" in str(m["Subject"])]
    assert len(alerts) == 1, [m["Subject"] for m in smtp.sink.messages]
    alert = alerts[0]
    assert str(alert["Subject"]).startswith("Hillside Public Schools: overdue mentor assignment")
    assert alert["From"] == f"Mentor Minutes <{FROM}>"
    text, html = parts(alert)
    assert "Nia New: " in text and "overdue (due" in text
    assert "/induction assign " in text and "nia@hillside.example" in text  # the button, typed
    assert "<li>Nia New: " in html and "<pre>/induction assign" in html
    assert not [c for c in slack_api.calls_to(POST) if c.params.get("channel") == "U0CORA"]
    sent = [r for r in rows(mailed, "email") if r.recipient == CORA]
    assert {r.status for r in sent} == {"sent"} and {r.rule for r in sent} >= {"overdue-assignment"}
    headers = "".join(f"{k}: {v}\n" for k, v in alert.items() if k != "Content-Type")
    print(
        f"\n--- the overdue alert as emailed ---\n{headers}\n[text/plain]\n{text}\n[text/html]\n{html}"
    )


def test_a_rerun_sends_no_email_twice(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    run(mailed, slack_api, "deadline-sweep")
    first = len(smtp.sink.messages)
    assert first >= 1
    assert "0 new" in run(mailed, slack_api, "deadline-sweep")
    run(mailed, slack_api, "deliver")
    assert len(smtp.sink.messages) == first


def test_the_digest_goes_by_email_to_a_lead_mentor_without_slack(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    unlink(mailed, LEE)
    mailed.nudges.forget_kept()
    run(mailed, slack_api, "weekly-digest")
    (digest,) = smtp.to(LEE)
    assert "weekly digest" in str(digest["Subject"]) and "Hillside Public Schools" in str(
        digest["Subject"]
    )
    text, html = parts(digest)
    assert "Bea Beginner with Lee Lead" in text and "Bea Beginner with Lee Lead" in html


def test_notify_both_sends_the_dm_and_the_email_notify_email_only_the_email(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    set_notify(mailed, LEE, "both")
    set_notify(mailed, "pat@hillside.example", "email")
    mailed.nudges.forget_kept()
    run(mailed, slack_api, "weekly-digest")
    assert len(smtp.to(LEE)) == 1
    assert [c for c in slack_api.calls_to(POST) if c.params.get("channel") == "U0LEE"]


# ---- exactly once ------------------------------------------------------------------------


def test_two_schedulers_at_once_send_each_email_once(
    mailed: Services, settings: Settings, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    """Both claim and both deliver at the same instant, each with its own connection pool and
    its own SMTP connections: the sink gets every email once."""
    unlink(mailed, LEE)  # the digest by email too
    other = mailing(settings, smtp)
    try:
        errors = two_schedulers_at_once((mailed, other), client(slack_api), ALERT_DAY)
    finally:
        other.close()
    assert errors == []
    emails = rows(mailed, "email")
    assert len(emails) >= 2  # Cora's alert and to-do, Lee's digest
    assert {r.status for r in emails} == {"sent"}
    by_id = Counter(str(m["Message-ID"]) for m in smtp.sink.messages)
    assert len(by_id) == len(emails) and set(by_id.values()) == {1}
    assert smtp.sink.received == len(emails)  # not even attempted twice


def test_a_crash_between_claim_and_send_neither_sends_twice_nor_drops(
    mailed: Services, settings: Settings, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    """One process claims and dies; another was mid-send (the row left `sending`) when it was
    killed: the claimed ones go once on restart, the one mid-send is parked for review."""
    crashed = mailing(settings, smtp)
    jobs.produce(crashed, "deadline-sweep", ALERT_DAY)
    crashed.close()  # kill -9 after the claim: nothing sent
    assert smtp.sink.messages == []
    first, *rest = rows(mailed, "email")
    with mailed.store.write() as session:  # killed between start_sending and the SMTP answer
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first.id)
            .values(status="sending", attempts=1, not_before=ALERT_DAY - timedelta(hours=1))
        )
    report = sender(mailed).deliver(ALERT_DAY)
    assert report.sent == len(rest) and len(smtp.sink.messages) == len(rest)
    assert {r.id: r.status for r in rows(mailed, "email")}[first.id] == "review"
    sender(mailed).deliver(ALERT_DAY + timedelta(hours=1))
    assert len(smtp.sink.messages) == len(rest)  # parked, never resent on its own
    assert "interrupted while sending" in jobs.review_text(mailed, ALERT_DAY)


# ---- SMTP failures -------------------------------------------------------------------------


def test_a_4xx_is_retried_with_backoff_on_the_clock(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    jobs.produce(mailed, "deadline-sweep", ALERT_DAY)
    count = len(rows(mailed, "email"))
    smtp.sink.fail_next("RCPT", "451 4.3.0 Try again later", times=count)
    report = sender(mailed).deliver(ALERT_DAY)
    assert (report.sent, report.retry) == (0, count)
    waiting = rows(mailed, "email")
    assert {r.status for r in waiting} == {"pending"} and {r.attempts for r in waiting} == {1}
    assert {r.not_before for r in waiting} == {ALERT_DAY + timedelta(seconds=30)}
    assert "451" in (waiting[0].last_error or "")
    assert sender(mailed).deliver(ALERT_DAY + timedelta(seconds=29)).sent == 0  # not yet
    assert sender(mailed).deliver(ALERT_DAY + timedelta(seconds=30)).sent == count
    assert len(smtp.sink.messages) == count
    assert {r.status for r in rows(mailed, "email")} == {"sent"}


def test_a_4xx_to_data_is_retried_and_a_second_4xx_waits_longer(
    mailed: Services, smtp: SmtpServer
) -> None:
    jobs.produce(mailed, "deadline-sweep", ALERT_DAY)
    first = rows(mailed, "email")[0]
    smtp.sink.fail_next("DATA", "452 4.3.1 Insufficient storage", times=2)
    sender(mailed).deliver(ALERT_DAY, limit=1)
    sender(mailed).deliver(ALERT_DAY + timedelta(seconds=30), limit=1)
    again = {r.id: r for r in rows(mailed, "email")}[first.id]
    assert again.attempts == 2 and again.status == "pending"
    assert again.not_before == ALERT_DAY + timedelta(seconds=30 + 60)  # 30 s, then 60 s
    assert smtp.sink.messages == []


def test_a_5xx_is_parked_for_review_and_not_resent(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    jobs.produce(mailed, "deadline-sweep", ALERT_DAY)
    count = len(rows(mailed, "email"))
    smtp.sink.fail_next("RCPT", "550 5.1.1 No such mailbox", times=count)
    report = sender(mailed).deliver(ALERT_DAY)
    assert (report.sent, report.review) == (0, count)
    assert {r.status for r in rows(mailed, "email")} == {"review"}
    sender(mailed).deliver(ALERT_DAY + timedelta(hours=2))
    assert smtp.sink.messages == []
    review = jobs.review_text(mailed, ALERT_DAY)
    assert "550" in review and CORA[:12] in review
    parked = rows(mailed, "email")[0]
    jobs.review_resolve(mailed, "resend", parked.id, ALERT_DAY)  # a person decides: once more
    assert sender(mailed).deliver(ALERT_DAY).sent == 1 and len(smtp.sink.messages) == 1


def test_a_hang_up_during_data_is_parked_not_resent(mailed: Services, smtp: SmtpServer) -> None:
    """The server read the whole message and dropped the line: it may have it."""
    jobs.produce(mailed, "deadline-sweep", ALERT_DAY)
    smtp.sink.fail_next("DATA", HANG_UP)
    report = sender(mailed).deliver(ALERT_DAY, limit=1)
    assert report.review == 1 and smtp.sink.received == 1
    first = rows(mailed, "email")[0]
    assert first.status == "review" and "ambiguous" in (first.last_error or "")
    sender(mailed).deliver(ALERT_DAY + timedelta(hours=1))
    assert smtp.sink.received == len(rows(mailed, "email"))  # the parked one not sent again


def test_no_mail_server_is_retried_later(mailed: Services, smtp: SmtpServer) -> None:
    """Nobody listening: the connection is refused, so nothing went — retried, not parked."""
    jobs.produce(mailed, "deadline-sweep", ALERT_DAY)
    nobody = SmtpMailer(ServerAddress("127.0.0.1", free_port(), "plain"), timeout=5.0)
    report = EmailSender(mailed.outbox, nobody, mailed.clock, FROM).deliver(ALERT_DAY)
    assert report.retry == len(rows(mailed, "email")) and report.review == 0
    assert sender(mailed).deliver(ALERT_DAY + timedelta(minutes=1)).sent == report.retry


# ---- fallback -------------------------------------------------------------------------------


def test_users_not_found_falls_back_to_email_once(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    """Lee's Slack account is gone: Slack answers users_not_found to the digest DM, and the
    digest goes by email instead, in the same run — and only once on a rerun."""
    slack_api.fail_next(POST, 200, error="users_not_found")
    out = run(mailed, slack_api, "weekly-digest")
    assert "not on Slack (sent by email instead)" in out, out
    (digest,) = smtp.to(LEE)
    text, _ = parts(digest)
    assert "Weekly digest" in text
    (dm,) = [r for r in rows(mailed, "slack") if r.rule == "weekly-digest"]
    assert dm.status == "by_email" and "users_not_found" in (dm.last_error or "")
    run(mailed, slack_api, "weekly-digest")
    run(mailed, slack_api, "deliver")
    assert len(smtp.to(LEE)) == 1


def test_another_slack_refusal_is_parked_not_emailed(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    slack_api.fail_next(POST, 200, error="channel_not_found")
    run(mailed, slack_api, "weekly-digest")
    assert smtp.to(LEE) == []
    (dm,) = [r for r in rows(mailed, "slack") if r.rule == "weekly-digest"]
    assert dm.status == "review"


# ---- what an email may hold --------------------------------------------------------------


def test_no_note_and_no_raw_channel_mention_in_any_email(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    """Names typed as markup, and a note: every email, both parts, shows the names as written
    (escaped in HTML) and never the note."""
    with mailed.store.write() as session:
        session.execute(
            update(Person)
            .where(Person.email == "bea@hillside.example")
            .values(name="<!channel> *Bea* <b>B</b>")
        )
    log = mailed.logs.log_text(
        "U0LEE", "45m SECRET planning notes <!channel>", at("2026-10-28", 16)
    )
    assert log.ok
    unlink(mailed, LEE)
    set_notify(mailed, "mia@hillside.example", "both")
    mailed.nudges.forget_kept()
    for name in jobs.PRODUCERS:
        run(mailed, slack_api, name)
    assert len(smtp.sink.messages) >= 3
    for message in smtp.sink.messages:
        raw = message.as_string()
        text, html = parts(message)
        assert "SECRET" not in raw
        assert "<!channel>" not in raw and "<b>B</b>" not in html
        assert "<!channel>" not in text and "<!channel>" not in html
    (digest,) = smtp.to(LEE)
    text, html = parts(digest)
    assert "‹!channel› *Bea* ‹b›B‹/b›" in text
    assert "&lt;!channel&gt; *Bea* &lt;b&gt;B&lt;/b&gt;" in html


def test_a_reassignment_request_and_its_answer_go_by_email_without_reason_or_note(
    mailed: Services, smtp: SmtpServer, slack_api: FakeSlackApi
) -> None:
    """Cora (no Slack id) is told of Bea's request by email, without the reason; Bea asked to
    be told by email, and the answer comes without the coordinator's note."""
    set_notify(mailed, "bea@hillside.example", "email")
    now = at("2026-11-04", 10)
    reason, note = "SECRET-REASON our schedules never meet", "SECRET-NOTE let's talk <!channel>"
    request = mailed.requests.ask("U0BEA", now, request_views.render_notice, reason=reason)
    link(mailed, CORA, "U0CORA")  # Cora answers from Slack, having read the request by email
    mailed.requests.decline("U0CORA", request.id, note, now, request_views.render_notice)
    jobs.deliver(mailed, client(slack_api), now, sleep=SleepRecorder())
    (asked,) = smtp.to(CORA)
    (answered,) = smtp.to("bea@hillside.example")
    assert "reassignment request" in str(asked["Subject"])
    assert "the pairing stays as it is" in parts(answered)[0]
    for message in (asked, answered):
        raw = message.as_string()
        assert "SECRET" not in raw and "<!channel>" not in raw
    assert not [c for c in slack_api.calls_to(POST) if c.params.get("channel") == "U0BEA"]


def link(services: Services, email: str, slack_id: str) -> None:
    with services.store.write() as session:
        session.execute(update(Person).where(Person.email == email).values(slack_user_id=slack_id))
