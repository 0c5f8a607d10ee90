"""Agreement with AWS's recorded outcomes (shared/corpus/sfn-executions) and AWS's Resource forms.

Every `execution` case's definition was accepted by CreateStateMachine, so the validator must
accept it (a rejection there would block a definition AWS runs); every `create`/`validate` case
records what AWS refused or accepted, and the validator must agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl_validation import validate_definition
from asl_validation.diagnostics import definition_diagnostics

CASES = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "sfn-executions"


def _cases(kinds: set[str]) -> list[dict[str, Any]]:
    if not CASES.is_dir():
        print(f"skipped: recorded AWS outcomes not present at {CASES}")
        pytest.skip(f"recorded AWS outcomes not present at {CASES}")
    found = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CASES.glob("*.json"))]
    return [case for case in found if case["kind"] in kinds]


def test_every_definition_aws_ran_is_accepted() -> None:
    cases = _cases({"execution"})
    rejected = {
        case["name"]: [str(problem) for problem in problems]
        for case in cases
        if (problems := validate_definition(json.loads(case["definition"])))
    }
    assert len(cases) > 600
    assert rejected == {}


def test_create_and_validate_cases_agree_with_aws() -> None:
    cases = _cases({"create", "validate"})
    disagree = []
    for case in cases:
        refused = bool(definition_diagnostics(case["definition"]))
        if refused != (case["expected"]["status"] in {"FAIL", "CREATE_FAILED"}):
            disagree.append(case["name"])
    assert len(cases) == 16
    assert disagree == []


def _task(resource: str) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:train",
        "arn:aws:lambda:us-east-1:123456789012:function:train:$LATEST",
        "arn:aws:lambda:us-east-1:123456789012:function:train:live",
        "arn:aws:states:us-east-1:123456789012:activity:approve",
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::sagemaker:createTrainingJob.sync",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
        "arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken",
        "arn:aws-cn:states:::sns:publish",
    ],
)
def test_resource_forms_aws_accepts(resource: str) -> None:
    assert validate_definition(_task(resource)) == []


@pytest.mark.parametrize(
    ("resource", "words"),
    [
        ("arn:aws:states:::lambda:invoke.sync", "does not support"),
        ("arn:aws:states:::sagemaker:createTrainingJob.waitForTaskToken", "does not support"),
        ("arn:aws:states:::aws-sdk:sagemaker:createTrainingJob.sync", "do not support"),
        ("arn:aws:states:::sagemaker:createTrainingJob.sync:2", "does not support"),
        ("arn:aws:states:::aws-sdk:describeEndpoint", "names no service"),
        ("arn:aws:states:::s3:getObject", "not an optimized integration"),
        ("arn:aws:lambda:us-east-1:123456789012:train", "not a Lambda function ARN"),
        ("arn:aws:states:::lambda:invoke:extra", "more parts"),
        ("lambda", "not an ARN"),
    ],
)
def test_resource_forms_aws_refuses(resource: str, words: str) -> None:
    problems = validate_definition(_task(resource))
    assert [(p.pointer, p.code, words in p.message) for p in problems] == [
        ("/States/T/Resource", "INVALID_RESOURCE", True)
    ]


@pytest.mark.parametrize(
    ("argument", "valid"),
    [("'it\\'s'", True), ("'\\{\\}'", True), ("'a\\\\b'", True), ("'say \\\"hi\\\"'", False)],
)
def test_intrinsic_string_escapes(argument: str, valid: bool) -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Parameters": {"x.$": f"States.Format({argument})"}, "End": True}
        },
    }
    assert (validate_definition(definition) == []) is valid


def test_credentials_need_a_role() -> None:
    definition = _task("arn:aws:states:::lambda:invoke")
    definition["States"]["T"]["Credentials"] = {}
    assert [str(p.pointer) for p in validate_definition(definition)] == ["/States/T/Credentials"]
    definition["States"]["T"]["Credentials"] = {"RoleArn.$": "$.role"}
    assert validate_definition(definition) == []


def test_aws_words_for_refusals() -> None:
    assert [d.as_dict() for d in definition_diagnostics("{}")] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [States, StartAt]",
            "location": "/",
        }
    ]
    (bad_json,) = definition_diagnostics("not a definition")
    assert bad_json.code == "INVALID_JSON_DESCRIPTION"
    assert bad_json.message.startswith("Unrecognized token 'not'")
    assert bad_json.message.endswith("line: 1, column: 4]")
