"""The model a project trains: its data schema, problem type, estimator and quality gate.

Settings hold them under ``model`` and ``quality_gate``; the job scripts read the same facts from
``model.json`` in their code bundle (`ModelSpec.job_file`), so what the settings say is what the
jobs do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from environments.settings_yaml import shorten
from tasks.metrics import (
    MAX_REGRESSION_KEY,
    METRICS,
    REPORT_SECTIONS,
    TRAINING_METRICS,
    Problem,
)

FeatureType = Literal["numeric", "categorical"]
DEFAULT_ESTIMATOR = "gradient_boosting"
JOB_FILE = "model.json"


@dataclass(frozen=True)
class Feature:
    name: str
    type: FeatureType


@dataclass(frozen=True)
class ModelSpec:
    problem: Problem
    target: str
    # In the order of the header-less CSV fields the endpoint takes and data capture keeps.
    features: tuple[Feature, ...]
    estimator: str = DEFAULT_ESTIMATOR

    @property
    def report_section(self) -> str:
        return REPORT_SECTIONS[self.problem]

    @property
    def training_metrics(self) -> tuple[str, ...]:
        return TRAINING_METRICS[self.problem]

    def job_file(self) -> bytes:
        """``model.json``, the schema the job scripts read beside themselves."""
        document = {
            "problem": self.problem,
            "target": self.target,
            "features": [{"name": f.name, "type": f.type} for f in self.features],
            "estimator": self.estimator,
        }
        return (json.dumps(document, indent=1) + "\n").encode("utf-8")


def parse_model(section: Mapping[str, Any], source: str) -> tuple[ModelSpec | None, list[str]]:
    """The ``model`` section (already shape-checked by the settings schema) and its problems."""
    features = tuple(Feature(name, kind) for name, kind in section["features"].items())
    target = section["target"]
    problems: list[str] = []
    if target in section["features"]:
        problems.append(
            f"{source}: model.features.{target}: the target column cannot also be a feature; "
            "remove it from model.features"
        )
    for feature in features:
        if "," in feature.name or not feature.name.strip():
            problems.append(
                f"{source}: model.features.{shorten(repr(feature.name))}: a column name must be "
                "non-blank and without commas (endpoint requests are CSV rows)"
            )
    spec = ModelSpec(
        problem=section["problem"],
        target=target,
        features=features,
        estimator=section.get("estimator", DEFAULT_ESTIMATOR),
    )
    return (None if problems else spec), problems


def check_gate(problem: Problem, gate: Mapping[str, float], source: str) -> list[str]:
    """One line per quality-gate key that the problem type has no metric of, or whose threshold
    cannot be met; [] when the gate is usable."""
    known = METRICS[problem]
    names = [name for name in gate if name != MAX_REGRESSION_KEY]
    problems: list[str] = []
    if not names:
        problems.append(
            f"{source}: quality_gate: names no metric; add one or more of {', '.join(known)}"
        )
    for name in names:
        metric = known.get(name)
        if metric is None:
            problems.append(
                f"{source}: quality_gate.{name}: not a {problem} metric; "
                f"use {', '.join(known)} (or change model.problem)"
            )
        elif metric.ratio and not 0 <= gate[name] <= 1:
            problems.append(f"{source}: quality_gate.{name}: {gate[name]} must be from 0 to 1")
        elif name == "r2" and gate[name] > 1:
            problems.append(
                f"{source}: quality_gate.r2: {gate[name]} is above 1, which no model reaches"
            )
        elif not metric.higher_is_better and gate[name] < 0:
            problems.append(f"{source}: quality_gate.{name}: {gate[name]} must be at least 0")
    return problems
