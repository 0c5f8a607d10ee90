"""Executions: default names, recorded waits and retry intervals, joinable workers, nested
executions, aws-sdk service names and Fail states that re-raise."""

from __future__ import annotations

import importlib
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import ExecutionTimeout, LocalCloud
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


JITTERED = {
    "QueryLanguage": "JSONata",
    "StartAt": "Flaky",
    "States": {
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
            "Arguments": {"EndpointName": "missing"},
            "Retry": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "IntervalSeconds": 60,
                    "BackoffRate": 2,
                    "MaxAttempts": 2,
                    "JitterStrategy": "FULL",
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
            "End": True,
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def test_full_jitter_records_the_retry_interval_and_the_drawn_delay(
    localcloud: LocalCloud,
) -> None:
    result = localcloud.start_and_wait(_machine(localcloud, JITTERED), {})
    waits = localcloud.waits(result["executionArn"])
    assert [(w.kind, w.state, w.interval) for w in waits] == [
        ("Retry", "Flaky", 60.0),
        ("Retry", "Flaky", 120.0),
    ]
    assert all(0 <= w.seconds <= w.interval for w in waits)


BLOCKING_HANDLER = """
import threading
RELEASE = threading.Event()

def handler(event, context):
    if not RELEASE.wait(10):
        raise TimeoutError("the test never released the handler")
    return {"released": True}
"""

CALLS_LAMBDA = {
    "QueryLanguage": "JSONata",
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "blocking", "Payload": {}},
            "Output": "{% $states.result.Payload %}",
            "End": True,
        }
    },
}


@pytest.fixture
def blocking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    (tmp_path / "lc_blocking.py").write_text(BLOCKING_HANDLER)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("lc_blocking")
    yield module
    module.RELEASE.set()
    sys.modules.pop("lc_blocking", None)


def _blocking_function(cloud: LocalCloud) -> None:
    cloud.client("lambda").create_function(
        FunctionName="blocking",
        Runtime="python3.11",
        Role=cloud.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"][
            "Arn"
        ],
        Handler="lc_blocking.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )


def test_wait_joins_the_execution_instead_of_describing_it_early(
    localcloud: LocalCloud, blocking: Any
) -> None:
    _blocking_function(localcloud)
    arn = localcloud.start_execution(_machine(localcloud, CALLS_LAMBDA), {})
    with pytest.raises(ExecutionTimeout):
        localcloud.wait_for_execution(arn, timeout=0.05)
    blocking.RELEASE.set()
    result = localcloud.wait_for_execution(arn)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"released": True}


def test_without_the_extension_a_wait_describes_a_running_execution(blocking: Any) -> None:
    with extensions_disabled("joinable_executions"), LocalCloud() as cloud:
        _blocking_function(cloud)
        arn = cloud.start_execution(_machine(cloud, CALLS_LAMBDA), {})
        early = cloud.wait_for_execution(arn, timeout=0.05)
        blocking.RELEASE.set()
        for _ in range(10_000):  # bounded: the released execution ends within milliseconds
            if (
                cloud.client("stepfunctions").describe_execution(executionArn=arn)["status"]
                != "RUNNING"
            ):
                break
    assert early["status"] == "RUNNING"


def test_wait_until_idle_joins_what_an_asynchronous_invocation_started(
    localcloud: LocalCloud, blocking: Any
) -> None:
    _blocking_function(localcloud)
    localcloud.client("lambda").invoke(
        FunctionName="blocking", InvocationType="Event", Payload=b"{}"
    )
    with pytest.raises(ExecutionTimeout, match="lambda-blocking"):
        localcloud.wait_until_idle(timeout=0.05)
    blocking.RELEASE.set()
    localcloud.wait_until_idle(timeout=10)


CHILD = {
    "QueryLanguage": "JSONata",
    "StartAt": "Answer",
    "States": {"Answer": {"Type": "Pass", "Output": {"answer": 42}, "End": True}},
}


