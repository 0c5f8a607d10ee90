"""What a trained model predicts for model.json's problem type, the same for validation
(train.py), the test split (evaluate.py) and the endpoint (inference.py).

binary: the probability of the positive class, the second of the sorted classes
(`classes_[1]`); multiclass: the predicted class label; regression: the predicted value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import schema
from errors import JobInputError


def predict(model: Any, frame: pd.DataFrame) -> np.ndarray:
    rows = frame[list(schema.FEATURES)]
    if schema.PROBLEM == "binary":
        predict_proba = getattr(model, "predict_proba", None)
        if predict_proba is None:
            raise JobInputError(
                "the model has no predict_proba; model.json's problem binary needs a classifier"
            )
        return np.asarray(predict_proba(rows))[:, 1]
    return np.asarray(model.predict(rows))


def truth_and_predictions(model: Any, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The target of `frame` as the metrics take it (binary: 1 for the positive class) and
    the model's predictions for it."""
    labels = frame[schema.TARGET].to_numpy()
    predicted = predict(model, frame)
    if schema.PROBLEM == "binary":
        return (labels == model_classes(model)[1]).astype(int), predicted
    if schema.PROBLEM == "regression":
        return labels.astype(float), predicted.astype(float)
    return labels, predicted


def model_classes(model: Any) -> list[Any]:
    classes = getattr(model, "classes_", None)
    if classes is None:
        raise JobInputError(
            f"the model has no classes; model.json's problem {schema.PROBLEM} needs a classifier"
        )
    return list(classes)
