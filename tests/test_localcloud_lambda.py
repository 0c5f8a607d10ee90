"""Lambda functions run their own handler in-process; exceptions are function errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import create_function, create_machine, handler_package

HANDLER = """
import os

class QualityGateError(Exception):
    pass

def handler(event, context):
    if event.get("auc", 0) < float(os.environ["MIN_AUC"]):
        raise QualityGateError(f"auc {event.get('auc')} below {os.environ['MIN_AUC']}")
    return {"approved": True, "function": context.function_name, "stage": os.environ["STAGE"]}
"""


@pytest.fixture
def handler_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for _ in handler_package(tmp_path, monkeypatch, "lc_handlers", "gate", HANDLER):
        yield "lc_handlers.gate.handler"


def _function(cloud: LocalCloud, handler: str) -> str:
    return create_function(
        cloud.client, "gate", handler, environment={"MIN_AUC": "0.8", "STAGE": "dev"}
    )


def test_invoke_runs_the_handler_with_its_environment(
    localcloud: LocalCloud, handler_module: str
) -> None:
    _function(localcloud, handler_module)
    response = localcloud.client("lambda").invoke(
        FunctionName="gate", Payload=json.dumps({"auc": 0.9})
    )
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {
        "approved": True,
        "function": "gate",
        "stage": "dev",
    }


def test_exception_is_an_unhandled_function_error(
    localcloud: LocalCloud, handler_module: str
) -> None:
    _function(localcloud, handler_module)
    response = localcloud.client("lambda").invoke(
        FunctionName="gate", Payload=json.dumps({"auc": 0.5})
    )
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "QualityGateError"
    assert payload["errorMessage"] == "auc 0.5 below 0.8"


def test_an_asynchronous_invocation_that_raises_is_recorded(
    localcloud: LocalCloud, handler_module: str
) -> None:
    # On AWS an Event invocation answers 202 at once and the error reaches only the function's
    # logs; the embedded cloud keeps it where a waiting test or the demo can report it.
    _function(localcloud, handler_module)
    client = localcloud.client("lambda")
    for auc in (0.9, 0.5):
        accepted = client.invoke(
            FunctionName="gate", InvocationType="Event", Payload=json.dumps({"auc": auc})
        )
        assert accepted["StatusCode"] == 202 and "FunctionError" not in accepted
    localcloud.wait_until_idle(timeout=10)
    assert localcloud.function_errors() == [
        {"function": "gate", "errorType": "QualityGateError", "errorMessage": "auc 0.5 below 0.8"}
    ]


def _gate_machine(cloud: LocalCloud) -> str:
    definition: dict[str, Any] = {
        "QueryLanguage": "JSONata",
        "StartAt": "Gate",
        "States": {
            "Gate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "gate", "Payload": "{% $states.input %}"},
                "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 2}],
                "Catch": [
                    {
                        "ErrorEquals": ["QualityGateError"],
                        "Next": "Rejected",
                        "Output": "{% $states.errorOutput %}",
                    }
                ],
                "Output": "{% $states.result.Payload %}",
                "End": True,
            },
            "Rejected": {"Type": "Pass", "End": True},
        },
    }
    return create_machine(cloud, definition, "gate")


def test_state_machine_catches_the_exception_class_name(
    localcloud: LocalCloud, handler_module: str
) -> None:
    _function(localcloud, handler_module)
    arn = _gate_machine(localcloud)
    passed = localcloud.start_and_wait(arn, {"auc": 0.95})
    assert json.loads(passed["output"])["approved"] is True
    rejected = localcloud.start_and_wait(arn, {"auc": 0.1})
    assert rejected["status"] == "SUCCEEDED"
    assert localcloud.states_entered(rejected["executionArn"]) == ["Gate", "Rejected"]
    error = json.loads(rejected["output"])
    assert error["Error"] == "QualityGateError"
    assert json.loads(error["Cause"])["errorMessage"] == "auc 0.1 below 0.8"


def test_missing_handler_module_is_import_module_error(localcloud: LocalCloud) -> None:
    _function(localcloud, "no_such_package.module.handler")
    response = localcloud.client("lambda").invoke(FunctionName="gate", Payload=b"{}")
    assert json.loads(response["Payload"].read())["errorType"] == "Runtime.ImportModuleError"


def test_without_the_extension_the_handler_does_not_run(handler_module: str) -> None:
    with extensions_disabled("lambda_in_process"), LocalCloud() as cloud:
        _function(cloud, handler_module)
        response = cloud.client("lambda").invoke(
            FunctionName="gate", Payload=json.dumps({"auc": 0.5})
        )
        assert "FunctionError" not in response
