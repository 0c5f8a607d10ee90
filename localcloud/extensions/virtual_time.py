"""`virtual_time`: each execution runs on a virtual clock (`localcloud/virtual_clock.py`).

moto measured timeouts in real time only, while waits are recorded, not slept: a machine's
`TimeoutSeconds` never fired after a long Wait, and a Task's `TimeoutSeconds` or
`HeartbeatSeconds` needed the real seconds to pass. Here they are measured on the execution's
clock (real time + recorded waits + `LocalCloud.advance_clock`), and history timestamps,
`$$.State.EnteredTime` and the execution's stop date read it too. Waits for a worker, a task, a
callback or a heartbeat are woken by what ends them (`virtual_clock.Signal`, the clock's
`changed` condition), not polled.
"""

from __future__ import annotations

import datetime
import threading
import types
from typing import Any

from localcloud import virtual_clock
from localcloud.extensions.patching import PatchSet
from localcloud.extensions.state_copies import input_lent
from localcloud.json_values import independent_copy

TIMEOUT_ERROR = "States.Timeout"
# How long a timed-out execution's worker gets to notice and record the end (it stops at the
# next state; only code running in a state, such as an in-process Lambda, can hold it).
_WORKER_GRACE_SECONDS = 10.0
# The clock's reading when a task started, kept on the frame the task runs in.
TASK_STARTED = "_localcloud_task_started"


def _execution_arn(env: Any) -> str:
    try:
        return str(env.states.context_object.context_object_data["Execution"]["Id"])
    except (AttributeError, KeyError, TypeError):
        return ""


