"""The layers hold (DESIGN.md): an import walk over the tree fails on a forbidden edge.

handlers → services → store; rules import nothing of ours but each other; views import rules
and the model, never services or the store; services never import Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULES = (
    "bot.domain.model", "bot.domain.notices", "bot.domain.grammar", "bot.domain.policy", "bot.domain.calendar", "bot.domain.ledger",
    "bot.domain.deadlines", "bot.domain.formatting", "bot.domain.cells", "bot.domain.pay", "bot.domain.roster", "bot.domain.grammar.command_text",
    "bot.domain.roles", "bot.domain.signoff", "bot.domain.record", "bot.domain.standards", "bot.domain.pacing", "bot.domain.home",
    "bot.domain.reassignment", "bot.domain.activities", "bot.domain.grammar.event_text", "bot.domain.retention", "bot.domain.partnerships", "bot.domain.once",
)  # fmt: skip
VIEWS = ("bot.slack.views", "bot.slack.log_views", "bot.slack.nudge_views", "bot.slack.blocks", "bot.slack.render", "bot.slack.signoff_views", "bot.slack.standards_views", "bot.slack.survey_views", "bot.slack.home_views", "bot.slack.pay_views", "bot.slack.request_views", "bot.slack.activity_views", "bot.slack.payload_values")  # fmt: skip
SLACK = ("bot.slack", "slack_sdk", "slack_bolt")
STORE = ("bot.store", "sqlalchemy")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names), at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def is_in(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


MODULES = {
    module_name(path): imports(path)
    for folder in ("bot", "handlers", "schedules")
    for path in sorted((ROOT / folder).rglob("*.py"))
}


def forbidden(module: str, names: set[str]) -> set[str]:
    """The imports a module may not have, by its layer."""
    ours = {n for n in names if is_in(n, ("bot", "handlers", "schedules"))}
    if is_in(module, RULES):
        return {n for n in ours if not is_in(n, RULES)} | {n for n in names if is_in(n, STORE + SLACK)}  # fmt: skip
    if module in VIEWS:
        return {n for n in names if is_in(n, ("bot.services", *STORE))}
    if is_in(module, ("bot.services",)):
        return {n for n in names if is_in(n, SLACK)}
    if is_in(module, ("bot.store",)):
        return {n for n in names if is_in(n, ("bot.services", *SLACK))}
    if is_in(module, ("handlers",)):
        return {n for n in names if is_in(n, ("bot.store", "sqlalchemy", "dateparser"))}
    return set()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_forbidden_import(module: str) -> None:
    assert forbidden(module, MODULES[module]) == set()


def test_the_walk_sees_the_layers() -> None:
    assert "bot.domain.ledger" in MODULES and "bot.services.nudges" in MODULES
    assert forbidden("bot.services.nudges", {"bot.slack.nudge_views"}) == {"bot.slack.nudge_views"}
    assert forbidden("bot.slack.views", {"bot.services.hours"}) == {"bot.services.hours"}
    assert forbidden("handlers.commands.hours", {"sqlalchemy.orm"}) == {"sqlalchemy.orm"}
    assert forbidden("bot.domain.ledger", {"bot.services.ledger"}) == {"bot.services.ledger"}
