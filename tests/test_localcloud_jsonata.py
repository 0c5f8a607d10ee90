"""JSONata evaluation in the embedded Step Functions, with Step Functions' extra functions."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from localcloud.jsonata_functions import (
    JSONataEvaluationError,
    evaluate,
    sfn_hash,
    sfn_partition,
    sfn_random,
    sfn_range,
)
from tests.localcloud_helpers import create_machine


def _output_machine(expression: str) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Compute",
        "States": {"Compute": {"Type": "Pass", "Output": expression, "End": True}},
    }


def test_partition_range_hash_follow_step_functions() -> None:
    assert sfn_partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3) == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert sfn_partition([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert sfn_range(0, 10, 2) == [0, 2, 4, 6, 8, 10]
    assert sfn_range(10, 0, -5) == [10, 5, 0]
    assert sfn_range(0, 10, -1) == []
    assert sfn_hash("abc", "SHA-256") == hashlib.sha256(b"abc").hexdigest()
    assert sfn_hash("abc", "MD5") == hashlib.md5(b"abc").hexdigest()
    with pytest.raises(JSONataEvaluationError, match="algorithm must be one of"):
        sfn_hash("abc", "SHA-3")


def test_random_with_seed_is_repeatable() -> None:
    assert sfn_random(42) == sfn_random(42)
    assert 0 <= sfn_random() < 1


def test_evaluate_registers_the_extra_functions() -> None:
    assert evaluate("$parse('{\"a\": [1, 2]}').a[1]") == 2
    assert len(evaluate("$uuid()")) == 36
    assert evaluate("$hash('x', 'SHA-1')") == hashlib.sha1(b"x").hexdigest()


def test_jsonata_state_machine_runs(localcloud: LocalCloud) -> None:
    arn = create_machine(
        localcloud,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Name",
            "States": {
                "Name": {
                    "Type": "Pass",
                    "Assign": {
                        "job": "{% 'train-' & $substring($hash($states.input.run), 0, 8) %}"
                    },
                    "Next": "Shape",
                },
                "Shape": {
                    "Type": "Pass",
                    "Output": "{% {'job': $job, 'chunks': $partition($states.input.items, 2), "
                    "'steps': $range(1, 3, 1), 'note': $states.input.note} %}",
                    "End": True,
                },
            },
        },
    )
    result = localcloud.start_and_wait(arn, {"run": "r1", "items": [1, 2, 3], "note": 'say "hi"'})
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output == {
        "job": "train-" + hashlib.sha256(b"r1").hexdigest()[:8],
        "chunks": [[1, 2], [3]],
        "steps": [1, 2, 3],
        "note": 'say "hi"',
    }


def test_string_variables_with_quotes_survive(localcloud: LocalCloud) -> None:
    arn = create_machine(
        localcloud,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Keep",
            "States": {
                "Keep": {
                    "Type": "Pass",
                    "Assign": {"msg": "{% $states.input.msg %}"},
                    "Next": "Use",
                },
                "Use": {
                    "Type": "Pass",
                    "Output": "{% {'msg': $msg, 'n': $length($msg)} %}",
                    "End": True,
                },
            },
        },
    )
    result = localcloud.start_and_wait(arn, {"msg": 'a "quoted" \\ value'})
    assert json.loads(result["output"]) == {"msg": 'a "quoted" \\ value', "n": 18}


def test_evaluation_error_is_states_query_evaluation_error(localcloud: LocalCloud) -> None:
    arn = create_machine(localcloud, _output_machine("{% $hash('x', 'CRC32') %}"))
    result = localcloud.start_and_wait(arn, {})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.QueryEvaluationError"


def test_an_undefined_result_is_a_query_evaluation_error(localcloud: LocalCloud) -> None:
    arn = create_machine(localcloud, _output_machine("{% $states.input.missing %}"))
    result = localcloud.start_and_wait(arn, {"present": 1})
    assert result["status"] == "FAILED"
    assert result["error"] == "States.QueryEvaluationError"
    assert "returned nothing (undefined)" in result["cause"]


def test_null_variables_and_results_stay_null(localcloud: LocalCloud) -> None:
    arn = create_machine(
        localcloud,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Keep",
            "States": {
                "Keep": {"Type": "Pass", "Assign": {"gate": None, "n": 2}, "Next": "Use"},
                "Use": {
                    "Type": "Pass",
                    "Output": "{% {'gate': $gate, 'isNull': $gate = null, "
                    "'input': $states.input.value, 'twice': $n * 2} %}",
                    "End": True,
                },
            },
        },
    )
    result = localcloud.start_and_wait(arn, {"value": None})
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"]) == {
        "gate": None,
        "isNull": True,
        "input": None,
        "twice": 4,
    }


def test_without_the_extension_jsonata_does_not_evaluate() -> None:
    with extensions_disabled("jsonata"), LocalCloud() as cloud:
        arn = create_machine(cloud, _output_machine("{% {'h': $hash('x')} %}"))
        result = cloud.start_and_wait(arn, {})
    assert result["status"] == "FAILED"


def test_an_evaluation_binds_only_what_its_expression_reads(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards the cost: every evaluation converted the whole variable scope and all of `$states`
    # (the execution input within the context object included) into jsonata-python's values.
    from jsonata import Jsonata  # type: ignore[import-untyped]

    seen: dict[str, dict[str, Any]] = {}
    original = Jsonata.evaluate

    def recording(self: Any, data: Any, bindings: Any = None) -> Any:
        seen[str(id(bindings))] = dict(bindings)
        return original(self, data, bindings)

    monkeypatch.setattr(Jsonata, "evaluate", recording)
    reads = "{'b': $b, 'x': $states.input.x, 'sum': $map([1], function($v) { $v + $c })}"
    whole = "$sort($keys($states))"
    arn = create_machine(
        localcloud,
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Set",
            "States": {
                "Set": {
                    "Type": "Pass",
                    "Assign": {"a": 1, "b": {"big": [1, 2, 3]}, "c": 2, "bee": 3},
                    "Next": "Read",
                },
                "Read": {"Type": "Pass", "Output": "{% " + reads + " %}", "Next": "Whole"},
                "Whole": {
                    "Type": "Pass",
                    "Output": "{% {'r': $states.input, 'k': " + whole + "} %}",
                    "End": True,
                },
            },
        },
    )
    result = localcloud.start_and_wait(arn, {"x": None})
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["r"] == {"b": {"big": [1, 2, 3]}, "x": None, "sum": 3}
    # `$states` used whole is bound whole.
    assert {"context", "input"} <= set(output["k"])
    read_bindings = [b for b in seen.values() if set(b) - {"states"} >= {"b", "c"}]
    assert [sorted(b) for b in read_bindings] == [["b", "c", "states"]]
    assert sorted(read_bindings[0]["states"]) == ["input"]
    whole_bindings = [b for b in seen.values() if "states" in b and "context" in b["states"]]
    assert whole_bindings
