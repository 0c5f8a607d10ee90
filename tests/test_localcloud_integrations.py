"""Service integrations in the embedded Step Functions: nested executions, aws-sdk service names
and results, shared service clients, and `States.*` errors raised by Fail states and mocks."""

from __future__ import annotations

import json
import re
from typing import Any

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import SFN_ROLE, create_machine

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
        name="child", definition=json.dumps(CHILD), roleArn=SFN_ROLE, publish=True
    )
    alias = sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[
            {"stateMachineVersionArn": child["stateMachineVersionArn"], "weight": 100}
        ],
    )["stateMachineAliasArn"]
    return create_machine(cloud, _parent(alias), "parent")


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
    result = localcloud.start_and_wait(create_machine(localcloud, SDK_AUTOSCALING), {})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["ScalableTargets"] == []


def test_without_the_extension_the_sdk_service_is_unknown() -> None:
    with extensions_disabled("sdk_service_names"), LocalCloud() as cloud:
        result = cloud.start_and_wait(create_machine(cloud, SDK_AUTOSCALING), {})
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
    result = localcloud.start_and_wait(create_machine(localcloud, RERAISE), {})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.TaskFailed"
    assert "Could not find endpoint" in result["cause"]


def test_without_the_extension_the_re_raise_is_a_runtime_error() -> None:
    with extensions_disabled("states_error_names"), LocalCloud() as cloud:
        result = cloud.start_and_wait(create_machine(cloud, RERAISE), {})
    assert result["error"] == "States.Runtime"


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
        arn = create_machine(cloud, TRAIN_ONCE, "job")
        result = cloud.start_and_wait(f"{arn}#Fails", {})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["Error"] == "States.TaskFailed"


def test_without_the_extension_a_mocked_states_error_is_a_runtime_error() -> None:
    with (
        extensions_disabled("states_error_names"),
        LocalCloud(mock_config_file=FAILED_JOB) as cloud,
    ):
        arn = create_machine(cloud, TRAIN_ONCE, "job")
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
    result = localcloud.start_and_wait(create_machine(localcloud, GET_REPORT), {})
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["report"] == {"drift_detected": True}
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", output["modified"])


def test_without_the_extension_a_body_is_not_text() -> None:
    with extensions_disabled("sdk_results"), LocalCloud() as cloud:
        s3 = cloud.client("s3")
        s3.create_bucket(Bucket="reports-bucket")
        s3.put_object(Bucket="reports-bucket", Key="drift.json", Body=b'{"drift_detected": true}')
        result = cloud.start_and_wait(create_machine(cloud, GET_REPORT), {})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.QueryEvaluationError"


def test_service_clients_are_built_once() -> None:
    from moto.stepfunctions.parser.asl.utils import boto_client

    with LocalCloud():
        first = boto_client.boto_client_for("us-east-1", "sagemaker")
        assert boto_client.boto_client_for("us-east-1", "sagemaker") is first
        assert boto_client.boto_client_for("eu-west-1", "sagemaker") is not first


def test_without_the_extension_every_call_builds_a_client() -> None:
    from moto.stepfunctions.parser.asl.utils import boto_client

    with extensions_disabled("cached_service_clients"), LocalCloud():
        first = boto_client.boto_client_for("us-east-1", "s3")
        assert boto_client.boto_client_for("us-east-1", "s3") is not first
