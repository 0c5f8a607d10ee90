"""The data schema every job script works from: `model.json`, beside the scripts.

`model.json` travels in the same source folder as the scripts and says:

    {"problem": "binary" | "multiclass" | "regression",
     "target": "<column name>",
     "features": [{"name": "<column>", "type": "numeric" | "categorical"}, ...],
     "estimator": "gradient_boosting" | "random_forest" | "linear" | <your own train.py's>}

The order of `features` is the order of the header-less CSV fields the endpoint accepts and
that data capture records. Category values are never listed: the jobs learn them from the
training data.

What this module exposes, for the job scripts and for a user's own train.py
(`from schema import FEATURES, TARGET`):

    PROBLEM               "binary" | "multiclass" | "regression"
    TARGET (= LABEL)      the target column
    FEATURES              every feature name, in model.json's order
    NUMERIC_FEATURES      the numeric ones, in that order
    CATEGORICAL_FEATURES  the categorical ones, in that order
    COLUMNS               FEATURES then TARGET
    ESTIMATOR             "gradient_boosting" | "random_forest" | "linear"
    MODEL_FILE            the model.json read
    load_model(path)      a ModelSchema from any model.json, checked

model.json is read once, when a name above is first used (not when schema is imported): a job
that imports `schema` and uses its names inside its main function reports a missing or invalid
model.json as it reports any bad input, in its failure file (errors.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from errors import JobInputError

MODEL_FILE = Path(__file__).with_name("model.json")
PROBLEMS = ("binary", "multiclass", "regression")
ESTIMATORS = ("gradient_boosting", "random_forest", "linear")
FEATURE_TYPES = ("numeric", "categorical")
KEYS = ("problem", "target", "features", "estimator")

# Bound on first use by __getattr__ below; declared here for readers and type checkers.
PROBLEM: str
TARGET: str
LABEL: str
FEATURES: tuple[str, ...]
NUMERIC_FEATURES: tuple[str, ...]
CATEGORICAL_FEATURES: tuple[str, ...]
COLUMNS: tuple[str, ...]
ESTIMATOR: str


@dataclass(frozen=True)
class ModelSchema:
    problem: str
    target: str
    features: tuple[tuple[str, str], ...]  # (name, type), in model.json's order
    estimator: str

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.features)

    def of_type(self, kind: str) -> tuple[str, ...]:
        return tuple(name for name, feature_type in self.features if feature_type == kind)


def load_model(path: Path = MODEL_FILE) -> ModelSchema:
    """The checked contents of `path`; JobInputError naming the file and what is wrong."""
    if not path.is_file():
        raise JobInputError(
            f"{path} not found; the job's source folder must hold model.json beside the scripts "
            f'({{"problem", "target", "features", "estimator"}})'
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JobInputError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise JobInputError(f"{path} must hold a JSON object with keys {list(KEYS)}")
    missing = [key for key in KEYS if key not in document]
    unknown = sorted(set(document) - set(KEYS))
    if missing or unknown:
        raise JobInputError(
            f"{path}: missing key(s) {missing}, unknown key(s) {unknown}; "
            f"model.json takes exactly {list(KEYS)}"
        )
    problem = _choice(path, "problem", document["problem"], PROBLEMS)
    # Any name: a project's own train.py may declare estimators of its own; the built-in
    # train.py refuses one it does not build (estimators.py).
    estimator = document["estimator"]
    if not isinstance(estimator, str) or not estimator.strip():
        raise JobInputError(
            f"{path}: estimator must be a name such as {', '.join(ESTIMATORS)}, got {estimator!r}"
        )
    target = document["target"]
    if not isinstance(target, str) or not target.strip():
        raise JobInputError(f"{path}: target must be the target column's name, got {target!r}")
    features = _features(path, document["features"])
    if target in {name for name, _ in features}:
        raise JobInputError(f"{path}: target '{target}' is also listed among the features")
    return ModelSchema(problem, target, features, estimator)


def _choice(path: Path, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise JobInputError(f"{path}: {key} must be one of {list(allowed)}, got {value!r}")
    return str(value)


def _features(path: Path, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise JobInputError(
            f'{path}: features must be a non-empty list of {{"name", "type"}} objects'
        )
    features: list[tuple[str, str]] = []
    for index, entry in enumerate(value):
        where = f"{path}: features[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"name", "type"}:
            raise JobInputError(f'{where} must be an object with exactly "name" and "type"')
        name, kind = entry["name"], entry["type"]
        if not isinstance(name, str) or not name.strip():
            raise JobInputError(f"{where}: name must be a column name, got {name!r}")
        if kind not in FEATURE_TYPES:
            raise JobInputError(f"{where} ({name}): type must be one of {list(FEATURE_TYPES)}")
        if name in {seen for seen, _ in features}:
            raise JobInputError(f"{where}: feature '{name}' is listed twice")
        features.append((name, kind))
    return tuple(features)


@cache
def model() -> ModelSchema:
    """model.json beside this file, read once."""
    return load_model(MODEL_FILE)


def __getattr__(name: str) -> Any:
    spec = model() if name in _NAMES else None
    if spec is None:
        raise AttributeError(f"module 'schema' has no attribute {name!r}")
    values: dict[str, Any] = {
        "PROBLEM": spec.problem,
        "TARGET": spec.target,
        "LABEL": spec.target,
        "FEATURES": spec.feature_names,
        "NUMERIC_FEATURES": spec.of_type("numeric"),
        "CATEGORICAL_FEATURES": spec.of_type("categorical"),
        "COLUMNS": (*spec.feature_names, spec.target),
        "ESTIMATOR": spec.estimator,
    }
    return values[name]


_NAMES = frozenset(
    (
        "PROBLEM",
        "TARGET",
        "LABEL",
        "FEATURES",
        "NUMERIC_FEATURES",
        "CATEGORICAL_FEATURES",
        "COLUMNS",
        "ESTIMATOR",
    )
)
