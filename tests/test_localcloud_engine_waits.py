"""The embedded Step Functions under concurrency: a parent waits on its nested `.sync` child
without describing it over and over (`signalled_sync`), DescribeExecution finds an execution
without reading every other one (`execution_index`), and waits on the virtual clock are woken by
what ends them instead of polling it (`virtual_time`, `signalled_sync`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import LocalCloud, virtual_clock
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import create_function, create_machine, handler_package

# The child stays RUNNING until it has been looked at three times, or for at most 1.5 s (three of
# moto's own polls of a nested execution).
HOLD = """
import threading

third_look = threading.Event()

def handler(event, context):
    third_look.wait(1.5)
    return {"held": True}
"""


@pytest.fixture
def hold_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from handler_package(tmp_path, monkeypatch, "lc_hold", "hold", HOLD)


def _parent_of_held_child(cloud: LocalCloud) -> str:
    create_function(cloud.client, "hold", "lc_hold.hold.handler")
    child = create_machine(
        cloud,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Hold",
            "States": {
                "Hold": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": "hold", "Payload": {}},
                    "End": True,
                }
            },
        },
        "child",
    )
    return create_machine(
        cloud,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Child",
            "States": {
                "Child": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Arguments": {"StateMachineArn": child, "Input": {}},
                    "End": True,
                }
            },
        },
        "parent",
    )


def _looks_while_running(
    cloud: LocalCloud, hold: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], int]:
    from moto.stepfunctions.models import StepFunctionBackend

    parent = _parent_of_held_child(cloud)
    looks: list[str] = []
    describe = StepFunctionBackend.describe_execution

    def counted(self: Any, execution_arn: str) -> Any:
        execution = describe(self, execution_arn)
        if ":execution:child:" in execution_arn:
            looks.append(execution.status)
            if looks.count("RUNNING") >= 3:
                hold.third_look.set()
        return execution

    monkeypatch.setattr(StepFunctionBackend, "describe_execution", counted)
    result = cloud.start_and_wait(parent, {}, name="p1")
    return result, looks.count("RUNNING")


def test_a_parent_is_woken_by_its_nested_child_ending_not_by_polling(
    localcloud: LocalCloud, hold_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, running_looks = _looks_while_running(localcloud, hold_module, monkeypatch)
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["Output"]["Payload"] == {"held": True}
    # Right after StartExecution: the lookup of the child's worker and the first describe; the
    # next look is when the child has ended.
    assert running_looks == 2


def test_without_the_extension_the_parent_polls_its_child(
    hold_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with extensions_disabled("signalled_sync"), LocalCloud() as cloud:
        result, running_looks = _looks_while_running(cloud, hold_module, monkeypatch)
    assert result["status"] == "SUCCEEDED", result
    assert running_looks >= 3


class _ReadList(list[Any]):
    """A state machine's execution list that counts the times it is read from start to end."""

    reads = 0

    def __iter__(self) -> Iterator[Any]:
        _ReadList.reads += 1
        return super().__iter__()


def _described_reads(cloud: LocalCloud) -> int:
    from moto.stepfunctions.responses import get_backend

    arn = create_machine(
        cloud, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "many"
    )
    runs = [cloud.start_and_wait(arn, {}, name=f"run-{i}")["executionArn"] for i in range(5)]
    state_machine = get_backend(cloud.account_id, cloud.region).describe_state_machine(arn)
    state_machine.executions = _ReadList(state_machine.executions)
    _ReadList.reads = 0
    sfn = cloud.client("stepfunctions")
    for execution_arn in runs * 3:
        assert sfn.describe_execution(executionArn=execution_arn)["status"] == "SUCCEEDED"
    return _ReadList.reads


def test_describe_execution_is_a_lookup(localcloud: LocalCloud) -> None:
    assert _described_reads(localcloud) == 0


def test_without_the_extension_describe_execution_reads_every_execution() -> None:
    with extensions_disabled("execution_index"), LocalCloud() as cloud:
        assert _described_reads(cloud) >= 15


