"""Extensions to moto 5.2.5 that close the gaps between its Step Functions interpreter and AWS.

Every patch to moto lives here, applied once and idempotently through `apply_extensions()`.
Each extension is named, can be removed again (`extensions_disabled`), and has a test that fails
without it. Larger replacement logic lives in its own module; this one only wires it in.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from localcloud.recorder import WAITS


@dataclass
class _Patch:
    target: Any
    attribute: str
    original: Any
    existed: bool


class _PatchSet:
    """The attribute replacements one extension made, so they can be undone."""

    def __init__(self) -> None:
        self.patches: list[_Patch] = []

    def replace(self, target: Any, attribute: str, value: Any) -> None:
        existed = (
            attribute in vars(target) if isinstance(target, type) else hasattr(target, attribute)
        )
        original = (
            vars(target).get(attribute)
            if isinstance(target, type)
            else getattr(target, attribute, None)
        )
        self.patches.append(_Patch(target, attribute, original, existed))
        setattr(target, attribute, value)

    def undo(self) -> None:
        for patch in reversed(self.patches):
            if patch.existed:
                setattr(patch.target, patch.attribute, patch.original)
            else:
                delattr(patch.target, patch.attribute)
        self.patches.clear()


# ---------------------------------------------------------------------------------------------
# JSONata through jsonata-python, with Step Functions' functions
# ---------------------------------------------------------------------------------------------


def _install_jsonata(patches: _PatchSet) -> None:
    import json

    from moto.stepfunctions.parser.api import EvaluationFailedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.common.string import string_expression
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic_jsonata
    from moto.stepfunctions.parser.asl.eval import states as states_module
    from moto.stepfunctions.parser.asl.eval import variable_store
    from moto.stepfunctions.parser.asl.eval.event import event_detail
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    from localcloud.jsonata_functions import JSONataEvaluationError, evaluate

    def eval_jsonata(expression: str) -> Any:
        try:
            return evaluate(expression)
        except JSONataEvaluationError as error:
            raise moto_jsonata.JSONataException(
                "States.QueryEvaluationError", str(error)
            ) from error

    def encode_declarations(bindings: dict[str, Any]) -> str:
        # moto quotes strings without escaping; JSON encoding is also a valid JSONata literal.
        return "".join(
            f"{name}:={to_json_str(value, separators=(',', ':')) if not isinstance(value, str) else json.dumps(value)};"  # noqa: E501
            for name, value in bindings.items()
        )

    original_eval_body = string_expression.StringJSONata._eval_body

    def eval_body(self: Any, env: Any) -> None:
        try:
            original_eval_body(self, env)
        except moto_jsonata.JSONataException as error:
            name = StatesErrorName(typ=StatesErrorNameType.StatesQueryEvaluationError)
            cause = f"An error occurred while evaluating the JSONata expression '{self.expression}': {error.details}"  # noqa: E501
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=name,
                    event_type=HistoryEventType.EvaluationFailed,
                    event_details=cast(Any, event_detail.EventDetails)(
                        evaluationFailedEventDetails=EvaluationFailedEventDetails(
                            error=name.error_name, cause=cause
                        )
                    ),
                )
            ) from error

    patches.replace(moto_jsonata, "_eval_jsonata", eval_jsonata)
    # moto declares Step Functions' functions as JSONata text that would shadow the real ones.
    patches.replace(intrinsic_jsonata, "_DECLARATION_BY_VARIABLE_REFERENCE", {})
    for module in (moto_jsonata, states_module, variable_store):
        patches.replace(module, "encode_jsonata_variable_declarations", encode_declarations)
    patches.replace(string_expression.StringJSONata, "_eval_body", eval_body)


# ---------------------------------------------------------------------------------------------
# SageMaker: jobs that run, .sync, UpdateEndpoint, model package events
# ---------------------------------------------------------------------------------------------


def _install_sagemaker_sync(patches: _PatchSet) -> None:
    from localcloud.sagemaker_jobs import install_job_runner, install_sync_integration

    install_job_runner(patches.replace)
    install_sync_integration(patches.replace)


def _install_update_endpoint(patches: _PatchSet) -> None:
    from localcloud.sagemaker_endpoints import install_update_endpoint

    install_update_endpoint(patches.replace)


def _install_model_package_events(patches: _PatchSet) -> None:
    from localcloud.sagemaker_endpoints import install_model_package_events

    install_model_package_events(patches.replace)


# ---------------------------------------------------------------------------------------------
# Lambda handlers in-process
# ---------------------------------------------------------------------------------------------


def _install_lambda_in_process(patches: _PatchSet) -> None:
    from moto.awslambda_simple.models import LambdaSimpleBackend

    from localcloud import lambda_runtime

    def invoke(
        self: Any,
        function_name: str,
        qualifier: str | None,
        body: Any,
        headers: Any,
        response_headers: Any,
    ) -> bytes:
        return lambda_runtime.invoke(
            self, function_name, qualifier, body, headers, response_headers
        )

    patches.replace(LambdaSimpleBackend, "invoke", invoke)


# ---------------------------------------------------------------------------------------------
# StartExecution: default names, alias ARNs, joinable workers
# ---------------------------------------------------------------------------------------------


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


def _install_execution_names(patches: _PatchSet) -> None:
    from moto.stepfunctions.models import StateMachine, StateMachineVersion
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution

    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        arn = _resolve_alias(self, state_machine_arn)
        target = self.describe_state_machine(arn.partition("#")[0])
        base = None
        if isinstance(target, StateMachineVersion):
            base = self.describe_state_machine(target.source_arn)
            if not hasattr(target, "backend"):
                cast(Any, target).backend = base.backend  # moto's start_execution expects it
        execution = cast(Any, original)(
            self, arn, name or str(uuid.uuid4()), execution_input, trace_header
        )
        if base is not None and execution not in base.executions:
            # Executions of a version are the state machine's executions too (Describe/List).
            base.executions.append(execution)
        return execution

    patches.replace(StepFunctionsParserBackend, "start_execution", start_execution)
    # moto 5.2.5 cannot start a version (or alias) without this StateMachine method.
    patches.replace(
        StateMachineVersion,
        "_handle_name_input_idempotency",
        StateMachine._handle_name_input_idempotency,
    )


def _install_execution_output(patches: _PatchSet) -> None:
    import json

    from moto.stepfunctions.responses import StepFunctionResponse

    original = StepFunctionResponse.describe_execution

    def describe_execution(self: Any) -> Any:
        # moto returns a string result unquoted; DescribeExecution's output is always JSON text.
        result = original(self)
        response: Any = result.result
        if "output" in response:
            execution = self.stepfunction_backend.describe_execution(response["executionArn"])
            if hasattr(execution, "exec_worker"):
                response["output"] = json.dumps(execution.output, separators=(",", ":"))
        return result

    patches.replace(StepFunctionResponse, "describe_execution", describe_execution)


def _install_joinable_executions(patches: _PatchSet) -> None:
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.parser.utils import TMP_THREADS

    def start(self: Any) -> None:
        thread = threading.Thread(target=self._execution_logic, daemon=True, name="sfn-execution")
        TMP_THREADS.append(thread)
        self.thread = thread
        thread.start()

    patches.replace(ExecutionWorker, "start", start)


# ---------------------------------------------------------------------------------------------
# Waits and retry intervals: recorded, not slept
# ---------------------------------------------------------------------------------------------

_retry_context = threading.local()


def _execution_arn(env: Any) -> str:
    try:
        return str(env.states.context_object.context_object_data["Execution"]["Id"])
    except (AttributeError, KeyError, TypeError):
        return ""


class _RecordingTime:
    """Stands in for the `time` module inside moto's retrier: sleep() is recorded."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        env = getattr(_retry_context, "env", None)
        state = str(env.next_state_name) if env is not None else ""
        WAITS.record(_execution_arn(env), state, seconds, "Retry")


