"""The layers hold (docs: "Layout"), and the walk that checks them cannot be fooled.

Every module of ours (bot, handlers, schedules) is put in a layer by its path; a module no rule
places fails. Each layer may import only the layers (and the third-party packages) listed for
it. Imports are read at every depth of a file — a function-level import is an edge like any
other — and no import circle is allowed among our modules (a package's `__init__` runs before
any module under it, so importing `a.b` is an edge to `a` too). Imports sit at the top of a
module: the one exception is bot/cli (a lazy import for start-up time, with a comment).

Self-tests at the bottom build small trees in a temporary folder and show that each rule fails
when it should: a forbidden edge, an unclassified module, a circle, a function-level import."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("bot", "handlers", "schedules")

# ---- the layers ----------------------------------------------------------------------------

# Layer by module name: the longest matching prefix wins (a prefix matches the module itself and
# everything under it). Anything of ours that matches none is unclassified, and fails.
LAYER_OF_PREFIX: dict[str, str] = {
    "bot": "package",  # bot/__init__.py: imports nothing
    "bot.__main__": "cli",
    "bot.config": "config",
    "bot.clock": "config",
    "bot.bootstrap": "bootstrap",
    "bot.domain": "domain",
    "bot.services": "services",
    "bot.store": "store",
    "bot.slack": "views",
    "bot.slack.ids": "views",
    "bot.slack.sender": "slack",  # the adapters: Slack's Web API and Bolt, not views
    "bot.slack.client": "slack",
    "bot.slack.clients": "slack",
    "bot.slack.budget": "slack",
    "bot.slack.directory": "slack",
    "bot.slack.bolt_body": "slack",
    "bot.email": "views",  # plain/HTML renderings of the same records as the DMs ...
    "bot.email.sender": "slack",  # ... and its SMTP sender, an adapter like Slack's
    "bot.web": "web",
    "bot.cli": "cli",
    "bot.devtools": "devtools",
    "handlers": "handlers",
    "schedules": "schedules",
}

EVERY_LAYER = frozenset(LAYER_OF_PREFIX.values())

# The layers each layer may import (its own always).
MAY_IMPORT: dict[str, frozenset[str]] = {
    "package": frozenset(),
    "config": frozenset({"config"}),
    "domain": frozenset({"domain"}),
    "views": frozenset({"domain", "views"}),
    "store": frozenset({"store", "domain", "config"}),  # config: the clock (bot/clock.py)
    "services": frozenset({"services", "domain", "store", "config"}),
    "slack": frozenset({"slack", "views", "domain", "services", "config"}),
    "bootstrap": frozenset({"bootstrap", "services", "store", "config", "schedules"}),
    "handlers": frozenset(
        {"handlers", "domain", "services", "views", "slack", "config", "bootstrap"}
    ),
    "schedules": frozenset(
        {"schedules", "domain", "services", "store", "views", "slack", "config", "bootstrap"}
    ),
    "web": frozenset(
        {"web", "handlers", "schedules", "services", "store", "views", "slack", "config"}
        | {"bootstrap", "domain"}
    ),
    "cli": EVERY_LAYER - {"package"},
    "devtools": EVERY_LAYER - {"package", "cli"},
}

# Third-party packages by layer: the standard library is always allowed; domain and views are
# pure (no database, no Slack client, no web server) with the exceptions named here.
PURE_LIBRARIES = frozenset({"pydantic"})
THIRD_PARTY: dict[str, frozenset[str] | None] = {  # None: any
    "package": frozenset(),
    "config": frozenset({"pydantic", "pydantic_settings"}),
    "domain": PURE_LIBRARIES,
    "views": PURE_LIBRARIES | {"slack_sdk"},  # slack_sdk.models only (checked below)
    "store": frozenset({"sqlalchemy", "alembic", "psycopg"}),
    "services": frozenset({"sqlalchemy"}),
    "handlers": frozenset({"slack_bolt", "slack_sdk"}),  # never sqlalchemy nor dateparser
}
# Exceptions by module: the grammar's date reader is dateparser's one user.
MODULE_LIBRARIES: dict[str, frozenset[str]] = {
    "bot.domain.grammar.dates": frozenset({"dateparser"})
}
VIEW_SLACK_SDK = "slack_sdk.models"

# Function-level imports of our modules are allowed only here (and need a comment).
LAZY_ALLOWED = ("bot.cli",)


def is_in(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(module: str) -> str | None:
    """The layer a module of ours belongs to, or None when no rule places it."""
    matches = [prefix for prefix in LAYER_OF_PREFIX if is_in(module, prefix)]
    if not matches:
        return None
    best = max(matches, key=len)
    if best == "bot" and module != "bot":
        return None  # a new folder or top-level module under bot/ has to be placed explicitly
    return LAYER_OF_PREFIX[best]


# ---- the walk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One imported name, resolved to a module (ours) or its top-level package (third-party)."""

    target: str
    line: int
    local: bool  # inside a function


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def walk(root: Path, packages: Iterable[str] = OURS) -> dict[str, list[Import]]:
    """Every module under the packages and what it imports, at any depth of the file."""
    paths = {
        module_name(root, path): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
    }
    return {name: list(_imports(name, path, set(paths))) for name, path in paths.items()}


