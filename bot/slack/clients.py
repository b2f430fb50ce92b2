"""Which Web API client speaks for a workspace: one bot token for every program (single-token
mode), or each installation's own token (OAuth: branch oauth's `InstalledClients`)."""

from __future__ import annotations

from typing import Protocol

from slack_sdk import WebClient

from bot.services.tenants import Tenant


class ClientSource(Protocol):
    """The client to send as for a program's workspace; None: no installation (send nothing)."""

    def client_for(self, tenant: Tenant | None) -> WebClient | None:
        """The client for `tenant` (None: the single program)."""
        ...


class FixedClient:
    """Single-token mode: the one client (SLACK_BOT_TOKEN) for every tenant."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def client_for(self, tenant: Tenant | None) -> WebClient | None:
        """The one client, whatever the tenant."""
        return self.client
