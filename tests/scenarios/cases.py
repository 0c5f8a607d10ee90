"""The retrain paths the scenarios drive with mocked SageMaker jobs (`mock_config.json`), and
the execution history each must produce, shared by the embedded-cloud runs and the runs against
an external Step Functions (`SFN_ENDPOINT`).

The quality gate is the real Lambda function: each case leaves the evaluation report its
(mocked) Evaluate job would have written, and the gate decides on it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from environments.settings import Settings

MOCK_CONFIG = Path(__file__).with_name("mock_config.json")
DATA = {"dataS3Uri": "s3://churn-dev-data-123456789012/incoming/2026-11.csv"}

STRONG = {"auc": 0.86, "accuracy": 0.81, "f1": 0.66}
WEAK = {"auc": 0.62, "accuracy": 0.58, "f1": 0.41}

TO_GATE = ("ValidateInput", "Initialize", "SetRunPaths", "Preprocess", "Train", "Evaluate")
DEPLOYED = (
    *TO_GATE,
    "QualityGate",
    "GateDecision",
    "RegisterModel",
    "ApprovalMode",
    "DeployModel",
    "NotifySucceeded",
    "Succeeded",
)
# deploy-model up to its choice between creating the endpoint and updating the live one.
TO_CREATE_OR_UPDATE = (
    "ValidateInput",
    "Initialize",
    "SetNames",
    "DescribeModelPackage",
    "CheckApproval",
    "CreateModel",
    "CreateEndpointConfig",
    "FindEndpoint",
    "CreateOrUpdate",
)
# One round of deploy-model's poll of the endpoint's status.
POLL_ENDPOINT = ("WaitForEndpoint", "DescribeEndpoint", "EndpointStatus")
DEPLOY_MODEL_CREATES = (
    *TO_CREATE_OR_UPDATE,
    "CreateEndpoint",
    "StartEndpointWait",
    *POLL_ENDPOINT,
    "RegisterScalableTarget",
    "PutScalingPolicy",
    "NotifyDeployed",
    "Deployed",
)


class Driver(Protocol):
    """What a scenario needs of a cloud: clients and a start-and-wait."""

    def client(self, service: str) -> Any: ...

    def start_and_wait(
        self, state_machine_arn: str, input: Any = None, name: str | None = None
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RetrainCase:
    execution: str  # execution name: the run's S3 paths derive from it
    test_case: str  # the MockConfigFile test case
    report: dict[str, Any] | None  # what the mocked Evaluate leaves, or None for nothing
    input: dict[str, Any]
    status: str
    states: tuple[str, ...]


def metrics_report(metrics: dict[str, float]) -> dict[str, Any]:
    """An evaluation.json (Model Registry ModelQuality statistics) with these values."""
    return {
        "binary_classification_metrics": {
            name: {"value": value, "standard_deviation": 0.01} for name, value in metrics.items()
        }
    }


CASES = {
    "happy": RetrainCase(
        "happy-path", "JobsSucceed", metrics_report(STRONG), DATA, "SUCCEEDED", DEPLOYED
    ),
    "rejected": RetrainCase(
        "below-threshold",
        "JobsSucceed",
        metrics_report(WEAK),
        DATA,
        "SUCCEEDED",
        (*TO_GATE, "QualityGate", "GateDecision", "NotifyRejected", "Rejected"),
    ),
    "training_fails": RetrainCase(
        "training-fails",
        "TrainingFails",
        None,
        DATA,
        "FAILED",
        (
            "ValidateInput",
            "Initialize",
            "SetRunPaths",
            "Preprocess",
            "Train",
            "NotifyFailure",
            "Failed",
        ),
    ),
    "gate_raises": RetrainCase(
        "gate-raises",
        "JobsSucceed",
        # The report lacks f1: the gate refuses to decide on it.
        metrics_report({"auc": 0.86, "accuracy": 0.81}),
        DATA,
        "FAILED",
        (*TO_GATE, "QualityGate", "NotifyFailure", "Failed"),
    ),
    "manual_approval": RetrainCase(
        "manual-approval",
        "JobsSucceed",
        metrics_report(STRONG),
        {**DATA, "approvalMode": "manual"},
        "SUCCEEDED",
        (
            *TO_GATE,
            "QualityGate",
            "GateDecision",
            "RegisterModel",
            "ApprovalMode",
            "RequestApproval",
            "NotifySucceeded",
            "Succeeded",
        ),
    ),
}


def run_id(execution_name: str) -> str:
    """The retrain machine's run id for an execution name (`workflows.machines.naming`)."""
    readable = re.sub(r"[^A-Za-z0-9]+", "-", execution_name)[:16]
    return f"{readable}-{hashlib.sha256(execution_name.encode()).hexdigest()[:10]}"


def leave_report(driver: Driver, settings: Settings, case: RetrainCase) -> None:
    if case.report is None:
        return
    key = f"{settings.prefixes['runs']}{run_id(case.execution)}/evaluation/evaluation.json"
    driver.client("s3").put_object(
        Bucket=settings.artifacts_bucket, Key=key, Body=json.dumps(case.report).encode()
    )


def states_entered(driver: Driver, execution_arn: str) -> list[str]:
    """Names of the states an execution entered, in order, from its history."""
    pages = driver.client("stepfunctions").get_paginator("get_execution_history")
    return [
        event["stateEnteredEventDetails"]["name"]
        for page in pages.paginate(executionArn=execution_arn)
        for event in page["events"]
        if event["type"].endswith("StateEntered")
    ]


def run_case(
    driver: Driver, settings: Settings, retrain_arn: str, case: RetrainCase
) -> dict[str, Any]:
    """Leave the case's report, run the retrain machine with its test case; DescribeExecution."""
    leave_report(driver, settings, case)
    return driver.start_and_wait(f"{retrain_arn}#{case.test_case}", case.input, name=case.execution)
