"""Malformed input at the handlers' parse edge: `null`, a string where an object belongs, an
object where an ARN belongs, and nesting deep enough to exhaust Python's recursion each get an
InvalidEventError (a ValueError, so the state machine's Catch sees a named failure) naming the
field. Without the parse edge these raised TypeError, AttributeError or RecursionError from
inside the handlers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from tasks.handlers import approval, capacity_reaction, notify, quality_gate, trigger
from tasks.handlers.event_input import MAX_DEPTH, InvalidEventError
from tasks.handlers.registry import TriggerEnvironment
from tests.tasks_helpers import REGION, envelope

SAMPLES = Path(__file__).resolve().parents[1] / "event_rules" / "samples"
EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:retrain:r1"
TRIGGER_ENV = TriggerEnvironment(
    retrain_state_machine_arn="arn:aws:states:eu-west-1:123456789012:stateMachine:retrain:live",
    training_data_uri="s3://bkt/p/",
    drift_event_source="mlops.retrain",
)


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return event


def alarm_with_state_as_text() -> dict[str, Any]:
    event = sample("cloudwatch-alarm-endpoint-cpu-alarm")
    event["detail"]["state"] = "ALARM"
    return event


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = nested(100_000)  # json.loads and any recursive walk give up long before this


@pytest.mark.parametrize(
    ("event", "named"),
    [
        (None, "event must be a JSON object, got null"),
        ("ALARM", "event must be a JSON object, got a string"),
        (alarm_with_state_as_text(), "event.detail.state: .*got a string 'ALARM'"),
        (
            {"kind": "model_deployed", "executionArn": {"arn": EXECUTION}},
            "event.executionArn: .*got an object",
        ),
        (
            envelope(
                "aws.states",
                "Step Functions Execution Status Change",
                {"executionArn": {"Arn": EXECUTION}, "status": "FAILED"},
            ),
            "event.detail.executionArn: .*got an object",
        ),
        (
            envelope(
                "aws.sagemaker",
                "SageMaker Training Job State Change",
                {"TrainingJobName": ["train-1"], "TrainingJobStatus": "Failed"},
            ),
            "event.detail.TrainingJobName: .*got an array",
        ),
        ({"kind": "workflow_failed", "cause": DEEP}, f"nests deeper than {MAX_DEPTH}"),
    ],
)
def test_notify_names_the_field_it_refuses(aws: dict[str, Any], event: Any, named: str) -> None:
    with pytest.raises(InvalidEventError, match=named):
        notify.handler(event, None)


@pytest.mark.parametrize(
    ("event", "named"),
    [
        (None, "event must be a JSON object, got null"),
        (alarm_with_state_as_text(), "event.detail.state: .*got a string 'ALARM'"),
        (
            envelope("mlops.retrain", "Model Drift Detected", {"drifted_features": "age"}),
            "event.detail.drifted_features: .*got a string 'age'",
        ),
        ({**sample("s3-object-created"), "detail": DEEP}, f"nests deeper than {MAX_DEPTH}"),
    ],
)
def test_trigger_names_the_field_it_refuses(event: Any, named: str) -> None:
    with pytest.raises(InvalidEventError, match=named):
        trigger.retrain_request(event, TRIGGER_ENV)


def test_approval_refuses_an_arn_that_is_an_object(aws: dict[str, Any]) -> None:
    event = sample("sagemaker-model-package-approved")
    event["detail"]["ModelPackageArn"] = {"arn": event["detail"]["ModelPackageArn"]}
    with pytest.raises(InvalidEventError, match=r"event.detail.ModelPackageArn: .*got an object"):
        approval.handler(event, None)
    assert (
        aws["sfn"].list_executions(stateMachineArn=aws["machines"]["deploy-model"]["arn"])[
            "executions"
        ]
        == []
    )


def test_capacity_reaction_refuses_a_state_that_is_text() -> None:
    from tests.test_tasks_capacity_reaction import ENV, Scaling, Topic

    sns = Topic()
    with pytest.raises(InvalidEventError, match=r"event.detail.state: .*got a string"):
        capacity_reaction.react(alarm_with_state_as_text(), ENV, Scaling(2), sns)
    configuration = copy.deepcopy(sample("cloudwatch-alarm-endpoint-cpu-alarm"))
    configuration["detail"]["configuration"]["metrics"] = "CPUUtilization"
    with pytest.raises(InvalidEventError, match=r"event.detail.configuration.metrics: "):
        capacity_reaction.react(configuration, ENV, Scaling(2), sns)


def test_quality_gate_refuses_null_and_a_deeply_nested_report(aws: dict[str, Any]) -> None:
    with pytest.raises(InvalidEventError, match="quality gate input must be a JSON object"):
        quality_gate.handler(None, None)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="reports", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="reports", Key="evaluation.json", Body="[" * 10_000 + "]" * 10_000)
    request = {
        "evaluationReportS3Uri": "s3://reports/evaluation.json",
        "problem": "binary",
        "thresholds": {"auc": 0.7, "max_regression": 0.02},
        "modelPackageGroupName": "churn",
    }
    with pytest.raises(
        InvalidEventError, match=r"evaluation report s3://reports/evaluation.json nests"
    ):
        quality_gate.handler(request, None)
