"""`parsed_json_paths`: a JSONPath is parsed once per text, not at every use; the shared parse
gives every execution its own result. EventBridge's InputTransformer paths are parsed once too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.event_routing import transform_input
from localcloud.extensions import extensions_disabled
from tests.localcloud_helpers import create_machine

PATHS = {
    "StartAt": "Pick",
    "States": {
        "Pick": {
            "Type": "Pass",
            "InputPath": "$.order",
            "Parameters": {"doubled.$": "States.MathAdd($.amount, $.amount)"},
            "ResultPath": "$.computed",
            "OutputPath": "$.computed",
            "End": True,
        }
    },
}


def _counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter of jsonpath_ng's parser runs from now on."""
    from jsonpath_ng.parser import JsonPathParser

    parses = [0]
    parse = JsonPathParser.parse

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        parses[0] += 1
        return parse(self, *args, **kwargs)

    monkeypatch.setattr(JsonPathParser, "parse", counted)
    return parses


def _parses(cloud: LocalCloud, runs: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """jsonpath_ng parses made by each of `runs` executions, and the outputs checked."""
    parses = _counted_parses(monkeypatch)
    arn = create_machine(cloud, PATHS)
    made = []
    for amount in range(runs):
        before = parses[0]
        result = cloud.start_and_wait(arn, {"order": {"amount": amount}})
        assert json.loads(result["output"]) == {"doubled": 2 * amount}
        made.append(parses[0] - before)
    return made


def test_a_json_path_is_parsed_once(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first run may find its paths parsed already (the cache is the process's).
    _, *later = _parses(localcloud, 3, monkeypatch)
    assert later == [0, 0]


def test_without_the_extension_every_execution_parses_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with extensions_disabled("parsed_json_paths"), LocalCloud() as cloud:
        first, *later = _parses(cloud, 3, monkeypatch)
    assert later == [first, first] and first > 0


def test_an_input_transformers_paths_are_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    transformer = {
        "InputPathsMap": {"bucket": "$.detail.bucket.name", "key": "$.detail.object.key"},
        "InputTemplate": '{"uri": "s3://<bucket>/<key>"}',
    }
    parses = _counted_parses(monkeypatch)
    outputs = []
    for key in ("first.csv", "second.csv"):
        event = {"detail": {"bucket": {"name": "inputs"}, "object": {"key": key}}}
        outputs.append(json.loads(transform_input(transformer, event, "arn", "rule", "now")))
        if key == "first.csv":
            first = parses[0]
    assert outputs == [{"uri": "s3://inputs/first.csv"}, {"uri": "s3://inputs/second.csv"}]
    assert parses[0] == first  # the second event's paths were parsed already
