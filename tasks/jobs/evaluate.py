"""Processing job: score the trained model on the held-out test split and write the Model
Registry evaluation report (evaluation.json: `binary_classification_metrics`,
`multiclass_classification_metrics` or `regression_metrics`, by model.json's problem; see
quality_metrics.py), and print `test:<metric>=<value>;` for each metric.

Inputs: --model-dir (default /opt/ml/processing/model) holding model.tar.gz from the training
job, --test-dir (default /opt/ml/processing/test) holding test.csv.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import tempfile
from pathlib import Path

import joblib
import numpy as np
import schema
from channel_files import own_file
from dataset_io import read_dataset
from errors import PROCESSING_MESSAGE_FILE, JobInputError, run_job
from predictions import model_classes, truth_and_predictions
from quality_metrics import METRIC_NAMES, REPORT_KEYS, model_quality_report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", default="/opt/ml/processing/model")
    parser.add_argument("--test-dir", default="/opt/ml/processing/test")
    parser.add_argument("--output-dir", default="/opt/ml/processing/evaluation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--message-file", default=PROCESSING_MESSAGE_FILE)
    return parser.parse_args(argv)


def load_model(model_dir: Path, scratch: Path) -> object:
    """Extract model.tar.gz (as SageMaker packs SM_MODEL_DIR) and load model.joblib."""
    archive = own_file(model_dir, model_dir / "model.tar.gz")
    if archive.is_file():
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(scratch, members=_safe_members(tar, archive))
        except (tarfile.TarError, OSError) as exc:
            raise JobInputError(f"{archive} is not a readable gzip tar archive: {exc}") from exc
        source = scratch
    else:
        source = model_dir
    model_file = own_file(source, source / "model.joblib")
    if not model_file.is_file():
        raise JobInputError(
            f"no model.joblib in {archive if archive.is_file() else model_dir}; "
            "pass the training job's ModelArtifacts.S3ModelArtifacts as the model input"
        )
    return joblib.load(model_file)


def _safe_members(tar: tarfile.TarFile, archive: Path) -> list[tarfile.TarInfo]:
    # Only plain files and folders inside the archive root; never links or absolute paths.
    members = tar.getmembers()
    for member in members:
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise JobInputError(f"{archive} holds an unsafe entry {member.name!r}")
    return members


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    test = read_dataset(args.test_dir)
    with tempfile.TemporaryDirectory() as scratch:
        model = load_model(Path(args.model_dir), Path(scratch))
    problem = schema.PROBLEM
    classes = model_classes(model) if problem != "regression" else []
    truth, predicted = truth_and_predictions(model, test)
    if problem == "binary" and len(np.unique(truth)) < 2:
        raise JobInputError(
            f"test.csv has only one value of '{schema.TARGET}'; AUC needs both classes"
        )
    report = model_quality_report(problem, truth, predicted, seed=args.seed, classes=classes)
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(report, indent=1, sort_keys=True), "utf-8")
    summary = report[REPORT_KEYS[problem]]
    for name in METRIC_NAMES[problem]:
        print(f"test:{name}={summary[name]['value']:.6f};", flush=True)


if __name__ == "__main__":
    message_file = parse_args(sys.argv[1:]).message_file
    sys.exit(run_job(lambda: main(sys.argv[1:]), message_file))
