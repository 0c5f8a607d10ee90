"""The floor plan the README's Layout section draws: each top-level package imports only packages
on floors below it, and no module imports itself back through others.

Every import is read, those inside functions and ``TYPE_CHECKING`` blocks too: a cycle held
together by imports inside functions breaks as soon as one of them moves to the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The README's Layout table. A package may import those on lower floors only.
FLOORS = {
    "aws_naming": 0,
    "tasks": 1,
    "commandline": 1,
    "asl_validation": 1,
    "environments": 2,
    "workflows": 3,
    "event_rules": 3,
    "iam": 4,
    "localcloud": 4,
    "console": 4,
    "deploy": 5,
    "selfheal": 6,
}

# Light builder modules the others build on; they import each other only at the top.
BUILDERS = ["base_state", "chain", "choice", "concurrency", "errors", "expressions", "machine"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for package in FLOORS
    for path in sorted((ROOT / package).rglob("*.py"))
    if "generated" not in path.parts
}


def _imports(path: Path) -> Iterator[tuple[str, ast.stmt, bool]]:
    """(project module imported, the statement, whether it is at the module's top level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from package import module` names a module; `from module import name` does not.
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        else:
            continue
        if isinstance(node, ast.ImportFrom):
            # Every submodule named is an import of its own (`from pkg import a, b` reads both);
            # only when none is named does the statement import the module it names.
            submodules = [name for name in names[:-1] if name in MODULES]
            names = submodules or names[-1:]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name:
                yield name, node, id(node) in top_level


@cache
def _graph() -> dict[str, set[str]]:
    """Each module's project imports. Read when a test asks (a second of parsing), not while
    every test worker collects this file."""
    return {
        module: {name for name, _, _ in _imports(path)} - {module}
        for module, path in MODULES.items()
    }


def _package(module: str) -> str:
    return module.split(".")[0]


def test_every_top_level_package_has_a_floor():
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "scripts", "examples"}
    assert on_disk == set(FLOORS), "add the new package to FLOORS and the README's Layout table"


def test_packages_import_only_lower_floors():
    upward = sorted(
        f"{module} -> {imported}"
        for module, imported_modules in _graph().items()
        for imported in imported_modules
        if _package(imported) != _package(module)
        and FLOORS[_package(imported)] >= FLOORS[_package(module)]
    )
    assert upward == []


def test_no_module_imports_itself_back():
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for imported in sorted(_graph()[module]):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(MODULES):
        visit(module, [])


def test_builder_modules_import_project_modules_only_at_top_level():
    nested = {
        module: [
            node.lineno for _, node, top in _imports(MODULES[f"workflows.{module}"]) if not top
        ]
        for module in BUILDERS
    }
    assert {module: lines for module, lines in nested.items() if lines} == {}


def test_the_floor_check_sees_a_cycle_and_an_upward_import():
    # The reader must find the imports these checks are about, or they would pass vacuously.
    assert "workflows.base_state" in _graph()["workflows.states"]
    assert "environments.settings" in _graph()["event_rules.catalogue"]
    assert "deploy.calls" in _graph()["deploy.clients"]
    # `from package import a, b, c` reads every submodule it names, not only the first.
    assert "localcloud.extensions.cloudtrail" in _graph()["localcloud.extensions"]
