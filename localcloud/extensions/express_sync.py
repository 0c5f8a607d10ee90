"""`start_sync_execution`: StartSyncExecution runs an EXPRESS state machine and answers with
its end (moto answered 404 "Not yet implemented").

As on AWS: the answer carries status (SUCCEEDED, FAILED or TIMED_OUT), output (only when it
succeeded), error and cause, input, dates and billingDetails; the execution ARN is an express
one (`...:express:<machine>:<name>:<id>`); a STANDARD machine is refused with
`StateMachineTypeNotSupported`; the execution is not kept for DescribeExecution or
ListExecutions (AWS keeps no history of express executions). Default names, alias routing and
`#TestCase` mock test cases apply as they do to StartExecution (the shared steps).
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import uuid
from typing import Any

from localcloud.extensions.patching import PatchSet
from localcloud.extensions.start_execution import StartRequest, run_steps

# Express workflows are billed in 64 MB steps and 100 ms increments (billingDetails).
_BILLED_MEMORY_MB = 64
_BILLING_STEP_MS = 100


def _errors() -> tuple[type[Exception], type[Exception]]:
    from moto.core.exceptions import AWSError
    from moto.stepfunctions.exceptions import InvalidExecutionInput

    class StateMachineTypeNotSupported(AWSError):
        TYPE = "StateMachineTypeNotSupported"
        STATUS = 400

    return StateMachineTypeNotSupported, InvalidExecutionInput


def _start(backend: Any, request: StartRequest) -> Any:
    from moto.stepfunctions.parser.backend.execution import SyncExecution

    from localcloud import mock_config

    type_not_supported, invalid_input = _errors()
    state_machine = backend.describe_state_machine(request.state_machine_arn)
    if state_machine.type != "EXPRESS":
        raise type_not_supported(
            "This operation is not supported by this type of state machine: "
            f"{request.state_machine_arn} is {state_machine.type}; StartSyncExecution runs "
            "EXPRESS state machines only (use StartExecution)"
        )
    execution_input = request.execution_input or "{}"
    try:
        json.loads(execution_input)
    except ValueError as error:
        raise invalid_input(f"Invalid State Machine Execution Input: '{error}'") from error
    # A snapshot of the definition, as StartExecution takes; its executions and backend are
    # shared, not copied (they hold live threads and every other machine).
    snapshot = copy.deepcopy(
        state_machine,
        {id(state_machine.executions): [], id(state_machine.backend): state_machine.backend},
    )
    name = request.name or str(uuid.uuid4())
    source_name = getattr(state_machine, "name", None) or state_machine.arn.split(":")[6]
    arn = (
        f"arn:{backend.partition}:states:{backend.region_name}:{backend.account_id}:express:"
        f"{source_name}:{name}:{uuid.uuid4()}"
    )
    execution = SyncExecution(
        name=name,
        sm_type=state_machine.type,
        role_arn=snapshot.roleArn,
        exec_arn=arn,
        account_id=backend.account_id,
        region_name=backend.region_name,
        state_machine=snapshot,
        start_date=datetime.datetime.now(tz=datetime.UTC),
        cloud_watch_logging_session=None,
        input_data=execution_input,
        trace_header=request.trace_header,
        activity_store={},
    )
    # Execution.start(), with the mock test case the shared step chose (SyncExecution builds
    # its own worker, which the StartExecution hook does not see).
    worker = execution._get_start_execution_worker()
    case = getattr(mock_config.PENDING, "case", None)
    if case is not None:
        worker._mock_test_case = case
    from moto.stepfunctions.parser.api import ExecutionStatus

    execution.exec_worker = worker
    execution.exec_status = ExecutionStatus.RUNNING
    worker.start()  # runs the whole execution on this thread
    return execution


def answer(execution: Any) -> dict[str, Any]:
    """StartSyncExecution's response for an ended execution."""
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    status = execution.sync_execution_status
    stop = execution.stop_date or datetime.datetime.now(tz=datetime.UTC)
    elapsed_ms = max(0.0, (stop - execution.start_date).total_seconds() * 1000)
    response: dict[str, Any] = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine.arn,
        "name": execution.name,
        "startDate": execution.start_date,
        "stopDate": stop,
        "status": getattr(status, "value", status),
        "input": to_json_str(execution.input_data, separators=(",", ":")),
        "inputDetails": {"included": True},
        "billingDetails": {
            "billedMemoryUsedInMB": _BILLED_MEMORY_MB,
            "billedDurationInMilliseconds": max(
                _BILLING_STEP_MS, math.ceil(elapsed_ms / _BILLING_STEP_MS) * _BILLING_STEP_MS
            ),
        },
    }
    if response["status"] == "SUCCEEDED":
        response["output"] = to_json_str(execution.output, separators=(",", ":"))
        response["outputDetails"] = {"included": True}
    if execution.error is not None:
        response["error"] = execution.error
    if execution.cause is not None:
        response["cause"] = execution.cause
    if execution.trace_header:
        response["traceHeader"] = execution.trace_header
    return response


def start_sync_execution(
    backend: Any,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: str | None = None,
    trace_header: str | None = None,
) -> Any:
    request = StartRequest(state_machine_arn, name, execution_input, trace_header)
    return run_steps(backend, request, lambda changed: _start(backend, changed))


def install(patches: PatchSet) -> None:
    import re

    from moto import backend_index
    from moto.core.responses import ActionResult
    from moto.stepfunctions import urls
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    def respond(self: Any) -> Any:
        execution = self.stepfunction_backend.start_sync_execution(
            self._get_param("stateMachineArn"),
            self._get_param("name"),
            self._get_param("input"),
            self._get_param("traceHeader"),
        )
        return ActionResult(answer(execution))

    # boto3 sends StartSyncExecution to the `sync-states.` host (the operation's host prefix),
    # which no moto URL pattern matched.
    sync_host = r"https?://sync-states\.(.+)\.amazonaws.com"
    patches.replace(
        backend_index,
        "backend_url_patterns",
        [*backend_index.backend_url_patterns, ("stepfunctions", re.compile(sync_host))],
    )
    patches.replace(urls, "url_bases", [*urls.url_bases, sync_host])
    patches.replace(StepFunctionsParserBackend, "start_sync_execution", start_sync_execution)
    patches.replace(StepFunctionResponse, "start_sync_execution", respond)