def _looks_at_clocks(cloud: LocalCloud, parent: str, name: str) -> int:
    """How often the run's waiters looked at a clock or at whether their execution still runs."""
    from moto.stepfunctions.parser.asl.eval.environment import Environment

    looks = [0]
    elapsed, is_running = virtual_clock.ExecutionClock.elapsed, Environment.is_running

    def counted_elapsed(self: Any, env: Any) -> float:
        looks[0] += 1
        return elapsed(self, env)

    def counted_is_running(self: Any) -> bool:
        looks[0] += 1
        return is_running(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(virtual_clock.ExecutionClock, "elapsed", counted_elapsed)
        patch.setattr(Environment, "is_running", counted_is_running)
        result = cloud.start_and_wait(parent, {}, name=name)
    assert result["status"] == "SUCCEEDED", result
    return looks[0]


def test_waiters_are_woken_not_polling_while_a_task_runs(
    localcloud: LocalCloud, hold_module: Any
) -> None:
    # The parent's worker, its `.sync` task and wait, the child's worker and its task all wait
    # while the child's Lambda holds for 1.5 s. Polling every 20 ms, they looked hundreds of
    # times more than in a run where it returns at once; woken, they look as often.
    parent = _parent_of_held_child(localcloud)
    hold_module.third_look.set()
    quick = _looks_at_clocks(localcloud, parent, "quick")
    hold_module.third_look.clear()  # nothing sets it: the Lambda holds its full 1.5 s
    held = _looks_at_clocks(localcloud, parent, "held")
    assert held - quick <= 50, (quick, held)  # polling: ~500 more; woken: ~10 (wake order)


@pytest.fixture
def only_woken(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wake-up that is never sent stalls the wait past the test's bound (not 1 s)."""
    monkeypatch.setattr(virtual_clock, "SAFETY_SECONDS", 120.0)


WOKEN_WITHIN = 15.0  # real seconds: far below the safety bound, far above a run's time


def _callback(cloud: LocalCloud, extra: dict[str, Any]) -> tuple[str, str]:
    """A started execution waiting on a callback task (its token sent to a queue)."""
    sqs = cloud.client("sqs")
    queue_url = sqs.create_queue(QueueName="tokens")["QueueUrl"]
    machine = create_machine(
        cloud,
        {
            "StartAt": "Callback",
            "States": {
                "Callback": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": queue_url, "MessageBody.$": "$$.Task.Token"},
                    **extra,
                    "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}],
                    "End": True,
                },
                "TimedOut": {"Type": "Pass", "Result": "timed out", "End": True},
            },
        },
    )
    arn = cloud.client("stepfunctions").start_execution(stateMachineArn=machine)["executionArn"]
    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)
    [message] = received["Messages"]
    return arn, message["Body"]


def test_an_advance_wakes_a_task_timeout(localcloud: LocalCloud, only_woken: None) -> None:
    arn, _ = _callback(localcloud, {"TimeoutSeconds": 300})
    localcloud.advance_clock(arn, 301)
    result = localcloud.wait_for_execution(arn, timeout=WOKEN_WITHIN)
    assert json.loads(result["output"]) == "timed out"


def test_an_advance_wakes_a_heartbeat_wait(localcloud: LocalCloud, only_woken: None) -> None:
    arn, _ = _callback(localcloud, {"TimeoutSeconds": 3000, "HeartbeatSeconds": 60})
    localcloud.advance_clock(arn, 61)
    result = localcloud.wait_for_execution(arn, timeout=WOKEN_WITHIN)
    assert json.loads(result["output"]) == "timed out"


@pytest.mark.parametrize(
    ("extra", "advanced"),
    [({"TimeoutSeconds": 300}, 301), ({"TimeoutSeconds": 3000, "HeartbeatSeconds": 60}, 61)],
    ids=["task timeout", "heartbeat"],
)
def test_time_advanced_before_the_wait_begins_still_counts(
    localcloud: LocalCloud,
    only_woken: None,
    monkeypatch: pytest.MonkeyPatch,
    extra: dict[str, Any],
    advanced: int,
) -> None:
    # The timeouts count from the task's start, as on AWS: an advance made while the task was
    # still sending its message (before the engine began to wait) is not lost.
    done_advancing = threading.Event()
    wait_for = virtual_clock.wait_for

    def late(env: Any, event: Any, seconds: float, since: float | None = None) -> bool:
        if seconds == advanced - 1:
            assert done_advancing.wait(WOKEN_WITHIN)
        return wait_for(env, event, seconds, since)

    monkeypatch.setattr(virtual_clock, "wait_for", late)
    arn, _ = _callback(localcloud, extra)
    localcloud.advance_clock(arn, advanced)
    done_advancing.set()
    result = localcloud.wait_for_execution(arn, timeout=WOKEN_WITHIN)
    assert json.loads(result["output"]) == "timed out"


def test_a_task_token_wakes_its_task(localcloud: LocalCloud, only_woken: None) -> None:
    arn, token = _callback(localcloud, {"TimeoutSeconds": 300, "HeartbeatSeconds": 60})
    localcloud.client("stepfunctions").send_task_success(taskToken=token, output='"sent"')
    result = localcloud.wait_for_execution(arn, timeout=WOKEN_WITHIN)
    assert json.loads(result["output"]) == "sent"


def test_a_stop_wakes_a_waiting_task(localcloud: LocalCloud, only_woken: None) -> None:
    arn, _ = _callback(localcloud, {"TimeoutSeconds": 300})
    localcloud.client("stepfunctions").stop_execution(executionArn=arn)
    assert localcloud.wait_for_execution(arn, timeout=WOKEN_WITHIN)["status"] == "ABORTED"


def test_a_wait_past_the_deadline_wakes_the_execution(
    localcloud: LocalCloud, only_woken: None
) -> None:
    definition = {
        "TimeoutSeconds": 5,
        "StartAt": "Long",
        "States": {"Long": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    result = localcloud.start_and_wait(create_machine(localcloud, definition), {})
    assert result["status"] == "TIMED_OUT"


def test_a_child_ending_wakes_its_sync_parent(
    localcloud: LocalCloud, hold_module: Any, only_woken: None
) -> None:
    hold_module.third_look.set()
    parent = _parent_of_held_child(localcloud)
    arn = localcloud.start_execution(parent, {}, name="woken")
    assert localcloud.wait_for_execution(arn, timeout=WOKEN_WITHIN)["status"] == "SUCCEEDED"
