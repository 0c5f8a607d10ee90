"""Invoke a Lambda function's own handler in this process.

The function's `Handler` (`package.module.function`) is imported and called with the event and a
context object; the function's environment variables are applied for the duration of the call,
for the invoking thread alone (`invocation_environment.py`).
With the `lambda_version_code` extension the code is that of the version invoked
(`lambda_code.py`): after a rollback of an alias, the old version's code runs.
An exception becomes a function error with AWS's payload (`errorMessage`, `errorType` = the
exception class name, `stackTrace`) and the `X-Amz-Function-Error: Unhandled` header, so a
Step Functions Retry or Catch sees the exception's name as the error.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from localcloud import api_callers, invocation_environment, recorder

# Invocations run one at a time: a handler's code is staged into the process's modules for the
# version invoked (code_scope), which two functions of the same package cannot share at once.
_invoke_lock = threading.RLock()
# Asynchronous invocations (InvocationType Event, EventBridge targets) still running;
# process-wide like moto's backends (one cloud at most runs at a time), and not records.
_async_invocations: list[threading.Thread] = []
_async_lock = threading.Lock()
LOG = logging.getLogger(__name__)


@contextmanager
def _process_code(code: bytes, handler: str | None) -> Iterator[None]:
    yield


# Where the handler's code comes from: this process's imports, or (extension
# `lambda_version_code`, `lambda_code.version_code`) the invoked version's own zip.
code_scope: Callable[[bytes, str | None], AbstractContextManager[None]] = _process_code


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that handlers commonly read."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class HandlerError(Exception):
    """The handler could not be loaded; carries the Lambda runtime's error type."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def load_handler(handler: str | None) -> Any:
    if not handler or "." not in handler:
        raise HandlerError(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{handler}': expected 'module.function', e.g. "
            "'tasks.handlers.quality_gate.handler'",
        )
    module_name, function_name = handler.rsplit(".", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise HandlerError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}"
        ) from error
    function = getattr(module, function_name, None)
    if not callable(function):
        raise HandlerError(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        )
    return function


def _error_payload(error_type: str, message: str, stack: list[str]) -> bytes:
    return json.dumps(
        {
            "errorMessage": message,
            "errorType": error_type,
            "requestId": str(uuid.uuid4()),
            "stackTrace": stack,
        }
    ).encode()


def run_handler(function: Any, event: Any, response_headers: dict[str, Any]) -> bytes:
    """Run `function`'s handler; return the response payload (setting the error header if any)."""
    variables = {
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": str(function.version),
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        **{key: str(value) for key, value in (function.environment_vars or {}).items()},
    }
    context = LambdaContext(
        function_name=function.function_name,
        function_version=str(function.version),
        invoked_function_arn=function.function_arn,
        memory_limit_in_mb=int(function.memory_size),
        timeout_seconds=int(function.timeout),
    )
    with _invoke_lock, invocation_environment.applied(variables):
        try:
            # Inside the try: code that cannot be staged (a zip member that climbs out) is the
            # invocation's error, as a handler's exception is.
            with (
                code_scope(function.code_bytes, function.handler),
                api_callers.acting_as(function.role, function.function_name),
            ):
                handler = load_handler(function.handler)
                result = handler(event, context)
        except HandlerError as error:
            response_headers["x-amz-function-error"] = "Unhandled"
            return _error_payload(error.error_type, str(error), [])
        except Exception as error:
            response_headers["x-amz-function-error"] = "Unhandled"
            stack = traceback.format_list(traceback.extract_tb(error.__traceback__)[1:])
            return _error_payload(type(error).__name__, str(error), [s.strip() for s in stack])
    response_headers["x-amz-executed-version"] = str(function.version)
    if isinstance(result, (bytes, bytearray)):
        # The Python runtime sends bytes as the response as they are (JSON text or not).
        return bytes(result)
    return json.dumps(result).encode()


def _run_async(function: Any, event: Any, records: recorder.CloudRecords) -> None:
    headers: dict[str, Any] = {}
    payload = run_handler(function, event, headers)
    if "x-amz-function-error" in headers:
        error = json.loads(payload)
        record = {
            "function": str(function.function_name),
            "errorType": str(error.get("errorType", "")),
            "errorMessage": str(error.get("errorMessage", "")),
        }
        # Recorded, as a caller that waits for the invocation's effect would otherwise see
        # nothing but a timeout.
        records.function_errors.append(record)
        LOG.warning(
            "async invocation of %(function)s failed: %(errorType)s: %(errorMessage)s", record
        )


def running_async_invocations() -> list[threading.Thread]:
    with _async_lock:
        _async_invocations[:] = [t for t in _async_invocations if t.is_alive()]
        return list(_async_invocations)


def invoke(
    backend: Any,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: dict[str, Any],
) -> bytes:
    """Replacement for moto's `LambdaSimpleBackend.invoke`."""
    function = backend.get_function(function_name, qualifier)
    event = json.loads(body) if body else {}
    invocation_type = (headers or {}).get("X-Amz-Invocation-Type", "RequestResponse")
    if invocation_type == "Event":
        thread = threading.Thread(
            target=_run_async,
            args=(function, event, recorder.current()),
            name=f"lambda-{function_name}",
            daemon=True,
        )
        with _async_lock:
            _async_invocations[:] = [t for t in _async_invocations if t.is_alive()]
            # Started under the lock, so a caller never sees it listed but not yet alive.
            thread.start()
            _async_invocations.append(thread)
        return b""
    if invocation_type == "DryRun":
        return b""
    return run_handler(function, event, response_headers)
