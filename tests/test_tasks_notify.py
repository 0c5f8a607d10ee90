"""The notify function on the embedded cloud (localcloud): the SNS message (subject,
metrics, console links in the execution's partition and region), failure events turned into
notices, and Slack."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tasks.handlers import notifications, notify
from tests.slack_webhook import Hook
from tests.tasks_helpers import ACCOUNT, REGION, envelope, received

EXECUTION = f"arn:aws-cn:states:cn-north-1:{ACCOUNT}:execution:retrain:s3-incoming-0123456789abcdef"


def test_notify_publishes_metrics_and_links_from_the_arns_region(aws: dict[str, Any]) -> None:
    result = notify.handler(
        {
            "kind": "retrain_succeeded",
            "executionArn": EXECUTION,
            "metrics": {"auc": 0.8812, "f1": 0.66},
            "decision": "approve",
            "endpointName": "churn",
        },
        None,
    )
    [message] = received(aws)
    assert message["MessageId"] == result["messageId"] and message["Subject"] == result["subject"]
    assert (
        result["subject"].startswith("[mlops] Retrain succeeded")
        and "(AUC 0.881)" in result["subject"]
    )
    body = message["Message"]
    assert "auc: 0.8812" in body and "Decision: approve" in body
    assert (
        "https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/"
        in body
    )
    assert (
        "https://cn-north-1.console.amazonaws.cn/sagemaker/home?region=cn-north-1#/endpoints/churn"
        in body
    )


def test_the_subject_names_the_gates_first_metric_of_any_problem(aws: dict[str, Any]) -> None:
    # A regression project's gate reports r2 and rmse, never an AUC.
    result = notify.handler(
        {
            "kind": "model_rejected",
            "executionArn": EXECUTION,
            "metrics": {"r2": 0.4467, "rmse": 54.2},
            "decision": "reject",
        },
        None,
    )
    assert result["subject"].endswith("(R2 0.447)")


def test_subject_stays_within_the_sns_limit(aws: dict[str, Any]) -> None:
    result = notify.handler(
        {"kind": "workflow_failed", "executionArn": EXECUTION, "endpointName": "é" + "n" * 200},
        None,
    )
    assert len(result["subject"]) <= 100 and result["subject"].isascii()


def test_failed_execution_event_becomes_a_workflow_failed_notice(aws: dict[str, Any]) -> None:
    event = envelope(
        "aws.states",
        "Step Functions Execution Status Change",
        {"executionArn": EXECUTION, "status": "TIMED_OUT", "error": None, "cause": None},
    )
    result = notify.handler(event, None)
    [message] = received(aws)
    assert result["subject"].startswith("[mlops] Workflow failed")
    assert "Status: TIMED_OUT" in message["Message"]
    job = envelope(
        "aws.sagemaker",
        "SageMaker Training Job State Change",
        {
            "TrainingJobName": "train-1",
            "TrainingJobStatus": "Failed",
            "FailureReason": "AlgorithmError: bad",
        },
    )
    assert "train-1" in notify.handler(job, None)["subject"]
    with pytest.raises(ValueError, match="not a failure"):
        notify.handler(
            envelope(
                "aws.states", "Step Functions Execution Status Change", {"status": "SUCCEEDED"}
            ),
            None,
        )


def test_unknown_kind_is_rejected(aws: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        notify.handler({"kind": "party", "executionArn": EXECUTION}, None)


def slack_secret(monkeypatch: pytest.MonkeyPatch, secret_string: str) -> None:
    """Store the webhook secret in Secrets Manager and point the function at it."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="slack", SecretString=secret_string)["ARN"]
    monkeypatch.setenv("SLACK_WEBHOOK_SECRET_ARN", arn)


def test_slack_gets_the_notification_from_the_secret_url(
    aws: dict[str, Any], webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack_secret(monkeypatch, json.dumps({"url": webhook}))
    result = notify.handler(
        {"kind": "model_deployed", "executionArn": EXECUTION, "endpointName": "churn"}, None
    )
    assert result["slack"] == {"status": 200}
    assert Hook.bodies[0]["text"].startswith(f"*{result['subject']}*")
    assert len(received(aws)) == 1


def test_slack_failure_does_not_lose_the_sns_message(
    aws: dict[str, Any], webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Hook.status = 500
    slack_secret(monkeypatch, webhook)
    result = notify.handler({"kind": "drift_detected", "executionArn": EXECUTION}, None)
    assert result["slack"] == {"error": "HTTPError"}
    assert [m["MessageId"] for m in received(aws)] == [result["messageId"]]


def test_subject_opens_with_the_environment_tag() -> None:
    note = notifications.build(
        {
            "kind": "model_rejected",
            "executionArn": "arn:aws:states:us-east-1:123456789012:execution:churn-dev-retrain:r1",
        },
        tag="churn-dev",
    )
    assert note.subject.startswith("[churn-dev] ")
    assert notifications.build({"kind": "model_rejected"}).subject.startswith("[mlops] ")


def test_a_failed_execution_notice_leads_with_the_reason_inside_its_cause(
    aws: dict[str, Any],
) -> None:
    # A failed training job's Cause is its whole DescribeTrainingJob output (KBs of JSON); the
    # reader needs its FailureReason first.
    cause = json.dumps(
        {
            "TrainingJobName": "churn-dev-train-abc-1",
            "TrainingJobStatus": "Failed",
            "FailureReason": "AlgorithmError: unknown hyperparameter 'n_trees'",
            "HyperParameters": {"n_trees": "5"},
        }
    )
    event = envelope(
        "aws.states",
        "Step Functions Execution Status Change",
        {
            "executionArn": EXECUTION,
            "status": "FAILED",
            "error": "States.TaskFailed",
            "cause": cause,
        },
    )
    notify.handler(event, None)
    [message] = received(aws)
    lines = message["Message"].splitlines()
    reason = lines.index("Reason: AlgorithmError: unknown hyperparameter 'n_trees'")
    assert lines[reason - 1] == "Error: States.TaskFailed"
    assert lines[reason + 1] == f"Cause: {cause}"
    # A plain cause is its own reason: said once.
    plain = notifications.build({"kind": "workflow_failed", "cause": "input is not JSON"})
    assert "Reason:" not in plain.message and "Cause: input is not JSON" in plain.message
