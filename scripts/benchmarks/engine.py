"""Embedded Step Functions speed, on the project's own retrain machine.

- `mocked`: the retrain machine with every Task answered by a MockConfigFile (the interpreter
  alone): median wall time StartExecution -> SUCCEEDED and state transitions per second.
- `mocked_jobs`: the scenarios' stack with only the SageMaker jobs mocked (`JobsSucceed`):
  the real quality-gate and notify functions, the registry and the nested deploy-model run.
- `real_jobs`: retrains with the real job scripts (median of three); the orchestration
  overhead is the share of the wall time not spent in the job scripts (as `localcloud.jobs`
  records them), split into the jobs' staging (inputs in, outputs out) and everything else.
Targets: the retrain machine with mocked jobs (`mocked_jobs`, the stricter of the two mocked
figures) under 100 ms median; orchestration overhead < 10 %.
"""

from __future__ import annotations

import dataclasses
import io
import json
import statistics
import time
from pathlib import Path
from typing import Any

from scripts.benchmarks.checks import at_most

ROOT = Path(__file__).resolve().parents[2]
RUNS = 15
REAL_ROWS = 1500
REAL_RUNS = 3
DATA_KEY = "bench/churn.csv"


def _mock_everything(definition: dict[str, Any], machine: str) -> dict[str, Any]:
    """A test case answering every Task of the retrain machine as the happy path would."""
    returns: dict[str, Any] = {
        "Train": {
            "TrainingJobName": "bench",
            "TrainingJobStatus": "Completed",
            "ModelArtifacts": {"S3ModelArtifacts": "s3://bench-bucket/model.tar.gz"},
        },
        "QualityGate": {
            "StatusCode": 200,
            "Payload": {"decision": "approve", "reasons": [], "metrics": {}, "champion": None},
        },
        "RegisterModel": {
            "ModelPackageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1"
        },
        "DeployModel": {"Status": "SUCCEEDED", "Output": {"endpointName": "bench"}},
    }
    tasks = [name for name, state in definition["States"].items() if state["Type"] == "Task"]
    return {
        "StateMachines": {machine: {"TestCases": {"All": {name: name for name in tasks}}}},
        "MockedResponses": {
            name: {"0": {"Return": returns.get(name, {"Status": "Completed"})}} for name in tasks
        },
    }


def _timed_runs(cloud: Any, arn: str, make_input: Any, runs: int) -> tuple[list[float], int]:
    durations: list[float] = []
    transitions = 0
    for index in range(runs):
        started = time.perf_counter()
        result = cloud.start_and_wait(arn, make_input(index), name=f"bench-{index}")
        durations.append(time.perf_counter() - started)
        if result["status"] != "SUCCEEDED":
            raise RuntimeError(f"benchmark execution ended {result['status']}: {result}")
        transitions = len(cloud.states_entered(result["executionArn"]))
    return durations, transitions


def _figures(durations: list[float], transitions: int) -> dict[str, Any]:
    median = statistics.median(durations)
    return {
        "runs": len(durations),
        "states_entered": transitions,
        "median_ms_start_to_succeeded": round(median * 1000, 1),
        "state_transitions_per_second": round(transitions / median, 1),
    }


def mocked() -> dict[str, Any]:
    from environments.settings import load_settings
    from localcloud import LocalCloud
    from workflows.machines import build_all

    built = build_all(load_settings("dev"))["retrain"]
    definition = built.to_asl()
    data = {"dataS3Uri": "s3://bench-bucket/data.csv"}
    with LocalCloud(mock_config_file=_mock_everything(definition, built.name)) as cloud:
        arn = cloud.client("stepfunctions").create_state_machine(
            name=built.name,
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::123456789012:role/bench",
        )["stateMachineArn"]
        cloud.start_and_wait(f"{arn}#All", data, name="warm-up")
        durations, transitions = _timed_runs(cloud, f"{arn}#All", lambda _: data, RUNS)
    return {"states": len(definition["States"]), **_figures(durations, transitions)}


