"""The suite's project is the churn example: every `load_settings(env)` without a project reads
examples/churn/settings/, as `selfheal` run in that folder does. Subprocesses inherit it."""

import os
from pathlib import Path

import pytest

from environments.project import PROJECT_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
CHURN = ROOT / "examples" / "churn"
os.environ[PROJECT_VARIABLE] = str(CHURN)

pytest_plugins = [
    "localcloud.pytest_plugin",
    "tests.tasks_helpers",
    "tests.slack_webhook",
    "tests.jobs_helpers",
    "tests.deploy_helpers",
    "tests.sfn_corpus_report",
]

# Modules holding a test of 10 s or more, longest first: they start the run. pytest-xdist's
# worksteal hands each worker half the tests in collection order and lets an idle worker take
# tests the other has not started; a long test at the end of a queue cannot be taken, so the
# other core idled for as long as it ran (the wheel's demo, last alphabetically, ran ~25 s
# alone). Each module keeps its place among its own tests, so its module fixtures are built once.
LONG_MODULES_FIRST = (
    "tests/test_wheel_install.py",  # the installed wheel's demo ~25 s, its install ~11 s
    "tests/test_deploy_template.py",  # cfn-lint of four templates ~24 s
    "tests/test_deploy_permissions.py",  # the recording of three deploy cycles ~21 s
    "tests/scenarios/test_example_wine.py",  # the wine project's demo ~17 s
    "tests/test_demo.py",  # the demo ~13 s and the failing demo's subprocess ~17 s
    "tests/test_interrupts.py",  # Ctrl-C in the demo ~12 s
)


def _start_rank(item: pytest.Item) -> int:
    module = Path(str(item.path)).relative_to(ROOT).as_posix()
    return (
        LONG_MODULES_FIRST.index(module)
        if module in LONG_MODULES_FIRST
        else len(LONG_MODULES_FIRST)
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_start_rank)  # stable: every other test keeps its order