def _install_recorded_waits(patches: _PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback,
    )
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
        WaitFunction,
    )

    def wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        WAITS.record(_execution_arn(env), str(env.next_state_name), wait_seconds, "Wait")

    original_retrier_eval = retrier_decl.RetrierDecl._eval_body

    def retrier_eval(self: Any, env: Any) -> None:
        _retry_context.env = env
        try:
            original_retrier_eval(self, env)
        finally:
            _retry_context.env = None

    patches.replace(WaitFunction, "_wait_interval", wait_interval)
    patches.replace(retrier_decl, "time", _RecordingTime())
    patches.replace(retrier_decl.RetrierDecl, "_eval_body", retrier_eval)
    # Nested `.sync` executions are polled; poll often so a parent ends right after its child.
    patches.replace(state_task_service_callback, "_DELAY_SECONDS_SYNC_CONDITION_CHECK", 0.005)


# ---------------------------------------------------------------------------------------------
# EventBridge targets and S3 events
# ---------------------------------------------------------------------------------------------


def _install_eventbridge_targets(patches: _PatchSet) -> None:
    from moto.events.models import Rule
    from moto.s3 import notifications

    from localcloud import event_routing

    patches.replace(event_routing, "ORIGINAL_SEND", Rule.send_to_targets)
    patches.replace(Rule, "send_to_targets", event_routing.send_to_targets)
    patches.replace(notifications, "_send_event_bridge_message", event_routing.send_s3_event)


