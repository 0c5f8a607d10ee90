"""validate_definition and the CLI on single-fault definitions, one rule at a time."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from asl_validation import validate_definition
from asl_validation.cli import main
from asl_validation.expressions import intrinsic_error, path_error, reference_path_error
from asl_validation.schema import _validator, passes_fast_check

LAMBDA = "arn:aws:states:::lambda:invoke"


def _task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}


def _one(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": state}, **top}


def _pointers(definition: dict[str, Any]) -> dict[str, str]:
    return {p.pointer: p.message for p in validate_definition(definition)}


@pytest.mark.parametrize(
    ("definition", "pointer", "words"),
    [
        (
            _one(_task(Retry=[{"ErrorEquals": ["States.ALL", "X"]}])),
            "/States/S/Retry/0/ErrorEquals",
            "alone",
        ),
        (
            _one(
                _task(
                    Catch=[
                        {"ErrorEquals": ["States.ALL"], "Next": "S"},
                        {"ErrorEquals": ["X"], "Next": "S"},
                    ]
                )
            ),
            "/States/S/Catch/0/ErrorEquals",
            "last",
        ),
        (
            _one(_task(Retry=[{"ErrorEquals": ["States.Timout"]}])),
            "/States/S/Retry/0/ErrorEquals/0",
            "reserved",
        ),
        (_one(_task(Arguments={"a": 1})), "/States/S/Arguments", "QueryLanguage JSONPath"),
        (
            _one(_task(Parameters={"a": 1}), QueryLanguage="JSONata"),
            "/States/S/Parameters",
            "use Arguments",
        ),
        (
            _one(_task(Arguments={"a.$": "$.x"}), QueryLanguage="JSONata"),
            "/States/S/Arguments/a.$",
            '".$"',
        ),
        (
            _one(_task(QueryLanguage="JSONPath"), QueryLanguage="JSONata"),
            "/States/S/QueryLanguage",
            "JSONata scope",
        ),
        (_one(_task(TimeoutSeconds="{% 5 %}")), "/States/S/TimeoutSeconds", "only JSONata"),
        (
            _one(_task(TimeoutSeconds=10, HeartbeatSeconds=10)),
            "/States/S/HeartbeatSeconds",
            "shorter",
        ),
        (_one(_task(Resource="lambda")), "/States/S/Resource", "not an ARN"),
        (_one(_task(ResultPath="$..x")), "/States/S/ResultPath", "Reference Path"),
        (
            _one(_task(Parameters={"x.$": "States.Nope(1)"})),
            "/States/S/Parameters/x.$",
            "not an intrinsic",
        ),
        (_one(_task(Parameters={"x.$": "States.UUID(1)"})), "/States/S/Parameters/x.$", "takes 0"),
        (
            _one(_task(Output="{% $states.input. %}"), QueryLanguage="JSONata"),
            "/States/S/Output",
            "syntax",
        ),
        (_one({"Type": "Wait", "End": True}), "/States/S", "neither how long"),
        (
            _one({"Type": "Wait", "Timestamp": "tomorrow", "End": True}),
            "/States/S/Timestamp",
            "RFC 3339",
        ),
        (_one({"Type": "Pass", "Bogus": 1, "End": True}), "/States/S/Bogus", "does not allow"),
        (_one({"Type": "Nope", "End": True}), "/States/S/Type", "use one of"),
        (_one({"Type": "Map", "End": True}), "/States/S", "no ItemProcessor"),
        (
            _one(
                {
                    "Type": "Map",
                    "End": True,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED"},
                        "StartAt": "P",
                        "States": {"P": {"Type": "Succeed"}},
                    },
                }
            ),
            "/States/S/ItemProcessor/ProcessorConfig",
            "ExecutionType",
        ),
        (
            _one({"Type": "Choice", "Choices": [{"Next": "S"}]}),
            "/States/S/Choices/0",
            "exactly one",
        ),
        (
            _one(
                {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.x", "NumericEquals": "1", "Next": "S"}],
                }
            ),
            "/States/S/Choices/0/NumericEquals",
            "a number",
        ),
        (
            _one(
                {
                    "Type": "Choice",
                    "Choices": [
                        {"And": [{"Variable": "$.x", "IsNull": True, "Next": "S"}], "Next": "S"}
                    ],
                }
            ),
            "/States/S/Choices/0/And/0/Next",
            "only on top-level",
        ),
        (
            _one({"Type": "Choice", "Choices": [{"Not": {"IsNull": True}, "Next": "S"}]}),
            "/States/S/Choices/0/Not",
            "needs Variable",
        ),
        (
            _one(
                {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "S"}]},
                QueryLanguage="JSONata",
            ),
            "/States/S/Choices/0/Variable",
            "Condition",
        ),
        (
            _one(
                {"Type": "Choice", "Choices": [{"Condition": "{% $x = %}", "Next": "S"}]},
                QueryLanguage="JSONata",
            ),
            "/States/S/Choices/0/Condition",
            "syntax",
        ),
    ],
)
def test_single_fault_is_reported_where_it_is(
    definition: dict[str, Any], pointer: str, words: str
) -> None:
    found = _pointers(definition)
    assert pointer in found, found
    assert words in found[pointer]


@pytest.mark.parametrize(
    "definition",
    [
        _one(_task(Retry=[{"ErrorEquals": ["X"]}, {"ErrorEquals": ["States.ALL"]}])),
        _one(_task(Assign={"v.$": "$.x", "w": 1})),
        _one(
            _task(Arguments={"a": "{% $states.input.x %}"}, TimeoutSeconds="{% 5 %}"),
            QueryLanguage="JSONata",
        ),
        _one(_task(QueryLanguage="JSONata", Output="{% $states.result %}")),
        {
            "StartAt": "S",
            "States": {
                "S": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.x", "StringMatches": "a*", "Next": "D"}],
                    "Default": "D",
                },
                "D": {"Type": "Succeed"},
            },
        },
        _one(
            _task(
                Parameters={
                    "f.$": "States.Format('{} {}', $.a, States.ArrayLength($.b))",
                    "c.$": "$$.Execution.Id",
                }
            )
        ),
        _one(_task(Resource="${FunctionArn}")),
    ],
)
def test_valid_definitions_pass(definition: dict[str, Any]) -> None:
    assert validate_definition(definition) == []


def test_paths_and_intrinsics() -> None:
    assert path_error("$.a[0].b['c d'][?(@.x > 1)]") is None
    assert path_error("$myVar.field") is None
    assert path_error("a.b") is not None
    assert path_error("$.a[") is not None
    assert reference_path_error("$.a[0].b") is None
    assert reference_path_error("$.a[*]") is not None
    assert intrinsic_error("States.MathAdd($.a, -1)") is None
    assert intrinsic_error("States.Format('it\\'s {}', $.a)") is None
    assert intrinsic_error("States.Format('{}', $.a") is not None


def test_fast_structural_check_agrees_with_jsonschema() -> None:
    """The fast pre-check may only accept what the Draft 2020-12 validator accepts."""
    base = _one(_task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 2}], TimeoutSeconds=5))
    mutations: list[dict[str, Any]] = [base]
    for field, value in [
        ("TimeoutSeconds", 0),
        ("TimeoutSeconds", "x"),
        ("Retry", [{"ErrorEquals": []}]),
        ("Retry", [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]),
        ("Credentials", 3),
        ("Unknown", 1),
        ("Resource", {"Fn::GetAtt": ["a", "Arn"]}),
        ("Resource", {"Other": 1}),
    ]:
        mutated = copy.deepcopy(base)
        mutated["States"]["S"][field] = value
        mutations.append(mutated)
    for definition in mutations:
        assert passes_fast_check(definition) == _validator().is_valid(definition), definition


def test_cli_reports_problems_with_file_and_pointer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_one(_task())))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_one({"Type": "Pass", "Next": "Nowhere"})))
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{bad}: /States/S/Next: " in out[0]
    assert all(line.startswith(f"{bad}: /") for line in out)


def test_cli_usage_and_unreadable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main([]) == 2
    assert main([str(tmp_path / "missing.json")]) == 2
    assert main([str(broken)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "not valid JSON" in err and "cannot read the file" in err


def test_cli_reports_duplicate_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"StartAt": "S", "States": {"S": {"Type": "Pass", "End": true, "End": true}}}')
    assert main([str(path)]) == 1
    assert "/States/S/End: " in capsys.readouterr().out


def test_cli_reads_standard_input_for_dash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(_one({"Type": "Pass", "Next": "X"}))))
    assert main(["-"]) == 1
    assert capsys.readouterr().out.startswith("-: /States/S/Next: ")
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(_one(_task()))))
    assert main(["-"]) == 0


def test_the_asl_schema_is_a_valid_json_schema() -> None:
    # Checked here, not on first use: every process that validates would pay for it.
    from jsonschema import Draft202012Validator, SchemaError

    from asl_validation.schema import load_schema

    Draft202012Validator.check_schema(load_schema())
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema({**load_schema(), "type": "not-a-type"})


def test_definitions_checked_before_and_after_the_fast_check_is_compiled_agree() -> None:
    from asl_validation import schema

    bad = _one(_task(TimeoutSeconds="x"))
    good = _one(_task())
    answers = [(schema.check_schema(bad), schema.check_schema(good))]
    for _ in range(schema.COMPILE_AFTER):
        answers.append((schema.check_schema(bad), schema.check_schema(good)))
    assert all(answer == answers[0] for answer in answers)
    assert answers[0][0] and answers[0][1] == []
