"""What an installed ``selfheal`` needs is exactly what pyproject.toml declares: every import of
the shipped packages is the standard library, the project itself, or a declared runtime
dependency, and the development tools (linters, test tools) are never imported at run time.

Read from the sources, so a new import of an undeclared package fails here before a user's
``pip install`` does; then proven by running the entry points with the dev tools unimportable.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

from environments.project import PROJECT_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]

# Modules that import a development dependency on purpose, each reached only where it is
# installed: none of them is imported by the entry points (the blocker test below proves it).
DEV_ONLY_IMPORTS = {
    ("iam/lint_parliament.py", "parliament"): "iam/lint.py imports it only when parliament does",
    ("localcloud/pytest_plugin.py", "pytest"): "a pytest plugin, loaded by pytest alone",
    ("workflows/render.py", "graphviz"): "SVG drawing (make render); Mermaid text needs nothing",
}
DEV_TOOLS = ("parliament", "cfnlint", "statelint", "graphviz", "pytest", "_pytest", "mypy", "ruff")


def _distribution(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the imports under ``if TYPE_CHECKING:``, which never run."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            skipped |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return skipped


def _third_party_imports() -> Iterator[tuple[str, str]]:
    """(file relative to the root, top-level module) for every import that is neither the
    standard library nor the project, nor a module beside the file (the job scripts run flat
    in their container, importing each other by bare name)."""
    for package in SHIPPED:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skipped = _type_checking_only(tree)
            siblings = {p.stem for p in path.parent.glob("*.py")}
            for node in ast.walk(tree):
                if id(node) in skipped:
                    continue
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    local = top in SHIPPED or top in siblings or top == "__future__"
                    if not local and top not in sys.stdlib_module_names:
                        yield path.relative_to(ROOT).as_posix(), top


def test_every_runtime_import_is_a_declared_dependency() -> None:
    declared = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
    providers = packages_distributions()
    undeclared = sorted(
        f"{file}: imports {module} ({', '.join(providers.get(module, ['no distribution']))})"
        for file, module in set(_third_party_imports())
        if (file, module) not in DEV_ONLY_IMPORTS
        and not {_distribution(d) for d in providers.get(module, [])} & declared
    )
    assert undeclared == [], "declare these in pyproject's dependencies, or stop importing them"


def test_the_dev_only_imports_listed_are_still_there() -> None:
    # A stale entry would let a later import of that tool through unnoticed.
    assert set(DEV_ONLY_IMPORTS) <= set(_third_party_imports())


BLOCKER = """
import importlib.abc, sys
class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None
sys.meta_path.insert(0, Blocked())
"""


def test_the_entry_points_run_without_any_development_tool(tmp_path: Path) -> None:
    """Fails when deploy, selfheal or `selfheal iam` reach a dev tool (parliament did, through
    iam/lint.py, before the lint split)."""
    script = (
        f"BLOCKED = {DEV_TOOLS!r}\n"
        + BLOCKER
        + "import deploy, selfheal, selfheal.deploy_commands, selfheal.demo\n"
        + "from selfheal.cli import main\n"
        + "sys.exit(main(['iam']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
            PROJECT_VARIABLE: os.environ[PROJECT_VARIABLE],
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["findings"] == []
    assert {"churn-dev-sfn-retrain", "churn-dev-sagemaker-execution"} <= {
        role["name"] for role in document["roles"]
    }


def test_the_blocker_blocks(tmp_path: Path) -> None:
    # Without this, a blocker that blocks nothing would pass the test above.
    script = "BLOCKED = ('parliament',)\n" + BLOCKER + "import iam.lint_parliament\n"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "No module named 'parliament' (blocked)" in done.stderr
