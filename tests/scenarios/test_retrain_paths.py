"""The retrain machine's paths in the embedded cloud, SageMaker jobs mocked by the
MockConfigFile, everything else real: the quality gate, notify and approval functions, the
model registry, the nested deploy-model execution, the endpoint, SNS and the event rules.

Each scenario asserts the history (the states entered, in order) and what AWS would show
afterwards: the SNS messages, the endpoint and its config, the model package's status.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.scenarios.cases import (
    CASES,
    DEPLOY_MODEL_CREATES,
    POLL_ENDPOINT,
    STRONG,
    TO_CREATE_OR_UPDATE,
    WEAK,
    run_case,
    run_id,
    states_entered,
)
from tests.scenarios.conftest import Deployed

# Both the notify function and the failure path (straight to SNS) tag subjects with the
# environment's resource prefix.
SUBJECT = "[churn-dev]"


def _retrain(deployed: Deployed, name: str) -> dict[str, Any]:
    case = CASES[name]
    result = run_case(
        deployed.cloud, deployed.settings, deployed.stack.state_machines["retrain"], case
    )
    deployed.cloud.wait_until_idle()
    assert result["status"] == case.status, result
    assert states_entered(deployed.cloud, result["executionArn"]) == list(case.states)
    return result


def _subjects(deployed: Deployed) -> list[str]:
    """The notify Lambda's notices, which carry a subject; the endpoint's timeline lines,
    delivered by a rule as plain text, have none (`_timeline`)."""
    messages = deployed.cloud.sns_messages(deployed.settings.topic_name)
    return [m["Subject"] for m in messages if m.get("Subject") is not None]


def _timeline(deployed: Deployed) -> list[str]:
    messages = deployed.cloud.sns_messages(deployed.settings.topic_name)
    return [str(m["Message"]) for m in messages if m.get("Subject") is None]


def _packages(deployed: Deployed) -> list[dict[str, Any]]:
    listed = deployed.cloud.client("sagemaker").list_model_packages(
        ModelPackageGroupName=deployed.settings.model_package_group
    )
    return list(listed["ModelPackageSummaryList"])


def _deploy_runs(deployed: Deployed) -> list[dict[str, Any]]:
    sfn = deployed.cloud.client("stepfunctions")
    listed = sfn.list_executions(stateMachineArn=deployed.stack.state_machines["deploy-model"])
    return [sfn.describe_execution(executionArn=e["executionArn"]) for e in listed["executions"]]


def _endpoint(deployed: Deployed) -> dict[str, Any]:
    described: dict[str, Any] = deployed.cloud.client("sagemaker").describe_endpoint(
        EndpointName=deployed.settings.endpoint.name
    )
    return described


def _serving_package(deployed: Deployed, config_name: str) -> str:
    sagemaker = deployed.cloud.client("sagemaker")
    config = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
    model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    return str(model["PrimaryContainer"]["ModelPackageName"])


def test_happy_path_registers_and_deploys(deployed: Deployed) -> None:
    result = _retrain(deployed, "happy")

    output = json.loads(result["output"])
    assert output["decision"] == "approve"
    assert output["metrics"] == STRONG
    [package] = _packages(deployed)
    assert package["ModelApprovalStatus"] == "Approved"
    assert output["modelPackageArn"] == package["ModelPackageArn"]
    # One deploy: the registry's Approved event reaches the approval function, which leaves
    # auto-approved packages to the retrain execution that registered them.
    [deploy] = _deploy_runs(deployed)
    assert deploy["status"] == "SUCCEEDED"
    assert deploy["name"] == f"deploy-{run_id('happy-path')}"
    assert states_entered(deployed.cloud, deploy["executionArn"]) == list(DEPLOY_MODEL_CREATES)
    assert [(w.kind, w.state, w.seconds) for w in deployed.cloud.waits(deploy["executionArn"])] == [
        ("Wait", "WaitForEndpoint", 30.0)
    ]
    endpoint = _endpoint(deployed)
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == output["deployment"]["endpointConfigName"]
    assert _serving_package(deployed, endpoint["EndpointConfigName"]) == package["ModelPackageArn"]
    assert _subjects(deployed) == [
        f"{SUBJECT} Model deployed: churn-dev",
        f"{SUBJECT} Retrain succeeded: happy-path (AUC 0.860)",
    ]
    # The endpoint's timeline on the topic: it was created, then came into service on the
    # config this retrain deployed.
    timeline = _timeline(deployed)
    config = endpoint["EndpointConfigName"]
    assert any(f"is now Creating (endpoint config {config})" in line for line in timeline)
    assert any(f"is now InService (endpoint config {config})" in line for line in timeline)


def test_below_threshold_model_is_rejected_notified_and_the_execution_succeeds(
    deployed: Deployed,
) -> None:
    result = _retrain(deployed, "rejected")

    output = json.loads(result["output"])
    assert output["decision"] == "reject"
    assert output["metrics"] == WEAK
    assert output["reasons"] == [
        "auc 0.6200 is below the threshold 0.7500",
        "accuracy 0.5800 is below the threshold 0.7000",
        "f1 0.4100 is below the threshold 0.5500",
    ]
    assert _packages(deployed) == []
    assert _deploy_runs(deployed) == []
    [message] = deployed.cloud.sns_messages(deployed.settings.topic_name)
    assert message["Subject"] == f"{SUBJECT} Model rejected: below-threshold (AUC 0.620)"
    assert "auc 0.6200 is below the threshold 0.7500" in message["Message"]


def test_training_failure_is_retried_as_specified_then_caught_notified_and_failed(
    deployed: Deployed,
) -> None:
    result = _retrain(deployed, "training_fails")

    assert result["error"] == "States.TaskFailed"
    assert json.loads(result["cause"])["FailureReason"].startswith("AlgorithmError:")
    # Train's Retry for States.TaskFailed: IntervalSeconds 60, MaxAttempts 1, FULL jitter.
    waits = deployed.cloud.waits(result["executionArn"])
    assert [(w.kind, w.state, w.interval) for w in waits] == [("Retry", "Train", 60.0)]
    assert 0 <= waits[0].seconds <= 60
    [message] = deployed.cloud.sns_messages(deployed.settings.topic_name)
    assert message["Subject"] == f"{SUBJECT} retrain failed at Train: training-fails"
    assert "Failed state: Train" in message["Message"]
    assert "Error: States.TaskFailed" in message["Message"]
    assert "AlgorithmError: training data has no rows" in message["Message"]
    assert _packages(deployed) == []


def test_quality_gate_exception_is_caught_notified_and_the_execution_fails(
    deployed: Deployed,
) -> None:
    result = _retrain(deployed, "gate_raises")

    assert result["error"] == "ValueError"
    assert "binary_classification_metrics.f1.value must be a number" in result["cause"]
    # Only Lambda service errors are retried; the function's own error is not.
    assert deployed.cloud.waits(result["executionArn"]) == []
    [message] = deployed.cloud.sns_messages(deployed.settings.topic_name)
    assert message["Subject"] == f"{SUBJECT} retrain failed at QualityGate: gate-raises"
    assert _packages(deployed) == []


# Two polls: the first sees Updating, the second the final status (Failed, or InService on the
# old config).
ROLLED_BACK = [
    *TO_CREATE_OR_UPDATE,
    "StartTurnWait",
    "DescribeLiveEndpoint",
    "EndpointBusy",
    "UpdateEndpoint",
    "StartEndpointWait",
    *POLL_ENDPOINT,
    *POLL_ENDPOINT,
    "NotifyFailure",
    "Failed",
]


@pytest.mark.parametrize(
    ("final_status", "error"),
    [("Failed", "EndpointFailed"), ("InService", "DeploymentRolledBack")],
    ids=["update-failed", "rolled-back"],
)
def test_failed_endpoint_update_keeps_the_old_config_live_and_is_notified(
    deployed: Deployed, final_status: str, error: str
) -> None:
    first = json.loads(_retrain(deployed, "happy")["output"])
    live_config = first["deployment"]["endpointConfigName"]
    deployed.cloud.fail_next_endpoint_update(
        deployed.settings.endpoint.name, "Alarm churn-dev-endpoint-5xx in ALARM", final_status
    )
    case = CASES["happy"]
    second_case = type(case)(
        "second-model",
        case.test_case,
        case.report,
        case.input,
        "FAILED",
        (*case.states[:-2], "NotifyFailure", "Failed"),
    )
    result = run_case(
        deployed.cloud, deployed.settings, deployed.stack.state_machines["retrain"], second_case
    )
    deployed.cloud.wait_until_idle()

    assert result["status"] == "FAILED"
    assert states_entered(deployed.cloud, result["executionArn"]) == list(second_case.states)
    failed_deploy = [d for d in _deploy_runs(deployed) if d["status"] == "FAILED"]
    assert len(failed_deploy) == 1
    assert failed_deploy[0]["error"] == error
    assert states_entered(deployed.cloud, failed_deploy[0]["executionArn"]) == ROLLED_BACK
    endpoint = _endpoint(deployed)
    assert endpoint["EndpointStatus"] == final_status
    assert endpoint["EndpointConfigName"] == live_config
    assert endpoint["FailureReason"] == "Alarm churn-dev-endpoint-5xx in ALARM"
    assert _subjects(deployed)[2:] == [
        f"{SUBJECT} deploy-model failed at WaitForEndpoint: {failed_deploy[0]['name']}",
        f"{SUBJECT} retrain failed at DeployModel: second-model",
    ]


def test_manual_approval_waits_then_the_approval_event_deploys(deployed: Deployed) -> None:
    result = _retrain(deployed, "manual_approval")

    [package] = _packages(deployed)
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    assert _deploy_runs(deployed) == []
    assert _subjects(deployed) == [
        f"{SUBJECT} Approval requested: manual-approval",
        f"{SUBJECT} Retrain succeeded: manual-approval (AUC 0.860)",
    ]
    assert json.loads(result["output"])["modelPackageArn"] == package["ModelPackageArn"]

    # A person approves it in the registry: SageMaker emits the state change event, the
    # approval rule sends it to the approval function, which starts deploy-model.
    deployed.cloud.client("sagemaker").update_model_package(
        ModelPackageArn=package["ModelPackageArn"], ModelApprovalStatus="Approved"
    )
    deployed.cloud.wait_until_idle()

    [deploy] = _deploy_runs(deployed)
    assert deploy["status"] == "SUCCEEDED", deploy
    assert json.loads(deploy["input"]) == {"modelPackageArn": package["ModelPackageArn"]}
    assert states_entered(deployed.cloud, deploy["executionArn"]) == list(DEPLOY_MODEL_CREATES)
    endpoint = _endpoint(deployed)
    assert _serving_package(deployed, endpoint["EndpointConfigName"]) == package["ModelPackageArn"]
    assert _subjects(deployed)[2:] == [f"{SUBJECT} Model deployed: churn-dev"]