# ---------------------------------------------------------------------------------------------
# Step Functions Local MockConfigFile
# ---------------------------------------------------------------------------------------------


def _install_mock_config(patches: _PatchSet) -> None:
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    from localcloud import mock_config

    original_start: Any = StepFunctionsParserBackend.start_execution
    original_worker: Any = Execution._get_start_execution_worker

    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        arn, _, test_case = state_machine_arn.partition("#")
        if not test_case:
            return original_start(self, arn, name, execution_input, trace_header)
        state_machine_name = arn.split(":")[6]
        mock_config.PENDING.case = mock_config.load_test_case(state_machine_name, test_case)
        try:
            return original_start(self, arn, name, execution_input, trace_header)
        finally:
            mock_config.PENDING.case = None

    def get_worker(self: Any) -> Any:
        worker: Any = original_worker(self)
        case = getattr(mock_config.PENDING, "case", None)
        if case is not None:
            worker._mock_test_case = case
        return worker

    patches.replace(StepFunctionsParserBackend, "start_execution", start_execution)
    patches.replace(Execution, "_get_start_execution_worker", get_worker)


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

EXTENSIONS: dict[str, Callable[[_PatchSet], None]] = {
    "jsonata": _install_jsonata,
    "sagemaker_sync": _install_sagemaker_sync,
    "update_endpoint": _install_update_endpoint,
    "model_package_events": _install_model_package_events,
    "lambda_in_process": _install_lambda_in_process,
    "execution_names": _install_execution_names,
    "execution_output": _install_execution_output,
    "joinable_executions": _install_joinable_executions,
    "recorded_waits": _install_recorded_waits,
    "eventbridge_targets": _install_eventbridge_targets,
    "mock_config": _install_mock_config,
}

_applied: dict[str, _PatchSet] = {}
_suppressed: set[str] = set()
_lock = threading.RLock()


def applied_extensions() -> list[str]:
    with _lock:
        return list(_applied)


def apply_extensions(names: Iterable[str] | None = None) -> None:
    """Apply the named extensions (all by default) in registry order; already applied ones are
    left alone, so calling this again is harmless."""
    wanted = set(EXTENSIONS if names is None else names)
    if names is None:
        wanted -= _suppressed
    unknown = wanted - set(EXTENSIONS)
    if unknown:
        raise ValueError(f"unknown extension(s) {sorted(unknown)}; known: {sorted(EXTENSIONS)}")
    with _lock:
        for name, install in EXTENSIONS.items():
            if name in wanted and name not in _applied:
                patches = _PatchSet()
                install(patches)
                _applied[name] = patches


def remove_extensions() -> None:
    """Undo every applied extension (in reverse order), restoring moto as shipped."""
    with _lock:
        for name in reversed(list(_applied)):
            _applied.pop(name).undo()


@contextmanager
def extensions_disabled(*names: str) -> Iterator[None]:
    """Run with every extension except `names`; restore all of them afterwards."""
    unknown = set(names) - set(EXTENSIONS)
    if unknown:
        raise ValueError(f"unknown extension(s) {sorted(unknown)}")
    with _lock:
        remove_extensions()
        _suppressed.update(names)
        apply_extensions()
        try:
            yield
        finally:
            _suppressed.difference_update(names)
            remove_extensions()
            apply_extensions()
