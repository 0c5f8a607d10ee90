"""`recorded_waits`: Wait states and Retry intervals are recorded (`LocalCloud.waits()`), not
slept, and pass on the execution's virtual clock (`virtual_time`). `signalled_sync`: a parent
waiting on a nested `.sync` execution wakes when the child's worker ends, instead of describing
it every 5 ms."""

from __future__ import annotations

import threading
import time
from typing import Any

from localcloud import recorder, virtual_clock
from localcloud.extensions.patching import PatchSet

_retry_context = threading.local()


# Bounds how long a wait that reached the execution's deadline holds its state while the
# execution is ended as timed out (the expiry wakes the execution's worker, which ends it).
_HOLD_SECONDS = 10.0


def _pass_time(env: Any, seconds: float) -> None:
    """The wait passes on the execution's clock; one that reaches the execution's deadline
    holds its state until the execution has timed out, so no later state runs."""
    if env is None or virtual_clock.pass_time(env, seconds):
        return
    virtual_clock.wait_until_stopped(env, _HOLD_SECONDS)


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


def _child_execution(execution_arn: str) -> Any:
    """The (standard) execution of this process a worker thread runs, if any."""
    from moto.stepfunctions.responses import get_backend

    parts = execution_arn.split(":")
    if len(parts) < 8:
        return None
    try:
        execution = get_backend(parts[4], parts[3]).describe_execution(execution_arn)
    except Exception:  # an execution this process does not run: polled as moto does
        return None
    thread = getattr(getattr(execution, "exec_worker", None), "thread", None)
    return execution if isinstance(thread, threading.Thread) else None


_ENDED = "_localcloud_ended"
_ended_lock = threading.Lock()


def _ended(execution: Any) -> virtual_clock.Signal:
    """Set once the execution's status is final (its worker reflected it)."""
    with _ended_lock:
        signal = getattr(execution, _ENDED, None)
        if signal is None:
            signal = virtual_clock.Signal()
            setattr(execution, _ENDED, signal)
        return signal


def _wait_for_child(env: Any, ended: virtual_clock.Signal, answered: threading.Event) -> None:
    """Until the child ended, the parent's callback listener answered or the parent stopped."""
    clock = virtual_clock.clock_of(env)
    if clock is None:  # no clock to be woken on (virtual_time off): the child's end only
        ended.wait(_FALLBACK_POLL_SECONDS)
        return
    ended.listen(clock)
    try:
        with clock.changed:
            if not (ended.is_set() or answered.is_set()) and env.is_running():
                clock.changed.wait(virtual_clock.SAFETY_SECONDS)
    finally:
        ended.unlisten(clock)


# How often a parent looks again at a child that ended but whose result is not final yet, and
# at a child while the parent has no clock to be woken on.
_FALLBACK_POLL_SECONDS = 0.02


def install_signalled_sync(patches: PatchSet) -> None:
    """moto polls a nested `.sync` execution with DescribeExecution every 0.5 s (a whole
    request each time): a parent ended up to half a second after its child, and under
    concurrency the polls of every waiting parent cost more than the runs. The child's status
    becoming final wakes the parent (on its clock), which describes it once more; so do the
    parent's callback listener answering (timeout, heartbeat) and the parent stopping."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_task,
    )
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
    from moto.stepfunctions.parser.utils import TMP_THREADS

    original_terminated = BaseExecutionWorkerCommunication.terminated

    def terminated(self: Any) -> None:
        original_terminated(self)  # reflects the final status on the execution
        _ended(self.execution).set()

    patches.replace(BaseExecutionWorkerCommunication, "terminated", terminated)

    task = sfn_task.StateTaskServiceSfn
    originals = {
        name: getattr(task, name) for name in ("_build_sync_resolver", "_build_sync2_resolver")
    }
    original_eval_sync = task._eval_sync

    def resolver_builder(name: str) -> Any:
        def build(self: Any, env: Any, *args: Any, **kwargs: Any) -> Any:
            submitted = env.stack[-1] if env.stack else None
            resolver = originals[name](self, env, *args, **kwargs)
            if isinstance(submitted, dict) and isinstance(submitted.get("ExecutionArn"), str):
                resolver.child_execution_arn = submitted["ExecutionArn"]
            return resolver

        return build

    def eval_sync(
        self: Any,
        env: Any,
        sync_resolver: Any,
        timeout_seconds: Any,
        callback_endpoint: Any,
        heartbeat_endpoint: Any,
    ) -> Any:
        arn = getattr(sync_resolver, "child_execution_arn", None)
        child = _child_execution(arn) if arn is not None else None
        if child is None:
            return original_eval_sync(
                self, env, sync_resolver, timeout_seconds, callback_endpoint, heartbeat_endpoint
            )
        callback_output: Any = None
        answered = threading.Event()
        if callback_endpoint is not None:
            # As moto does: the task's TimeoutSeconds and heartbeats are watched on this
            # endpoint while the child runs.
            def listen() -> None:
                nonlocal callback_output
                callback_output = self._eval_wait_for_task_token(
                    env=env,
                    timeout_seconds=timeout_seconds,
                    callback_endpoint=callback_endpoint,
                    heartbeat_endpoint=heartbeat_endpoint,
                )
                answered.set()
                virtual_clock.touch(env)

            listener = threading.Thread(target=listen, daemon=True, name="sfn-sync-callback")
            TMP_THREADS.append(listener)
            listener.start()
        ended = _ended(child)
        result = sync_resolver()
        while not (callback_output or result) and env.is_running():
            _wait_for_child(env, ended, answered)
            if ended.is_set():
                result = sync_resolver()
                if not result:  # not final yet: look again, as moto does
                    time.sleep(_FALLBACK_POLL_SECONDS)
        return callback_output or result

    for name in originals:
        patches.replace(task, name, resolver_builder(name))
    patches.replace(task, "_eval_sync", eval_sync)
