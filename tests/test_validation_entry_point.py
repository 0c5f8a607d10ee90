"""One validation for `make asl`, the deploy's preflight and `python -m workflows validate`:
each runs the graph check once per definition, and request bodies are checked where asked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asl_validation import graph, validate_definition
from asl_validation.cli import main
from deploy.preflight import build_definitions
from environments.settings import load_settings
from workflows.generate import render
from workflows.machines import build_all

MISSPELT = {
    "StartAt": "Notify",
    "States": {
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Mesage": "x"},
            "End": True,
        }
    },
}


@pytest.fixture
def graph_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts graph checks: `_check_names` runs once per `check_graph`, however it was imported."""
    calls: list[int] = []
    original = graph._check_names

    def counting(*args: Any) -> Any:
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(graph, "_check_names", counting)
    return calls


@pytest.mark.parametrize(
    "validate",
    [
        lambda: render(load_settings("dev")),
        lambda: build_definitions(build_all(load_settings("dev"))),
    ],
    ids=["make asl", "deploy preflight"],
)
def test_the_graph_is_checked_once_per_definition(
    graph_checks: list[int], validate: Callable[[], object]
) -> None:
    validate()
    assert len(graph_checks) == len(build_all(load_settings("dev")))


def test_the_cli_checks_the_graph_once(graph_checks: list[int], tmp_path: Path) -> None:
    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps(MISSPELT))
    assert main([str(path)]) == 0
    assert len(graph_checks) == 1


def test_the_cli_checks_request_bodies_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # CreateStateMachine accepts a misspelt member, so by default the definition is valid.
    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps(MISSPELT))
    assert main([str(path)]) == 0
    assert main(["--requests", str(path)]) == 1
    misspelt, missing = capsys.readouterr().out.splitlines()
    assert misspelt.startswith(
        f"{path}: /States/Notify: Publish.Mesage: not a member of PublishInput; members are "
    )
    assert (
        missing == f"{path}: /States/Notify: Publish.Message: required by PublishInput but missing"
    )


def test_a_jsonpath_member_given_by_path_is_a_member() -> None:
    # "Message.$" sends Message, taken from the state's input at run time.
    notify = MISSPELT["States"]["Notify"]
    parameters = {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message.$": "$.text"}
    definition = {**MISSPELT, "States": {"Notify": {**notify, "Parameters": parameters}}}
    assert validate_definition(definition, requests=True) == []
    parameters["Subjet.$"] = "$.subject"
    [problem] = validate_definition(definition, requests=True)
    assert (problem.pointer, problem.message.split(":")[0]) == (
        "/States/Notify",
        "Publish.Subjet.$",
    )
