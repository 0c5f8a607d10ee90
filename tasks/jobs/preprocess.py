"""Processing job: validate the raw CSVs against model.json (schema.py), split them, fit the
feature transformer, and record the training baseline statistics used by the drift check.

Classification (binary, multiclass) splits stratified by the target, each class with at least
MIN_ROWS_PER_CLASS rows; regression splits at random, with at least MIN_REGRESSION_ROWS rows.

Outputs (under --output-dir, default /opt/ml/processing/output): train/train.csv,
validation/validation.csv, test/test.csv (raw features + label, header),
transformer/transformer.joblib, baseline/statistics.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import joblib
import pandas as pd
import schema
from dataset_io import check_classes, read_dataset
from drift_statistics import baseline_statistics
from errors import PROCESSING_MESSAGE_FILE, JobInputError, run_job
from features import build_transformer
from sklearn.model_selection import train_test_split


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input-dir", default="/opt/ml/processing/input/data")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output")
    parser.add_argument("--test-size", type=float, default=0.15)
    parser.add_argument("--validation-size", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--message-file", default=PROCESSING_MESSAGE_FILE)
    return parser.parse_args(argv)


def split(
    frame: pd.DataFrame, test_size: float, validation_size: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train/validation/test split (stratified for classification); the sizes are fractions
    of the whole."""
    for name, value in (("--test-size", test_size), ("--validation-size", validation_size)):
        if not 0.0 < value < 1.0:
            raise JobInputError(f"{name} must be between 0 and 1, got {value}")
    if test_size + validation_size >= 0.9:
        raise JobInputError("--test-size plus --validation-size must leave at least 10% to train")
    target = schema.TARGET
    check_classes(frame[target], "the input data")
    classify = schema.PROBLEM != "regression"
    rest, test = train_test_split(
        frame, test_size=test_size, stratify=frame[target] if classify else None, random_state=seed
    )
    train, validation = train_test_split(
        rest,
        test_size=validation_size / (1.0 - test_size),
        stratify=rest[target] if classify else None,
        random_state=seed,
    )
    return train, validation, test


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    frame = read_dataset(args.input_dir)
    print(f"read {len(frame)} rows from {args.input_dir}", flush=True)
    train, validation, test = split(frame, args.test_size, args.validation_size, args.seed)
    # Everything is computed before anything is written, and written to a staging folder moved
    # into place only when all of it was written: a job that fails leaves no output.
    transformer = build_transformer().fit(train[list(schema.FEATURES)])
    statistics = baseline_statistics(train, seed=args.seed)
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".preprocess-", dir=out))
    try:
        for name, part in (("train", train), ("validation", validation), ("test", test)):
            target = staging / name / f"{name}.csv"
            target.parent.mkdir(parents=True)
            part.to_csv(target, index=False, lineterminator="\n")
        (staging / "transformer").mkdir()
        joblib.dump(transformer, staging / "transformer" / "transformer.joblib")
        (staging / "baseline").mkdir()
        (staging / "baseline" / "statistics.json").write_text(
            json.dumps(statistics, indent=1, sort_keys=True), encoding="utf-8"
        )
        _move_into(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for name, part in (("train", train), ("validation", validation), ("test", test)):
        print(f"{name}: {len(part)} rows, {_target_summary(part[schema.TARGET])}", flush=True)


def _move_into(staging: Path, out: Path) -> None:
    """Every file written under ``staging`` to the same place under ``out`` (same file system,
    so each move is a rename)."""
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        target = out / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)


def _target_summary(target: pd.Series) -> str:
    if schema.PROBLEM == "regression":
        return f"'{target.name}' mean {target.mean():.3f}"
    shares = target.value_counts(normalize=True).sort_index()
    return f"'{target.name}' shares " + ", ".join(f"{c}: {v:.3f}" for c, v in shares.items())


if __name__ == "__main__":
    message_file = parse_args(sys.argv[1:]).message_file
    sys.exit(run_job(lambda: main(sys.argv[1:]), message_file))
