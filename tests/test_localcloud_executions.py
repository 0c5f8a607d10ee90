"""Executions: default names, recorded waits and retry intervals, joinable workers and idle
waits, definitions parsed once."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import ExecutionTimeout, LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import PASS, create_function, create_machine

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")

WAITING = {
    "QueryLanguage": "JSONata",
    "StartAt": "Settle",
    "States": {
        "Settle": {"Type": "Wait", "Seconds": 600, "Next": "Flaky"},
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
            "Arguments": {"EndpointName": "missing"},
            "Retry": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "IntervalSeconds": 30,
                    "BackoffRate": 2,
                    "MaxAttempts": 3,
                    "MaxDelaySeconds": 100,
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
            "End": True,
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def test_start_execution_without_name_gets_a_uuid(localcloud: LocalCloud) -> None:
    arn = create_machine(localcloud, PASS)
    sfn = localcloud.client("stepfunctions")
    first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert first != second
    assert UUID.match(first.rsplit(":", 1)[1])


def test_without_the_extension_unnamed_executions_collide() -> None:
    with extensions_disabled("execution_names"), LocalCloud() as cloud:
        arn = create_machine(cloud, PASS)
        sfn = cloud.client("stepfunctions")
        first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert first.endswith(":None")


def test_waits_and_retries_are_recorded_not_slept(localcloud: LocalCloud) -> None:
    arn = create_machine(localcloud, WAITING)
    started = time.monotonic()
    result = localcloud.start_and_wait(arn, {})
    assert time.monotonic() - started < 10
    assert result["status"] == "SUCCEEDED"
    assert localcloud.states_entered(result["executionArn"]) == ["Settle", "Flaky", "Done"]
    waits = [(w.kind, w.state, w.seconds) for w in localcloud.waits(result["executionArn"])]
    assert waits == [
        ("Wait", "Settle", 600.0),
        ("Retry", "Flaky", 30.0),
        ("Retry", "Flaky", 60.0),
        ("Retry", "Flaky", 100.0),
    ]


def test_without_the_extension_waits_are_not_recorded() -> None:
    short = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0, "End": True}}}
    with extensions_disabled("recorded_waits"), LocalCloud() as cloud:
        result = cloud.start_and_wait(create_machine(cloud, short), {})
        assert result["status"] == "SUCCEEDED"
        assert cloud.waits() == []


STRING_RESULT = {
    "QueryLanguage": "JSONata",
    "StartAt": "S",
    "States": {"S": {"Type": "Pass", "Output": "{% 'done' %}", "End": True}},
}


def test_output_is_json_text_even_for_a_string(localcloud: LocalCloud) -> None:
    result = localcloud.start_and_wait(create_machine(localcloud, STRING_RESULT), {})
    assert result["output"] == '"done"'


def test_without_the_extension_a_string_output_is_not_json() -> None:
    with extensions_disabled("execution_output"), LocalCloud() as cloud:
        result = cloud.start_and_wait(create_machine(cloud, STRING_RESULT), {})
    assert result["output"] == "done"


JITTERED = {
    "QueryLanguage": "JSONata",
    "StartAt": "Flaky",
    "States": {
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
            "Arguments": {"EndpointName": "missing"},
            "Retry": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "IntervalSeconds": 60,
                    "BackoffRate": 2,
                    "MaxAttempts": 2,
                    "JitterStrategy": "FULL",
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
            "End": True,
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def test_full_jitter_records_the_retry_interval_and_the_drawn_delay(
    localcloud: LocalCloud,
) -> None:
    result = localcloud.start_and_wait(create_machine(localcloud, JITTERED), {})
    waits = localcloud.waits(result["executionArn"])
    assert [(w.kind, w.state, w.interval) for w in waits] == [
        ("Retry", "Flaky", 60.0),
        ("Retry", "Flaky", 120.0),
    ]
    assert all(0 <= w.seconds <= w.interval for w in waits)


BLOCKING_HANDLER = """
import threading
RELEASE = threading.Event()

def handler(event, context):
    if not RELEASE.wait(10):
        raise TimeoutError("the test never released the handler")
    return {"released": True}
