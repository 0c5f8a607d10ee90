"""Executions: default names, recorded waits and retry intervals, joinable workers."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

ROLE = "arn:aws:iam::123456789012:role/sfn"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")

WAITING = {
    "QueryLanguage": "JSONata",
    "StartAt": "Settle",
    "States": {
        "Settle": {"Type": "Wait", "Seconds": 600, "Next": "Flaky"},
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
            "Arguments": {"EndpointName": "missing"},
            "Retry": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "IntervalSeconds": 30,
                    "BackoffRate": 2,
                    "MaxAttempts": 3,
                    "MaxDelaySeconds": 100,
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
            "End": True,
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def _machine(cloud: LocalCloud, definition: dict[str, Any]) -> str:
    arn: str = cloud.client("stepfunctions").create_state_machine(
        name="m", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return arn


def test_start_execution_without_name_gets_a_uuid(localcloud: LocalCloud) -> None:
    arn = _machine(localcloud, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    sfn = localcloud.client("stepfunctions")
    first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert first != second
    assert UUID.match(first.rsplit(":", 1)[1])


def test_without_the_extension_unnamed_executions_collide() -> None:
    with extensions_disabled("execution_names"), LocalCloud() as cloud:
        arn = _machine(cloud, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        sfn = cloud.client("stepfunctions")
        first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert first.endswith(":None")


def test_waits_and_retries_are_recorded_not_slept(localcloud: LocalCloud) -> None:
    arn = _machine(localcloud, WAITING)
    started = time.monotonic()
    result = localcloud.start_and_wait(arn, {})
    assert time.monotonic() - started < 10
    assert result["status"] == "SUCCEEDED"
    assert localcloud.states_entered(result["executionArn"]) == ["Settle", "Flaky", "Done"]
    waits = [(w.kind, w.state, w.seconds) for w in localcloud.waits(result["executionArn"])]
    assert waits == [
        ("Wait", "Settle", 600.0),
        ("Retry", "Flaky", 30.0),
        ("Retry", "Flaky", 60.0),
        ("Retry", "Flaky", 100.0),
    ]


def test_without_the_extension_waits_are_not_recorded() -> None:
    short = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0, "End": True}}}
    with extensions_disabled("recorded_waits"), LocalCloud() as cloud:
        result = cloud.start_and_wait(_machine(cloud, short), {})
        assert result["status"] == "SUCCEEDED"
        assert cloud.waits() == []


STRING_RESULT = {
    "QueryLanguage": "JSONata",
    "StartAt": "S",
    "States": {"S": {"Type": "Pass", "Output": "{% 'done' %}", "End": True}},
}


def test_output_is_json_text_even_for_a_string(localcloud: LocalCloud) -> None:
    result = localcloud.start_and_wait(_machine(localcloud, STRING_RESULT), {})
    assert result["output"] == '"done"'


def test_without_the_extension_a_string_output_is_not_json() -> None:
    with extensions_disabled("execution_output"), LocalCloud() as cloud:
        result = cloud.start_and_wait(_machine(cloud, STRING_RESULT), {})
    assert result["output"] == "done"
