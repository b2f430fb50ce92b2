"""The tables, one module per group; importing the package puts every table on Base.metadata."""

from bot.store.models import claims, core, erasures, ingress, kept, requests, surveys

__all__ = ["claims", "core", "erasures", "ingress", "kept", "requests", "surveys"]