def _imports(module: str, path: Path, modules: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node, local in _import_nodes(tree, local=False):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:  # relative: from the package up
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        for name in names:
            yield Import(_resolve(name, modules), node.lineno, local)


def _import_nodes(
    node: ast.AST, *, local: bool
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        future = isinstance(child, ast.ImportFrom) and child.module == "__future__"
        if isinstance(child, ast.Import | ast.ImportFrom) and not future:
            yield child, local
        inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from _import_nodes(child, local=inner)


def _resolve(name: str, modules: set[str]) -> str:
    """The module of ours a dotted name lies in (`bot.domain.ledger.Totals` → its module), or
    the name itself for anything else."""
    candidate = name
    while candidate and candidate not in modules:
        candidate = candidate.rpartition(".")[0]
    return candidate or name


def is_ours(name: str, packages: Iterable[str] = OURS) -> bool:
    return any(is_in(name, package) for package in packages)


def violations(module: str, imports: Iterable[Import]) -> list[str]:
    """Each import a module may not have, by its layer; an unclassified module is one too."""
    layer = layer_of(module)
    if layer is None:
        return [f"{module}: in no layer (add it to LAYER_OF_PREFIX)"]
    found = []
    allowed_libraries = THIRD_PARTY.get(layer)
    for imp in imports:
        if is_ours(imp.target):
            target = layer_of(imp.target)
            if target is None:
                found.append(f"{module}:{imp.line} imports {imp.target}, in no layer")
            elif target != layer and target not in MAY_IMPORT[layer]:
                found.append(f"{module}:{imp.line} ({layer}) imports {imp.target} ({target})")
            continue
        top = imp.target.partition(".")[0]
        if top in sys.stdlib_module_names or allowed_libraries is None:
            continue
        if top in allowed_libraries | MODULE_LIBRARIES.get(module, frozenset()):
            if layer == "views" and top == "slack_sdk" and not is_in(imp.target, VIEW_SLACK_SDK):
                found.append(f"{module}:{imp.line} (views) imports {imp.target}: models only")
            continue
        found.append(f"{module}:{imp.line} ({layer}) imports {imp.target}")
    return found


def import_graph(modules: dict[str, list[Import]]) -> dict[str, set[str]]:
    """Module → the modules of ours it runs on import: each target and the packages above it
    (not its own packages, which are always initialised before it)."""
    graph: dict[str, set[str]] = {}
    for module, imports in modules.items():
        edges: set[str] = set()
        for imp in imports:
            if imp.target not in modules or imp.target == module:
                continue
            parts = imp.target.split(".")
            for depth in range(1, len(parts) + 1):
                ancestor = ".".join(parts[:depth])
                if ancestor in modules and ancestor != module and not is_in(module, ancestor):
                    edges.add(ancestor)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # iterative: the tree is deep enough for recursion limits
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def lazy_imports(modules: dict[str, list[Import]]) -> list[str]:
    """Function-level imports of our modules outside bot/cli."""
    return [
        f"{module}:{imp.line} imports {imp.target} inside a function"
        for module, imports in modules.items()
        if not any(is_in(module, allowed) for allowed in LAZY_ALLOWED)
        for imp in imports
        if imp.local and is_ours(imp.target)
    ]


# ---- the tree as it is ---------------------------------------------------------------------

MODULES = walk(ROOT)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_is_in_a_layer_and_imports_only_what_its_layer_may(module: str) -> None:
    assert violations(module, MODULES[module]) == []


def test_no_import_circles() -> None:
    assert cycles(import_graph(MODULES)) == []


def test_no_function_level_imports_of_our_modules_outside_the_cli() -> None:
    assert lazy_imports(MODULES) == []


def test_the_walk_sees_the_whole_tree() -> None:
    """Every file is walked and every layer is populated: a rule can't hold by matching nothing."""
    files = sum(1 for package in OURS for _ in (ROOT / package).rglob("*.py"))
    assert len(MODULES) == files > 100
    populated = {layer_of(module) for module in MODULES}
    assert populated == EVERY_LAYER
    edges = sum(len(imports) for imports in MODULES.values())
    assert edges > 500


# ---- the rules can fail ----------------------------------------------------------------------


def edge(target: str, *, local: bool = False) -> list[Import]:
    return [Import(target, 1, local)]


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("bot.services.nudges", "bot.slack.nudge_views"),
        ("bot.services.report", "bot.cli.report_format"),
        ("bot.services.report", "schedules.jobs"),
        ("bot.services.report", "bot.web.app"),
        ("bot.services.hours", "handlers.reply"),
        ("bot.services.hours", "bot.bootstrap"),
        ("bot.slack.views", "bot.services.hours"),
        ("bot.slack.views", "bot.store.db"),
        ("bot.slack.views", "sqlalchemy"),
        ("bot.slack.views", "slack_sdk.web"),
        ("bot.domain.ledger", "bot.services.ledger"),
        ("bot.domain.ledger", "bot.slack.blocks"),
        ("bot.domain.ledger", "sqlalchemy.orm"),
        ("bot.domain.ledger", "slack_sdk"),
        ("bot.domain.ledger", "slack_bolt"),
        ("bot.domain.ledger", "dateparser"),
        ("bot.domain.ledger", "bot.config"),
        ("bot.store.db", "bot.services.outbox"),
        ("bot.store.db", "slack_sdk"),
        ("handlers.commands.hours", "bot.store.db"),
        ("handlers.commands.hours", "sqlalchemy.orm"),
        ("handlers.commands.hours", "dateparser"),
        ("handlers.commands.hours", "bot.cli.base"),
        ("bot.slack.sender", "bot.store.db"),
        ("bot.bootstrap", "bot.slack.views"),
        ("schedules.jobs", "bot.cli.jobs"),
        ("bot.web.app", "bot.devtools.console"),
        ("bot.devtools.console", "bot.cli.main"),
    ],
)
def test_a_forbidden_edge_fails(module: str, target: str) -> None:
    assert len(violations(module, edge(target))) == 1


