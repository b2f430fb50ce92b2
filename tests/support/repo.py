"""Paths in this checkout that tests read: the repository's root and the demo's program file."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO_TOML = REPO / "bot" / "devtools" / "demo" / "program.toml"
