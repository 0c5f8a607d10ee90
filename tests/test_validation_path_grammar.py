"""Which paths each path field takes: Path or Reference Path, and whether it may start at a
variable ($name) or the context object ($$). Each refusal is paired with the accepted form.

Sources (AWS Step Functions developer guide): "Paths" (InputPath and OutputPath take a Path,
ResultPath a Reference Path), "Specifying state output using ResultPath" (ResultPath places the
result in the state input), "ItemsPath (Map, JSONPath only)" (a Reference Path), "Fail workflow
state" (ErrorPath and CausePath: a reference path or one of seven string intrinsic functions).
"""

from __future__ import annotations

from typing import Any

import pytest

from asl_validation import validate_definition

LAMBDA = "arn:aws:states:::lambda:invoke"


def _one(state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": state}}


def _pass(**fields: Any) -> dict[str, Any]:
    return _one({"Type": "Pass", "End": True, **fields})


def _catch(result_path: str) -> dict[str, Any]:
    catcher = {"ErrorEquals": ["States.ALL"], "ResultPath": result_path, "Next": "Done"}
    task = {"Type": "Task", "Resource": LAMBDA, "End": True, "Catch": [catcher]}
    return {"StartAt": "S", "States": {"S": task, "Done": {"Type": "Succeed"}}}


def _fail(**fields: Any) -> dict[str, Any]:
    return _one({"Type": "Fail", **fields})


def _problems(definition: dict[str, Any]) -> dict[str, str]:
    return {p.pointer: p.message for p in validate_definition(definition)}


# (accepted, refused, pointer of the refusal, words the refusal must say)
SIDE_BY_SIDE = [
    # ResultPath writes into the state input: not into a variable (Assign does that)...
    (_pass(ResultPath="$.x"), _pass(ResultPath="$x"), "/States/S/ResultPath", "Assign"),
    (_pass(ResultPath="$"), _pass(ResultPath="$x.y"), "/States/S/ResultPath", "variable $x"),
    # ...nor into the read-only context object.
    (
        _pass(ResultPath="$.context"),
        _pass(ResultPath="$$.Execution"),
        "/States/S/ResultPath",
        "context object",
    ),
    (_catch("$.error"), _catch("$error"), "/States/S/Catch/0/ResultPath", "Assign"),
    (_catch("$.error"), _catch("$$.State"), "/States/S/Catch/0/ResultPath", "read-only"),
    # ErrorPath and CausePath are Reference Paths (a variable or $$ may start them)...
    (
        _fail(ErrorPath="$.errors[0]"),
        _fail(ErrorPath="$..error"),
        "/States/S/ErrorPath",
        "Reference",
    ),
    (
        _fail(CausePath="$$.State.Name"),
        _fail(CausePath="$.causes[*]"),
        "/States/S/CausePath",
        "single",
    ),
    # ...or one of the intrinsic functions that return a string.
    (
        _fail(ErrorPath="States.Format('E{}', $.code)"),
        _fail(ErrorPath="States.MathAdd($.a, 1)"),
        "/States/S/ErrorPath",
        "States.Format",
    ),
    (
        _fail(CausePath="States.JsonToString($.detail)"),
        _fail(CausePath="States.ArrayLength($.items)"),
        "/States/S/CausePath",
        "does not return a string",
    ),
]


@pytest.mark.parametrize(("accepted", "refused", "pointer", "words"), SIDE_BY_SIDE)
def test_path_field_refusals(
    accepted: dict[str, Any], refused: dict[str, Any], pointer: str, words: str
) -> None:
    assert _problems(accepted) == {}
    problems = _problems(refused)
    assert list(problems) == [pointer]
    assert words in problems[pointer]
    assert pointer.rsplit("/", 1)[1] in problems[pointer]  # the message names the field


@pytest.mark.parametrize(
    "definition",
    [
        # AWS ran these (the recorded corpus): variables and $$ where the guide allows paths.
        _pass(InputPath="$answer", OutputPath="$resultVar"),
        _one(
            {
                "Type": "Map",
                "ItemsPath": "$items",
                "End": True,
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
            }
        ),
        _one({"Type": "Task", "Resource": LAMBDA, "TimeoutSecondsPath": "$timeout", "End": True}),
        _fail(ErrorPath="$$.State.Name", CausePath="$$.StateMachine.Name"),
        _pass(Parameters={"a.$": "$x", "b.$": "$$.Execution.Id", "c.$": "$[*]"}),
        # InputPath and OutputPath take a full Path, so descent and wildcards stay accepted.
        _pass(InputPath="$..a", OutputPath="$.items[*].id"),
        # ResultPath null discards the result.
        _pass(ResultPath=None),
    ],
)
def test_paths_aws_accepts_stay_accepted(definition: dict[str, Any]) -> None:
    assert _problems(definition) == {}
