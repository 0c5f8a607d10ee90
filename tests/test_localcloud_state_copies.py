"""A state's data stays independent of every other state's, copied only where it must be."""

from __future__ import annotations

import copy
import datetime
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest

from localcloud import LocalCloud
from localcloud.extensions import apply_extensions, extensions_disabled
from localcloud.extensions.state_copies import input_lent
from localcloud.json_values import independent_copy
from tests.localcloud_helpers import create_machine

_STATE_DATA_MODULES = (
    "moto.stepfunctions.parser.asl.eval.states",
    "moto.stepfunctions.parser.asl.eval.environment",
    "moto.stepfunctions.parser.asl.component.common.path.result_path",
)

_INPUT = {"run": "r1", "rows": [{"id": i, "tags": ["a", "b"], "score": None} for i in range(20)]}

# Three JSONPath Pass states that read, merge into and filter their input.
_PASSES = {
    "StartAt": "Read",
    "States": {
        "Read": {"Type": "Pass", "InputPath": "$.rows[0]", "ResultPath": "$.first", "Next": "Add"},
        "Add": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.added", "Next": "Keep"},
        "Keep": {"Type": "Pass", "OutputPath": "$", "End": True},
    },
}


@contextmanager
def deep_copies_by_state_data() -> Iterator[list[str]]:
    """Records each `copy.deepcopy` call made directly by moto's state-data code."""
    calls: list[str] = []
    original = copy.deepcopy

    def counting(value: Any, memo: Any = None, _nil: Any = None) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller in _STATE_DATA_MODULES:
            calls.append(caller)
        return original(value, memo) if memo is not None else original(value)

    copy.deepcopy = counting  # type: ignore[assignment]
    try:
        yield calls
    finally:
        copy.deepcopy = original


def test_independent_copy_shares_nothing_mutable() -> None:
    shared = {"k": [1, 2]}
    value = {"a": shared, "b": shared, "t": (1, [2]), "when": datetime.date(2026, 1, 2), "n": None}
    copied = independent_copy(value)
    assert copied == value
    copied["a"]["k"].append(3)
    copied["t"][1].append(3)
    assert value == {
        "a": {"k": [1, 2]},
        "b": {"k": [1, 2]},
        "t": (1, [2]),
        "when": datetime.date(2026, 1, 2),
        "n": None,
    }
    # What appears twice is two values, as in the JSON an execution passes on.
    assert copied["b"] == {"k": [1, 2]}


def test_state_data_is_copied_without_deepcopy(localcloud: LocalCloud) -> None:
    # Guards the cost: moto deep-copied a state's input on every read (the entered and exited
    # events included); the values are copied by `independent_copy` instead.
    arn = create_machine(localcloud, _PASSES)
    with deep_copies_by_state_data() as calls:
        result = localcloud.start_and_wait(arn, _INPUT)
    assert result["status"] == "SUCCEEDED", result
    assert calls == []


def test_without_the_extension_moto_deep_copies_each_read() -> None:
    with extensions_disabled("state_data_copies"), LocalCloud() as cloud:
        arn = create_machine(cloud, _PASSES)
        with deep_copies_by_state_data() as calls:
            result = cloud.start_and_wait(arn, _INPUT)
    assert result["status"] == "SUCCEEDED", result
    assert len(calls) >= 3 * 4  # per state at least: entered, input, exited, and the reset


def test_what_a_state_does_with_its_data_stays_its_own() -> None:
    # Each read and write still copies: a state changing the value it read, or the value it
    # handed over, must not change what the next reader gets.
    apply_extensions(["state_data_copies"])
    from moto.stepfunctions.parser.asl.eval.states import States

    given = {"rows": [{"id": 1}]}
    states = States(context=cast(Any, {"Execution": {"Input": {}}}))
    states.reset(given)
    given["rows"].append({"id": 2})
    states.get_input()["rows"][0]["id"] = 9
    states.get_input("$.rows")[0]["tags"] = []
    result = {"ok": [1]}
    states.set_result(result)
    result["ok"].append(2)
    states.get_result()["ok"].append(3)
    assert states.get_input() == {"rows": [{"id": 1}]}
    assert states.get_result() == {"ok": [1]}
    with input_lent(states):
        assert states.get_input() is states.get_input()


@pytest.mark.parametrize("query_language", ["JSONPath", "JSONata"])
def test_the_entered_event_shows_the_input_the_state_got(
    localcloud: LocalCloud, query_language: str
) -> None:
    # The events read the input without a copy; what the state then did must not reach them.
    merge: dict[str, Any] = (
        {"Result": {"x": 1}, "ResultPath": "$.merged"}
        if query_language == "JSONPath"
        else {"Output": "{% $merge([$states.input, {'merged': {'x': 1}}]) %}"}
    )
    arn = create_machine(
        localcloud,
        {
            "QueryLanguage": query_language,
            "StartAt": "Merge",
            "States": {"Merge": {"Type": "Pass", **merge, "End": True}},
        },
    )
    execution = localcloud.client("stepfunctions").start_execution(
        stateMachineArn=arn, input=json.dumps({"a": 1})
    )["executionArn"]
    result = localcloud.wait_for_execution(execution, 30)
    assert result["status"] == "SUCCEEDED", result
    events = localcloud.client("stepfunctions").get_execution_history(executionArn=execution)
    details = {event["type"]: event for event in events["events"]}
    assert json.loads(details["PassStateEntered"]["stateEnteredEventDetails"]["input"]) == {"a": 1}
    exited = details["PassStateExited"]["stateExitedEventDetails"]["output"]
    assert json.loads(exited) == {"a": 1, "merged": {"x": 1}}
