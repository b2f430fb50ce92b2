"""The 3-second ack: with the Web API answering 429 `Retry-After: 30` to everything, every answer
over real HTTP (waitress, bot/web/server.py) comes without waiting on Slack — each call tried
once, no Retry-After waited out (`bot.slack.budget.wait_out` recorded) — nothing is stored twice
and nothing turns into a 500. Nothing here is timed: the budget's retry rules are checked with
an injected clock and sleep, never real waiting."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import slack_sdk.web.base_client
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlalchemy import func, select

import bot.slack.budget
from bot.bootstrap import Services
from bot.clock import FixedClock
from bot.config import Settings
from bot.slack.budget import (
    MIN_CALL_SECONDS,
    AckBudget,
    AckBudgetSpent,
    BudgetedRespond,
    BudgetedWebClient,
    BudgetRetryHandler,
)
from bot.store.models.core import LogEntry
from bot.web.app import create_app
from bot.web.server import SlackWsgi
from tests.support.blockkit import valid_ack
from tests.support.bolt_requests import event_body
from tests.support.hillside import BOT_TOKEN
from tests.support.http_client import post_events
from tests.support.servers import running_http_server
from tests.support.signing import (
    block_action_body,
    slash_command_body,
    view_submission_body,
)
from tests.support.slack_api import RETRY_AFTER, FakeSlackApi

HI: dict[str, Any] = {"text": "hi", "blocks": [{"type": "section", "text": {"type": "plain_text", "text": "hi"}}]}  # fmt: skip


class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Every Retry-After a budgeted client waits out, recorded instead of slept; over HTTP in a
    storm there must be none (a 30 s wait could never fit in Slack's 3 s)."""
    waited: list[float] = []
    monkeypatch.setattr(bot.slack.budget, "wait_out", waited.append)
    yield waited
    assert waited == [], f"a listener waited out a Retry-After: {waited}"


def entries(services: Services) -> int:
    with services.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(LogEntry)) or 0)


def rate_limited(slack_api: FakeSlackApi, method: str) -> list[int]:
    """The statuses the fake answered to `method`."""
    return [call.status for call in slack_api.calls_to(method)]


def log_form_state(mentee_id: int) -> dict[str, Any]:
    select_kind = {"type": "static_select", "selected_option": {"value": "meeting"}}
    return {
        "mentee": {
            "value": {"type": "static_select", "selected_option": {"value": str(mentee_id)}}
        },
        "date": {"value": {"type": "datepicker", "selected_date": "2026-11-18"}},
        "duration": {"value": {"type": "plain_text_input", "value": "45m"}},
        "kind": {"value": select_kind},
        "notes": {"value": {"type": "plain_text_input", "value": None}},
    }


# ---- over HTTP, in a 429 storm ----------------------------------------------------------------


def test_home_tab_acks_in_time(http_server: str, slack_api: FakeSlackApi, pairs: None) -> None:
    slack_api.storm()
    body = event_body({"type": "app_home_opened", "user": "U0LEE", "channel": "DU0LEE", "tab": "home", "event_ts": "1.2"})  # fmt: skip

    status, data = post_events(http_server, body, json_body=True)

    assert (status, data) == (200, b"")
    assert rate_limited(slack_api, "views.publish") == [429]  # tried once, never slept on it


def test_logmeeting_alone_acks_in_time_when_the_form_cannot_open(
    http_server: str, slack_api: FakeSlackApi, services: Services, pairs: None
) -> None:
    slack_api.storm()

    status, data = post_events(http_server, slash_command_body("/logmeeting", "", "U0LEE"))

    assert status == 200  # not the 500 a failed views.open used to become
    reply = valid_ack(data)  # and the person is told, rather than left with nothing
    assert reply is not None
    assert reply["response_type"] == "ephemeral"
    assert "did not open the form" in reply["text"] and "/logmeeting 45m" in reply["text"]
    assert rate_limited(slack_api, "views.open") == [429]
    assert entries(services) == 0


