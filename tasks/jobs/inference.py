"""Serving hooks for the scikit-learn container's endpoint: CSV feature rows in (no header, in
schema order, or with a header row), churn probabilities out (one per row)."""

from __future__ import annotations

import io
import json
import os
from typing import Any

import joblib
import numpy as np
import pandas as pd
from dataset_io import validate_frame
from schema import FEATURES

CSV = "text/csv"
JSON = "application/json"


def model_fn(model_dir: str) -> Any:
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(request_body: str | bytes, content_type: str = CSV) -> pd.DataFrame:
    if content_type.split(";")[0].strip() != CSV:
        raise ValueError(f"unsupported content type {content_type!r}; send {CSV}")
    text = request_body.decode("utf-8") if isinstance(request_body, bytes) else request_body
    first = text.lstrip().split(",", 1)[0].strip()
    header = 0 if first == FEATURES[0] else None
    frame = pd.read_csv(io.StringIO(text), header=header, skipinitialspace=True)
    if header is None:
        if frame.shape[1] != len(FEATURES):
            raise ValueError(
                f"each CSV row needs {len(FEATURES)} fields in this order: {list(FEATURES)}"
            )
        frame.columns = list(FEATURES)
    return validate_frame(frame, "request", require_label=False)


def predict_fn(input_data: pd.DataFrame, model: Any) -> np.ndarray:
    return np.asarray(model.predict_proba(input_data[list(FEATURES)]))[:, 1]


def output_fn(prediction: np.ndarray, accept: str = CSV) -> tuple[str, str]:
    kind = accept.split(";")[0].strip() if accept else CSV
    if kind in (CSV, "*/*"):
        return "\n".join(f"{p:.6f}" for p in prediction) + "\n", CSV
    if kind == JSON:
        return json.dumps({"predictions": [round(float(p), 6) for p in prediction]}), JSON
    raise ValueError(f"unsupported accept type {accept!r}; use {CSV} or {JSON}")
