"""`lambda_task_results`: what a Lambda task hands the state machine, as Step Functions does.

- `arn:aws:states:::lambda:invoke` returns Lambda's whole answer: `ExecutedVersion`, `Payload`,
  `SdkHttpMetadata` (the HTTP headers, single and as lists, and the status code),
  `SdkResponseMetadata` (`RequestId`) and `StatusCode` (moto kept only StatusCode and Payload).
- `ExecutedVersion` is the version that ran (`lambda_runtime` sends `X-Amz-Executed-Version`).
- A payload that is not JSON text is kept as a string, as moto did; moto's own check then fails
  a result over 256 KB with `States.DataLimitExceeded`.
"""

from __future__ import annotations

import json
import secrets
import uuid
from email.utils import formatdate
from typing import Any

from localcloud.extensions.patching import PatchSet


def _payload(raw: bytes) -> Any:
    text = raw.decode("utf-8")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _trace_id() -> str:
    return f"root=1-{secrets.token_hex(4)}-{secrets.token_hex(12)};sampled=0"


def sdk_result(response: dict[str, Any], raw: bytes, payload: Any) -> dict[str, Any]:
    """The integration's result for one Invoke answer, with the headers Lambda sends."""
    metadata = response.get("ResponseMetadata", {})
    received = metadata.get("HTTPHeaders", {})
    request_id = str(metadata.get("RequestId") or "")
    try:
        uuid.UUID(request_id)
    except ValueError:  # Lambda's request ids are UUIDs; moto's are not
        request_id = str(uuid.uuid4())
    version = response.get("ExecutedVersion") or "$LATEST"
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(raw)),
        "Content-Type": "application/json",
        "Date": received.get("date") or formatdate(usegmt=True),
        "X-Amz-Executed-Version": version,
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
        "X-Amzn-Trace-Id": _trace_id(),
    }
    return {
        "ExecutedVersion": version,
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": int(metadata.get("HTTPStatusCode", response["StatusCode"])),
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": response["StatusCode"],
    }


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    # Looked up at each call, not bound here: `cached_service_clients` swaps in a shared client
    # (a new Lambda client per invocation cost tens of milliseconds).
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = lambda_eval_utils.execute_lambda_function_integration

    def execute(env: Any, parameters: dict[str, Any], region: str, state_credentials: Any) -> None:
        if env.is_mocked_mode():  # a MockConfigFile's Return is the whole result, as written
            original(
                env=env, parameters=parameters, region=region, state_credentials=state_credentials
            )
            return
        client = boto_client.boto_client_for(
            service="lambda", region=region, state_credentials=state_credentials
        )
        response = client.invoke(**parameters)
        raw = response["Payload"].read()
        payload = _payload(raw)
        if response.get("FunctionError"):
            raise lambda_eval_utils.LambdaFunctionErrorException(
                response["FunctionError"], json.dumps(payload, separators=(",", ":"))
            )
        # moto's task checks the result against the 256 KB quota after this.
        env.stack.append(sdk_result(response, raw, payload))

    patches.replace(lambda_eval_utils, "execute_lambda_function_integration", execute)
