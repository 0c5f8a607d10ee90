"""50 retrains started at once in the embedded cloud, jobs mocked (the set-up of
engine.py's `mocked_jobs`: the scenarios' stack, the real gate and notify functions, the nested
deploy-model run). The figure is the wall time from the first StartExecution to the last
execution's end, with how each ended. Target: under 2 s.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from typing import Any

from scripts.benchmarks.checks import at_most

RUNS = 50
TARGET_S = 2.0
TIMEOUT_S = 600.0  # bounded: a stuck run ends the benchmark, reported as a miss


def run() -> dict[str, Any]:
    from environments.settings import load_settings
    from localcloud import LocalCloud
    from tests.scenarios.cases import CASES, MOCK_CONFIG, leave_report
    from tests.scenarios.stack import deploy_stack

    case = CASES["happy"]
    with LocalCloud(mock_config_file=MOCK_CONFIG) as cloud:
        stack = deploy_stack(cloud.client, load_settings("dev"))
        arn = f"{stack.state_machines['retrain']}#{case.test_case}"
        names = [f"concurrent-{i}" for i in range(RUNS)]
        for name in ["warm-up", *names]:
            leave_report(cloud, stack.settings, dataclasses.replace(case, execution=name))
        cloud.start_and_wait(arn, case.input, name="warm-up")
        started = time.perf_counter()
        arns = [cloud.start_execution(arn, case.input, name=name) for name in names]
        deadline = started + TIMEOUT_S
        ended = [
            cloud.wait_for_execution(execution, max(deadline - time.perf_counter(), 0.1))
            for execution in arns
        ]
        wall = time.perf_counter() - started
        cloud.wait_until_idle()
    statuses = Counter(result["status"] for result in ended)
    causes = Counter(
        f"{result.get('error')}: {str(result.get('cause'))[:160]}"
        for result in ended
        if result["status"] != "SUCCEEDED"
    )
    return {
        "runs": RUNS,
        "wall_s": round(wall, 3),
        "statuses": dict(statuses),
        "failure_causes": dict(causes),
        "checks": [at_most(f"{RUNS} concurrent mocked retrains, wall", wall, TARGET_S, "s")],
    }
