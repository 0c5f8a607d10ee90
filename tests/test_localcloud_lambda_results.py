"""What a Lambda task hands the state machine, as AWS records it in the corpus (groups services
and error_handling): the integration's whole Invoke answer with its SDK metadata, bytes returned
by a handler taken as the payload's text, and `States.DataLimitExceeded` over 256 KB."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import LAMBDA_TRUST, create_machine

HANDLERS = {
    "echo": "def handler(event, context):\n    return event\n",
    "raw": "def handler(event, context):\n    return b'\"HelloWorld!\"'\n",
    "huge": "def handler(event, context):\n    return ('a' * (257 * 1024)).encode()\n",
}


def _functions(cloud: LocalCloud) -> dict[str, str]:
    role = cloud.client("iam").create_role(
        RoleName="fn", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    arns = {}
    for name, source in HANDLERS.items():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"lr_{name}.py", source)
        arns[name] = cloud.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role,
            Handler=f"lr_{name}.handler",
            Code={"ZipFile": buffer.getvalue()},
        )["FunctionArn"]
    return arns


def _invoke_machine(catch: bool = False) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName.$": "$.f", "Payload.$": "$.p"},
        "End": True,
    }
    states: dict[str, Any] = {"Invoke": task}
    if catch:  # AWS refuses a definition with a state nothing reaches
        task["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
        task.pop("End")
        task["Next"] = "Done"
        states["Done"] = {"Type": "Pass", "End": True}
        states["Caught"] = {"Type": "Pass", "End": True}
    return {"StartAt": "Invoke", "States": states}


def _run(cloud: LocalCloud, definition: dict[str, Any], execution_input: Any) -> Any:
    name = f"m{len(cloud.client('stepfunctions').list_state_machines()['stateMachines'])}"
    result = cloud.start_and_wait(create_machine(cloud, definition, name), execution_input)
    assert result["status"] == "SUCCEEDED", result
    return json.loads(result["output"])


def test_the_integration_returns_lambdas_answer_with_sdk_metadata(localcloud: LocalCloud) -> None:
    _functions(localcloud)
    output = _run(localcloud, _invoke_machine(), {"f": "echo", "p": {"k": 1}})
    assert output["Payload"] == {"k": 1}
    assert (output["StatusCode"], output["ExecutedVersion"]) == (200, "$LATEST")
    http = output["SdkHttpMetadata"]
    assert http["HttpStatusCode"] == 200
    headers = http["HttpHeaders"]
    assert headers["Content-Length"] == str(len(json.dumps({"k": 1})))
    assert headers["X-Amz-Executed-Version"] == "$LATEST"
    assert headers["x-amzn-Remapped-Content-Length"] == "0"
    assert headers["Content-Type"] == "application/json"
    assert http["AllHttpHeaders"] == {name: [value] for name, value in headers.items()}
    request_id = output["SdkResponseMetadata"]["RequestId"]
    assert headers["x-amzn-RequestId"] == request_id
    uuid.UUID(request_id)


# Both guard lambda_runtime sending bytes as they are (they failed as "not JSON serializable").
def test_bytes_from_a_handler_are_the_payloads_json_text(localcloud: LocalCloud) -> None:
    arns = _functions(localcloud)
    output = _run(localcloud, _invoke_machine(), {"f": "raw", "p": None})
    assert output["Payload"] == "HelloWorld!"
    assert output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "13"
    resource = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": arns["raw"], "End": True}},
    }
    assert _run(localcloud, resource, {}) == "HelloWorld!"


def test_a_result_over_256_kb_is_data_limit_exceeded(localcloud: LocalCloud) -> None:
    arns = _functions(localcloud)
    output = _run(localcloud, _invoke_machine(catch=True), {"f": "huge", "p": None})
    assert output == {
        "Error": "States.DataLimitExceeded",
        "Cause": "The state/task 'lambda' returned a result with a size exceeding the maximum "
        "number of bytes service limit.",
    }
    resource = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": arns["huge"],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                "End": True,
            },
            "C": {"Type": "Pass", "End": True},
        },
    }
    assert _run(localcloud, resource, {})["Cause"] == (
        f"The state/task '{arns['huge']}' returned a result with a size exceeding the maximum "
        "number of bytes service limit."
    )


def test_without_the_extension_the_metadata_is_missing() -> None:
    with extensions_disabled("lambda_task_results"), LocalCloud() as cloud:
        _functions(cloud)
        output = _run(cloud, _invoke_machine(), {"f": "echo", "p": {"k": 1}})
        assert "SdkHttpMetadata" not in output
