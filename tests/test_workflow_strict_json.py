"""Definitions are strict JSON: a number that is not finite never reaches the ASL, whatever
settings object a builder is given (the settings loader refuses them in files; these guard the
builders against one made in code)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from environments.settings import load_settings
from workflows.generate import dump, render
from workflows.machine import DefinitionError
from workflows.machines.drift_check import build_drift_check
from workflows.machines.retrain import build_retrain

SETTINGS = load_settings("dev")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_retrain_refuses_a_non_finite_threshold_naming_where(bad: float) -> None:
    # Before: the definition held a bare NaN (not JSON) and validation passed it.
    settings = dataclasses.replace(SETTINGS, thresholds={**SETTINGS.thresholds, "auc": bad})
    with pytest.raises(DefinitionError) as caught:
        build_retrain(settings).to_asl()
    [problem] = caught.value.problems
    assert problem.pointer.endswith("/Arguments/Payload/thresholds/auc")
    assert problem.message.startswith(f"{bad} is not a finite number, which JSON cannot hold")


def test_drift_check_refuses_a_non_finite_psi_threshold() -> None:
    drift = dataclasses.replace(SETTINGS.drift, psi_threshold=float("inf"))
    with pytest.raises(ValueError, match=r"drift\.psi_threshold: inf is not a finite number"):
        build_drift_check(dataclasses.replace(SETTINGS, drift=drift))


def test_dump_writes_strict_json_only() -> None:
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        dump({"x": float("nan")})


def test_rendered_definitions_parse_as_strict_json() -> None:
    def refuse(constant: str) -> None:
        raise AssertionError(f"non-JSON constant {constant}")

    definitions = {n: t for n, t in render(SETTINGS).items() if n.endswith(".asl.json")}
    assert len(definitions) == 3
    for text in definitions.values():
        json.loads(text, parse_constant=refuse)