def test_a_form_submission_acks_in_time_and_stores_once(
    http_server: str, slack_api: FakeSlackApi, services: Services, roster: dict[str, int],
    pairs: None,
) -> None:  # fmt: skip
    slack_api.storm()
    body = view_submission_body("U0LEE", "log_new", "", log_form_state(roster["bea@hillside.example"]))  # fmt: skip

    status, data = post_events(http_server, body)

    assert (status, data) == (200, b"")  # the modal closes: no reason to submit again
    assert entries(services) == 1
    assert rate_limited(slack_api, "chat.postMessage") == [429]  # the echo DM, not retried


def test_button_presses_ack_in_time(
    http_server: str, slack_api: FakeSlackApi, services: Services, pairs: None
) -> None:
    status, data = post_events(http_server, slash_command_body("/logmeeting", "45m", "U0LEE"))
    assert status == 200
    reply = valid_ack(data)
    assert reply is not None
    controls = {e["action_id"]: e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]}  # fmt: skip
    slack_api.storm()

    edit = block_action_body("U0LEE", "log_edit", controls["log_edit"]["value"], response_url=slack_api.response_url)  # fmt: skip
    status, data = post_events(http_server, edit)
    assert (status, data) == (200, b"")
    assert rate_limited(slack_api, "views.open") == [429]

    undo = block_action_body("U0LEE", "log_undo", controls["log_undo"]["value"], response_url=slack_api.response_url)  # fmt: skip
    status, data = post_events(http_server, undo)
    assert (status, data) == (200, b"")
    assert rate_limited(slack_api, "response_url") == [429]

    with services.store.read() as session:
        live = session.scalar(select(func.count()).select_from(LogEntry).where(LogEntry.deleted_at.is_(None)))  # fmt: skip
    assert live == 0  # the undo itself was done; only its echo was rate limited


def test_a_server_started_in_a_storm_answers_in_time_then_recovers(
    settings: Settings, services: Services, slack_api: FakeSlackApi, pairs: None
) -> None:
    slack_api.storm()  # the token cannot be checked at start: Bolt checks it on first use
    with running_http_server(settings, services) as base_url:
        status, data = post_events(base_url, slash_command_body("/hours", "", "U0LEE"))
        assert status == 200
        assert b"Bea Beginner" not in data  # Bolt could not authorize: nothing was done
        assert rate_limited(slack_api, "auth.test") == [429, 429]  # at start, then on first use

        slack_api.reset()  # the storm is over
        status, data = post_events(base_url, slash_command_body("/hours", "", "U0LEE"))
        assert status == 200
        assert b"Bea Beginner" in data

    assert rate_limited(slack_api, "auth.test") == [200]  # one check, then remembered


# ---- the budget's rules, with an injected clock ----------------------------------------------


def _response(status: int, retry_after: str | None) -> HttpResponse:
    headers = {"Retry-After": [retry_after]} if retry_after is not None else {}
    return HttpResponse(status_code=status, headers=headers)


_REQUEST = HttpRequest(method="POST", url="http://127.0.0.1:9/api/chat.postMessage", headers={})


@pytest.mark.parametrize(
    ("remaining", "status", "retry_after", "retries"),
    [
        (2.5, 429, "1", True),  # fits: wait 1 s, try again
        (2.5, 429, "2", True),  # 2 + the smallest call still fits in 2.5
        (2.5, 429, "3", False),  # would overrun the ack
        (2.5, 429, "30", False),
        (0.5, 429, "0", True),
        (0.1, 429, "0", False),  # too little left for another call
        (2.5, 429, None, False),  # no Retry-After: no guess
        (2.5, 429, "soon", False),
        (2.5, 500, "1", False),  # a 5xx may have been done: never resent
        (2.5, 503, None, False),
    ],
)  # fmt: skip
def test_a_rate_limit_is_retried_only_within_the_budget(
    remaining: float, status: int, retry_after: str | None, retries: bool
) -> None:
    clock = FakeTime()
    handler = BudgetRetryHandler(AckBudget(clock() + remaining, clock), sleep=clock.sleep)
    state = RetryState()
    response = _response(status, retry_after)

    assert handler.can_retry(state=state, request=_REQUEST, response=response) is retries
    if retries:
        handler.prepare_for_next_attempt(state=state, request=_REQUEST, response=response)
        assert clock.slept == [float(retry_after or 0)]
        assert state.next_attempt_requested