def _install_program(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.utils import TMP_THREADS

    original_eval = Program.eval

    def program_eval(self: Any, env: Any) -> None:
        if env.is_frame():
            original_eval(self, env)
            return
        timeout = self.timeout_seconds.timeout_seconds if self.timeout_seconds else None
        clock = virtual_clock.start_clock(env, _execution_arn(env), timeout)
        env.next_state_name = self.start_at.start_at_name

        finished = threading.Event()

        def evaluate() -> None:
            # The execution's last event (succeeded, failed, timed out) is written outside any
            # state: it reads the execution's own clock.
            virtual_clock.set_current(env)
            try:
                EvalComponent.eval(self, env)
            finally:
                finished.set()
                clock.touch()

        worker = threading.Thread(target=evaluate, daemon=True)
        TMP_THREADS.append(worker)
        worker.start()
        with clock.changed:
            while not finished.is_set():
                remaining = clock.remaining(env)
                if clock.expired.is_set() or (remaining is not None and remaining <= 0):
                    break
                step = virtual_clock.SAFETY_SECONDS
                clock.changed.wait(step if remaining is None else min(remaining, step))
        if finished.is_set():
            worker.join(_WORKER_GRACE_SECONDS)  # only its thread's own end is left
            return
        env.set_timed_out()
        worker.join(_WORKER_GRACE_SECONDS)

    patches.replace(Program, "eval", program_eval)


def _install_task_timeouts(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.utils import TMP_THREADS

    def evaluate_with_timeout(self: Any, env: Any) -> None:
        # moto's method, with the wait for the state's end measured on the execution's clock,
        # and an execution that ended meanwhile (timed out, aborted) ending the state silently.
        self.timeout.eval(env=env)
        timeout_seconds: int = env.stack.pop()

        frame = env.open_frame()
        # `reset` copies the input it is given: the read need not copy it first.
        with input_lent(env.states):
            frame.states.reset(input_value=env.states.get_input())
        frame.stack = independent_copy(env.stack)
        outputs: list[Any] = []
        exceptions: list[Exception | None] = [None]
        terminated = virtual_clock.Signal()

        def exec_and_notify() -> None:
            virtual_clock.set_current(frame)  # the task's events read the execution's clock
            try:
                self._eval_execution(frame)
                outputs.extend(frame.stack)
            except Exception as ex:
                exceptions.append(ex)
            terminated.set()

        # The task's timeouts count from its start: time advanced while it sends its request
        # (a callback's message) counts, as it does on AWS.
        started = virtual_clock.reading(frame)
        setattr(frame, TASK_STARTED, started)
        thread = threading.Thread(target=exec_and_notify, daemon=True)
        TMP_THREADS.append(thread)
        thread.start()

        finished_on_time = virtual_clock.wait_for(frame, terminated, timeout_seconds, started)
        frame.set_ended()
        env.close_frame(frame)

        exception = exceptions.pop()
        if not env.is_running():
            # Stopped or timed out meanwhile: what the task made of that (a callback wait
            # ended without an outcome) is no failure of the execution, which ends as it was.
            return
        if exception:
            raise exception
        if not finished_on_time:
            raise EvalTimeoutError()

        output = outputs.pop()
        env.stack.append(output)
        if not self._is_language_query_jsonpath():
            env.states.set_result(output)
        if self.assign_decl:
            self.assign_decl.eval(env=env)
        if self.result_selector:
            self.result_selector.eval(env=env)
        if self.result_path:
            self.result_path.eval(env)
        else:
            env.states.reset(input_value=env.stack.pop())

    patches.replace(ExecutionState, "_evaluate_with_timeout", evaluate_with_timeout)


def _install_callbacks(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback as callback_module,
    )
    from moto.stepfunctions.parser.asl.eval.callback import callback as endpoints
    from moto.stepfunctions.parser.asl.eval.callback.callback import (
        CallbackOutcomeTimedOut,
        HeartbeatTimedOut,
    )

    # An outcome, a heartbeat or an interruption wakes the task waiting on its endpoint.
    patches.replace(endpoints, "Event", virtual_clock.Signal)

    def eval_wait_for_task_token(
        self: Any, env: Any, timeout_seconds: int, callback_endpoint: Any, heartbeat_endpoint: Any
    ) -> Any:
        if callback_endpoint.get_outcome() is None:
            # A retry waits on the endpoint of the attempt before (moto keeps the state's one
            # token), which that attempt's end interrupted: this attempt waits afresh.
            callback_endpoint._notify_event.clear()
        if heartbeat_endpoint is None:
            virtual_clock.wait_for(env, callback_endpoint._notify_event, timeout_seconds)
            outcome = callback_endpoint.get_outcome()
        else:
            outcome = None
            # The first heartbeat is due HeartbeatSeconds after the task started, each later
            # one that long after the one before.
            since = getattr(env, TASK_STARTED, None)
            while env.is_running() and outcome is None:
                beat = heartbeat_endpoint._next_heartbeat_event
                with heartbeat_endpoint._mutex:
                    received = beat.is_set()
                    if received:
                        beat.clear()
                if not received:
                    received = virtual_clock.wait_for(
                        env, beat, heartbeat_endpoint._heartbeat_seconds, since
                    )
                since = None
                if not received and env.is_running():
                    outcome = HeartbeatTimedOut()
                else:
                    outcome = callback_endpoint.get_outcome()
        if outcome is None:
            return CallbackOutcomeTimedOut(callback_id=callback_endpoint.callback_id)
        return outcome

    patches.replace(
        callback_module.StateTaskServiceCallback,
        "_eval_wait_for_task_token",
        eval_wait_for_task_token,
    )


def _install_frames(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.eval.environment import Environment

    open_frame = Environment.open_frame
    open_inner_frame = Environment.open_inner_frame
    close_frame = Environment.close_frame

    def opened(self: Any, *args: Any, **kwargs: Any) -> Any:
        frame = open_frame(self, *args, **kwargs)
        virtual_clock.inherit(self, frame)
        return frame

    def opened_inner(self: Any, *args: Any, **kwargs: Any) -> Any:
        frame = open_inner_frame(self, *args, **kwargs)
        virtual_clock.inherit(self, frame)
        return frame

    def closed(self: Any, frame: Any) -> None:
        close_frame(self, frame)
        virtual_clock.join(self, frame)

    def stopping(name: str) -> Any:
        original = getattr(Environment, name)

        def stop(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            virtual_clock.touch(self)  # its waiters end (their frame no longer runs)

        return stop

    for name in ("set_ended", "set_error", "set_timed_out", "set_stop"):
        patches.replace(Environment, name, stopping(name))
    patches.replace(Environment, "open_frame", opened)
    patches.replace(Environment, "open_inner_frame", opened_inner)
    patches.replace(Environment, "close_frame", closed)


class _VirtualDatetime:
    """`datetime.datetime` as moto's state module reads it: `now()` is the execution's time."""

    @staticmethod
    def now(tz: datetime.tzinfo | None = None) -> datetime.datetime:
        return virtual_clock.current_now().astimezone(tz)


def _install_timestamps(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.state import state as state_module
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

    original_eval_body = state_module.CommonStateField._eval_body

    def eval_body(self: Any, env: Any) -> None:
        previous = virtual_clock.set_current(env)
        try:
            original_eval_body(self, env)
        finally:
            virtual_clock.set_current(previous)

    patches.replace(state_module.CommonStateField, "_eval_body", eval_body)
    patches.replace(
        state_module,
        "datetime",
        types.SimpleNamespace(datetime=_VirtualDatetime, timezone=datetime.timezone),
    )
    patches.replace(EventManager, "_get_current_timestamp", staticmethod(virtual_clock.current_now))


def _install_execution_end(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    original = BaseExecutionWorkerCommunication._reflect_execution_status

    def reflect_execution_status(self: Any) -> None:
        original(self)
        execution = self.execution
        env = execution.exec_worker.env
        clock = virtual_clock.clock_of(env)
        if clock is not None:
            execution.stop_date = clock.now(env)
            virtual_clock.end_clock(execution.exec_arn)
        if execution.exec_status == ExecutionStatus.TIMED_OUT:
            _name_timeout_in_history(env)

    patches.replace(
        BaseExecutionWorkerCommunication, "_reflect_execution_status", reflect_execution_status
    )

    from moto.stepfunctions.responses import StepFunctionResponse

    original_describe = StepFunctionResponse.describe_execution

    def describe_execution(self: Any) -> Any:
        # moto gave a timed-out execution no stopDate; AWS gives every ended execution one.
        result = original_describe(self)
        response: Any = result.result
        if response.get("status") == ExecutionStatus.TIMED_OUT and "stopDate" not in response:
            execution = self.stepfunction_backend.describe_execution(response["executionArn"])
            if execution.stop_date is not None:
                response["stopDate"] = execution.stop_date
        return result

    patches.replace(StepFunctionResponse, "describe_execution", describe_execution)


def _name_timeout_in_history(env: Any) -> None:
    # moto records ExecutionTimedOut with empty details; AWS names the error there.
    manager = env.event_manager
    with manager._mutex:
        for event in manager._history_event_list:
            if event.get("type") == "ExecutionTimedOut":
                details = event.setdefault("executionTimedOutEventDetails", {})
                details.setdefault("error", TIMEOUT_ERROR)


def install(patches: PatchSet) -> None:
    _install_program(patches)
    _install_task_timeouts(patches)
    _install_callbacks(patches)
    _install_frames(patches)
    _install_timestamps(patches)
    _install_execution_end(patches)
