"""Step Functions Local MockConfigFile support, checked against the external corpus examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import json5
import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from localcloud.mock_config import MockConfigError, build_test_case, parse_dict
from tests.localcloud_helpers import create_machine

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "sfn-mock-config"


def _corpus(name: str) -> Any:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"external corpus not present at {CORPUS} (it is not part of a user's clone)")
    return json5.loads(path.read_text())


def _docs_cloud_case(case: str) -> tuple[dict[str, Any], list[str], list[Any]]:
    config = _corpus("localstack__mock_config_lambda_sqs_integration.json5")
    definition = _corpus("localstack__statemachine_lambda_sqs_integration.json5")
    with LocalCloud(mock_config_file=config) as cloud:
        cloud.client("sqs").create_queue(QueueName="myQueue")
        arn = create_machine(cloud, definition, "LambdaSQSIntegration")
        result = cloud.start_and_wait(f"{arn}#{case}", {"id": 1})
        entered = cloud.states_entered(result["executionArn"])
        waits = [w.kind for w in cloud.waits(result["executionArn"])]
    return result, entered, waits


def test_docs_example_happy_path() -> None:
    result, entered, waits = _docs_cloud_case("HappyPath")
    assert result["status"] == "SUCCEEDED", result
    assert entered == ["LambdaState", "SQSState"]
    assert json.loads(result["output"]) == {
        "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
        "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
    }
    assert waits == []


def test_docs_example_retry_path_counts_attempts_per_state() -> None:
    result, _, waits = _docs_cloud_case("RetryPath")
    assert result["status"] == "SUCCEEDED", result
    assert waits == ["Retry", "Retry", "Retry"]  # attempts 0, 1, 2 threw; attempt 3 returned


def test_docs_example_hybrid_path_calls_the_real_service() -> None:
    result, _, _ = _docs_cloud_case("HybridPath")
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["MessageId"] != "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"  # not the mock
    assert "MD5OfMessageBody" in output


def _single(state: dict[str, Any], response_file: str) -> tuple[dict[str, Any], LocalCloud]:
    config = {
        "StateMachines": {"Single": {"TestCases": {"Case": {"Only": "Response"}}}},
        "MockedResponses": {"Response": _corpus(response_file)},
    }
    definition = {"StartAt": "Only", "States": {"Only": {**state, "End": True}}}
    cloud = LocalCloud(mock_config_file=config)
    with cloud:
        arn = create_machine(cloud, definition, "Single")
        return cloud.start_and_wait(f"{arn}#Case", {}), cloud


def test_throw_fails_the_state_with_its_error_and_cause() -> None:
    result, _ = _single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
        },
        "localstack__mocked_response__callback_task_failure.json5",
    )
    assert result["status"] == "FAILED"
    assert (result["error"], result["cause"]) == ("Failure error", "Failure cause")


def test_retries_consume_the_numbered_responses() -> None:
    result, _ = _single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload.$": "$"},
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException"],
                    "MaxAttempts": 2,
                }
            ],
            "OutputPath": "$.Payload",
        },
        "localstack__mocked_response__lambda_not_ready_timeout_200_string_body.json5",
    )
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {"StatusCode": 200, "body": "Hello from Lambda!"}


def test_sns_publish_returns_the_mock() -> None:
    result, _ = _single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"},
        },
        "localstack__mocked_response__sns_200_publish.json5",
    )
    assert json.loads(result["output"]) == {"MessageId": "11112222-3333-4444-5555-666677778888"}


def test_sync_mock_returns_the_describe_shape() -> None:
    result, _ = _single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {
                "StateMachineArn": "arn:aws:states:us-east-1:111111111111:stateMachine:Part"
            },
        },
        "localstack__mocked_response__states_200_start_execution_sync.json5",
    )
    output = json.loads(result["output"])
    assert output["Status"] == "SUCCEEDED"
    assert output["Output"] == '{"Arg1":"argument1"}'


def test_unknown_test_case_names_the_known_ones() -> None:
    config = parse_dict({"StateMachines": {"M": {"TestCases": {"A": {}}}}, "MockedResponses": {}})
    with pytest.raises(MockConfigError, match=r"has no 'B' \(has: \['A'\]\)"):
        build_test_case(config, "M", "B")


def test_gap_in_attempt_numbers_is_rejected() -> None:
    config = parse_dict(
        {
            "StateMachines": {"M": {"TestCases": {"A": {"S": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": 1}, "2": {"Return": 2}}},
        }
    )
    with pytest.raises(MockConfigError, match=r"MockedResponses\.R"):
        build_test_case(config, "M", "A")


def test_without_the_extension_test_cases_are_ignored() -> None:
    config = {
        "StateMachines": {"Single": {"TestCases": {"Case": {"Only": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": {"mocked": True}}}},
    }
    definition = {
        "StartAt": "Only",
        "States": {
            "Only": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:none",
                    "Message": "m",
                },
                "End": True,
            }
        },
    }
    with extensions_disabled("mock_config"), LocalCloud(mock_config_file=config) as cloud:
        arn = create_machine(cloud, definition, "Single")
        # Without the loader, moto takes "<arn>#<TestCase>" for a state machine's name.
        with pytest.raises(ClientError) as missing:
            cloud.start_and_wait(f"{arn}#Case", {})
        assert missing.value.response["Error"]["Code"] == "StateMachineDoesNotExist"
