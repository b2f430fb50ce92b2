"""Sign-off before pay (issue 12, item 1), on both databases through signed requests into the
app: the other side confirms or flags an entry, a period is previewed and signed off for a
school, the lock refuses back-dated logs, Undo and Edit, a coordinator reopens it with a reason,
and `export pay --signed-only` pays exactly the signed entries — with every refusal."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from slack_bolt import App

from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.domain.ledger import Entry
from bot.domain.policy import parse_program_toml
from bot.domain.signoff import Lock, Period, lock_covering, parse_period, split_school
from bot.services.errors import NotAllowed, Refusal
from bot.store.models.core import EntryReview, LogEntry, OutboxMessage, SignedPeriod
from schedules.jobs import produce
from tests.support.blockkit import valid_message
from tests.support.bolt_requests import dispatch, press, reply_of, responded, slash
from tests.support.hillside import PROGRAM_TOML, ROSTER_CSV
from tests.support.signing import (
    view_submission_body,
)
from tests.support.slack_api import FakeSlackApi

PAID = PROGRAM_TOML + '\n[overrides]\nhourly_rate_cents = 3000\nsign_off_roles = ["evaluator"]\n'
DECEMBER = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wed 2 Dec: November has ended


@pytest.fixture
def november(services: Services, pairs: None, clock: FixedClock) -> Services:
    """$30/hour, principals sign off; Lee→Bea 60 min (Lincoln) and Max→Bo 45 min (Jefferson)
    on Mon 16 Nov, Bea's own visit; the clock on 2 Dec."""
    services.programs.load(parse_program_toml(PAID))
    clock.set(datetime(2026, 11, 16, 15, 0, tzinfo=UTC))
    assert services.logs.log_text("U0LEE", "1h meeting", clock.now()).ok
    assert services.logs.log_text("U0MAX", "45m planning", clock.now()).ok
    clock.set(DECEMBER)
    return services


def entry_of(services: Services, mentee_email: str) -> LogEntry:
    with services.store.read() as session:
        return next(
            e
            for e in session.query(LogEntry).order_by(LogEntry.id)
            if e.mentee_id
            == services.people.find(session, services.programs.current(), mentee_email).id  # type: ignore[union-attr]
        )


# ---- the pure rules --------------------------------------------------------------------------


def test_periods_and_schools_are_read_as_typed() -> None:
    march = parse_period("2027-03")
    assert (march.first, march.last, march.label, march.key) == (
        date(2027, 3, 1),
        date(2027, 3, 31),
        "March 2027",
        "2027-03",
    )
    half = parse_period("2027-03-01..2027-03-15")
    assert half.key == "2027-03-01..2027-03-15" and not half.is_month
    with pytest.raises(ValueError, match="ends"):
        parse_period("2027-03-15..2027-03-01")
    with pytest.raises(ValueError, match="a month like 2027-03"):
        parse_period("March")
    assert split_school("lincoln late observation", ["Lincoln", "Jefferson"]) == (
        "Lincoln",
        "late observation",
    )
    assert split_school("all", ["Lincoln"]) == (None, "")


# ---- confirm and flag ------------------------------------------------------------------------


def test_the_other_side_confirms_and_the_author_cannot(
    app: App, slack_api: FakeSlackApi, november: Services
) -> None:
    entry = entry_of(november, "bea@hillside.example")
    press(app, slack_api, "U0LEE", "entry_confirm", str(entry.id))  # the author himself
    assert "isn't yours to review" in responded(slack_api)
    press(app, slack_api, "U0BO", "entry_confirm", str(entry.id))  # another mentee
    with november.store.read() as session:
        assert session.get(EntryReview, entry.id) is None
    press(app, slack_api, "U0BEA", "entry_confirm", str(entry.id))
    assert "You confirmed Lee Lead's entry of Mon 16 Nov (1 h)" in responded(slack_api)
    with november.store.read() as session:
        assert session.get(EntryReview, entry.id).verdict == "confirmed"  # type: ignore[union-attr]


