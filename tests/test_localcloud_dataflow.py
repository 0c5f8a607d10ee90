"""Data flow through states as AWS runs it (the recorded Step Functions outcomes in
../shared/corpus/sfn-executions show each expected value), and what moto does without the
extension that fixes it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from localcloud.jsonata_functions import evaluate, sfn_range
from tests.localcloud_helpers import create_machine

# assign/BASE_EVALUATION_ORDER_PASS_STATE: State1's OutputPath reads `$answer` before State1's
# own Assign replaces it, so the execution's output is the 42 State0 assigned.
EVALUATION_ORDER = {
    "StartAt": "State0",
    "States": {
        "State0": {
            "Type": "Pass",
            "Result": {"theQuestion": "What is the answer?"},
            "Assign": {"question.$": "$.theQuestion", "answer": 42},
            "Next": "State1",
        },
        "State1": {
            "Type": "Pass",
            "InputPath": "$answer",
            "ResultPath": "$.theAnswer",
            "OutputPath": "$answer",
            "Assign": {"answer": "<omitted>"},
            "End": True,
        },
    },
}

# scenarios/ESCAPE_SEQUENCES_JSONATA_COMPARISON_ASSIGN: `"\""` assigns one double quote.
ESCAPED_ASSIGN = {
    "QueryLanguage": "JSONata",
    "StartAt": "Pass",
    "States": {
        "Pass": {"Type": "Pass", "Assign": {"var": '"'}, "Next": "Check"},
        "Check": {"Type": "Pass", "Output": "{% $var = '\"' %}", "End": True},
    },
}

# scenarios/WAIT_TIMESTAMP_JSONATA with INVALID_DATE.
JSONATA_TIMESTAMP = {
    "QueryLanguage": "JSONata",
    "StartAt": "WaitState",
    "States": {
        "WaitState": {
            "Type": "Wait",
            "Timestamp": "{% $states.input.TimestampValue %}",
            "End": True,
        }
    },
}


def _run(cloud: LocalCloud, definition: dict[str, Any], input: Any = None) -> dict[str, Any]:
    # A machine per definition: CreateStateMachine of a name that exists returns that machine.
    name = f"m{abs(hash(json.dumps(definition, sort_keys=True)))}"
    return cloud.start_and_wait(create_machine(cloud, definition, name), input or {})


def test_output_path_reads_the_variables_the_state_started_with(localcloud: LocalCloud) -> None:
    result = _run(localcloud, EVALUATION_ORDER)
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == 42


def test_jsonata_output_sees_the_old_value_and_the_next_state_the_new(
    localcloud: LocalCloud,
) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Second"},
            "Second": {
                "Type": "Pass",
                "Assign": {"x": 2},
                "Output": {"seen": "{% $x %}"},
                "Next": "Third",
            },
            "Third": {
                "Type": "Pass",
                "Output": {"before": "{% $states.input.seen %}", "after": "{% $x %}"},
                "End": True,
            },
        },
    }
    result = _run(localcloud, definition)
    assert json.loads(result["output"]) == {"before": 1, "after": 2}


def test_without_the_extension_output_path_sees_the_new_value() -> None:
    with extensions_disabled("assign_after_output"), LocalCloud() as cloud:
        result = _run(cloud, EVALUATION_ORDER)
    assert json.loads(result["output"]) == "<omitted>"


def test_assigned_strings_are_the_json_strings_values(localcloud: LocalCloud) -> None:
    assert json.loads(_run(localcloud, ESCAPED_ASSIGN)["output"]) is True
    jsonpath = {
        "StartAt": "Pass",
        "States": {
            "Pass": {
                "Type": "Pass",
                "Assign": {"path": "C:\\data", "line": "a\nb", "braces": "{% not jsonata %}"},
                "Next": "Show",
            },
            "Show": {
                "Type": "Pass",
                "Parameters": {"path.$": "$path", "line.$": "$line", "braces.$": "$braces"},
                "End": True,
            },
        },
    }
    output = json.loads(_run(localcloud, jsonpath)["output"])
    assert output == {"path": "C:\\data", "line": "a\nb", "braces": "{% not jsonata %}"}


def test_without_the_extension_assigned_strings_keep_their_escapes() -> None:
    with extensions_disabled("assign_string_literals"), LocalCloud() as cloud:
        assert json.loads(_run(cloud, ESCAPED_ASSIGN)["output"]) is False


def test_a_range_of_one_value_is_that_value(localcloud: LocalCloud) -> None:
    # intrinsic_functions/test_array_range[2]: AWS answers 1, not [1].
    assert sfn_range(1, 9, 9) == 1
    assert evaluate("$range(1, 9, 9)") == 1
    assert sfn_range(1, 9, 2) == [1, 3, 5, 7, 9]
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "S",
        "States": {"S": {"Type": "Pass", "Output": "{% $range(1, 9, 9) %}", "End": True}},
    }
    assert json.loads(_run(localcloud, definition)["output"]) == 1


@pytest.mark.parametrize("timestamp", ["2016-13-05T21:29:29Z", "2016-12-05 21:29:29Z"])
def test_an_invalid_jsonata_timestamp_is_a_query_evaluation_error(
    localcloud: LocalCloud, timestamp: str
) -> None:
    result = _run(localcloud, JSONATA_TIMESTAMP, {"TimestampValue": timestamp})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.QueryEvaluationError"
    assert result["cause"].endswith(
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format "
        f"string: {timestamp}"
    )


def test_without_the_extension_an_invalid_jsonata_timestamp_is_a_runtime_error() -> None:
    with extensions_disabled("jsonata_timestamp_errors"), LocalCloud() as cloud:
        result = _run(cloud, JSONATA_TIMESTAMP, {"TimestampValue": "2016-13-05T21:29:29Z"})
    assert result["error"] == "States.Runtime"


def _failing_iteration(kind: str) -> dict[str, Any]:
    # An iteration (or branch) whose Output is undefined fails with States.QueryEvaluationError.
    inner = {
        "StartAt": "Undefined",
        "States": {
            "Undefined": {"Type": "Pass", "Output": "{% $states.input.missing %}", "End": True}
        },
    }
    state: dict[str, Any] = {"Type": kind, "End": True}
    if kind == "Map":
        state.update(Items="{% [1, 2] %}", ItemProcessor=inner)
    else:
        state.update(Branches=[inner])
    return {"QueryLanguage": "JSONata", "StartAt": "Fan", "States": {"Fan": state}}


@pytest.mark.parametrize("kind", ["Map", "Parallel"])
def test_a_failed_iteration_fails_its_state_with_the_states_error(
    localcloud: LocalCloud, kind: str
) -> None:
    # states_variables/MAP_CATCH_ERROR_OUTPUT_WITH_RETRY: the Map fails with the iteration's
    # States.QueryEvaluationError.
    result = _run(localcloud, _failing_iteration(kind))
    assert result["status"] == "FAILED"
    assert result["error"] == "States.QueryEvaluationError", result


def test_a_catch_on_the_map_matches_the_propagated_error(localcloud: LocalCloud) -> None:
    definition = _failing_iteration("Map")
    fan = definition["States"]["Fan"]
    del fan["End"]
    fan["Next"] = "Done"
    fan["Catch"] = [
        {
            "ErrorEquals": ["States.QueryEvaluationError"],
            "Output": "{% $states.errorOutput.Error %}",
            "Next": "Done",
        }
    ]
    definition["States"]["Done"] = {"Type": "Succeed"}
    result = _run(localcloud, definition)
    assert json.loads(result["output"]) == "States.QueryEvaluationError"


def test_without_the_extension_a_failed_iteration_is_a_runtime_error() -> None:
    with extensions_disabled("propagated_error_names"), LocalCloud() as cloud:
        result = _run(cloud, _failing_iteration("Map"))
    assert result["error"] == "States.Runtime"