def test_a_dropped_connection_is_not_retried() -> None:
    clock = FakeTime()
    handler = BudgetRetryHandler(AckBudget(clock() + 2.5, clock), sleep=clock.sleep)
    assert not handler.can_retry(
        state=RetryState(), request=_REQUEST, response=None, error=ConnectionResetError()
    )


def budgeted_client(slack_api: FakeSlackApi, clock: FakeTime, remaining: float) -> BudgetedWebClient:  # fmt: skip
    return BudgetedWebClient(
        budget=AckBudget(clock() + remaining, clock),
        sleep=clock.sleep,
        token=BOT_TOKEN,
        base_url=slack_api.url,
        timeout=10,
    )


def test_the_client_waits_out_a_short_retry_after_within_the_budget(
    slack_api: FakeSlackApi,
) -> None:
    clock = FakeTime()
    client = budgeted_client(slack_api, clock, remaining=2.5)
    slack_api.fail_next("chat.postMessage", 429, retry_after=1)

    response = client.chat_postMessage(channel="U0LEE", **HI)

    assert response["ok"] is True
    assert clock.slept == [1.0]
    assert rate_limited(slack_api, "chat.postMessage") == [429, 200]


def test_the_client_gives_up_at_once_on_a_long_retry_after(slack_api: FakeSlackApi) -> None:
    clock = FakeTime()
    client = budgeted_client(slack_api, clock, remaining=2.5)
    slack_api.fail_next("views.publish", 429, retry_after=RETRY_AFTER, times=3)

    with pytest.raises(SlackApiError) as raised:
        client.views_publish(user_id="U0LEE", view={"type": "home", "blocks": HI["blocks"]})

    assert raised.value.response.status_code == 429
    assert clock.slept == []
    assert rate_limited(slack_api, "views.publish") == [429]


def test_no_call_is_started_once_the_budget_is_spent(slack_api: FakeSlackApi) -> None:
    clock = FakeTime()
    client = budgeted_client(slack_api, clock, remaining=MIN_CALL_SECONDS / 2)

    with pytest.raises(AckBudgetSpent):
        client.chat_postMessage(channel="U0LEE", **HI)
    respond = BudgetedRespond(
        response_url=slack_api.response_url, budget=AckBudget(clock() - 1, clock)
    )
    with pytest.raises(AckBudgetSpent):
        respond(text="late")

    assert slack_api.calls == []


def test_each_attempt_waits_on_its_socket_no_longer_than_what_is_left(
    slack_api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeTime()
    client = budgeted_client(slack_api, clock, remaining=1.75)
    timeouts: list[float] = []

    def recording_urlopen(request: Any, *, timeout: float, **kwargs: Any) -> Any:
        timeouts.append(timeout)
        return urllib.request.urlopen(request, timeout=timeout, **kwargs)

    monkeypatch.setattr(slack_sdk.web.base_client, "urlopen", recording_urlopen)
    slack_api.fail_next("chat.postMessage", 429, retry_after=1)

    client.chat_postMessage(channel="U0LEE", **HI)

    assert timeouts == [1.75, 0.75]  # the retry gets what is left after waiting 1 s


def test_the_budget_reads_the_services_clock(settings: Settings, services: Services) -> None:
    """The edge and the middleware measure Slack's 3 s on the services' clock: a frozen clock
    (the demo, every test here) holds the budget still however loaded the machine is; moving it
    spends the budget."""
    assert isinstance(services.clock, FixedClock)
    app = create_app(settings, services, process_before_response=True)
    assert SlackWsgi(app, services).edge.monotonic == services.clock.monotonic
    start = services.clock.monotonic()
    assert services.clock.monotonic() == start
    budget = AckBudget.starting_now(2.5, services.clock.monotonic)
    assert budget.remaining() == 2.5
    services.clock.advance(timedelta(seconds=3))
    assert budget.remaining() <= 0