def test_a_flag_needs_a_reason_and_goes_back_to_the_author(
    app: App, slack_api: FakeSlackApi, november: Services
) -> None:
    entry = entry_of(november, "bea@hillside.example")
    press(app, slack_api, "U0BEA", "entry_flag", str(entry.id))
    [opened] = slack_api.calls_to("views.open")
    assert opened.params["view"]["callback_id"] == "entry_flag_submit"
    state = {"reason": {"reason": {"type": "plain_text_input", "value": " "}}}
    empty = reply_of(
        dispatch(app, view_submission_body("U0BEA", "entry_flag_submit", str(entry.id), state))
    )
    assert empty is not None and "Say what is wrong" in empty["errors"]["reason"]
    state["reason"]["reason"]["value"] = "that wasn't 60 minutes <!channel>"
    assert reply_of(dispatch(app, view_submission_body("U0BEA", "entry_flag_submit", str(entry.id), state))) is None  # fmt: skip
    to_author = [
        c for c in slack_api.calls_to("chat.postMessage") if c.params["channel"] == "U0LEE"
    ]
    assert len(to_author) == 1
    text = json.dumps(to_author[0].params)
    assert "Bea Beginner flagged your entry of Mon 16 Nov (1 h)" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text  # escaped at the boundary
    with november.store.read() as session:
        assert session.get(EntryReview, entry.id).verdict == "flagged"  # type: ignore[union-attr]


# ---- sign off, lock, reopen ------------------------------------------------------------------


def test_sign_off_shows_what_is_unconfirmed_then_locks_the_school(
    app: App, slack_api: FakeSlackApi, november: Services
) -> None:
    bea = entry_of(november, "bea@hillside.example")
    november.signoff.review("U0BEA", bea.id, "confirmed", None, november.clock.now())
    preview = slash(app, "/induction", "signoff 2026-11 Lincoln", "U0PAT")  # a principal may sign
    text = json.dumps(preview)
    assert "Sign off November 2026 for Lincoln?" in text
    assert "1 entry: 1 confirmed, 0 not confirmed yet, 0 flagged." in text
    assert "secret" not in text
    [button] = [e for b in preview["blocks"] if b["type"] == "actions" for e in b["elements"]]
    press(app, slack_api, "U0PAT", button["action_id"], button["value"])
    assert "November 2026 is signed off for Lincoln" in responded(slack_api)
    again = slash(app, "/induction", "signoff 2026-11 Lincoln", "U0CORA")
    assert "already signed off for Lincoln" in json.dumps(again)

    # Locked for Lincoln: a back-dated log, Undo and Edit are refused; Jefferson is open.
    with pytest.raises(Refusal, match="signed off for Lincoln by Pat Principal") as late:
        november.logs.log_text("U0LEE", "30m meeting 2026-11-20", november.clock.now())
    assert "/induction reopen 2026-11 Lincoln reason" in late.value.message
    with pytest.raises(Refusal, match="nothing dated in it can be undone"):
        november.logs.undo("U0LEE", bea.batch_id or "", november.clock.now())
    with pytest.raises(Refusal, match="nothing dated in it can be changed"):
        november.logs.edit("U0LEE", bea.id, november.clock.now(), duration_text="90m", kind="meeting", on=date(2026, 11, 16), notes=None)  # fmt: skip
    assert november.logs.log_text("U0MAX", "20m meeting 2026-11-20", november.clock.now()).ok

    # Reopened by a coordinator, with a reason: the entries can change again.
    no_reason = slash(app, "/induction", "reopen 2026-11 Lincoln", "U0CORA")
    assert "Say why it is reopened" in json.dumps(no_reason)
    by_principal = slash(app, "/induction", "reopen 2026-11 Lincoln a late observation", "U0PAT")
    assert "Only a coordinator can reopen" in json.dumps(by_principal)
    reopened = slash(
        app, "/induction", "reopen 2026-11 Lincoln a late observation to add", "U0CORA"
    )
    assert "November 2026 is open again for Lincoln" in json.dumps(reopened)
    with november.store.read() as session:
        [row] = session.query(SignedPeriod).all()
        assert (row.reopen_reason, row.reopened_by_id is not None) == ("a late observation to add", True)  # fmt: skip
    assert november.logs.log_text("U0LEE", "30m meeting 2026-11-20", november.clock.now()).ok


@pytest.mark.parametrize(
    ("user", "text", "message"),
    [
        ("U0MIA", "signoff 2026-11", "Signing off is for coordinators, evaluators"),
        ("U0CORA", "signoff 2026-12", "December 2026 has not ended yet"),
        ("U0CORA", "signoff 2026-13", "is not a month like 2027-03"),
        ("U0CORA", "signoff", "needs a period first"),
        ("U0PAT", "signoff 2026-11 Jefferson", "You can sign off Lincoln only"),
        ("U0CORA", "reopen 2026-11 Lincoln forgot one", "is not signed off for Lincoln"),
    ],
)  # fmt: skip
def test_sign_off_refusals_store_nothing(
    app: App, november: Services, user: str, text: str, message: str
) -> None:
    reply = json.dumps(slash(app, "/induction", text, user))
    assert message in reply
    with november.store.read() as session:
        assert session.query(SignedPeriod).count() == 0