def _parent(child_arn: str) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Arguments": {
                    "StateMachineArn": child_arn,
                    "Input": {"question": "?"},
                    "Name": "{% 'child-of-' & $states.context.Execution.Name %}",
                },
                "End": True,
            }
        },
    }


def _parent_and_child(cloud: LocalCloud) -> str:
    sfn = cloud.client("stepfunctions")
    child = sfn.create_state_machine(
        name="child", definition=json.dumps(CHILD), roleArn=ROLE, publish=True
    )
    alias = sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[
            {"stateMachineVersionArn": child["stateMachineVersionArn"], "weight": 100}
        ],
    )["stateMachineAliasArn"]
    arn: str = sfn.create_state_machine(
        name="parent", definition=json.dumps(_parent(alias)), roleArn=ROLE
    )["stateMachineArn"]
    return arn


def test_start_execution_sync2_returns_the_child_description_with_json_output(
    localcloud: LocalCloud,
) -> None:
    result = localcloud.start_and_wait(_parent_and_child(localcloud), {}, name="p1")
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["Status"] == "SUCCEEDED"
    assert output["Name"] == "child-of-p1"
    assert output["ExecutionArn"].endswith(":execution:child:child-of-p1")
    assert output["Input"] == {"question": "?"}
    assert output["Output"] == {"answer": 42}
    assert isinstance(output["StartDate"], int) and output["StopDate"] >= output["StartDate"]


def test_without_the_extension_start_execution_cannot_be_called() -> None:
    with extensions_disabled("nested_executions"), LocalCloud() as cloud:
        result = cloud.start_and_wait(_parent_and_child(cloud), {}, name="p1")
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Runtime"


SDK_AUTOSCALING = {
    "QueryLanguage": "JSONata",
    "StartAt": "Targets",
    "States": {
        "Targets": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:applicationautoscaling:describeScalableTargets",
            "Arguments": {"ServiceNamespace": "sagemaker"},
            "End": True,
        }
    },
}


def test_sdk_service_names_without_dashes_reach_the_service(localcloud: LocalCloud) -> None:
    result = localcloud.start_and_wait(_machine(localcloud, SDK_AUTOSCALING), {})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["ScalableTargets"] == []


def test_without_the_extension_the_sdk_service_is_unknown() -> None:
    with extensions_disabled("sdk_service_names"), LocalCloud() as cloud:
        result = cloud.start_and_wait(_machine(cloud, SDK_AUTOSCALING), {})
    assert result["status"] == "FAILED"
    assert "Unknown service: 'applicationautoscaling'" in result["cause"]


RERAISE = {
    "QueryLanguage": "JSONata",
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
            "Arguments": {"EndpointName": "missing"},
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Assign": {
                        "error": "States.TaskFailed",
                        "cause": "{% $states.errorOutput.Cause %}",
                    },
                    "Next": "Failed",
                }
            ],
            "End": True,
        },
        "Failed": {"Type": "Fail", "Error": "{% $error %}", "Cause": "{% $cause %}"},
    },
}


def test_a_fail_state_can_re_raise_a_states_error(localcloud: LocalCloud) -> None:
    result = localcloud.start_and_wait(_machine(localcloud, RERAISE), {})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.TaskFailed"
    assert "Could not find endpoint" in result["cause"]


def test_without_the_extension_the_re_raise_is_a_runtime_error() -> None:
    with extensions_disabled("states_error_names"), LocalCloud() as cloud:
        result = cloud.start_and_wait(_machine(cloud, RERAISE), {})
    assert result["error"] == "States.Runtime"


MAPPED = {
    "QueryLanguage": "JSONata",
    "StartAt": "Square",
    "States": {
        "Square": {
            "Type": "Map",
            "Items": "{% $states.input.values %}",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "One",
                "States": {
                    "One": {
                        "Type": "Pass",
                        "Output": "{% $states.input * $states.input %}",
                        "End": True,
                    }
                },
            },
            "Assign": {"total": "{% $sum($states.result) %}"},
            "Output": "{% {'squares': $states.result, 'total': $total} %}",
            "End": True,
        }
    },
}


