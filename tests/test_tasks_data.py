"""The churn dataset generator and the data-capture writer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from examples.churn.churn_data import (
    CATEGORICAL_FEATURES,
    CATEGORY_VALUES,
    COLUMNS,
    FEATURES,
    LABEL,
    NUMERIC_FEATURES,
    generate,
)
from tasks.data.capture import write_capture
from tests.jobs_helpers import model_json


def test_same_seed_same_data_and_schema() -> None:
    one, two = generate(seed=5, rows=300), generate(seed=5, rows=300)
    pd.testing.assert_frame_equal(one, two)
    assert not one.equals(generate(seed=6, rows=300))
    assert tuple(one.columns) == COLUMNS and len(one) == 300
    for name, values in CATEGORY_VALUES.items():
        assert set(one[name]) <= set(values)
    assert set(one[LABEL]) == {0, 1}
    assert (one["total_charges"] >= 0).all() and one["tenure_months"].between(0, 72).all()


def test_default_dataset_has_a_realistic_churn_rate() -> None:
    frame = generate()
    assert len(frame) == 5000
    assert 0.2 < frame[LABEL].mean() < 0.35


def test_drift_moves_features_and_the_label_relation() -> None:
    base, drifted = generate(seed=1, rows=4000), generate(seed=1, rows=4000, drift=1.0)
    assert drifted["tenure_months"].mean() < 0.7 * base["tenure_months"].mean()
    assert drifted["monthly_charges"].mean() > base["monthly_charges"].mean() + 10
    share = lambda f: (f["contract_type"] == "month-to-month").mean()  # noqa: E731
    assert share(drifted) > share(base) + 0.1

    # Concept drift: a model of the old customers ranks the drifted ones worse than a model
    # of the drifted customers does, on the same held-out drifted rows.
    old = _fit(base)
    new = _fit(drifted.iloc[:3000])
    held_out = drifted.iloc[3000:]
    assert _auc(old, held_out) < _auc(new, held_out) - 0.02


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    encoded = pd.get_dummies(frame[list(FEATURES)], columns=list(CATEGORICAL_FEATURES))
    columns = [f"{n}_{v}" for n, values in CATEGORY_VALUES.items() for v in values]
    return encoded.reindex(columns=[*NUMERIC_FEATURES, *columns], fill_value=0).astype(float)


def _fit(frame: pd.DataFrame) -> Pipeline:
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    return model.fit(_design(frame), frame[LABEL])


def _auc(model: Pipeline, frame: pd.DataFrame) -> float:
    return float(roc_auc_score(frame[LABEL], model.predict_proba(_design(frame))[:, 1]))


def test_label_noise_flips_labels() -> None:
    clean, noisy = generate(seed=2, rows=4000), generate(seed=2, rows=4000, label_noise=0.45)
    pd.testing.assert_frame_equal(clean[list(FEATURES)], noisy[list(FEATURES)])
    flipped = (clean[LABEL] != noisy[LABEL]).mean()
    assert 0.4 < flipped < 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"rows": 0}, "rows"), ({"drift": 1.5}, "drift"), ({"label_noise": 0.7}, "label_noise")],
)
def test_bad_arguments_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(**kwargs)


def test_capture_files_follow_the_sagemaker_layout_and_record_shape(tmp_path: Path) -> None:
    frame = generate(seed=4, rows=900)
    files = write_capture(
        frame,
        tmp_path,
        features=FEATURES,
        endpoint_name="churn",
        start=datetime(2024, 3, 9, 23, 0, tzinfo=UTC),
        predictions=np.linspace(0, 1, 900),
    )
    relative = [f.relative_to(tmp_path).parts[:-1] for f in files]
    assert relative == [
        ("churn", "AllTraffic", "2024", "03", "09", "23"),
        ("churn", "AllTraffic", "2024", "03", "10", "00"),
    ]
    records = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    assert len(records) == 900
    first = records[0]
    assert first["eventVersion"] == "0"
    assert first["captureData"]["endpointInput"] == {
        "observedContentType": "text/csv",
        "mode": "INPUT",
        "data": ",".join(str(v) for v in frame.iloc[0][list(FEATURES)]),
        "encoding": "CSV",
    }
    assert first["captureData"]["endpointOutput"]["mode"] == "OUTPUT"
    assert first["eventMetadata"]["inferenceTime"] == "2024-03-09T23:00:00.000Z"
    assert len({r["eventMetadata"]["eventId"] for r in records}) == 900


def test_capture_rows_follow_the_feature_order_given(tmp_path: Path) -> None:
    # Guards the features parameter: the captured row is the frame's columns in that order,
    # whatever the frame's own order (capture no longer knows any dataset's schema).
    # A missing value is captured as the empty field a client sends, never as "nan".
    frame = pd.DataFrame({"b": [1.5, np.nan], "a": ["x", None], "target": [0, 1]})
    [path] = write_capture(frame, tmp_path, features=["a", "b"])
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["captureData"]["endpointInput"]["data"] for r in records] == ["x,1.5", ","]


def test_the_churn_model_json_lists_the_numeric_then_the_categorical_columns() -> None:
    spec = model_json()
    assert (spec["problem"], spec["target"], spec["estimator"]) == (
        "binary",
        "churned",
        "gradient_boosting",
    )
    features = spec["features"]
    assert isinstance(features, list)
    assert [f["name"] for f in features] == list(FEATURES)
    assert [f["type"] for f in features] == ["numeric"] * 8 + ["categorical"] * 4
    assert FEATURES == NUMERIC_FEATURES + CATEGORICAL_FEATURES


def test_the_churn_examples_data_file_is_what_its_generator_writes() -> None:
    # examples/churn/README.md says so; the demo uploads this file.
    from examples.churn.churn_data import generate

    path = Path(__file__).resolve().parent.parent / "examples" / "churn" / "data" / "churn.csv"
    body = generate(seed=7, rows=3000).to_csv(index=False, lineterminator="\n")
    assert path.read_text(encoding="utf-8") == body


def test_a_value_holding_a_comma_is_quoted_as_a_csv_client_sends_it(tmp_path: Path) -> None:
    # Joined on bare commas, "red, dark" became two fields and the drift job (which reads the
    # captured rows with a CSV reader) skipped the row as one field too long.
    import csv

    frame = pd.DataFrame({"colour": ["red, dark", 'say "hi"'], "size": [1.0, 2.0]})
    [path] = write_capture(frame, tmp_path, features=["colour", "size"])
    rows = [
        json.loads(line)["captureData"]["endpointInput"]["data"]
        for line in path.read_text().splitlines()
    ]
    assert [next(csv.reader([row])) for row in rows] == [["red, dark", "1.0"], ['say "hi"', "2.0"]]
