"""Training job (scikit-learn container, script mode): fit model.json's estimator (schema.py;
estimators.py) on the preprocessed train channel with the transformer from the preprocessing
job, and save `model.joblib` = Pipeline(transformer, estimator) so the endpoint takes raw
feature rows.

Hyperparameters arrive as CLI arguments (`--n_estimators 200`), falling back to
`<SM_INPUT_CONFIG_DIR>/hyperparameters.json`; `<estimator>.hyperparameters.json` declares them
and the argument parser is built from it (hyperparameter_args.py). Validation metrics of the
problem type (quality_metrics.py) are printed as `validation:<metric>=<value>;` for the training
job's metric definitions.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import joblib
import schema
from channel_files import own_file
from dataset_io import check_classes, read_dataset
from errors import JobInputError, run_job
from estimators import build_estimator
from hyperparameter_args import HyperparameterError, load_declaration, parse_hyperparameters
from predictions import truth_and_predictions
from quality_metrics import point_metrics
from sklearn.pipeline import Pipeline


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def hyperparameters(argv: list[str]) -> dict[str, Any]:
    """Hyperparameters from hyperparameters.json, then CLI arguments over them, then defaults;
    each checked against the declaration (type, range, allowed values)."""
    config_dir = Path(_env("SM_INPUT_CONFIG_DIR", "/opt/ml/input/config"))
    try:
        # Declared once per estimator, in <estimator>.hyperparameters.json beside this script;
        # the settings check reads the same file, so both agree on names, types and ranges.
        declared = load_declaration()
        return parse_hyperparameters(argv, config_dir / "hyperparameters.json", declared)
    except HyperparameterError as exc:
        raise JobInputError(str(exc)) from exc


def main(argv: list[str]) -> None:
    params = hyperparameters(argv)
    # Built before any data is read: an estimator this script does not build fails at once.
    estimator = build_estimator(schema.ESTIMATOR, schema.PROBLEM, params)
    print(
        f"{schema.ESTIMATOR} ({schema.PROBLEM}) hyperparameters: "
        f"{json.dumps(params, sort_keys=True)}",
        flush=True,
    )
    train_dir = _env("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")
    train = read_dataset(train_dir)
    validation = read_dataset(_env("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"))
    transformer_dir = Path(_env("SM_CHANNEL_TRANSFORMER", "/opt/ml/input/data/transformer"))
    transformer_file = own_file(transformer_dir, transformer_dir / "transformer.joblib")
    if not transformer_file.is_file():
        raise JobInputError(
            f"{transformer_file} not found; the transformer channel must hold the preprocessing "
            "job's transformer/transformer.joblib"
        )
    check_classes(train[schema.TARGET], f"the train channel {train_dir}")
    features = list(schema.FEATURES)
    transformer = joblib.load(transformer_file)
    estimator.fit(transformer.transform(train[features]), train[schema.TARGET].to_numpy())
    step = "regressor" if schema.PROBLEM == "regression" else "classifier"
    model = Pipeline([("transformer", transformer), (step, estimator)])
    truth, predicted = truth_and_predictions(model, validation)
    metrics = point_metrics(schema.PROBLEM, truth, predicted)
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
