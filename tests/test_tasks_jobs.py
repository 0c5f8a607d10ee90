"""The SageMaker job scripts on the churn dataset (binary, model.json from
the churn example's settings), run as `python <script>` runs them with their /opt/ml paths
overridden, on datasets from the generator (the shared runs: jobs_helpers.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from examples.churn.churn_data import (
    CATEGORICAL_FEATURES,
    FEATURES,
    LABEL,
    NUMERIC_FEATURES,
    generate,
)
from localcloud import LocalCloud
from tasks.data.capture import write_capture
from tests.jobs_helpers import run_in_process, run_parallel


def test_preprocess_splits_stratified_and_fits_on_train(pipelines: dict) -> None:
    pre = pipelines["clean"]["dir"] / "pre"
    parts = {n: pd.read_csv(pre / n / f"{n}.csv") for n in ("train", "validation", "test")}
    assert [len(parts[n]) for n in ("train", "validation", "test")] == [3500, 750, 750]
    assert list(parts["train"].columns) == [*FEATURES, LABEL]
    rate = pipelines["clean"]["frame"][LABEL].mean()
    for part in parts.values():
        assert abs(part[LABEL].mean() - rate) < 0.01
    transformer = joblib.load(pre / "transformer" / "transformer.joblib")
    scaled = transformer.transform(parts["train"][list(FEATURES)])
    numeric = scaled[:, : len(NUMERIC_FEATURES)]
    # Scaling was fitted on train only: train is centred exactly, test only roughly.
    assert np.allclose(numeric.mean(axis=0), 0.0, atol=1e-9)
    # Categories are learned from train: one column per value train holds.
    one_hot_width = sum(parts["train"][c].nunique() for c in CATEGORICAL_FEATURES)
    assert scaled.shape[1] == len(NUMERIC_FEATURES) + one_hot_width


def test_baseline_statistics_describe_the_train_split(pipelines: dict) -> None:
    pre = pipelines["clean"]["dir"] / "pre"
    stats = json.loads((pre / "baseline" / "statistics.json").read_text())
    train = pd.read_csv(pre / "train" / "train.csv")
    assert set(stats["features"]) == set(FEATURES)
    tenure = stats["features"]["tenure_months"]
    assert tenure["type"] == "numeric" and tenure["count"] == len(train)
    assert tenure["mean"] == pytest.approx(train["tenure_months"].mean())
    assert sum(tenure["histogram"]["proportions"]) == pytest.approx(1.0)
    assert len(tenure["histogram"]["bin_edges"]) == len(tenure["histogram"]["proportions"]) + 1
    assert len(tenure["quantiles"]) == 101 and len(tenure["sample"]) == 1000
    contract = stats["features"]["contract_type"]
    assert contract["categories"]["two-year"] == pytest.approx(
        (train["contract_type"] == "two-year").mean()
    )


def test_train_saves_pipeline_on_raw_rows_and_logs_metrics(pipelines: dict) -> None:
    log = pipelines["clean"]["train_log"]
    auc = float(re.search(r"^validation:auc=([0-9.]+);$", log, re.M).group(1))
    assert 0.8 < auc <= 1.0
    model = joblib.load(pipelines["clean"]["dir"] / "model" / "model.joblib")
    test = pd.read_csv(pipelines["clean"]["dir"] / "pre" / "test" / "test.csv")
    scores = model.predict_proba(test[list(FEATURES)])[:, 1]
    assert scores.shape == (len(test),) and ((scores >= 0) & (scores <= 1)).all()
    assert model.named_steps["classifier"].n_estimators == 120
    assert '"n_estimators": 20' in pipelines["hyperparameters_file"]["train_log"]
    assert '"max_depth": 2' in pipelines["hyperparameters_file"]["train_log"]


def test_evaluation_report_matches_an_independent_scoring(pipelines: dict) -> None:
    report = pipelines["clean"]["report"]["binary_classification_metrics"]
    model = joblib.load(pipelines["clean"]["dir"] / "model" / "model.joblib")
    test = pd.read_csv(pipelines["clean"]["dir"] / "pre" / "test" / "test.csv")
    scores = model.predict_proba(test[list(FEATURES)])[:, 1]
    assert report["auc"]["value"] == pytest.approx(roc_auc_score(test[LABEL], scores), abs=1e-6)
    matrix = report["confusion_matrix"]
    assert sum(matrix[a][p] for a in "01" for p in "01") == len(test)
    assert matrix["1"]["1"] + matrix["1"]["0"] == int(test[LABEL].sum())
    predicted = scores >= 0.5
    assert report["accuracy"]["value"] == pytest.approx((predicted == test[LABEL]).mean(), abs=1e-6)
    for name in ("auc", "accuracy", "f1", "precision", "recall"):
        assert 0 < report[name]["standard_deviation"] < 0.1
    curve = report["receiver_operating_characteristic_curve"]
    assert len(curve["false_positive_rates"]) == len(curve["true_positive_rates"])


def test_low_quality_data_gives_a_measurably_worse_model(pipelines: dict) -> None:
    clean = pipelines["clean"]["report"]["binary_classification_metrics"]
    noisy = pipelines["noisy"]["report"]["binary_classification_metrics"]
    assert clean["auc"]["value"] > 0.8
    assert noisy["auc"]["value"] < 0.65


@pytest.fixture(scope="module")
def drift_reports(
    tmp_path_factory: pytest.TempPathFactory, pipelines: dict, churn_jobs: Path
) -> dict[str, object]:
    base = tmp_path_factory.mktemp("drift")
    baseline = pipelines["clean"]["dir"] / "pre" / "baseline"
    same, drifted = generate(seed=99, rows=800), generate(seed=98, rows=800, drift=0.6)
    write_capture(same, base / "same", features=FEATURES, endpoint_name="churn")
    write_capture(drifted, base / "drifted", features=FEATURES, endpoint_name="churn")
    (base / "nothing").mkdir()
    cases = {
        name: (
            [
                str(churn_jobs / "drift_check.py"),
                "--baseline-dir",
                str(baseline),
                "--capture-dir",
                str(base / name),
                "--report-dir",
                str(base / f"{name}-report"),
                "--message-file",
                str(base / f"{name}.msg"),
            ],
            {},
        )
        for name in ("same", "drifted", "nothing")
    }
    # The failing check runs as its own process (exit status and message file end to end); the
    # two that pass need no fresh interpreter to show their reports.
    runs = run_parallel({"nothing": cases["nothing"]})
    runs |= {name: run_in_process(*cases[name]) for name in ("same", "drifted")}
    reports: dict[str, object] = {"runs": runs, "base": base}
    for name in ("same", "drifted"):
        assert runs[name].returncode == 0, runs[name].stderr
        reports[name] = json.loads((base / f"{name}-report" / "drift.json").read_text())
    return reports


def test_drift_check_passes_data_from_the_training_distribution(drift_reports: dict) -> None:
    report = drift_reports["same"]
    assert report["drift_detected"] is False and report["drifted_features"] == []
    assert report["n_captured"] == 800
    assert report["max_psi"] < 0.1
    assert set(report["features"]) == set(FEATURES)


def test_drift_check_flags_drifted_capture(drift_reports: dict) -> None:
    report = drift_reports["drifted"]
    assert report["drift_detected"] is True
    assert report["max_psi"] > 0.2
    assert {"tenure_months", "monthly_charges", "support_calls"} <= set(report["drifted_features"])
    tenure = report["features"]["tenure_months"]
    assert tenure["ks_pvalue"] < 1e-6 and tenure["drifted"] is True
    assert report["thresholds"]["psi"] == 0.2 and report["thresholds"]["ks_pvalue"] == 0.01


def test_drift_check_without_captured_rows_fails_clearly(drift_reports: dict) -> None:
    run = drift_reports["runs"]["nothing"]
    assert run.returncode != 0
    assert "no captured requests" in (drift_reports["base"] / "nothing.msg").read_text()


def test_inference_hooks_serve_probabilities_from_csv(pipelines: dict, churn_jobs: Path) -> None:
    model_dir = pipelines["clean"]["dir"] / "model"
    rows = generate(seed=3, rows=3)[list(FEATURES)]
    body = rows.to_csv(index=False, header=False)
    script = (
        "import json, sys, inference as i\n"
        "m = i.model_fn(sys.argv[1])\n"
        "rows = i.input_fn(sys.argv[2], 'text/csv')\n"
        "out, kind = i.output_fn(i.predict_fn(rows, m), 'application/json')\n"
        "print(kind); print(out)\n"
        "try:\n    i.input_fn('1,2,3', 'text/csv')\nexcept ValueError as e:\n    print('ERR', e)\n"
    )
    run = run_parallel({"serve": (["-c", script, str(model_dir), body], {})}, cwd=churn_jobs)
    run = run["serve"]
    assert run.returncode == 0, run.stderr
    kind, payload, error = run.stdout.strip().split("\n")
    expected = joblib.load(model_dir / "model.joblib").predict_proba(rows)[:, 1]
    assert kind == "application/json"
    assert json.loads(payload)["predictions"] == pytest.approx(expected, abs=1e-6)
    assert error.startswith("ERR") and "12 fields" in error


def test_quality_gate_approves_the_clean_model_and_rejects_the_noisy_one(
    pipelines: dict, localcloud: LocalCloud
) -> None:
    from tasks.handlers.quality_gate import evaluate_gate

    thresholds = {"auc": 0.75, "accuracy": 0.70, "f1": 0.55, "max_regression": 0.02}
    s3 = localcloud.client("s3")
    sagemaker = localcloud.client("sagemaker")
    s3.create_bucket(Bucket="reports")
    for name in ("clean", "noisy"):
        s3.put_object(
            Bucket="reports",
            Key=f"{name}/evaluation.json",
            Body=json.dumps(pipelines[name]["report"]),
        )
    sagemaker.create_model_package_group(ModelPackageGroupName="churn")

    def gate(name: str) -> dict:
        request = {
            "evaluationReportS3Uri": f"s3://reports/{name}/evaluation.json",
            "problem": "binary",
            "thresholds": thresholds,
            "modelPackageGroupName": "churn",
        }
        return evaluate_gate(request, s3, sagemaker)

    clean, noisy = gate("clean"), gate("noisy")
    assert clean["decision"] == "approve" and clean["reasons"] == [] and clean["champion"] is None
    assert (
        clean["metrics"]["auc"]
        == pipelines["clean"]["report"]["binary_classification_metrics"]["auc"]["value"]
    )
    assert noisy["decision"] == "reject"
    assert any(
        reason.startswith("auc ") and "below the threshold" in reason for reason in noisy["reasons"]
    )
