"""One StartExecution wrapper that extensions contribute steps to.

More than one extension changes how StartExecution behaves (default names and alias routing;
mock test cases). Each registers a step; the single wrapper runs the steps around moto's own
StartExecution, the last registered outermost, so the order does not depend on which extension
happened to wrap moto first, and removing one extension leaves the others' steps in place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.extensions.patching import PatchSet


@dataclass(frozen=True)
class StartRequest:
    state_machine_arn: str
    name: str | None
    execution_input: str | None
    trace_header: str | None


Proceed = Callable[[StartRequest], Any]
# (backend, request, proceed) -> the started execution
Step = Callable[[Any, StartRequest, Proceed], Any]

_steps: dict[str, Step] = {}
_original: Any = None
_lock = threading.Lock()


def _backend_class() -> Any:
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    return StepFunctionsParserBackend


def _start_execution(
    self: Any,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: str | None = None,
    trace_header: str | None = None,
) -> Any:
    with _lock:
        original = _original

    def start(request: StartRequest) -> Any:
        return original(
            self,
            request.state_machine_arn,
            request.name,
            request.execution_input,
            request.trace_header,
        )

    request = StartRequest(state_machine_arn, name, execution_input, trace_header)
    return run_steps(self, request, start)


def run_steps(backend: Any, request: StartRequest, start: Proceed) -> Any:
    """Run the registered steps around `start`, which creates and starts the execution.
    StartSyncExecution passes its own `start`, so names and mock test cases apply to it too."""
    with _lock:
        steps = list(_steps.values())

    def run(index: int, request: StartRequest) -> Any:
        if index < 0:
            return start(request)
        return steps[index](backend, request, lambda changed: run(index - 1, changed))

    return run(len(steps) - 1, request)


def add_step(patches: PatchSet, name: str, step: Step) -> None:
    """Register `step` for as long as `patches` is applied."""
    global _original
    backend = _backend_class()
    with _lock:
        if not _steps:
            _original = vars(backend)["start_execution"]
            backend.start_execution = _start_execution
        _steps[name] = step
    patches.on_undo(lambda: _remove_step(name))


def _remove_step(name: str) -> None:
    global _original
    with _lock:
        _steps.pop(name, None)
        if not _steps and _original is not None:
            _backend_class().start_execution = _original
            _original = None
