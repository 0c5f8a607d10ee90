"""`recorded_waits`: Wait states and Retry intervals are recorded (`LocalCloud.waits()`), not
slept, and pass on the execution's virtual clock (`virtual_time`); nested `.sync` executions are
polled every 5 ms."""

from __future__ import annotations

import threading
import time
from typing import Any

from localcloud import recorder, virtual_clock
from localcloud.extensions.patching import PatchSet

_retry_context = threading.local()


# Bounds how long a wait that reached the execution's deadline holds its state while the
# execution is ended as timed out (that takes one poll of the clock).
_HOLD_SECONDS = 10.0


def _pass_time(env: Any, seconds: float) -> None:
    """The wait passes on the execution's clock; one that reaches the execution's deadline
    holds its state until the execution has timed out, so no later state runs."""
    if env is None or virtual_clock.pass_time(env, seconds):
        return
    for _ in range(int(_HOLD_SECONDS / virtual_clock.POLL_SECONDS)):
        if not env.is_running():
            return
        env.program_state_event.wait(virtual_clock.POLL_SECONDS)


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
        interval = getattr(_retry_context, "interval", None)
        recorder.current().record_wait(_execution_arn(env), state, seconds, "Retry", interval)
        _pass_time(env, seconds)


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.common.retry.jitter_strategy_decl import (
        JitterStrategyDecl,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback,
    )
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
        WaitFunction,
    )

    def wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        recorder.current().record_wait(
            _execution_arn(env), str(env.next_state_name), wait_seconds, "Wait"
        )
        _pass_time(env, wait_seconds)

    original_retrier_eval = retrier_decl.RetrierDecl._eval_body
    original_jitter_eval = JitterStrategyDecl._eval_body

    def retrier_eval(self: Any, env: Any) -> None:
        _retry_context.env = env
        _retry_context.interval = None
        try:
            original_retrier_eval(self, env)
        finally:
            _retry_context.env = None
            _retry_context.interval = None

    def jitter_eval(self: Any, env: Any) -> None:
        # Jitter is the last step of the interval computation: what it receives is the interval
        # the Retry specifies for this attempt.
        _retry_context.interval = env.stack[-1]
        original_jitter_eval(self, env)

    patches.replace(WaitFunction, "_wait_interval", wait_interval)
    patches.replace(retrier_decl, "time", _RecordingTime())
    patches.replace(retrier_decl.RetrierDecl, "_eval_body", retrier_eval)
    patches.replace(JitterStrategyDecl, "_eval_body", jitter_eval)
    # Nested `.sync` executions are polled; poll often so a parent ends right after its child.
    patches.replace(state_task_service_callback, "_DELAY_SECONDS_SYNC_CONDITION_CHECK", 0.005)
