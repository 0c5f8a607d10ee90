"""Executions run on a virtual clock (`virtual_time`): recorded waits pass on it, so the machine's
TimeoutSeconds, a Task's TimeoutSeconds and HeartbeatSeconds fire as on AWS, without sleeping;
timestamps and the context object's times follow it."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import create_machine

# The recorded AWS case `timeouts/test_global_timeout`: a 60 s Wait under a 5 s machine timeout.
GLOBAL_TIMEOUT = {
    "StartAt": "State_1",
    "States": {
        "State_1": {"Type": "Wait", "Seconds": 60, "Next": "State_2"},
        "State_2": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True},
    },
    "TimeoutSeconds": 5,
}


def _seconds(start: datetime.datetime, stop: datetime.datetime) -> float:
    return (stop - start).total_seconds()


def test_a_wait_longer_than_the_machine_timeout_times_the_execution_out(
    localcloud: LocalCloud,
) -> None:
    started = time.monotonic()
    result = localcloud.start_and_wait(create_machine(localcloud, GLOBAL_TIMEOUT), {})
    assert time.monotonic() - started < 10
    assert result["status"] == "TIMED_OUT"
    # DescribeExecution of a timed-out execution names no error (recorded on AWS: corpus
    # timeouts/test_global_timeout); the history's ExecutionTimedOut event does.
    assert "error" not in result
    assert 5 <= _seconds(result["startDate"], result["stopDate"]) < 6
    events = localcloud.history_events(result["executionArn"])
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "WaitStateEntered",
        "ExecutionTimedOut",
    ]
    assert events[-1]["executionTimedOutEventDetails"]["error"] == "States.Timeout"
    assert 5 <= _seconds(result["startDate"], events[-1]["timestamp"]) < 6


def test_without_the_extension_the_machine_timeout_never_fires() -> None:
    with extensions_disabled("virtual_time"), LocalCloud() as cloud:
        result = cloud.start_and_wait(create_machine(cloud, GLOBAL_TIMEOUT), {})
    assert result["status"] == "SUCCEEDED"


RETRY_PAST_TIMEOUT = {
    "QueryLanguage": "JSONata",
    "TimeoutSeconds": 100,
    "StartAt": "Flaky",
    "States": {
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
            "Arguments": {"EndpointName": "missing"},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "MaxAttempts": 3}],
            "End": True,
        }
    },
}


def test_retry_intervals_pass_on_the_clock_and_time_the_execution_out(
    localcloud: LocalCloud,
) -> None:
    result = localcloud.start_and_wait(create_machine(localcloud, RETRY_PAST_TIMEOUT), {})
    assert result["status"] == "TIMED_OUT"
    # 60 s, then the second interval (120 s, BackoffRate 2) crosses the 100 s deadline.
    assert [w.seconds for w in localcloud.waits(result["executionArn"])] == [60.0, 120.0]
    tasks = [
        e for e in localcloud.history_events(result["executionArn"]) if e["type"] == "TaskFailed"
    ]
    assert len(tasks) == 2
    assert 100 <= _seconds(result["startDate"], result["stopDate"]) < 101


PARALLEL_WAITS = {
    "TimeoutSeconds": 60,
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": f"W{i}",
                    "States": {f"W{i}": {"Type": "Wait", "Seconds": 40, "End": True}},
                }
                for i in (1, 2)
            ],
            "End": True,
        }
    },
}


def test_waits_in_parallel_branches_overlap(localcloud: LocalCloud) -> None:
    result = localcloud.start_and_wait(create_machine(localcloud, PARALLEL_WAITS), {})
    assert result["status"] == "SUCCEEDED"  # 40 s in each branch at once, not 80 s
    assert 40 <= _seconds(result["startDate"], result["stopDate"]) < 41


CONTEXT_TIMES = {
    "StartAt": "Hour",
    "States": {
        "Hour": {"Type": "Wait", "Seconds": 3600, "Next": "Times"},
        "Times": {
            "Type": "Pass",
            "Parameters": {
                "start.$": "$$.Execution.StartTime",
                "entered.$": "$$.State.EnteredTime",
            },
            "End": True,
        },
    },
}
CONTEXT_TIMES_JSONATA = {
    "QueryLanguage": "JSONata",
    "StartAt": "Hour",
    "States": {
        "Hour": {"Type": "Wait", "Seconds": 3600, "Next": "Times"},
        "Times": {
            "Type": "Pass",
            "Output": {
                "start": "{% $states.context.Execution.StartTime %}",
                "entered": "{% $states.context.State.EnteredTime %}",
            },
            "End": True,
        },
    },
}


def _parse(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("definition", [CONTEXT_TIMES, CONTEXT_TIMES_JSONATA])
def test_context_times_and_history_follow_the_clock(
    localcloud: LocalCloud, definition: dict[str, Any]
) -> None:
    result = localcloud.start_and_wait(create_machine(localcloud, definition), {})
    output = json.loads(result["output"])
    assert 3600 <= _seconds(_parse(output["start"]), _parse(output["entered"])) < 3601
    entered = [
        e["timestamp"]
        for e in localcloud.history_events(result["executionArn"])
        if e["type"] == "PassStateEntered"
    ]
    assert all(3600 <= _seconds(result["startDate"], t) < 3601 for t in entered)
    assert 3600 <= _seconds(result["startDate"], result["stopDate"]) < 3601


def _callback_machine(queue_url: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Callback",
        "States": {
            "Callback": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue_url, "MessageBody": {"token.$": "$$.Task.Token"}},
                **extra,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}],
                "End": True,
            },
            "TimedOut": {"Type": "Pass", "End": True},
        },
    }


def _when_submitted(cloud: LocalCloud, arn: str, count: int) -> None:
    """Until the execution has submitted its callback task `count` times (bounded)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events = cloud.history_events(arn)
        if sum(e["type"] == "TaskSubmitted" for e in events) >= count:
            return
        time.sleep(0.01)  # polls progress of the execution's thread; no time is waited out
    raise AssertionError(f"the task was not submitted {count} time(s): {events}")