# ---- pay waits for sign-off ------------------------------------------------------------------


def test_pay_limited_to_signed_periods_equals_the_ledger_for_them(
    november: Services,
) -> None:
    now = november.clock.now()
    everything = november.pay.period(date(2026, 11, 1), date(2026, 11, 30))
    assert {r.email: r.minutes for r in everything.rows} == {
        "lee@hillside.example": 60,
        "max@hillside.example": 45,
    }
    november.signoff.sign("U0CORA", parse_period("2026-11"), "Lincoln", now)
    signed = november.pay.period(date(2026, 11, 1), date(2026, 11, 30), signed_only=True)
    assert {r.email: (r.minutes, r.amount_cents) for r in signed.rows} == {
        "lee@hillside.example": (60, 3000)
    }
    assert any("Not signed off yet, not paid: 1 entries (Jefferson 1)" in n for n in signed.notes)
    november.signoff.sign("U0CORA", parse_period("2026-11"), None, now)  # the whole program
    whole = november.pay.period(date(2026, 11, 1), date(2026, 11, 30), signed_only=True)
    assert whole.rows == everything.rows


def test_a_policy_requiring_confirmation_pays_only_confirmed_entries(
    services: Services, pairs: None, clock: FixedClock
) -> None:
    services.programs.load(parse_program_toml(PAID + "confirmation_required_for_pay = true\n"))
    clock.set(datetime(2026, 11, 16, 15, 0, tzinfo=UTC))
    assert services.logs.log_text("U0LEE", "1h meeting", clock.now()).ok
    assert services.logs.log_text("U0MAX", "45m planning", clock.now()).ok
    clock.set(DECEMBER)
    bea = entry_of(services, "bea@hillside.example")
    services.signoff.review("U0BEA", bea.id, "confirmed", None, clock.now())
    paid = services.pay.period(date(2026, 11, 1), date(2026, 11, 30))
    assert [(r.email, r.minutes) for r in paid.rows] == [("lee@hillside.example", 60)]
    assert any("Not confirmed by the other side of the pair, not paid: 1" in n for n in paid.notes)


def test_an_edit_clears_the_review(november: Services) -> None:
    bea = entry_of(november, "bea@hillside.example")
    now = november.clock.now()
    november.signoff.review("U0BEA", bea.id, "flagged", "it was 45 minutes", now)
    november.logs.edit("U0LEE", bea.id, now, duration_text="45m", kind="meeting", on=date(2026, 11, 16), notes=None)  # fmt: skip
    with november.store.read() as session:
        assert session.get(EntryReview, bea.id) is None
    with pytest.raises(NotAllowed, match="isn't yours to review"):
        november.signoff.review("U0MIA", bea.id, "confirmed", None, now)


def test_a_lock_covers_its_school_or_everyone() -> None:
    lincoln = Lock(1, parse_period("2026-11"), "Lincoln", "Pat", date(2026, 12, 2))
    assert lock_covering([lincoln], date(2026, 11, 16), "lincoln") is lincoln
    assert lock_covering([lincoln], date(2026, 11, 16), "Jefferson") is None
    assert lock_covering([lincoln], date(2026, 12, 1), "Lincoln") is None
    whole = Lock(2, Period(date(2026, 11, 1), date(2026, 11, 15)), None, "Cora", date(2026, 12, 2))
    assert lock_covering([whole], date(2026, 11, 15), None) is whole
    assert Entry  # the ledger's entry type is what pay filters


def test_the_other_side_is_asked_each_day_when_the_policy_says_so(
    app: App, slack_api: FakeSlackApi, services: Services, pairs: None, clock: FixedClock
) -> None:
    services.programs.load(parse_program_toml(PAID + "ask_confirmation = true\n"))
    clock.set(datetime(2026, 11, 16, 15, 0, tzinfo=UTC))
    assert services.logs.log_text("U0LEE", "1h meeting secret plans", clock.now()).ok
    assert services.logs.log_text("U0BEA", "20m observed <@U0MIA>", clock.now()).ok  # a visit
    assert produce(services, "entry-reviews", clock.now()) == (1, 1)
    with services.store.read() as session:
        [dm] = session.query(OutboxMessage).filter(OutboxMessage.rule == "entry-review").all()
    assert dm.recipient == "U0BEA"
    valid_message(dm.payload)
    text = json.dumps(dm.payload)
    assert "Lee Lead logged 1 h of meeting with you on Mon 16 Nov." in text
    assert "secret" not in text
    [button] = [e for b in dm.payload["blocks"] if b["type"] == "actions" for e in b["elements"]][:1]  # fmt: skip
    press(app, slack_api, "U0BEA", button["action_id"], button["value"])
    clock.set(datetime(2026, 11, 17, 15, 0, tzinfo=UTC))
    assert produce(services, "entry-reviews", clock.now()) == (0, 0)  # confirmed: not asked again


