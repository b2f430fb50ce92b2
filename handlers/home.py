"""Publishing a person's Home tab on `app_home_opened`, and answering a button pressed on it: Home
has no response_url, so the answer is the Home re-published with a notice on top (what the press
did, or why nothing was stored).

Nothing else publishes a Home: a slash command, a form or a button on a message answers in its
own reply, and Slack sends `app_home_opened` each time the person opens the tab, so a redraw
after a command would serve almost no one and cost every request a whole Home (issue 18)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.domain.home import Home
from bot.services.errors import NotOnRoster, Refusal
from bot.slack import home_views, request_views
from bot.slack.blocks import Block
from bot.slack.budget import SLACK_CALL_ERRORS, describe_failure
from handlers.reply import Payload, respond_with

log = logging.getLogger(__name__)


HOME_REQUESTS = 5  # open requests listed on a coordinator's Home (`/induction requests`: all)


def open_request_blocks(services: Services, home: Home) -> list[Block]:
    """The coordinator's open reassignment requests on Home, with Reassign and Decline (the
    service checks again that the viewer is a coordinator)."""
    requests = services.requests.open_for(home.viewer.slack_user_id or "", services.clock.now())
    return request_views.open_requests(requests, limit=HOME_REQUESTS)


def home_payload(services: Services, user_id: str, notice: Payload | None = None) -> Payload:
    """The Home view for a Slack user: their sections, or whom to ask when not on the roster."""
    try:
        home = services.home.home(user_id, services.clock.now())
    except NotOnRoster as exc:  # told whom to ask; no buttons that would fail
        return home_views.not_on_roster(exc.message)
    except Refusal as exc:
        return home_views.not_on_roster(f":warning: {exc.message}")
    requests = open_request_blocks(services, home) if home.coordinator is not None else []
    return home_views.home_view(home, notice=notice, requests=requests)


def publish_home(
    client: WebClient, services: Services, user_id: str, notice: Payload | None = None
) -> None:
    """Publish a person's Home. A failed Slack call is logged; a failure to read the Home
    propagates (an event answered 500 is retried by Slack)."""
    view = home_payload(services, user_id, notice)
    try:
        client.views_publish(user_id=user_id, view=view)
    except SLACK_CALL_ERRORS as exc:
        log.warning("views.publish failed for %s: %s", user_id, describe_failure(exc))


def refresh_home(
    client: WebClient, services: Services, user_id: str, notice: Payload | None = None
) -> None:
    """Publish a person's Home after a press on it; any failure is logged, never raised: the
    change stands whether or not their Home could be redrawn."""
    try:
        publish_home(client, services, user_id, notice)
    except Exception:
        log.exception("refreshing the Home of %s failed", user_id)


def pressed_on_home(body: dict[str, Any]) -> bool:
    """True for a button on the Home tab (a view container with no response_url)."""
    container = body.get("container") or {}
    view = body.get("view") or {}
    return container.get("type") == "view" and view.get("type", "home") == "home"


def answer_press(
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Services,
    payload: Payload,
    *,
    replace: bool,
) -> None:
    """Answer a button: on Home, the Home re-published with the answer on top; on a message,
    the answer through its response_url (the Home is redrawn when the person next opens it)."""
    if pressed_on_home(body):
        refresh_home(client, services, body["user"]["id"], payload or None)
        return
    respond_with(respond, payload, replace=replace)
