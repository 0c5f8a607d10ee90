"""Binary-classification quality metrics in the SageMaker Model Registry `ModelMetrics` format.

The report is `{"binary_classification_metrics": {<metric>: {"value", "standard_deviation"},
"confusion_matrix": {"<actual>": {"<predicted>": count}}, "receiver_operating_characteristic_curve":
{...}, "precision_recall_curve": {...}}}`. Standard deviations come from a seeded bootstrap of
the test rows, so the same model and data always give the same report.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

THRESHOLD = 0.5
BOOTSTRAP_ROUNDS = 100
CURVE_POINTS = 50


def point_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """auc, accuracy, f1, precision and recall of churn probabilities `scores`."""
    predicted = (scores >= THRESHOLD).astype(int)
    both_classes = len(np.unique(labels)) == 2
    return {
        "auc": float(roc_auc_score(labels, scores)) if both_classes else float("nan"),
        "accuracy": float(accuracy_score(labels, predicted)),
        "f1": float(f1_score(labels, predicted, zero_division=0)),
        "precision": float(precision_score(labels, predicted, zero_division=0)),
        "recall": float(recall_score(labels, predicted, zero_division=0)),
    }


def model_quality_report(labels: np.ndarray, scores: np.ndarray, seed: int = 0) -> dict[str, Any]:
    """The full evaluation report for the Model Registry's ModelQuality statistics."""
    values = point_metrics(labels, scores)
    spread = _bootstrap_std(labels, scores, seed)
    predicted = (scores >= THRESHOLD).astype(int)
    confusion = {
        str(actual): {
            str(guess): int(np.sum((labels == actual) & (predicted == guess))) for guess in (0, 1)
        }
        for actual in (0, 1)
    }
    fpr, tpr, _ = roc_curve(labels, scores)
    precisions, recalls, _ = precision_recall_curve(labels, scores)
    roc_index = _thin(len(fpr))
    pr_index = _thin(len(precisions))
    metrics: dict[str, Any] = {
        name: {"value": round(value, 6), "standard_deviation": round(spread[name], 6)}
        for name, value in values.items()
    }
    metrics["confusion_matrix"] = confusion
    metrics["receiver_operating_characteristic_curve"] = {
        "false_positive_rates": [round(float(v), 6) for v in fpr[roc_index]],
        "true_positive_rates": [round(float(v), 6) for v in tpr[roc_index]],
    }
    metrics["precision_recall_curve"] = {
        "precisions": [round(float(v), 6) for v in precisions[pr_index]],
        "recalls": [round(float(v), 6) for v in recalls[pr_index]],
    }
    return {"binary_classification_metrics": metrics}


def _thin(length: int) -> np.ndarray:
    return np.unique(np.linspace(0, length - 1, min(length, CURVE_POINTS)).round().astype(int))


def _bootstrap_std(labels: np.ndarray, scores: np.ndarray, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    rounds: list[dict[str, float]] = []
    for _ in range(BOOTSTRAP_ROUNDS):
        index = rng.integers(0, len(labels), len(labels))
        if len(np.unique(labels[index])) < 2:
            continue
        rounds.append(point_metrics(labels[index], scores[index]))
    if not rounds:
        return dict.fromkeys(("auc", "accuracy", "f1", "precision", "recall"), 0.0)
    return {name: float(np.std([r[name] for r in rounds], ddof=1)) for name in rounds[0]}
