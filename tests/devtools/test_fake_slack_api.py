"""Tests for the loopback Slack Web API fake and the request-signing helpers."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackObjectFormationError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier

from tests.support.blockkit import valid_ack
from tests.support.signing import (
    block_action_body,
    signed_headers,
    slash_command_body,
    view_submission_body,
)
from tests.support.slack_api import FakeSlackApi

TOKEN = "xoxb-test-token"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]


@pytest.fixture
def fake() -> Iterator[FakeSlackApi]:
    """A started fake, stopped after the test; plain-text messages allowed for its plumbing."""
    with FakeSlackApi(plain_text_ok=True) as api:
        yield api


def _client(fake: FakeSlackApi, **kwargs: object) -> WebClient:
    """A WebClient pointed at the fake, without retry handlers unless given."""
    kwargs.setdefault("retry_handlers", [])
    return WebClient(token=TOKEN, base_url=fake.url, timeout=5, **kwargs)  # type: ignore[arg-type]


def test_url_has_trailing_slash_and_loopback_host(fake: FakeSlackApi) -> None:
    """The base URL is a loopback URL ending in a slash."""
    assert fake.url.startswith("http://127.0.0.1:")
    assert fake.url.endswith("/api/")


def test_auth_test_identifies_the_bot(fake: FakeSlackApi) -> None:
    """auth.test answers with the fixed bot identity."""
    response = _client(fake).auth_test()
    assert response["user_id"] == "UBOT"
    assert response["team_id"] == "T0TEST"
    assert response["bot_id"] == "B0BOT"
    assert fake.calls_to("auth.test")[0].token == TOKEN


def test_post_message_is_recorded_with_decoded_blocks(fake: FakeSlackApi) -> None:
    """chat.postMessage (a JSON body) is recorded with its blocks as a list."""
    client = _client(fake)
    first = client.chat_postMessage(channel="C123", text="hi", blocks=BLOCKS)
    second = client.chat_postMessage(channel="U42", text="dm")
    assert first["ok"] is True
    assert first["channel"] == "C123"
    assert first["message"]["text"] == "hi"
    assert second["channel"] == "DU42"
    assert float(second["ts"]) > float(first["ts"])
    call = fake.calls_to("chat.postMessage")[0]
    assert call.params["channel"] == "C123"
    assert call.params["blocks"] == BLOCKS
    assert call.token == TOKEN
    assert call.status == 200


def test_form_encoded_json_fields_are_decoded(fake: FakeSlackApi) -> None:
    """A form-encoded request has its JSON-string blocks decoded and its token read."""
    client = WebClient(token=None, base_url=fake.url, retry_handlers=[])
    client.api_call(
        "chat.postMessage",
        data={"token": TOKEN, "channel": "C1", "text": "hello", "blocks": json.dumps(BLOCKS)},
    )
    call = fake.calls_to("chat.postMessage")[0]
    assert call.params == {"channel": "C1", "text": "hello", "blocks": BLOCKS}
    assert call.token == TOKEN


def test_lookup_by_email_hit_and_miss(fake: FakeSlackApi) -> None:
    """A known email yields the user; an unknown one raises users_not_found."""
    fake.add_user("ada@school.test", "U0ADA", name="Ada Lovelace", tz="Europe/London")
    client = _client(fake)
    user = client.users_lookupByEmail(email="Ada@School.test")["user"]
    assert user["id"] == "U0ADA"
    assert user["real_name"] == "Ada Lovelace"
    assert user["tz"] == "Europe/London"
    assert user["profile"]["email"] == "ada@school.test"
    assert client.users_info(user="U0ADA")["user"]["id"] == "U0ADA"
    with pytest.raises(SlackApiError) as excinfo:
        client.users_lookupByEmail(email="nobody@school.test")
    assert excinfo.value.response.status_code == 200
    assert excinfo.value.response["error"] == "users_not_found"


def test_rate_limit_without_retry_handler_raises_with_retry_after(fake: FakeSlackApi) -> None:
    """A scripted 429 surfaces as SlackApiError carrying the Retry-After header."""
    fake.fail_next("chat.postMessage", 429, retry_after=1)
    with pytest.raises(SlackApiError) as excinfo:
        _client(fake).chat_postMessage(channel="C1", text="x")
    response = excinfo.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "1"
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429]


def test_rate_limit_retry_handler_honours_retry_after(
    fake: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RateLimitErrorRetryHandler sleeps Retry-After (+ <1 s jitter), then succeeds."""
    slept: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=slept.append))
    fake.fail_next("chat.postMessage", 429, retry_after=1)
    client = _client(fake, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert len(slept) == 1
    assert 1.0 <= slept[0] < 2.0


def test_server_error_once_then_success_with_retry_handler(fake: FakeSlackApi) -> None:
    """One 500 followed by success is absorbed by ServerErrorRetryHandler."""
    fake.fail_next("chat.postMessage", 500)
    handler = ServerErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.0)
    )
    client = _client(fake, retry_handlers=[handler])
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [500, 200]