# ---- locks follow the entry; the signer's school is the roster's (issue 16) -----------------


def test_a_lock_follows_the_entry_not_a_roster_move(november: Services) -> None:
    """Lincoln's November is signed with Mia→Ike in it; a roster import then moves Ike to
    Jefferson. His signed entry can't be undone, nothing can be back-dated into his signed
    month, and `--signed-only` pay keeps his minutes."""
    now = november.clock.now()
    assert november.logs.log_text("U0MIA", "35m meeting 2026-11-17", now).ok
    november.signoff.sign("U0CORA", parse_period("2026-11"), "Lincoln", now)
    paid_before = november.pay.period(date(2026, 11, 1), date(2026, 11, 30), signed_only=True)
    moved = ROSTER_CSV.replace("Ike Incoming,mentee,Lincoln", "Ike Incoming,mentee,Jefferson")
    assert november.roster.import_csv(moved).ok
    ike = entry_of(november, "ike@hillside.example")
    assert ike.school == "Lincoln"

    with pytest.raises(Refusal, match="nothing dated in it can be undone"):
        november.logs.undo("U0MIA", ike.batch_id or "", now)
    with pytest.raises(Refusal, match="signed off for Lincoln"):
        november.logs.log_text("U0MIA", "20m meeting 2026-11-20", now)
    paid_after = november.pay.period(date(2026, 11, 1), date(2026, 11, 30), signed_only=True)
    assert {r.email: r.minutes for r in paid_after.rows} == {
        r.email: r.minutes for r in paid_before.rows
    }
    assert {r.email: r.minutes for r in paid_after.rows} == {
        "lee@hillside.example": 60,
        "mia@hillside.example": 35,
    }
    # Jefferson's own November stays open: Bo was never in Lincoln's.
    assert november.logs.log_text("U0MAX", "20m meeting 2026-11-20", now).ok


@pytest.mark.parametrize("school", ["", None, "   "])
def test_a_school_limited_signer_cannot_sign_the_program_from_the_button(
    app: App, slack_api: FakeSlackApi, november: Services, school: str | None
) -> None:
    """Pat signs off Lincoln only (her roster row): a crafted Sign off naming no school, or a
    blank one, is refused and stores nothing."""
    value = json.dumps({"first": "2026-11-01", "last": "2026-11-30", "school": school})
    press(app, slack_api, "U0PAT", "signoff_confirm", value)
    assert "You can sign off Lincoln only" in responded(slack_api)
    with november.store.read() as session:
        assert session.query(SignedPeriod).count() == 0


def test_a_school_as_the_button_spells_it_is_the_rosters_and_reopens(
    app: App, slack_api: FakeSlackApi, november: Services
) -> None:
    """A button's school is matched to the roster's spelling, so the coordinator can always
    name it to reopen; a second press says who signed and when."""
    value = json.dumps({"first": "2026-11-01", "last": "2026-11-30", "school": "lincoln"})
    press(app, slack_api, "U0PAT", "signoff_confirm", value)
    press(app, slack_api, "U0PAT", "signoff_confirm", value)
    answers = responded(slack_api)
    assert "November 2026 is signed off for Lincoln" in answers
    assert "already signed off for Lincoln by Pat Principal on Wed 2 Dec 2026" in answers
    with november.store.read() as session:
        assert [(r.school, r.scope) for r in session.query(SignedPeriod)] == [
            ("Lincoln", "Lincoln")
        ]
    reopened = slash(app, "/induction", "reopen 2026-11 Lincoln a late observation", "U0CORA")
    assert "November 2026 is open again for Lincoln" in json.dumps(reopened)
    assert november.logs.log_text("U0LEE", "30m meeting 2026-11-20", november.clock.now()).ok
    crafted = json.dumps({"first": "2026-11-01", "last": "2026-11-30", "school": "Nowhere"})
    press(app, slack_api, "U0CORA", "signoff_confirm", crafted)
    assert "no longer on the roster" in responded(slack_api)
