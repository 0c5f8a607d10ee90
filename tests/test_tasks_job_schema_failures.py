"""A model.json the data does not fit, or none at all: the job fails before any training,
with the reason (naming model.json's key or the column, and the fix) where SageMaker reads it,
and writes no output. All run in this process (run_in_process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from examples.churn.churn_data import generate, write_csv
from tests.jobs_helpers import job_folder, model_json, preprocess_args, run_in_process, train_env

IRIS_FEATURES = [{"name": n, "type": "numeric"} for n in ("sepal_length", "petal_length")]


def _iris() -> pd.DataFrame:
    data = load_iris(as_frame=True)
    frame = data.data.iloc[:, [0, 2]].set_axis(["sepal_length", "petal_length"], axis=1)
    frame["species"] = np.asarray(data.target_names)[data.target]
    return frame


def _iris_model(problem: str) -> dict[str, Any]:
    return {
        "problem": problem,
        "target": "species",
        "features": IRIS_FEATURES,
        "estimator": "gradient_boosting",
    }


def _preprocess(tmp_path: Path, model: dict[str, Any] | None, frame: pd.DataFrame) -> str:
    jobs = job_folder(tmp_path / "code", model)
    write_csv(frame, tmp_path / "data" / "data.csv")
    run = run_in_process(preprocess_args(jobs, tmp_path / "data", tmp_path / "out"), {})
    assert run.returncode == 1, run.stdout
    message = (tmp_path / "out" / "message").read_text()
    assert message in run.stderr
    # Nothing but the message: no split, transformer or baseline a later step could use.
    assert [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()] == ["message"]
    return message


def test_a_binary_problem_with_three_classes_says_to_set_multiclass(tmp_path: Path) -> None:
    message = _preprocess(tmp_path, _iris_model("binary"), _iris())
    assert "problem binary but 'species' has 3 classes" in message
    assert "set problem: multiclass in model.json" in message


def test_a_multiclass_problem_with_two_classes_says_to_set_binary(tmp_path: Path) -> None:
    model = {**model_json(), "problem": "multiclass"}
    message = _preprocess(tmp_path, model, generate(seed=1, rows=300))
    assert "problem multiclass but 'churned' has 2 classes [0, 1]" in message
    assert "set problem: binary in model.json" in message


def test_a_regression_on_a_text_target_names_the_column(tmp_path: Path) -> None:
    message = _preprocess(tmp_path, _iris_model("regression"), _iris())
    assert "column 'species' must be numeric (a regression target); found ['setosa'" in message


def test_a_regression_on_too_few_rows_names_the_minimum(tmp_path: Path) -> None:
    frame = _iris().assign(species=lambda f: f["petal_length"] * 2).head(30)
    message = _preprocess(tmp_path, _iris_model("regression"), frame)
    assert "needs at least 50 rows (MIN_REGRESSION_ROWS); found 30" in message


def test_a_classification_target_with_empty_cells_is_refused(tmp_path: Path) -> None:
    frame = _iris().astype({"species": object})
    frame.loc[[4, 9], "species"] = None
    message = _preprocess(tmp_path, _iris_model("multiclass"), frame)
    assert "column 'species' (the target) is empty in 2 row(s)" in message


def test_without_model_json_preprocess_fails_naming_the_file(tmp_path: Path) -> None:
    message = _preprocess(tmp_path, None, generate(seed=1, rows=300))
    assert message.startswith(f"{tmp_path / 'code' / 'model.json'} not found")


def test_without_model_json_train_fails_in_its_failure_file(tmp_path: Path) -> None:
    jobs = job_folder(tmp_path / "code", None)
    run = run_in_process([str(jobs / "train.py")], train_env(tmp_path / "pre", tmp_path))
    assert run.returncode == 1
    failure = (tmp_path / "output" / "failure").read_text()
    assert failure.startswith(f"{jobs / 'model.json'} not found")
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"problem": "ranking"}, "problem must be one of ['binary', 'multiclass', 'regression']"),
        ({"estimator": ""}, "estimator must be a name such as gradient_boosting"),
        ({"target": ""}, "target must be the target column's name"),
        ({"features": []}, "features must be a non-empty list"),
        (
            {"features": [{"name": "age", "type": "ordinal"}]},
            "features[0] (age): type must be one of ['numeric', 'categorical']",
        ),
        (
            {"features": [{"name": "age", "type": "numeric"}] * 2},
            "features[1]: feature 'age' is listed twice",
        ),
        (
            {"features": [{"name": "churned", "type": "numeric"}]},
            "target 'churned' is also listed among the features",
        ),
        ({"labels": ["a"]}, "unknown key(s) ['labels']"),
    ],
)
def test_an_invalid_model_json_names_the_file_and_the_key(
    tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    message = _preprocess(tmp_path, {**model_json(), **change}, generate(seed=1, rows=300))
    assert message.startswith(f"{tmp_path / 'code' / 'model.json'}")
    assert expected in message


def test_the_built_in_train_refuses_an_estimator_it_does_not_build(tmp_path: Path) -> None:
    # model.json may name any estimator (a project's own train.py declares its own); the
    # built-in train.py says which it builds and where a team's own train.py goes.
    jobs = job_folder(tmp_path / "code", {**model_json(), "estimator": "xgboost"})
    (jobs / "xgboost.hyperparameters.json").write_text(
        (jobs / "gradient_boosting.hyperparameters.json").read_text()
    )
    run = run_in_process([str(jobs / "train.py")], train_env(tmp_path / "pre", tmp_path))
    assert run.returncode == 1
    failure = (tmp_path / "output" / "failure").read_text()
    assert "the built-in train.py builds gradient_boosting, random_forest, linear, not " in failure
    assert "your own train.py in the project's jobs/ folder" in failure


def test_a_model_json_that_is_not_json_is_named(tmp_path: Path) -> None:
    jobs = job_folder(tmp_path / "code", None)
    (jobs / "model.json").write_text("{problem: binary}")
    write_csv(generate(seed=1, rows=300), tmp_path / "data" / "data.csv")
    run = run_in_process(preprocess_args(jobs, tmp_path / "data", tmp_path / "out"), {})
    assert run.returncode == 1
    assert f"{jobs / 'model.json'} is not valid JSON" in (tmp_path / "out" / "message").read_text()


def test_an_unseen_category_is_served_not_refused(tmp_path: Path) -> None:
    # Categories are learned from train: a value train never held no longer fails the job.
    frame = generate(seed=1, rows=300).astype({"contract_type": object})
    frame.loc[5, "contract_type"] = "three-year"
    frame.loc[6, "paperless_billing"] = None
    jobs = job_folder(tmp_path / "code", model_json())
    write_csv(frame, tmp_path / "data" / "data.csv")
    run = run_in_process(preprocess_args(jobs, tmp_path / "data", tmp_path / "out"), {})
    assert run.returncode == 0, run.stderr
    stats = json.loads((tmp_path / "out" / "baseline" / "statistics.json").read_text())
    assert stats["features"]["paperless_billing"]["count"] + (
        stats["features"]["paperless_billing"]["missing"]
    ) == len(pd.read_csv(tmp_path / "out" / "train" / "train.csv"))