def test_fail_next_times_and_wildcard(fake: FakeSlackApi) -> None:
    """`times` fails that many calls; "*" matches any method."""
    client = _client(fake)
    fake.fail_next("*", 500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.auth_test()
        assert excinfo.value.response.status_code == 500
        assert excinfo.value.response["error"] == "internal_error"
    assert client.auth_test()["ok"] is True


def test_set_down_answers_503_until_back_up(fake: FakeSlackApi) -> None:
    """While down every request gets 503; afterwards requests succeed again."""
    client = _client(fake)
    fake.set_down(True)
    for method in (client.auth_test, lambda: client.chat_postMessage(channel="C1", text="x")):
        with pytest.raises(SlackApiError) as excinfo:
            method()
        assert excinfo.value.response.status_code == 503
    fake.set_down(False)
    assert client.auth_test()["ok"] is True
    assert [c.status for c in fake.calls] == [503, 503, 200]


def test_missing_token_is_not_authed(fake: FakeSlackApi) -> None:
    """A request without a token gets not_authed."""
    client = WebClient(token=None, base_url=fake.url, retry_handlers=[])
    with pytest.raises(SlackApiError) as excinfo:
        client.auth_test()
    assert excinfo.value.response["error"] == "not_authed"
    assert fake.calls[0].token is None


def test_conversations_views_and_unknown_methods(fake: FakeSlackApi) -> None:
    """conversations.open, views.*, chat.* and unknown methods answer Slack-shaped bodies."""
    client = _client(fake)
    assert client.conversations_open(users="U0ADA")["channel"]["id"] == "DU0ADA"
    modal = {"type": "modal", "callback_id": "log", "title": {"type": "plain_text", "text": "T"}, "blocks": BLOCKS}  # fmt: skip
    opened = client.views_open(trigger_id="1.2.3", view=modal)["view"]
    assert opened["id"].startswith("V")
    assert opened["callback_id"] == "log"
    updated = client.views_update(view_id=opened["id"], view=modal)["view"]
    assert updated["id"] == opened["id"]
    pushed = client.views_push(trigger_id="1.2.3", view=modal)["view"]
    assert pushed["id"] != opened["id"]
    home = client.views_publish(user_id="U0ADA", view={"type": "home", "blocks": BLOCKS})["view"]
    assert home["type"] == "home"
    assert client.chat_postEphemeral(channel="C1", user="U0ADA", text="psst")["message_ts"]
    assert client.chat_update(channel="C1", ts="1.2", text="new")["ts"] == "1.2"
    assert client.api_call("reactions.add", json={"name": "tada"})["ok"] is True
    assert fake.calls_to("views.open")[0].params["view"] == modal


def test_wait_for_calls_wakes_on_arrival_and_times_out(fake: FakeSlackApi) -> None:
    """wait_for_calls returns once calls arrive and raises TimeoutError otherwise."""
    client = _client(fake)
    worker = threading.Thread(
        target=lambda: [client.chat_postMessage(channel="C1", text=str(i)) for i in range(3)]
    )
    worker.start()
    calls = fake.wait_for_calls("chat.postMessage", 3, timeout=5.0)
    worker.join(timeout=5.0)
    assert [c.params["text"] for c in calls] == ["0", "1", "2"]
    with pytest.raises(TimeoutError, match=r"chat\.update"):
        fake.wait_for_calls("chat.update", 1, timeout=0.05)


def test_reset_forgets_calls_users_and_failures(fake: FakeSlackApi) -> None:
    """reset() brings the fake back to a clean state."""
    client = _client(fake)
    fake.add_user("ada@school.test", "U0ADA")
    client.auth_test()
    fake.fail_next("auth.test", 500)
    fake.set_down(True)
    fake.reset()
    assert fake.calls == []
    assert client.auth_test()["ok"] is True
    with pytest.raises(SlackApiError):
        client.users_lookupByEmail(email="ada@school.test")


def test_signed_headers_verify_with_slack_sdk() -> None:
    """signed_headers produces a signature SignatureVerifier accepts."""
    body = slash_command_body("/mentor-log", "45m planning", "U0ADA")
    headers = signed_headers("s3cret", body)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert SignatureVerifier("s3cret").is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    fields = parse_qs(body)
    assert fields["command"] == ["/mentor-log"]
    assert fields["text"] == ["45m planning"]
    assert fields["trigger_id"] == ["1337.42.abcd"]


def _payload(body: str) -> dict[str, Any]:
    """Decode the `payload=` JSON of an interaction body."""
    decoded: dict[str, Any] = json.loads(parse_qs(body)["payload"][0])
    return decoded


def test_interaction_bodies_carry_a_json_payload() -> None:
    """block_action_body and view_submission_body urlencode Slack-shaped payloads."""
    action = _payload(block_action_body("U0ADA", "approve", "42"))
    assert action["type"] == "block_actions"
    assert action["actions"][0]["action_id"] == "approve"
    assert action["actions"][0]["value"] == "42"
    assert action["container"]["type"] == "message"
    assert action["trigger_id"] == "1337.42.abcd"
    select = _payload(block_action_body("U0ADA", "pick", "7", action_type="static_select"))
    assert select["actions"][0]["selected_option"]["value"] == "7"
    in_view = _payload(block_action_body("U0ADA", "pick", "7", view={"id": "V9"}))
    assert in_view["container"] == {"type": "view", "view_id": "V9"}
    state = {"b": {"a": {"type": "plain_text_input", "value": "notes"}}}
    submission = _payload(view_submission_body("U0ADA", "log_modal", '{"id": 1}', state))
    assert submission["type"] == "view_submission"
    assert submission["view"]["callback_id"] == "log_modal"
    assert submission["view"]["private_metadata"] == '{"id": 1}'
    assert submission["view"]["state"]["values"] == state


# ---- Block Kit, checked as Slack checks it --------------------------------------------------

TEXT = "hello"
NOT_BLOCK_KIT = [  # what Slack refuses, each with the error it answers
    pytest.param("chat.postMessage", {"channel": "C1", "blocks": BLOCKS}, "invalid_blocks", "no text fallback", id="blocks-without-text"),
    pytest.param("chat.postMessage", {"channel": "C1", "text": TEXT, "blocks": BLOCKS * 51}, "invalid_blocks", "51 blocks", id="51-blocks"),
    pytest.param("chat.update", {"channel": "C1", "ts": "1.2", "text": TEXT, "blocks": [{"type": "sektion"}]}, "invalid_blocks", "unknown block", id="unknown-block"),
    pytest.param("chat.postEphemeral", {"channel": "C1", "user": "U1", "text": TEXT, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}, "invalid_blocks", "3000", id="section-over-3000"),
    pytest.param("chat.postMessage", {"channel": "C1", "text": TEXT, "blocks": [{**BLOCKS[0], "block_id": "b"}, {**BLOCKS[0], "block_id": "b"}]}, "invalid_blocks", "block_id used twice", id="block-id-twice"),
    pytest.param("chat.postMessage", {"channel": "C1", "text": TEXT, "attachments": [{"blocks": []}]}, "invalid_blocks", "0 blocks", id="attachment-without-blocks"),
    pytest.param("views.open", {"trigger_id": "1", "view": {"type": "modal", "title": {"type": "plain_text", "text": "T" * 25}, "blocks": BLOCKS}}, "invalid_arguments", "title", id="modal-title-over-24"),
    pytest.param("views.publish", {"user_id": "U1", "view": {"type": "home", "blocks": []}}, "invalid_arguments", "between 1 and 100", id="home-without-blocks"),
    pytest.param("views.update", {"view_id": "V1", "view": {"type": "home", "blocks": BLOCKS * 101}}, "invalid_arguments", "between 1 and 100", id="home-101-blocks"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "params", "error", "says"), NOT_BLOCK_KIT)
def test_a_payload_slack_would_refuse_is_refused_and_remembered(
    fake: FakeSlackApi, method: str, params: dict[str, Any], error: str, says: str
) -> None:
    """The fake answers Slack's error and keeps the reason, which fails the test at teardown."""
    with pytest.raises(SlackApiError) as excinfo:
        _client(fake).api_call(method, json=params)
    assert excinfo.value.response["error"] == error
    [problem] = fake.invalid
    assert problem.startswith(method) and says in problem, problem
    fake.invalid.clear()  # this test meant to send it


def test_a_response_url_post_is_checked_too(fake: FakeSlackApi) -> None:
    """What `respond()` posts to a response_url is a message like any other."""
    body = json.dumps({"text": TEXT, "blocks": BLOCKS * 51}).encode()
    request = urllib.request.Request(fake.response_url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["error"] == "invalid_blocks"
    assert [p.split(":")[0] for p in fake.invalid] == ["response_url"]
    fake.invalid.clear()


def test_a_rate_limited_call_is_not_examined(fake: FakeSlackApi) -> None:
    """Slack answers a 429 before reading the payload; so does the fake."""
    fake.fail_next("views.publish", 429, retry_after=30)
    with pytest.raises(SlackApiError) as excinfo:
        _client(fake).views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert excinfo.value.response.status_code == 429
    assert fake.invalid == []


def test_valid_payloads_pass_and_plain_text_only_where_allowed(fake: FakeSlackApi) -> None:
    """Valid blocks and views are answered normally; a plain-text message only by a fake made
    with plain_text_ok (the tests' own fake refuses it: every message of ours is Block Kit)."""
    client = _client(fake)
    assert client.chat_postMessage(channel="C1", text=TEXT, blocks=BLOCKS)["ok"]
    assert client.chat_postMessage(channel="C1", text=TEXT)["ok"]
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": BLOCKS})["ok"]
    assert fake.invalid == []
    with FakeSlackApi() as strict:
        with pytest.raises(SlackApiError) as excinfo:
            _client(strict).chat_postMessage(channel="C1", text=TEXT)
        assert excinfo.value.response["error"] == "invalid_blocks"
        assert "a message without blocks" in strict.invalid.pop()
        assert _client(strict).api_call(
            "chat.postMessage", json={"channel": "C1", "text": TEXT, "blocks": BLOCKS}
        )["ok"]


ACKS = [
    pytest.param("", None, id="empty"),
    pytest.param(json.dumps({"response_type": "ephemeral", "text": TEXT, "blocks": BLOCKS}), "ephemeral", id="reply"),
    pytest.param(json.dumps({"response_action": "errors", "errors": {"notes": "Too long."}}), "errors", id="form-errors"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "kind"), ACKS)
def test_an_ack_body_is_checked_as_slack_reads_it(body: str, kind: str | None) -> None:
    """valid_ack: what never reaches the fake (the body of an ack) passes the same check."""
    reply = valid_ack(body)
    assert (reply or {}).get("response_type", (reply or {}).get("response_action")) == kind


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            json.dumps({"response_type": "ephemeral", "blocks": BLOCKS}), id="no-fallback-text"
        ),
        pytest.param(json.dumps({"response_type": "ephemeral", "text": TEXT}), id="not-block-kit"),
        pytest.param(
            json.dumps({"response_action": "errors", "errors": {"notes": "x" * 151}}),
            id="error-over-150",
        ),
        pytest.param(
            json.dumps({"response_action": "update", "view": {"type": "modal", "blocks": BLOCKS}}),
            id="modal-without-title",
        ),
    ],
)
def test_an_ack_slack_would_refuse_fails(body: str) -> None:
    with pytest.raises((AssertionError, SlackObjectFormationError)):
        valid_ack(body)
