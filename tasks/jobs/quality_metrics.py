"""Model quality metrics per problem type, in the SageMaker Model Registry `ModelMetrics` format.

- binary: `{"binary_classification_metrics": {auc|accuracy|f1|precision|recall: {"value",
  "standard_deviation"}, "confusion_matrix": {"<actual>": {"<predicted>": count}},
  "receiver_operating_characteristic_curve": {...}, "precision_recall_curve": {...}}}`; the
  scores are the probability of the positive class (the second of the sorted classes).
- multiclass: `{"multiclass_classification_metrics": {accuracy|macro_f1|weighted_f1|
  macro_precision|macro_recall: {"value", "standard_deviation"}, "confusion_matrix": {...}}}`.
- regression: `{"regression_metrics": {r2|rmse|mae|mse: {"value", "standard_deviation"}}}`.

Standard deviations come from a seeded bootstrap of the test rows, so the same model and data
always give the same report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import resampled_metrics
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_curve,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

THRESHOLD = 0.5
BOOTSTRAP_ROUNDS = 100
CURVE_POINTS = 50
REPORT_KEYS = {
    "binary": "binary_classification_metrics",
    "multiclass": "multiclass_classification_metrics",
    "regression": "regression_metrics",
}
METRIC_NAMES = {
    "binary": ("auc", "accuracy", "f1", "precision", "recall"),
    "multiclass": ("accuracy", "macro_f1", "weighted_f1", "macro_precision", "macro_recall"),
    "regression": ("r2", "rmse", "mae", "mse"),
}


def binary_metrics(positives: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """auc, accuracy, f1, precision and recall; `positives` is 1 where the row is of the
    positive class, `scores` that class's probability."""
    predicted = (scores >= THRESHOLD).astype(int)
    both_classes = len(np.unique(positives)) == 2
    return {
        "auc": float(roc_auc_score(positives, scores)) if both_classes else float("nan"),
        "accuracy": float(accuracy_score(positives, predicted)),
        "f1": float(f1_score(positives, predicted, zero_division=0)),
        "precision": float(precision_score(positives, predicted, zero_division=0)),
        "recall": float(recall_score(positives, predicted, zero_division=0)),
    }


def multiclass_metrics(labels: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    def averaged(metric: Callable[..., Any], average: str) -> float:
        return float(metric(labels, predicted, average=average, zero_division=0))

    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "macro_f1": averaged(f1_score, "macro"),
        "weighted_f1": averaged(f1_score, "weighted"),
        "macro_precision": averaged(precision_score, "macro"),
        "macro_recall": averaged(recall_score, "macro"),
    }


def regression_metrics(targets: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    mse = float(mean_squared_error(targets, predicted))
    return {
        "r2": float(r2_score(targets, predicted)),
        "rmse": float(np.sqrt(mse)),
        "mae": float(mean_absolute_error(targets, predicted)),
        "mse": mse,
    }


def point_metrics(problem: str, truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """The metrics of `problem`: `truth` is 0/1 (binary), labels or targets; `predicted` is
    the positive-class probability (binary), predicted labels or predicted values."""
    if problem == "binary":
        return binary_metrics(truth, predicted)
    if problem == "multiclass":
        return multiclass_metrics(truth, predicted)
    return regression_metrics(truth, predicted)


def model_quality_report(
    problem: str,
    truth: np.ndarray,
    predicted: np.ndarray,
    seed: int = 0,
    classes: Sequence[object] = (),
) -> dict[str, Any]:
    """The full evaluation report for the Model Registry's ModelQuality statistics; `classes`
    are the model's classes (binary: negative then positive), the confusion matrix's keys."""
    values = point_metrics(problem, truth, predicted)
    spread = _bootstrap_std(problem, truth, predicted, seed)
    metrics: dict[str, Any] = {
        name: {"value": round(value, 6), "standard_deviation": round(spread[name], 6)}
        for name, value in values.items()
    }
    if problem == "binary":
        metrics.update(_binary_extras(truth, predicted, classes))
    elif problem == "multiclass":
        metrics["confusion_matrix"] = _confusion(truth, predicted, classes)
    return {REPORT_KEYS[problem]: metrics}


def _confusion(
    truth: np.ndarray, predicted: np.ndarray, classes: Sequence[object]
) -> dict[str, dict[str, int]]:
    names = list(classes) or sorted(set(truth.tolist()) | set(predicted.tolist()), key=str)
    return {
        str(actual): {
            str(guess): int(np.sum((truth == actual) & (predicted == guess))) for guess in names
        }
        for actual in names
    }


def _binary_extras(
    positives: np.ndarray, scores: np.ndarray, classes: Sequence[object]
) -> dict[str, Any]:
    negative, positive = (list(classes) or [0, 1])[:2]
    predicted = (scores >= THRESHOLD).astype(int)
    confusion = {
        str(actual_name): {
            str(guess_name): int(np.sum((positives == actual) & (predicted == guess)))
            for guess, guess_name in ((0, negative), (1, positive))
        }
        for actual, actual_name in ((0, negative), (1, positive))
    }
    fpr, tpr, _ = roc_curve(positives, scores)
    precisions, recalls, _ = precision_recall_curve(positives, scores)
    roc_index = _thin(len(fpr))
    pr_index = _thin(len(precisions))
    return {
        "confusion_matrix": confusion,
        "receiver_operating_characteristic_curve": {
            "false_positive_rates": [round(float(v), 6) for v in fpr[roc_index]],
            "true_positive_rates": [round(float(v), 6) for v in tpr[roc_index]],
        },
        "precision_recall_curve": {
            "precisions": [round(float(v), 6) for v in precisions[pr_index]],
            "recalls": [round(float(v), 6) for v in recalls[pr_index]],
        },
    }


def _thin(length: int) -> np.ndarray:
    return np.unique(np.linspace(0, length - 1, min(length, CURVE_POINTS)).round().astype(int))


def _bootstrap_std(
    problem: str, truth: np.ndarray, predicted: np.ndarray, seed: int
) -> dict[str, float]:
    if problem == "multiclass":
        # Class codes over both arrays: labels may be strings, and a class may be only guessed.
        _, codes = np.unique(np.concatenate([truth, predicted]).astype(str), return_inverse=True)
        truth, predicted = codes[: len(truth)], codes[len(truth) :]
    kept = [
        index
        for index in resampled_metrics.resample_indices(len(truth), BOOTSTRAP_ROUNDS, seed)
        # AUC needs both classes; r2 needs targets that vary.
        if problem == "multiclass" or len(np.unique(truth[index])) >= 2
    ]
    if len(kept) < 2:
        return dict.fromkeys(METRIC_NAMES[problem], 0.0)
    per_round: dict[str, list[np.ndarray]] = {}
    for block in resampled_metrics.blocks(kept):
        if problem == "binary":
            values = resampled_metrics.binary(truth[block], predicted[block], THRESHOLD)
        elif problem == "multiclass":
            values = resampled_metrics.multiclass(truth[block], predicted[block])
        else:
            values = resampled_metrics.regression(truth[block], predicted[block])
        for name, column in values.items():
            per_round.setdefault(name, []).append(column)
    return {
        name: float(np.std(np.concatenate(columns), ddof=1)) for name, columns in per_round.items()
    }
