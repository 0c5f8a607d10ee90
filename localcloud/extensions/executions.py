"""Executions: default names and alias starts (`execution_names`), JSON output
(`execution_output`), joinable workers (`joinable_executions`), and `States.*` errors raised by
Fail states and mocked responses (`states_error_names`)."""

from __future__ import annotations

import dataclasses
import random
import threading
import uuid
import weakref
from typing import Any, cast

from localcloud.extensions.patching import PatchSet
from localcloud.extensions.start_execution import Proceed, StartRequest, add_step


def _resolve_alias(backend: Any, arn: str) -> str:
    """An alias ARN routes to one of its versions by weight, as Step Functions does."""
    parts = arn.split(":")
    if len(parts) != 8 or parts[5] != "stateMachine" or parts[7].isdigit():
        return arn
    alias = backend.describe_state_machine_alias(arn)
    routes = alias.routing_configuration
    weights = [int(route.get("weight", 0)) for route in routes]
    chosen = random.choices(routes, weights=weights)[0] if sum(weights) else routes[0]
    return str(chosen["stateMachineVersionArn"])


def _start_named(backend: Any, request: StartRequest, proceed: Proceed) -> Any:
    from moto.stepfunctions.models import StateMachineVersion

    arn = _resolve_alias(backend, request.state_machine_arn)
    target = backend.describe_state_machine(arn.partition("#")[0])
    base = None
    if isinstance(target, StateMachineVersion):
        base = backend.describe_state_machine(target.source_arn)
        if not hasattr(target, "backend"):
            cast(Any, target).backend = base.backend  # moto's start_execution expects it
    execution = proceed(
        dataclasses.replace(request, state_machine_arn=arn, name=request.name or str(uuid.uuid4()))
    )
    if base is not None and execution not in base.executions:
        # Executions of a version are the state machine's executions too (Describe/List).
        base.executions.append(execution)
    return execution


def install_names(patches: PatchSet) -> None:
    from moto.stepfunctions.models import StateMachine, StateMachineVersion

    add_step(patches, "execution_names", _start_named)
    # moto 5.2.5 cannot start a version (or alias) without this StateMachine method.
    patches.replace(
        StateMachineVersion,
        "_handle_name_input_idempotency",
        StateMachine._handle_name_input_idempotency,
    )


def install_output(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
    from moto.stepfunctions.responses import StepFunctionResponse

    original = StepFunctionResponse.describe_execution

    def describe_execution(self: Any) -> Any:
        # moto returns a string result unquoted; DescribeExecution's output is always JSON text.
        result = original(self)
        response: Any = result.result
        if "output" in response:
            execution = self.stepfunction_backend.describe_execution(response["executionArn"])
            if hasattr(execution, "exec_worker"):
                response["output"] = to_json_str(execution.output, separators=(",", ":"))
        return result

    patches.replace(StepFunctionResponse, "describe_execution", describe_execution)


def install_joinable(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.parser.utils import TMP_THREADS

    def start(self: Any) -> None:
        thread = threading.Thread(target=self._execution_logic, daemon=True, name="sfn-execution")
        TMP_THREADS.append(thread)
        self.thread = thread
        thread.start()

    patches.replace(ExecutionWorker, "start", start)


def install_states_error_names(patches: PatchSet) -> None:
    """A Fail state may re-raise a caught error such as `States.TaskFailed` (`"Error": "{%
    $error %}"`), and a MockConfigFile may Throw one (a failed `.sync` job is exactly that);
    moto rejects `States.`-prefixed names in both places with an uncaught ValueError."""
    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import mock_eval_utils
    from moto.stepfunctions.parser.asl.component.state.fail import state_fail

    class RaisedErrorName(ErrorName):
        pass

    patches.replace(state_fail, "CustomErrorName", RaisedErrorName)
    patches.replace(mock_eval_utils, "CustomErrorName", RaisedErrorName)


class _ExecutionIndex:
    """A state machine's executions by ARN. moto only ever appends to `executions`, so each
    lookup reads just the list's new tail; a state machine made again is a new object, with a
    new index. An ARN not found is looked for in the whole list (moto's own way), so a tail
    read concurrently can never hide an execution."""

    def __init__(self) -> None:
        self.by_arn: dict[str, Any] = {}
        self.read = 0

    def find(self, executions: list[Any], execution_arn: str) -> Any:
        start = self.read
        tail = executions[start:]
        for execution in tail:
            self.by_arn.setdefault(execution.execution_arn, execution)
        self.read = max(self.read, start + len(tail))
        found = self.by_arn.get(execution_arn)
        if found is None:
            found = next((e for e in executions if e.execution_arn == execution_arn), None)
        return found


def install_execution_index(patches: PatchSet) -> None:
    """moto's DescribeExecution scans every execution of the state machine: each parent of a
    nested `.sync` run and every caller waiting on many runs pays for all of them (quadratic
    under concurrency). An index per state machine makes it a lookup."""
    from moto.stepfunctions.exceptions import ExecutionDoesNotExist
    from moto.stepfunctions.models import StepFunctionBackend

    # Beside the state machines, not on them: moto deep-copies a state machine to start it.
    indexes: weakref.WeakKeyDictionary[Any, _ExecutionIndex] = weakref.WeakKeyDictionary()
    indexes_lock = threading.Lock()

    def describe_execution(self: Any, execution_arn: str) -> Any:
        self._validate_execution_arn(execution_arn)
        state_machine = self._get_state_machine_for_execution(execution_arn)
        with indexes_lock:
            index = indexes.setdefault(state_machine, _ExecutionIndex())
        execution = index.find(state_machine.executions, execution_arn)
        if execution is None:
            raise ExecutionDoesNotExist("Execution Does Not Exist: '" + execution_arn + "'")
        return execution

    patches.replace(StepFunctionBackend, "describe_execution", describe_execution)