"""

CALLS_LAMBDA = {
    "QueryLanguage": "JSONata",
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "blocking", "Payload": {}},
            "Output": "{% $states.result.Payload %}",
            "End": True,
        }
    },
}


@pytest.fixture
def blocking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    (tmp_path / "lc_blocking.py").write_text(BLOCKING_HANDLER)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("lc_blocking")
    yield module
    module.RELEASE.set()
    sys.modules.pop("lc_blocking", None)


def _blocking_function(cloud: LocalCloud) -> None:
    create_function(cloud.client, "blocking", "lc_blocking.handler")


def test_wait_joins_the_execution_instead_of_describing_it_early(
    localcloud: LocalCloud, blocking: Any
) -> None:
    _blocking_function(localcloud)
    arn = localcloud.start_execution(create_machine(localcloud, CALLS_LAMBDA), {})
    with pytest.raises(ExecutionTimeout):
        localcloud.wait_for_execution(arn, timeout=0.05)
    blocking.RELEASE.set()
    result = localcloud.wait_for_execution(arn)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"released": True}


def test_without_the_extension_a_wait_describes_a_running_execution(blocking: Any) -> None:
    with extensions_disabled("joinable_executions"), LocalCloud() as cloud:
        _blocking_function(cloud)
        arn = cloud.start_execution(create_machine(cloud, CALLS_LAMBDA), {})
        early = cloud.wait_for_execution(arn, timeout=0.05)
        blocking.RELEASE.set()
        # moto's own worker threads, so the released execution ends before the cloud closes.
        from moto.stepfunctions.parser.utils import TMP_THREADS

        for thread in list(TMP_THREADS):
            thread.join(10)
    assert early["status"] == "RUNNING"


def test_wait_until_idle_joins_what_an_asynchronous_invocation_started(
    localcloud: LocalCloud, blocking: Any
) -> None:
    _blocking_function(localcloud)
    localcloud.client("lambda").invoke(
        FunctionName="blocking", InvocationType="Event", Payload=b"{}"
    )
    with pytest.raises(ExecutionTimeout, match="lambda-blocking"):
        localcloud.wait_until_idle(timeout=0.05)
    blocking.RELEASE.set()
    localcloud.wait_until_idle(timeout=10)


MAPPED = {
    "QueryLanguage": "JSONata",
    "StartAt": "Square",
    "States": {
        "Square": {
            "Type": "Map",
            "Items": "{% $states.input.values %}",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "One",
                "States": {
                    "One": {
                        "Type": "Pass",
                        "Output": "{% $states.input * $states.input %}",
                        "End": True,
                    }
                },
            },
            "Assign": {"total": "{% $sum($states.result) %}"},
            # A state's Output sees the variables as they were when it was entered (AWS): the
            # assigned total is read by the next state.
            "Output": "{% {'squares': $states.result} %}",
            "Next": "Total",
        },
        "Total": {
            "Type": "Pass",
            "Output": "{% {'squares': $states.input.squares, 'total': $total} %}",
            "End": True,
        },
    },
}


def test_a_definition_is_parsed_once() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    text = json.dumps(MAPPED)
    assert AmazonStateLanguageParser.parse(text) is AmazonStateLanguageParser.parse(text)


def test_without_the_extension_each_execution_parses_again() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    text = json.dumps(MAPPED)
    with extensions_disabled("parsed_definitions"):
        assert AmazonStateLanguageParser.parse(text) is not AmazonStateLanguageParser.parse(text)


def test_concurrent_executions_of_one_definition_keep_their_own_state(
    localcloud: LocalCloud,
) -> None:
    arn = create_machine(localcloud, MAPPED)
    inputs = [{"values": list(range(n, n + 5))} for n in range(6)]
    started = [localcloud.start_execution(arn, value) for value in inputs]
    outputs = [json.loads(localcloud.wait_for_execution(e)["output"]) for e in started]
    assert outputs == [
        {"squares": [v * v for v in i["values"]], "total": sum(v * v for v in i["values"])}
        for i in inputs
    ]


# Run in a fresh interpreter: logging falls back to stderr only when no handler is configured
# anywhere, and pytest always configures some.
QUIET_PROBE = """
import io, json, sys
from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import create_machine

FAILS = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}}}


def stderr_of_a_failed_execution(name):
    real, sys.stderr = sys.stderr, io.StringIO()
    try:
        with LocalCloud() as cloud:
            result = cloud.start_and_wait(create_machine(cloud, FAILS, name))
            assert result["status"] == "FAILED", result
        return sys.stderr.getvalue()
    finally:
        sys.stderr = real


with extensions_disabled("quiet_interpreter_logs"):
    noisy = stderr_of_a_failed_execution("noisy")
print(json.dumps({"without": noisy, "with": stderr_of_a_failed_execution("quiet")}))
"""


def test_a_failed_execution_writes_nothing_to_the_callers_stderr() -> None:
    # AWS reports a failure in the history and DescribeExecution; moto's interpreter also logged
    # each failed state with a Python repr of its internals, several KB on the demo's terminal.
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, "-c", QUIET_PROBE],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stdout.splitlines()[-1])
    assert "Exception=FailureEventException" in seen["without"]  # what the extension silences
    assert seen["with"] == ""
    assert completed.stderr == ""