def test_allowed_edges_pass() -> None:
    assert violations("bot.domain.grammar.dates", edge("dateparser")) == []
    assert violations("bot.slack.views", edge("slack_sdk.models.blocks")) == []
    assert violations("bot.services.report", edge("bot.store.db")) == []
    assert violations("handlers.commands.hours", edge("bot.slack.views")) == []
    assert violations("bot.cli.commands", edge("bot.devtools.console")) == []


def test_an_unclassified_module_fails() -> None:
    assert layer_of("bot.reports") is None and layer_of("bot.newthing.tool") is None
    assert layer_of("bench.run") is None
    assert violations("bot.reports", []) == ["bot.reports: in no layer (add it to LAYER_OF_PREFIX)"]
    assert len(violations("bot.services.hours", edge("bot.newthing"))) == 1


def make_tree(root: Path, files: dict[str, str]) -> dict[str, list[Import]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return walk(root)


def test_a_circle_fails_even_through_a_function_level_import(tmp_path: Path) -> None:
    modules = make_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/services/__init__.py": "",
            "bot/services/a.py": "from bot.services.b import B\n",
            "bot/services/b.py": "def f():\n    from bot.services import a\n    return a\nB = 1\n",
            "bot/services/c.py": "import bot.services.b\n",
        },
    )
    assert cycles(import_graph(modules)) == [["bot.services.a", "bot.services.b"]]
    assert lazy_imports(modules) == ["bot.services.b:2 imports bot.services.a inside a function"]


def test_a_circle_through_a_package_init_fails(tmp_path: Path) -> None:
    """`bot.bootstrap` imports `schedules.claims`, which runs `schedules/__init__` first: had it
    imported `bot.bootstrap` back, that is a circle (it is why schedules/__init__ is empty)."""
    modules = make_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/bootstrap.py": "from schedules.claims import ExitTickets\n",
            "schedules/__init__.py": "from bot.bootstrap import Services\n",
            "schedules/claims.py": "ExitTickets = 1\n",
        },
    )
    assert cycles(import_graph(modules)) == [["bot.bootstrap", "schedules"]]


def test_a_package_importing_its_own_modules_is_no_circle(tmp_path: Path) -> None:
    modules = make_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/domain/__init__.py": "",
            "bot/domain/policy/__init__.py": "from bot.domain.policy.rules import Policy\n",
            "bot/domain/policy/rules.py": "from bot.domain.policy import limits\nPolicy = 1\n",
            "bot/domain/policy/limits.py": "",
        },
    )
    assert cycles(import_graph(modules)) == []
    assert [i.target for i in modules["bot.domain.policy.rules"]] == ["bot.domain.policy.limits"]


def test_imports_are_resolved_wherever_they_are_written(tmp_path: Path) -> None:
    modules = make_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/domain/__init__.py": "",
            "bot/domain/x.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from bot.services.y import Y\n"
                "class C:\n    def m(self):\n        import sqlalchemy.orm\n"
                "        from . import z\n"
            ),
            "bot/domain/z.py": "",
            "bot/services/__init__.py": "",
            "bot/services/y.py": "Y = 1\n",
        },
    )
    found = [(i.target, i.local) for i in modules["bot.domain.x"]]
    assert found == [
        ("typing", False),
        ("bot.services.y", False),
        ("sqlalchemy.orm", True),
        ("bot.domain.z", True),
    ]
    assert len(violations("bot.domain.x", modules["bot.domain.x"])) == 2
