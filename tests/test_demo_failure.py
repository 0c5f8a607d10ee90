"""Reading why an execution failed from DescribeExecution and its history, as AWS records them."""

from __future__ import annotations

import json
from typing import Any

from selfheal.demo_failure import Failure, failure_of
from tasks.handlers.failure_reasons import REASON_LIMIT, reason_of

TRAINING_JOB_CAUSE = json.dumps(
    {
        "TrainingJobName": "churn-dev-train-abc-1",
        "TrainingJobStatus": "Failed",
        "SecondaryStatus": "Failed",
        "FailureReason": "AlgorithmError: training data has no rows",
        "HyperParameters": {"max_depth": "3"},
    }
)
LAMBDA_CAUSE = json.dumps(
    {
        "errorMessage": "binary_classification_metrics.f1.value must be a number",
        "errorType": "ValueError",
        "requestId": "5d3c1a9e",
        "stackTrace": ['  File "/var/task/quality_gate.py", line 40, in handler\n'],
    }
)


def _entered(name: str) -> dict[str, Any]:
    return {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": name}}


def _failed(kind: str, error: str, cause: str) -> dict[str, Any]:
    key = kind[0].lower() + kind[1:] + "EventDetails"
    return {"type": kind, key: {"error": error, "cause": cause}}


def _ended(error: str, cause: str) -> dict[str, Any]:
    return {"status": "FAILED", "error": error, "cause": cause}


def test_a_retried_training_failure_caught_by_a_failing_notice_names_train() -> None:
    history = [
        _entered("Train"),
        _failed("TaskFailed", "States.TaskFailed", TRAINING_JOB_CAUSE),
        _failed("TaskFailed", "States.TaskFailed", TRAINING_JOB_CAUSE),  # the retry
        _entered("NotifyFailure"),
        _failed("TaskFailed", "SNS.AuthorizationErrorException", "not authorized to publish"),
        {"type": "FailStateEntered", "stateEnteredEventDetails": {"name": "Failed"}},
        _failed("ExecutionFailed", "States.TaskFailed", TRAINING_JOB_CAUSE),
    ]
    assert failure_of(_ended("States.TaskFailed", TRAINING_JOB_CAUSE), history) == Failure(
        "Train", "States.TaskFailed", "AlgorithmError: training data has no rows"
    )


def test_a_lambda_error_reads_as_its_message() -> None:
    history = [
        _entered("QualityGate"),
        _failed("LambdaFunctionFailed", "ValueError", LAMBDA_CAUSE),
    ]
    failure = failure_of(_ended("ValueError", LAMBDA_CAUSE), history)
    assert failure == Failure(
        "QualityGate", "ValueError", "binary_classification_metrics.f1.value must be a number"
    )
    assert failure.headline() == "QualityGate: ValueError"


def test_a_nested_execution_failure_reads_as_the_nested_error_and_cause() -> None:
    nested = json.dumps(
        {
            "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:deploy:d-1",
            "Status": "FAILED",
            "Error": "EndpointFailed",
            "Cause": "Alarm churn-dev-endpoint-5xx in ALARM",
        }
    )
    history = [_entered("DeployModel"), _failed("TaskFailed", "States.TaskFailed", nested)]
    assert failure_of(_ended("States.TaskFailed", nested), history).reason == (
        "EndpointFailed: Alarm churn-dev-endpoint-5xx in ALARM"
    )


def test_a_fail_state_with_no_failed_step_reads_as_the_execution_error() -> None:
    history = [_entered("ValidateInput"), _entered("NotifyFailure")]
    described = _ended("InvalidInput", "dataUri must be an s3:// URI")
    assert failure_of(described, history) == Failure(
        None, "InvalidInput", "dataUri must be an s3:// URI"
    )
    assert failure_of(described, history).headline() == "InvalidInput"


def test_a_reason_is_one_bounded_line_and_never_a_whole_document() -> None:
    assert reason_of("line one\n  line two") == "line one line two"
    long = reason_of("x" * 1000)
    assert len(long) == REASON_LIMIT and long.endswith("...")
    assert reason_of(json.dumps({"Unrelated": {"a": 1}})) == ""