def _run_callback(cloud: LocalCloud, extra: dict[str, Any], advances: list[float]) -> Any:
    queue_url = cloud.client("sqs").create_queue(QueueName="callbacks")["QueueUrl"]
    machine = create_machine(cloud, _callback_machine(queue_url, extra))
    arn = cloud.client("stepfunctions").start_execution(stateMachineArn=machine)["executionArn"]
    for attempt, seconds in enumerate(advances, start=1):
        _when_submitted(cloud, arn, attempt)
        cloud.advance_clock(arn, seconds)
    return cloud.wait_for_execution(arn)


def _timed_out_events(cloud: LocalCloud, arn: str) -> list[Any]:
    return [e for e in cloud.history_events(arn) if e["type"] == "TaskTimedOut"]


def test_a_task_timeout_fires_on_the_clock_and_is_caught(localcloud: LocalCloud) -> None:
    result = _run_callback(localcloud, {"TimeoutSeconds": 300}, [301])
    arn = result["executionArn"]
    assert result["status"] == "SUCCEEDED"
    assert localcloud.states_entered(arn) == ["Callback", "TimedOut"]
    [timed_out] = _timed_out_events(localcloud, arn)
    assert timed_out["taskTimedOutEventDetails"]["error"] == "States.Timeout"


def test_a_task_timeout_from_a_path_is_retried(localcloud: LocalCloud) -> None:
    extra = {
        "TimeoutSecondsPath": "$.timeout",
        "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 5, "MaxAttempts": 1}],
    }
    queue_url = localcloud.client("sqs").create_queue(QueueName="callbacks")["QueueUrl"]
    machine = create_machine(localcloud, _callback_machine(queue_url, extra))
    sfn = localcloud.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=machine, input='{"timeout": 30}')["executionArn"]
    for attempt in (1, 2):
        _when_submitted(localcloud, arn, attempt)
        localcloud.advance_clock(arn, 31)
    result = localcloud.wait_for_execution(arn)
    assert localcloud.states_entered(arn) == ["Callback", "TimedOut"]
    assert len(_timed_out_events(localcloud, arn)) == 2
    assert [(w.kind, w.seconds) for w in localcloud.waits(arn)] == [("Retry", 5.0)]
    assert result["status"] == "SUCCEEDED"


def test_a_missed_heartbeat_times_the_task_out(localcloud: LocalCloud) -> None:
    result = _run_callback(localcloud, {"TimeoutSeconds": 3000, "HeartbeatSeconds": 60}, [61])
    arn = result["executionArn"]
    assert localcloud.states_entered(arn) == ["Callback", "TimedOut"]
    [timed_out] = _timed_out_events(localcloud, arn)
    assert timed_out["taskTimedOutEventDetails"]["error"] == "States.Timeout"