def test_a_definition_is_parsed_once() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    text = json.dumps(MAPPED)
    assert AmazonStateLanguageParser.parse(text) is AmazonStateLanguageParser.parse(text)


def test_without_the_extension_each_execution_parses_again() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    text = json.dumps(MAPPED)
    with extensions_disabled("parsed_definitions"):
        assert AmazonStateLanguageParser.parse(text) is not AmazonStateLanguageParser.parse(text)


def test_concurrent_executions_of_one_definition_keep_their_own_state(
    localcloud: LocalCloud,
) -> None:
    arn = _machine(localcloud, MAPPED)
    inputs = [{"values": list(range(n, n + 5))} for n in range(6)]
    started = [localcloud.start_execution(arn, value) for value in inputs]
    outputs = [json.loads(localcloud.wait_for_execution(e)["output"]) for e in started]
    assert outputs == [
        {"squares": [v * v for v in i["values"]], "total": sum(v * v for v in i["values"])}
        for i in inputs
    ]


FAILED_JOB = {
    "StateMachines": {"job": {"TestCases": {"Fails": {"Train": "Failed"}}}},
    "MockedResponses": {
        "Failed": {
            "0": {
                "Throw": {
                    "Error": "States.TaskFailed",
                    "Cause": '{"TrainingJobStatus": "Failed", "FailureReason": "AlgorithmError"}',
                }
            }
        }
    },
}
TRAIN_ONCE = {
    "QueryLanguage": "JSONata",
    "StartAt": "Train",
    "States": {
        "Train": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
            "Arguments": {"TrainingJobName": "t"},
            "Catch": [
                {
                    "ErrorEquals": ["States.TaskFailed"],
                    "Output": "{% $states.errorOutput %}",
                    "Next": "Caught",
                }
            ],
            "End": True,
        },
        "Caught": {"Type": "Pass", "End": True},
    },
}


def test_a_mocked_job_can_fail_with_states_task_failed() -> None:
    with LocalCloud(mock_config_file=FAILED_JOB) as cloud:
        arn = cloud.client("stepfunctions").create_state_machine(
            name="job", definition=json.dumps(TRAIN_ONCE), roleArn=ROLE
        )["stateMachineArn"]
        result = cloud.start_and_wait(f"{arn}#Fails", {})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["Error"] == "States.TaskFailed"


def test_without_the_extension_a_mocked_states_error_is_a_runtime_error() -> None:
    with (
        extensions_disabled("states_error_names"),
        LocalCloud(mock_config_file=FAILED_JOB) as cloud,
    ):
        arn = cloud.client("stepfunctions").create_state_machine(
            name="job", definition=json.dumps(TRAIN_ONCE), roleArn=ROLE
        )["stateMachineArn"]
        result = cloud.start_and_wait(f"{arn}#Fails", {})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.Runtime"


GET_REPORT = {
    "QueryLanguage": "JSONata",
    "StartAt": "Read",
    "States": {
        "Read": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Arguments": {"Bucket": "reports-bucket", "Key": "drift.json"},
            "Output": "{% {'report': $parse($states.result.Body), "
            "'modified': $states.result.LastModified} %}",
            "End": True,
        }
    },
}


def test_sdk_results_are_json_with_text_bodies(localcloud: LocalCloud) -> None:
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket="reports-bucket")
    s3.put_object(Bucket="reports-bucket", Key="drift.json", Body=b'{"drift_detected": true}')
    result = localcloud.start_and_wait(_machine(localcloud, GET_REPORT), {})
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["report"] == {"drift_detected": True}
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", output["modified"])


def test_without_the_extension_a_body_is_not_text() -> None:
    with extensions_disabled("sdk_results"), LocalCloud() as cloud:
        s3 = cloud.client("s3")
        s3.create_bucket(Bucket="reports-bucket")
        s3.put_object(Bucket="reports-bucket", Key="drift.json", Body=b'{"drift_detected": true}')
        result = cloud.start_and_wait(_machine(cloud, GET_REPORT), {})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.QueryEvaluationError"
