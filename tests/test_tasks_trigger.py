"""The trigger function on the embedded cloud (localcloud): which events start a retrain,
with what input, and that a redelivered event starts nothing new."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.validation.exceptions import SchemaValidationError

from tasks.handlers import trigger
from tasks.handlers.executions import execution_name
from tasks.handlers.registry import TriggerEnvironment
from tests.tasks_helpers import ACCOUNT, envelope, executions, started_input


def s3_event(
    key: str = "incoming/2024-05.csv", sequencer: str = "0065A1B2C3", event_id: str = "s3-1"
) -> dict[str, Any]:
    detail = {
        "version": "0",
        "bucket": {"name": "churn-data"},
        "object": {"key": key, "size": 1024, "etag": "abc123", "sequencer": sequencer},
        "request-id": "R1",
        "requester": ACCOUNT,
        "source-ip-address": "203.0.113.9",
        "reason": "PutObject",
    }
    event = envelope("aws.s3", "Object Created", detail, event_id)
    event["resources"] = ["arn:aws:s3:::churn-data"]
    return event


def test_s3_upload_starts_one_retrain_with_the_object_as_data(aws: dict[str, Any]) -> None:
    first = trigger.handler(s3_event(), None)
    again = trigger.handler(s3_event(), None)  # EventBridge redelivery
    assert first["duplicate"] is False and again["duplicate"] is True
    assert again["name"] == first["name"] and again["executionArn"] == first["executionArn"]
    runs = executions(aws, "retrain")
    assert len(runs) == 1
    payload = started_input(aws, runs[0]["executionArn"])
    assert payload["dataS3Uri"] == "s3://churn-data/incoming/2024-05.csv"
    assert payload["trigger"] == {
        "source": "s3",
        "eventId": "s3-1",
        "reason": "new data s3://churn-data/incoming/2024-05.csv",
    }


def test_a_new_version_of_the_same_key_is_a_new_retrain(aws: dict[str, Any]) -> None:
    trigger.handler(s3_event(sequencer="0065A1B2C3"), None)
    second = trigger.handler(s3_event(sequencer="0065A1B2FF", event_id="s3-2"), None)
    assert second["duplicate"] is False
    assert len(executions(aws, "retrain")) == 2


@pytest.mark.parametrize(
    ("event", "source", "reason_part"),
    [
        (
            envelope(
                "mlops.retrain",
                "Model Drift Detected",
                {"max_psi": 0.41, "drifted_features": ["tenure_months"]},
                "d-1",
            ),
            "drift",
            "max PSI 0.41 in tenure_months",
        ),
        (
            envelope(
                "aws.cloudwatch",
                "CloudWatch Alarm State Change",
                {
                    "alarmName": "churn-drift",
                    "state": {"value": "ALARM", "reason": "PSI above 0.2"},
                },
                "a-1",
            ),
            "drift",
            "alarm churn-drift in ALARM",
        ),
        (
            envelope(
                "aws.sagemaker",
                "SageMaker Processing Job State Change",
                {
                    "ProcessingJobName": "monitor-1",
                    "ProcessingJobStatus": "Completed",
                    "ExitMessage": "CompletedWithViolations: Job completed with 3 violations.",
                },
                "m-1",
            ),
            "drift",
            "monitor-1 completed with violations",
        ),
        (
            envelope("aws.events", "Scheduled Event", {}, "sched-1"),
            "schedule",
            "scheduled at 2024-05-01T06-00-00Z",
        ),
    ],
)
def test_non_s3_sources_retrain_on_the_training_prefix(
    aws: dict[str, Any], event: dict[str, Any], source: str, reason_part: str
) -> None:
    result = trigger.handler(event, None)
    assert result["duplicate"] is False
    payload = started_input(aws, result["executionArn"])
    assert payload["dataS3Uri"] == "s3://churn-data/training/"
    assert payload["trigger"]["source"] == source and payload["trigger"]["eventId"] == event["id"]
    assert reason_part in payload["trigger"]["reason"]
    assert trigger.handler(event, None)["duplicate"] is True


def test_schedule_name_comes_from_the_scheduled_time() -> None:
    env = TriggerEnvironment(retrain_state_machine_arn="unused", training_data_uri="s3://bkt/p/")
    one = trigger.retrain_request(envelope("aws.events", "Scheduled Event", {}, "x"), env)
    other = trigger.retrain_request(envelope("aws.scheduler", "Scheduled Event", {}, "y"), env)
    assert one is not None and other is not None and one[1] == other[1]


def test_events_that_ask_for_nothing_are_skipped(aws: dict[str, Any]) -> None:
    ok = envelope(
        "aws.cloudwatch",
        "CloudWatch Alarm State Change",
        {"alarmName": "a", "state": {"value": "OK"}},
    )
    assert trigger.handler(ok, None)["skipped"] is True
    assert executions(aws, "retrain") == []


def test_unknown_event_raises_a_clear_error(aws: dict[str, Any]) -> None:
    with pytest.raises(
        trigger.UnknownEventError, match=r"no retrain trigger handles source 'aws\.ec2'"
    ):
        trigger.handler(envelope("aws.ec2", "EC2 Instance State-change Notification", {}), None)
    with pytest.raises(trigger.UnknownEventError):
        trigger.handler(envelope("someone.else", "Model Drift Detected", {}), None)


def test_manual_input_is_validated_against_the_schema(aws: dict[str, Any]) -> None:
    good = {
        "dataS3Uri": "s3://churn-data/x.csv",
        "trigger": {"source": "manual", "eventId": "op-1", "reason": "by hand"},
    }
    assert trigger.handler(good, None)["duplicate"] is False
    bad = {
        "dataS3Uri": "https://example.com/x.csv",
        "trigger": {"source": "manual", "eventId": "op-2", "reason": "x"},
    }
    with pytest.raises(SchemaValidationError, match="dataS3Uri"):
        trigger.handler(bad, None)


def test_execution_names_fit_step_functions_rules() -> None:
    name = execution_name(
        "s3", "bucket", "seq", "a/very/long key with spaces/" + "x" * 200 + ".csv"
    )
    assert 1 <= len(name) <= 80
    assert all(c.isalnum() or c in "-_" for c in name)
    assert name == execution_name(
        "s3", "bucket", "seq", "a/very/long key with spaces/" + "x" * 200 + ".csv"
    )
    assert name != execution_name(
        "s3", "bucket", "seq2", "a/very/long key with spaces/" + "x" * 200 + ".csv"
    )
