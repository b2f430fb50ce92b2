"""Slack users by email, for the roster import (users.lookupByEmail)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services.roster import DirectoryError


class WebDirectory:
    """Looks people up in the Slack workspace."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def lookup_by_email(self, email: str) -> str:
        """The Slack user id for an email; DirectoryError with Slack's reason otherwise."""
        try:
            response = self.client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            raise DirectoryError(str(exc.response.get("error", "unknown error"))) from None
        except (SlackClientError, OSError) as exc:
            raise DirectoryError(f"Slack could not be reached ({exc.__class__.__name__})") from None
        user = response.get("user") or {}
        user_id = user.get("id")
        if not isinstance(user_id, str):
            raise DirectoryError("Slack answered without a user id")
        return user_id
