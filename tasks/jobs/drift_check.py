"""Processing job: compare the endpoint's captured requests with the training baseline.

Per feature of model.json (schema.py) it computes PSI (numeric: over the baseline's histogram
bins; categorical: over the categories seen in training plus an "(other)" bin for values
training never held) and, for numeric features, a two-sample KS test against the baseline
sample.
A feature has drifted when PSI exceeds --psi-threshold, or when its KS p-value is below
--ks-pvalue divided by the number of numeric features (Bonferroni), so a dataset without drift
is not flagged by chance across many tests.

Writes --report-dir/drift.json (default /opt/ml/processing/report/drift.json).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import schema
from capture_reader import read_captured_rows
from channel_files import own_file
from dataset_io import validate_frame
from drift_statistics import compare_feature
from errors import PROCESSING_MESSAGE_FILE, JobInputError, run_job


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline-dir", default="/opt/ml/processing/baseline")
    parser.add_argument("--capture-dir", default="/opt/ml/processing/capture")
    parser.add_argument("--report-dir", default="/opt/ml/processing/report")
    parser.add_argument("--psi-threshold", type=float, default=0.2)
    parser.add_argument("--ks-pvalue", type=float, default=0.01)
    parser.add_argument("--message-file", default=PROCESSING_MESSAGE_FILE)
    return parser.parse_args(argv)


def check_thresholds(psi_threshold: float, ks_pvalue: float) -> None:
    """Both thresholds finite and in range: argparse's float reads "nan" and "inf", and with
    either no feature's PSI would ever count as drift."""
    if not (math.isfinite(psi_threshold) and psi_threshold > 0):
        raise JobInputError(
            f"--psi-threshold must be a finite number above 0 (0.2 is usual), got {psi_threshold}"
        )
    if not (math.isfinite(ks_pvalue) and 0 < ks_pvalue <= 1):
        raise JobInputError(
            f"--ks-pvalue must be a finite number above 0 and at most 1 (0.01 is usual), "
            f"got {ks_pvalue}"
        )


def load_baseline(baseline_dir: Path) -> dict[str, Any]:
    if baseline_dir.is_dir():
        path = own_file(baseline_dir, baseline_dir / "statistics.json")
    else:
        path = baseline_dir
    if not path.is_file():
        raise JobInputError(
            f"{path} not found; the baseline input must hold the preprocessing job's "
            "baseline/statistics.json"
        )
    try:
        baseline: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JobInputError(f"{path} is not valid JSON: {exc}") from exc
    missing = [f for f in schema.FEATURES if f not in baseline.get("features", {})]
    if missing:
        raise JobInputError(f"{path} lacks baseline statistics for {missing}")
    return baseline


def drift_report(
    baseline: dict[str, Any], captured_dir: Path, psi_threshold: float, ks_pvalue: float
) -> dict[str, Any]:
    rows, skipped = read_captured_rows(captured_dir)
    if rows.empty:
        raise JobInputError(
            f"no captured requests under {captured_dir} ({skipped} unreadable record(s)); "
            "check that data capture is enabled and the capture input points at its prefix"
        )
    frame = validate_frame(rows, f"captured data under {captured_dir}", require_label=False)
    features_in_order = schema.FEATURES
    numeric_count = sum(
        1 for f in features_in_order if baseline["features"][f]["type"] == "numeric"
    )
    corrected = ks_pvalue / max(numeric_count, 1)
    features: dict[str, Any] = {}
    for name in features_in_order:
        result = compare_feature(baseline["features"][name], frame[name])
        ks_flag = result["ks_pvalue"] is not None and result["ks_pvalue"] < corrected
        result["drifted"] = bool(result["psi"] > psi_threshold or ks_flag)
        result["psi"] = round(result["psi"], 6)
        features[name] = result
    drifted = [name for name in features_in_order if features[name]["drifted"]]
    return {
        "drift_detected": bool(drifted),
        "max_psi": max(features[name]["psi"] for name in features_in_order),
        "drifted_features": drifted,
        "n_captured": len(frame),
        "n_skipped_records": skipped,
        "baseline_rows": baseline.get("row_count"),
        "features": features,
        "thresholds": {
            "psi": psi_threshold,
            "ks_pvalue": ks_pvalue,
            "ks_pvalue_per_feature": corrected,
        },
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    check_thresholds(args.psi_threshold, args.ks_pvalue)
    baseline = load_baseline(Path(args.baseline_dir))
    report = drift_report(baseline, Path(args.capture_dir), args.psi_threshold, args.ks_pvalue)
    out = Path(args.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "drift.json").write_text(json.dumps(report, indent=1, sort_keys=True), "utf-8")
    print(
        f"drift_detected={report['drift_detected']} max_psi={report['max_psi']:.4f} "
        f"n_captured={report['n_captured']} drifted={report['drifted_features']}",
        flush=True,
    )


if __name__ == "__main__":
    message_file = parse_args(sys.argv[1:]).message_file
    sys.exit(run_job(lambda: main(sys.argv[1:]), message_file))
