"""Serving hooks for the scikit-learn container's endpoint: CSV feature rows in (no header, in
model.json's feature order, or with a header row), one value per row out: binary -> the
probability of the positive class, multiclass -> the predicted class label, regression -> the
predicted value (predictions.py)."""

from __future__ import annotations

import io
import json
import os
from typing import Any

import joblib
import numpy as np
import pandas as pd
import schema
from dataset_io import validate_frame
from predictions import predict

CSV = "text/csv"
JSON = "application/json"


def model_fn(model_dir: str) -> Any:
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(request_body: str | bytes, content_type: str = CSV) -> pd.DataFrame:
    if content_type.split(";")[0].strip() != CSV:
        raise ValueError(f"unsupported content type {content_type!r}; send {CSV}")
    text = request_body.decode("utf-8") if isinstance(request_body, bytes) else request_body
    features = list(schema.FEATURES)
    first_line = text.lstrip().split("\n", 1)[0]
    # A header row names every feature (in any order, other columns allowed).
    has_header = set(features) <= {field.strip() for field in first_line.split(",")}
    categorical = set(schema.CATEGORICAL_FEATURES)
    if has_header:
        frame = pd.read_csv(
            io.StringIO(text), skipinitialspace=True, dtype=dict.fromkeys(categorical, str)
        )
    else:
        # Categorical fields stay text, so "1" here is the category "1" seen in training.
        text_fields = {i: str for i, name in enumerate(features) if name in categorical}
        frame = pd.read_csv(
            io.StringIO(text), header=None, skipinitialspace=True, dtype=text_fields
        )
        if frame.shape[1] != len(features):
            raise ValueError(f"each CSV row needs {len(features)} fields in this order: {features}")
        frame.columns = features
    return validate_frame(frame, "request", require_label=False)


def predict_fn(input_data: pd.DataFrame, model: Any) -> np.ndarray:
    return predict(model, input_data)


def output_fn(prediction: np.ndarray, accept: str = CSV) -> tuple[str, str]:
    kind = accept.split(";")[0].strip() if accept else CSV
    values = [_value(p) for p in prediction]
    if kind in (CSV, "*/*"):
        lines = (f"{v:.6f}" if isinstance(v, float) else str(v) for v in values)
        return "".join(f"{line}\n" for line in lines), CSV
    if kind == JSON:
        return json.dumps({"predictions": values}), JSON
    raise ValueError(f"unsupported accept type {accept!r}; use {CSV} or {JSON}")


def _value(prediction: Any) -> Any:
    """A JSON value: scores and predicted values as numbers (6 decimals), class labels as
    they are (numbers stay numbers)."""
    if schema.PROBLEM == "multiclass":
        label = prediction.item() if isinstance(prediction, np.generic) else prediction
        return label if isinstance(label, int | str) else str(label)
    return round(float(prediction), 6)
