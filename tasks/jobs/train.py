"""Training job (scikit-learn container, script mode): fit a gradient-boosting churn model on
the preprocessed train channel with the transformer from the preprocessing job, and save
`model.joblib` = Pipeline(transformer, classifier) so the endpoint takes raw feature rows.

Hyperparameters arrive as CLI arguments (`--n_estimators 200`), falling back to
`<SM_INPUT_CONFIG_DIR>/hyperparameters.json`. Validation metrics are printed as
`validation:<metric>=<value>;` for the training job's metric definitions.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from channel_files import own_file
from dataset_io import read_dataset
from errors import JobInputError, run_job
from quality_metrics import point_metrics
from schema import FEATURES, LABEL
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline

HYPERPARAMETERS: dict[str, tuple[type, Any]] = {
    "n_estimators": (int, 150),
    "max_depth": (int, 3),
    "learning_rate": (float, 0.1),
    "subsample": (float, 1.0),
    "min_samples_leaf": (int, 20),
    "random_state": (int, 42),
}


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def hyperparameters(argv: list[str]) -> dict[str, Any]:
    """Hyperparameters from CLI arguments, then hyperparameters.json, then defaults."""
    config_dir = Path(_env("SM_INPUT_CONFIG_DIR", "/opt/ml/input/config"))
    raw: dict[str, Any] = {}
    config_file = config_dir / "hyperparameters.json"
    if config_file.is_file():
        raw.update(json.loads(config_file.read_text(encoding="utf-8")))
    raw.update(_cli_pairs(argv))
    chosen: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith("sagemaker_"):
            continue
        if key not in HYPERPARAMETERS:
            raise JobInputError(
                f"unknown hyperparameter '{key}'; supported: {sorted(HYPERPARAMETERS)}"
            )
        kind = HYPERPARAMETERS[key][0]
        text = value if not isinstance(value, str) else _unquote(value)
        try:
            chosen[key] = kind(float(text)) if kind is int else kind(text)
        except (TypeError, ValueError) as exc:
            raise JobInputError(
                f"hyperparameter '{key}' must be {kind.__name__}, got {value!r}"
            ) from exc
    return {key: chosen.get(key, default) for key, (_, default) in HYPERPARAMETERS.items()}


def _unquote(text: str) -> str:
    # The SageMaker SDK JSON-encodes every value, so strings may arrive as '"3"'.
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        return text
    return str(decoded) if isinstance(decoded, str | int | float) else text


def _cli_pairs(argv: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    index = 0
    while index < len(argv):
        token = argv[index]
        if not token.startswith("--"):
            raise JobInputError(
                f"unexpected argument {token!r}; pass hyperparameters as --name value"
            )
        key, _, inline = token[2:].partition("=")
        if inline or "=" in token:
            pairs[key] = inline
            index += 1
        elif index + 1 < len(argv):
            pairs[key] = argv[index + 1]
            index += 2
        else:
            raise JobInputError(f"hyperparameter --{key} has no value")
    return pairs


def main(argv: list[str]) -> None:
    params = hyperparameters(argv)
    print(f"hyperparameters: {json.dumps(params, sort_keys=True)}", flush=True)
    train = read_dataset(_env("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
    validation = read_dataset(_env("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"))
    transformer_dir = Path(_env("SM_CHANNEL_TRANSFORMER", "/opt/ml/input/data/transformer"))
    transformer_file = own_file(transformer_dir, transformer_dir / "transformer.joblib")
    if not transformer_file.is_file():
        raise JobInputError(
            f"{transformer_file} not found; the transformer channel must hold the preprocessing "
            "job's transformer/transformer.joblib"
        )
    if train[LABEL].nunique() < 2:
        raise JobInputError(f"the train channel has only one value of '{LABEL}'; need both 0 and 1")
    transformer = joblib.load(transformer_file)
    classifier = GradientBoostingClassifier(**params)
    classifier.fit(transformer.transform(train[list(FEATURES)]), train[LABEL].to_numpy())
    model = Pipeline([("transformer", transformer), ("classifier", classifier)])
    scores = model.predict_proba(validation[list(FEATURES)])[:, 1]
    metrics = point_metrics(validation[LABEL].to_numpy(), np.asarray(scores))
    for name, value in metrics.items():
        print(f"validation:{name}={value:.6f};", flush=True)
    model_dir = Path(_env("SM_MODEL_DIR", "/opt/ml/model"))
    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, model_dir / "model.joblib")
    output_data = Path(_env("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))
    try:
        output_data.mkdir(parents=True, exist_ok=True)
        (output_data / "validation_metrics.json").write_text(
            json.dumps(metrics, sort_keys=True), encoding="utf-8"
        )
    except OSError as exc:
        print(f"could not write validation metrics to {output_data}: {exc}", flush=True)


if __name__ == "__main__":
    failure_file = os.path.join(_env("SM_OUTPUT_DIR", "/opt/ml/output"), "failure")
    sys.exit(run_job(lambda: main(sys.argv[1:]), failure_file))
