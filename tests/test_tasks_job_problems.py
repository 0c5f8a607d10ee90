"""The job scripts on problems other than churn's, driven by model.json alone: a multiclass
dataset (iris, text class labels, random_forest), a regression one (diabetes, empty cells,
linear) and a binary one with text labels ("no"/"yes", linear). Column names are ones churn never
uses. Each goes through preprocess -> train -> evaluate -> drift check -> inference hooks, in
this process (run_in_process): the data are small and no fresh interpreter is needed to show
what each job writes."""

from __future__ import annotations

import importlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.metrics import accuracy_score, r2_score

from examples.churn.churn_data import generate, write_csv
from tasks.data.capture import write_capture
from tests.jobs_helpers import (
    evaluate_args,
    job_folder,
    job_modules,
    pack_model,
    preprocess_args,
    run_in_process,
    train_env,
)

JOBS = Path(__file__).resolve().parent.parent / "tasks" / "jobs"


def iris() -> tuple[pd.DataFrame, dict[str, Any]]:
    data = load_iris(as_frame=True)
    frame = data.data.set_axis(
        ["sepal_length", "sepal_width", "petal_length", "petal_width"], axis=1
    )
    rng = np.random.default_rng(1)
    frame["garden"] = rng.choice(["north", "south", "east"], len(frame))
    frame["species"] = np.asarray(data.target_names)[data.target]
    model = {
        "problem": "multiclass",
        "target": "species",
        "features": [
            {"name": "petal_length", "type": "numeric"},
            {"name": "garden", "type": "categorical"},
            {"name": "sepal_length", "type": "numeric"},
            {"name": "sepal_width", "type": "numeric"},
            {"name": "petal_width", "type": "numeric"},
        ],
        "estimator": "random_forest",
    }
    return frame, model


