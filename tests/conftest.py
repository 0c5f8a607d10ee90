"""The suite's project is the churn example: every `load_settings(env)` without a project reads
examples/churn/settings/, as `selfheal` run in that folder does. Subprocesses inherit it."""

import os
from pathlib import Path

from environments.project import PROJECT_VARIABLE

CHURN = Path(__file__).resolve().parent.parent / "examples" / "churn"
os.environ[PROJECT_VARIABLE] = str(CHURN)

pytest_plugins = [
    "localcloud.pytest_plugin",
    "tests.tasks_helpers",
    "tests.slack_webhook",
    "tests.jobs_helpers",
    "tests.deploy_helpers",
    "tests.sfn_corpus_report",
]
