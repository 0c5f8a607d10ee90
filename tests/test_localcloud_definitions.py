"""`definition_checks`: CreateStateMachine refuses and ValidateStateMachineDefinition judges
definitions as AWS does (messages from the recorded AWS outcomes in shared/corpus/sfn-executions).
Without the extension moto accepts both definitions refused here and lacks the validate call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud

ROLE = "arn:aws:iam::123456789012:role/sfn"
ESCAPED_QUOTE = {
    "StartAt": "IntrinsicEscape",
    "States": {
        "IntrinsicEscape": {
            "Type": "Pass",
            "Parameters": {"parsed.$": "States.Format('He said, \\\"Hello, {}!\\\"', 'x')"},
            "End": True,
        }
    },
}
NO_ROLE = {
    "StartAt": "State0",
    "QueryLanguage": "JSONata",
    "States": {
        "State0": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": "{% $state.input %}",
            "Credentials": {},
            "End": True,
        }
    },
}
VALID = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.fixture(scope="module")
def sfn() -> Iterator[Any]:
    with LocalCloud() as cloud:
        yield cloud.client("stepfunctions")


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            ESCAPED_QUOTE,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The value for the field "
            "'parsed.$' must be a valid JSONPath or a valid intrinsic function call at "
            "/States/IntrinsicEscape/Parameters'",
        ),
        (
            NO_ROLE,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'RoleArn' is "
            "required but was missing at /States/State0/Credentials'",
        ),
        (
            {"StartAt": "State_1"},
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are "
            "required: [States] at /'",
        ),
    ],
)
def test_create_refuses_with_awss_message(sfn: Any, definition: Any, message: str) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(name="refused", definition=json.dumps(definition), roleArn=ROLE)
    assert raised.value.response["Error"] == {"Code": "InvalidDefinition", "Message": message}


def test_update_refuses_too(sfn: Any) -> None:
    arn = sfn.create_state_machine(name="kept", definition=json.dumps(VALID), roleArn=ROLE)[
        "stateMachineArn"
    ]
    with pytest.raises(ClientError) as raised:
        sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(NO_ROLE))
    assert raised.value.response["Error"]["Code"] == "InvalidDefinition"
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == VALID


def test_validate_answers_as_aws(sfn: Any) -> None:
    ok = sfn.validate_state_machine_definition(definition=json.dumps(VALID), type="STANDARD")
    assert (ok["result"], ok["diagnostics"]) == ("OK", [])
    failed = sfn.validate_state_machine_definition(definition="{}", type="EXPRESS")
    assert failed["result"] == "FAIL"
    assert failed["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [States, StartAt]",
            "location": "/",
        }
    ]
    not_json = sfn.validate_state_machine_definition(definition="not a definition")
    assert [d["code"] for d in not_json["diagnostics"]] == ["INVALID_JSON_DESCRIPTION"]


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"Type": "Pass", "ResultPath": "$x", "End": True}, "ResultPath"),
        ({"Type": "Pass", "ResultPath": "$$.Execution", "End": True}, "ResultPath"),
        ({"Type": "Fail", "ErrorPath": "$..error"}, "ErrorPath"),
        ({"Type": "Fail", "CausePath": "States.MathAdd($.a, 1)"}, "CausePath"),
    ],
)
def test_create_refuses_path_fields_aws_refuses(sfn: Any, state: Any, field: str) -> None:
    # CreateStateMachine runs the same validator: a variable or $$ in ResultPath, a
    # non-reference ErrorPath, a non-string intrinsic in CausePath never get created.
    definition = {"StartAt": "S", "States": {"S": state}}
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(name="paths", definition=json.dumps(definition), roleArn=ROLE)
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidDefinition"
    assert f"/States/S/{field}" in error["Message"]
    assert all(m["name"] != "paths" for m in sfn.list_state_machines()["stateMachines"])


def test_a_definition_nested_past_the_bound_is_refused_as_invalid(sfn: Any) -> None:
    # Without the bound, moto's and the validator's parsers overflow the stack (a 500 error).
    nested = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": ' + "[" * 100_000
    definition = nested + "]" * 100_000 + ', "End": true}}}'
    with pytest.raises(ClientError) as refused:
        sfn.create_state_machine(name="deep", definition=definition, roleArn=ROLE)
    assert refused.value.response["Error"]["Code"] == "InvalidDefinition"
    assert "nest more than 500 levels" in refused.value.response["Error"]["Message"]
