"""The tables, one module per group; importing the package puts every table on Base.metadata."""

from bot.store.models import core, ingress, requests, surveys

__all__ = ["core", "ingress", "requests", "surveys"]