def mocked_jobs() -> dict[str, Any]:
    from environments.settings import load_settings
    from localcloud import LocalCloud
    from tests.scenarios.cases import CASES, MOCK_CONFIG, leave_report
    from tests.scenarios.stack import deploy_stack

    case = CASES["happy"]
    with LocalCloud(mock_config_file=MOCK_CONFIG) as cloud:
        stack = deploy_stack(cloud.client, load_settings("dev"))
        arn = f"{stack.state_machines['retrain']}#{case.test_case}"
        for name in ["warm-up", *(f"bench-{i}" for i in range(RUNS))]:
            # Each run's report, where its (mocked) Evaluate job would have left it.
            leave_report(cloud, stack.settings, dataclasses.replace(case, execution=name))
        cloud.start_and_wait(arn, case.input, name="warm-up")
        durations, transitions = _timed_runs(cloud, arn, lambda _: case.input, RUNS)
        cloud.wait_until_idle()
    return _figures(durations, transitions)


def real_jobs() -> dict[str, Any]:
    from environments.settings import load_settings
    from examples.churn.churn_data import generate
    from localcloud import LocalCloud
    from tests.scenarios.stack import deploy_stack

    runs: list[dict[str, float]] = []
    with LocalCloud() as cloud:
        settings = load_settings("dev")
        stack = deploy_stack(cloud.client, settings)
        body = io.StringIO()
        generate(seed=7, rows=REAL_ROWS).to_csv(body, index=False, lineterminator="\n")
        cloud.client("s3").put_object(
            Bucket=settings.data_bucket, Key=DATA_KEY, Body=body.getvalue().encode()
        )
        data = {"dataS3Uri": f"s3://{settings.data_bucket}/{DATA_KEY}"}
        for index in range(REAL_RUNS):
            before = len(cloud.job_times())
            started = time.perf_counter()
            result = cloud.start_and_wait(
                stack.state_machines["retrain"], data, name=f"bench-real-{index}"
            )
            wall = time.perf_counter() - started
            cloud.wait_until_idle()
            if result["status"] != "SUCCEEDED":
                raise RuntimeError(f"real-jobs run ended {result['status']}: {result}")
            jobs = cloud.job_times()[before:]
            scripts = sum(job.script_seconds for job in jobs)
            staging = sum(job.total_seconds - job.script_seconds for job in jobs)
            runs.append({"wall": wall, "scripts": scripts, "staging": staging})
    median = sorted(runs, key=lambda run: (run["wall"] - run["scripts"]) / run["wall"])[
        len(runs) // 2
    ]
    return {
        "rows": REAL_ROWS,
        "runs": REAL_RUNS,
        "wall_s": round(median["wall"], 3),
        "job_scripts_s": round(median["scripts"], 3),
        "job_staging_s": round(median["staging"], 3),
        "orchestration_s": round(median["wall"] - median["scripts"] - median["staging"], 3),
        "orchestration_overhead_pct": round(
            100 * (median["wall"] - median["scripts"]) / median["wall"], 1
        ),
    }


def run() -> dict[str, Any]:
    figures = {"mocked": mocked(), "mocked_jobs": mocked_jobs(), "real_jobs": real_jobs()}
    figures["checks"] = [
        at_most(
            "retrain with mocked jobs, median start to SUCCEEDED",
            figures["mocked_jobs"]["median_ms_start_to_succeeded"],
            100,
            "ms",
        ),
        at_most(
            "retrain with real jobs, orchestration overhead",
            figures["real_jobs"]["orchestration_overhead_pct"],
            10,
            "%",
        ),
    ]
    figures["meets_targets"] = (
        figures["mocked_jobs"]["median_ms_start_to_succeeded"] < 100
        and figures["real_jobs"]["orchestration_overhead_pct"] < 10
    )
    return figures