def diabetes() -> tuple[pd.DataFrame, dict[str, Any]]:
    data = load_diabetes(as_frame=True)
    frame = data.data.rename(columns={"age": "patient_age"})
    frame["sex"] = np.where(frame["sex"] > 0, "m", "f").astype(object)
    frame["progression"] = data.target
    # Empty cells, as users' CSVs have them: imputed, never refused.
    frame.loc[::17, "bmi"] = np.nan
    frame.loc[::23, "sex"] = None
    numeric = ["patient_age", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    model = {
        "problem": "regression",
        "target": "progression",
        "features": [{"name": n, "type": "numeric"} for n in numeric]
        + [{"name": "sex", "type": "categorical"}],
        "estimator": "linear",
    }
    return frame, model


def text_binary() -> tuple[pd.DataFrame, dict[str, Any]]:
    frame = generate(seed=11, rows=400).rename(
        columns={"tenure_months": "months_active", "monthly_charges": "spend", "churned": "left"}
    )
    frame["left"] = np.where(frame["left"] == 1, "yes", "no")
    model = {
        "problem": "binary",
        "target": "left",
        "features": [
            {"name": "months_active", "type": "numeric"},
            {"name": "spend", "type": "numeric"},
            {"name": "contract_type", "type": "categorical"},
        ],
        "estimator": "linear",
    }
    return frame, model


DATASETS = {"multiclass": iris, "regression": diabetes, "binary_text": text_binary}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, make in DATASETS.items():
        base = tmp_path_factory.mktemp(name)
        frame, model = make()
        jobs = job_folder(base / "code", model)
        write_csv(frame, base / "data" / "data.csv")
        pre = run_in_process(preprocess_args(jobs, base / "data", base / "pre"), {})
        assert pre.returncode == 0, pre.stderr
        train = run_in_process([str(jobs / "train.py")], train_env(base / "pre", base))
        assert train.returncode == 0, train.stderr
        archive = pack_model(base)
        evaluate = run_in_process(
            evaluate_args(
                jobs, archive.parent, base / "pre" / "test", base / "evaluation", base / "message"
            ),
            {},
        )
        assert evaluate.returncode == 0, evaluate.stderr
        results[name] = {
            "base": base,
            "jobs": jobs,
            "model_json": model,
            "frame": frame,
            "train_log": train.stdout,
            "evaluate_log": evaluate.stdout,
            "report": json.loads((base / "evaluation" / "evaluation.json").read_text()),
            "model": joblib.load(base / "model" / "model.joblib"),
            "test": pd.read_csv(base / "pre" / "test" / "test.csv"),
        }
    return results


def _features(run: dict[str, Any]) -> list[str]:
    return [f["name"] for f in run["model_json"]["features"]]


def _logged(log: str, prefix: str) -> dict[str, float]:
    return {m[0]: float(m[1]) for m in re.findall(rf"^{prefix}:(\w+)=(-?[0-9.]+);$", log, re.M)}


def test_multiclass_splits_stratified_and_learns_the_categories(runs: dict) -> None:
    run = runs["multiclass"]
    pre = run["base"] / "pre"
    parts = {n: pd.read_csv(pre / n / f"{n}.csv") for n in ("train", "validation", "test")}
    assert sum(len(p) for p in parts.values()) == 150
    for part in parts.values():
        assert set(part["species"]) == {"setosa", "versicolor", "virginica"}
        assert list(part.columns) == [*_features(run), "species"]
    stats = json.loads((pre / "baseline" / "statistics.json").read_text())
    garden = stats["features"]["garden"]
    assert garden["categories"] == pytest.approx(
        parts["train"]["garden"].value_counts(normalize=True).to_dict()
    )
    encoder = run["model"].named_steps["transformer"].named_transformers_["categorical"][-1]
    assert [list(c) for c in encoder.categories_] == [["east", "north", "south"]]


def test_multiclass_metrics_report_and_log(runs: dict) -> None:
    run = runs["multiclass"]
    names = ["accuracy", "macro_f1", "weighted_f1", "macro_precision", "macro_recall"]
    assert list(_logged(run["train_log"], "validation")) == names
    assert list(_logged(run["evaluate_log"], "test")) == names
    assert type(run["model"].named_steps["classifier"]).__name__ == "RandomForestClassifier"
    report = run["report"]["multiclass_classification_metrics"]
    test = run["test"]
    predicted = run["model"].predict(test[_features(run)])
    assert report["accuracy"]["value"] == pytest.approx(
        accuracy_score(test["species"], predicted), abs=1e-6
    )
    assert report["accuracy"]["value"] > 0.8
    matrix = report["confusion_matrix"]
    assert set(matrix) == {"setosa", "versicolor", "virginica"}
    assert sum(n for row in matrix.values() for n in row.values()) == len(test)
    assert matrix["setosa"]["setosa"] == int(
        ((test["species"] == "setosa") & (predicted == "setosa")).sum()
    )
    for name in names:
        assert report[name]["standard_deviation"] >= 0


def test_regression_imputes_empty_cells_and_reports_its_metrics(runs: dict) -> None:
    run = runs["regression"]
    test = run["test"]
    assert test["bmi"].isna().any() or run["frame"]["bmi"].isna().any()
    names = ["r2", "rmse", "mae", "mse"]
    assert list(_logged(run["train_log"], "validation")) == names
    logged = _logged(run["evaluate_log"], "test")
    assert list(logged) == names
    assert type(run["model"].named_steps["regressor"]).__name__ == "Ridge"
    predicted = run["model"].predict(test[_features(run)])
    assert not np.isnan(predicted).any()
    report = run["report"]["regression_metrics"]
    assert set(report) == set(names)
    assert report["r2"]["value"] == pytest.approx(
        r2_score(test["progression"], predicted), abs=1e-6
    )
    assert report["rmse"]["value"] == pytest.approx(np.sqrt(report["mse"]["value"]), rel=1e-4)
    assert logged["r2"] == pytest.approx(report["r2"]["value"], abs=1e-6)
    assert 0.2 < report["r2"]["value"] < 1
    assert report["mae"]["standard_deviation"] > 0


def test_a_negative_r2_is_logged_with_its_sign() -> None:
    # A model worse than the mean has r2 < 0: the metric regexes must see the minus sign.
    with job_modules(JOBS):
        import quality_metrics

        metrics = quality_metrics.regression_metrics(
            np.array([1.0, 2.0, 3.0]), np.array([3.0, 1.0, 0.0])
        )
    assert metrics["r2"] < 0
    assert re.fullmatch(r"-[0-9.]+", f"{metrics['r2']:.6f}")


def test_binary_text_labels_score_the_second_sorted_class(runs: dict) -> None:
    run = runs["binary_text"]
    model = run["model"]
    assert list(model.classes_) == ["no", "yes"]
    report = run["report"]["binary_classification_metrics"]
    assert set(report["confusion_matrix"]) == {"no", "yes"}
    yes = int((run["test"]["left"] == "yes").sum())
    assert report["confusion_matrix"]["yes"]["yes"] + report["confusion_matrix"]["yes"]["no"] == yes
    names = ["auc", "accuracy", "f1", "precision", "recall"]
    assert list(_logged(run["train_log"], "validation")) == names
    assert report["auc"]["value"] > 0.7


@pytest.mark.parametrize("name", ["multiclass", "regression"])
def test_drift_check_follows_model_json_and_bins_unseen_categories(
    runs: dict, name: str, tmp_path: Path
) -> None:
    run = runs[name]
    features = _features(run)
    categorical = next(
        f["name"] for f in run["model_json"]["features"] if f["type"] == "categorical"
    )
    capture = pd.read_csv(run["base"] / "pre" / "train" / "train.csv", dtype={categorical: str})
    capture[categorical] = capture[categorical].where(capture.index % 2 == 0, "never-seen")
    write_capture(
        capture, tmp_path / "capture", features=features, start=datetime(2024, 5, 1, tzinfo=UTC)
    )
    result = run_in_process(
        [
            str(run["jobs"] / "drift_check.py"),
            "--baseline-dir",
            str(run["base"] / "pre" / "baseline"),
            "--capture-dir",
            str(tmp_path / "capture"),
            "--report-dir",
            str(tmp_path / "report"),
            "--message-file",
            str(tmp_path / "message"),
        ],
        {},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report" / "drift.json").read_text())
    assert list(report["features"]) == sorted(features)  # sort_keys
    assert report["n_captured"] == len(capture)
    unseen = report["features"][categorical]
    assert unseen["captured_proportions"]["(other)"] == pytest.approx(0.5, abs=0.01)
    assert unseen["drifted"] is True
    assert report["drifted_features"] == [categorical]


@pytest.mark.parametrize("name", ["multiclass", "regression", "binary_text"])
def test_inference_serves_one_value_per_row(runs: dict, name: str) -> None:
    run = runs[name]
    features = _features(run)
    rows = run["test"][features].head(4)
    body = rows.to_csv(index=False, header=False, na_rep="")
    with job_modules(run["jobs"]):
        inference = importlib.import_module("inference")
        model = inference.model_fn(str(run["base"] / "model"))
        served = inference.predict_fn(inference.input_fn(body, "text/csv"), model)
        payload, kind = inference.output_fn(served, "application/json")
        with_header = inference.input_fn(rows.to_csv(index=False), "text/csv")
        csv_out, _ = inference.output_fn(inference.predict_fn(with_header, model), "text/csv")
    predictions = json.loads(payload)["predictions"]
    assert kind == "application/json" and len(predictions) == 4
    assert len(csv_out.splitlines()) == 4
    if name == "multiclass":
        assert predictions == list(run["model"].predict(rows))
        assert csv_out.splitlines() == predictions
    elif name == "regression":
        assert predictions == pytest.approx(run["model"].predict(rows), abs=1e-6)
    else:
        expected = run["model"].predict_proba(rows)[:, 1]
        assert predictions == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_the_report_has_every_metric_the_gate_may_name(runs: dict, name: str) -> None:
    # tasks/metrics.py is what settings may gate on; evaluate.py cannot import it, so this
    # holds the two together, and train.py's log to the metric definitions of the problem.
    from tasks.metrics import METRICS, REPORT_SECTIONS, TRAINING_METRICS

    problem = runs[name]["model_json"]["problem"]
    (section,) = runs[name]["report"]
    assert section == REPORT_SECTIONS[problem]
    values = runs[name]["report"][section]
    assert set(METRICS[problem]) <= set(values)
    assert all(isinstance(values[m]["value"], float) for m in METRICS[problem])
    assert set(TRAINING_METRICS[problem]) <= set(_logged(runs[name]["train_log"], "validation"))
