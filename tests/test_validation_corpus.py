"""Agreement with external ground truth: asl-validator's test definitions (corpus/asl).

Each invalid case must be rejected for the reason its name gives (the pointer and message family
are asserted), and each valid case accepted. Where AWS's documentation contradicts a case, the
validator follows AWS and the case is listed below with the rule it breaks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl_validation import Problem, validate_definition

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "asl"

# Invalid case -> (pointer the problem is at, words its message contains).
EXPECTED_REASON: dict[str, tuple[str, str]] = {
    "invalid-assign.asl.json": (
        "/States/ProvideTestData/Assign/top-level/array/0/child-1",
        "JSONata syntax error",
    ),
    "invalid-choice-state-variable.json": (
        "/States/ChoiceState/Choices/0/Variable",
        "is an intrinsic function",
    ),
    "invalid-dupe-fields.asl.json": ("/States/PassState/Parameters/dynamic/conflict.$", "both"),
    "invalid-duplicate-fields-nested.json": (
        "/States/Publish to Slack/Parameters/slackMessage/blocks/0/text/type.$",
        "both",
    ),
    "invalid-error-equals.json": ("/States/Testing/Catch/0/Error Equals", "does not allow"),
    "invalid-exercise-ajv.asl.json": ("/States/PassState/InputPath", "is not a JSONPath"),
    "invalid-fail-dupe-error.json": ("/States/Hello/ErrorPath", "exclude each other"),
    "invalid-json-surround-syntax-extra-spaces.json": ("/States/X/Output", "on one line"),
    "invalid-jsonata-path-fields.asl.json": (
        "/States/Verification/Branches/0/States/Check Identity/OutputPath",
        "has no OutputPath",
    ),
    "invalid-jsonata-surround-syntax-no-close.json": ("/States/X/Output", 'written "{%'),
    "invalid-jsonata-surround-syntax-no-open.json": ("/States/X/Output", 'written "{%'),
    "invalid-jsonata-surround-syntax-no-spaces.json": ("/States/X/Output", 'written "{%'),
    "invalid-jsonata-syntax-arithmetic.json": ("/States/X/Output", "JSONata syntax error"),
    "invalid-jsonata-syntax-jsonpath-in-jsonata-surround.json": (
        "/States/X/Output",
        "JSONata syntax error",
    ),
    "invalid-map-distributed.asl.json": (
        "/States/Map/ItemReader/ReaderConfig/MaxItemsPath",
        "exclude each other",
    ),
    "invalid-map-dupe-state.json": ("/States/Map/Iterator/States/Final State", "unique"),
    "invalid-map-item-batcher-dupe-subfields.json": (
        "/States/Map/ItemBatcher/MaxItemsPerBatchPath",
        "exclude each other",
    ),
    "invalid-map-ob-link.json": (
        "/States/Map/Iterator/States/ChoiceState/Choices/1/Next",
        "not a state in this scope",
    ),
    "invalid-map-tolerated-value.json": ("/States/Map/ToleratedFailurePercentage", "at most 100"),
    "invalid-map-tolerated.json": ("/States/Map/ToleratedFailureCountPath", "exclude each other"),
    "invalid-math-add.json": ("/States/validate input/Parameters/foo.$", "States.MathAdd"),
    "invalid-missing-terminal-map.json": ("/States/Map/Iterator/States", "no terminal state"),
    "invalid-missing-terminal-parallel.json": (
        "/States/Parallel/Branches/0/States",
        "no terminal state",
    ),
    "invalid-missing-terminal.json": ("/States", "no terminal state"),
    "invalid-next-with-end.json": ("/States/Send SNS Message/End", "both Next and End"),
    "invalid-parallel-branch-type.json": ("/States/A/Branches/0", "must be a JSON object"),
    "invalid-parallel-ob-link.json": (
        "/States/Parallel/Branches/1/States/ChoiceState/Choices/1/Next",
        "not a state in this scope",
    ),
    "invalid-task-credentials-object.json": (
        "/States/X/Credentials/expectPath.$",
        "is not a JSONPath",
    ),
    "invalid-task-heartbeat.json": ("/States/X/HeartbeatSecondsPath", "exclude each other"),
    "invalid-unreachable-state.json": ("/States/Finished Choice", "never reached"),
    "invalid-wait-duration.json": ("/States/wait_using_seconds/SecondsPath", "exclude each other"),
}

# Valid cases that AWS's documentation rejects: case -> (pointer, message words, the AWS rule).
AWS_CONTRADICTS: dict[str, tuple[str, str, str]] = {
    "valid-map-with-item-batcher-jsonata.json": (
        "/States/Map/ItemProcessor/States/LambdaTask/QueryLanguage",
        "inside a JSONata scope",
        "AWS Step Functions Developer Guide, 'State machine structure', QueryLanguage: "
        "'When the top-level state machine query language is JSONPath, individual states can "
        "override the query language by setting QueryLanguage to JSONata ... You cannot revert "
        "a top-level JSONata-based state machine to a mix of JSONata and JSONPath states.' "
        "(https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html)",
    ),
    "valid-task-credentials.json": (
        "/States/X/Credentials",
        "name no role",
        "CreateStateMachine rejects Credentials without RoleArn: 'SCHEMA_VALIDATION_FAILED: The "
        "field 'RoleArn' is required but was missing at /States/State0/Credentials' (recorded "
        "AWS outcome, sfn-executions case credentials_..._INVALID_CREDENTIALS_FIELD)",
    ),
}

# Valid only as deployment templates: the placeholders are substituted before AWS sees them.
TEMPLATE_CASES = {
    "valid-cfn-definition-substitutions.json": "Resource is a ${...} DefinitionSubstitutions "
    "placeholder; the service API requires an ARN once substituted",
    "valid-task-intrisic-function.json": "Resource is a CloudFormation Ref / Fn::GetAtt object; "
    "the service API requires an ARN string once the template is resolved",
}


_MISSING = f"corpus not present at {CORPUS} (it lives beside the repository, not in it)"


def _cases(folder: str) -> list[Path]:
    directory = CORPUS / folder
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def _params(folder: str) -> list[object]:
    paths = _cases(folder)
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason=_MISSING), id="corpus-missing")]
    return [pytest.param(path, id=path.name) for path in paths]


def _require_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(_MISSING)


def _validate(path: Path) -> list[Problem]:
    return validate_definition(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", _params("invalid"))
def test_invalid_case_is_rejected_for_its_reason(path: Path) -> None:
    pointer, words = EXPECTED_REASON[path.name]
    problems = _validate(path)
    assert any(p.pointer == pointer and words in p.message for p in problems), problems


@pytest.mark.parametrize("path", _params("valid"))
def test_valid_case_is_accepted(path: Path) -> None:
    problems = _validate(path)
    if path.name in AWS_CONTRADICTS:
        pointer, words, _rule = AWS_CONTRADICTS[path.name]
        assert [(p.pointer, words in p.message) for p in problems] == [(pointer, True)]
    else:
        assert problems == []


def test_every_invalid_case_has_an_expected_reason() -> None:
    _require_corpus()
    assert {path.name for path in _cases("invalid")} == set(EXPECTED_REASON)


def test_corpus_agreement_count() -> None:
    _require_corpus()
    cases = [(path, False) for path in _cases("invalid")] + [
        (path, True) for path in _cases("valid")
    ]
    agree = [path.name for path, valid in cases if (not _validate(path)) == valid]
    disagree = sorted({path.name for path, _ in cases} - set(agree))
    # Agreement counts a case as agreeing when the validator matches its folder, or when AWS's
    # documentation contradicts the folder and the validator follows AWS (the rule).
    print(
        f"asl corpus: {len(agree) + len(disagree)}/{len(cases)} agree "
        f"({len(agree)} as their folder says, {len(disagree)} by a cited AWS rule)"
    )
    for name in disagree:
        print(f"  {name}: the validator follows AWS: {AWS_CONTRADICTS[name][2]}")
    for name, why in TEMPLATE_CASES.items():
        print(f"  {name}: accepted as a template ({why})")
    assert disagree == sorted(AWS_CONTRADICTS)
    assert len(cases) == 72
