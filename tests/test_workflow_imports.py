"""The ASL builders import one another at module top level, without a cycle.

A cycle held together by imports inside functions breaks as soon as one of them is moved to the
top; this reads every import of the builder modules (inside functions and ``TYPE_CHECKING``
blocks too) so such a cycle fails here instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
BUILDERS = [
    "base_state",
    "chain",
    "choice",
    "concurrency",
    "errors",
    "expressions",
    "machine",
    "scope",
    "states",
]


def _imports(module: str) -> tuple[set[str], list[int]]:
    """The workflows modules ``module`` imports, and the lines of imports not at top level."""
    tree = ast.parse((WORKFLOWS / f"{module}.py").read_text())
    top_level = {id(node) for node in tree.body}
    named: set[str] = set()
    nested: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workflows."):
            named.add(node.module.removeprefix("workflows.").split(".")[0])
        elif isinstance(node, ast.Import):
            named |= {
                a.name.removeprefix("workflows.").split(".")[0]
                for a in node.names
                if a.name.startswith("workflows.")
            }
        else:
            continue
        if id(node) not in top_level:
            nested.append(node.lineno)
    return named & set(BUILDERS), nested


def test_builder_modules_import_only_at_top_level():
    nested = {m: lines for m in BUILDERS if (lines := _imports(m)[1])}
    assert nested == {}


def test_builder_modules_import_one_another_without_a_cycle():
    graph = {m: _imports(m)[0] for m in BUILDERS}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, [*path, module])
        done.add(module)

    for module in BUILDERS:
        visit(module, [])
