"""The quality metrics of many bootstrap resamples at once, for their standard deviations.

scikit-learn's metric functions check their input on every call, which costs milliseconds; a
hundred resamples of five metrics took four seconds, most of an evaluation job. Here each metric
is counted from arrays of shape (resamples, rows) in a few numpy operations. The definitions are
scikit-learn's (AUC as the Mann-Whitney statistic with ties counted half, precision and recall
zero where undefined, macro averages over the labels a resample holds, r2 of constant targets
per `force_finite`); tests hold them equal to `quality_metrics.point_metrics` per resample.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

# Rows of one (resamples x rows) block: bounds the memory a large test set takes (~16 MB each).
_BLOCK_CELLS = 2_000_000


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (`zero_division=0`)."""
    safe = np.where(denominator == 0, 1, denominator)
    return np.where(denominator == 0, 0.0, numerator / safe)


def binary(positives: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, np.ndarray]:
    """Per resample (row): auc, accuracy, f1, precision, recall. Every row must hold both
    classes."""
    truth = positives.astype(bool)
    predicted = scores >= threshold
    tp = np.sum(truth & predicted, axis=1)
    fp = np.sum(~truth & predicted, axis=1)
    fn = np.sum(truth & ~predicted, axis=1)
    rows = truth.shape[1]
    n_pos = np.sum(truth, axis=1)
    n_neg = rows - n_pos
    ranks = rankdata(scores, axis=1)  # ties take their average rank
    rank_sum = np.sum(np.where(truth, ranks, 0.0), axis=1)
    return {
        "auc": (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg),
        "accuracy": (rows - fp - fn) / rows,
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
    }


def multiclass(labels: np.ndarray, predicted: np.ndarray) -> dict[str, np.ndarray]:
    """Per resample (row): accuracy and the macro and weighted averages; `labels` and
    `predicted` are class codes (non-negative integers)."""
    classes = int(max(labels.max(), predicted.max())) + 1
    tp = np.stack([np.sum((labels == k) & (predicted == k), axis=1) for k in range(classes)], 1)
    support = np.stack([np.sum(labels == k, axis=1) for k in range(classes)], 1)
    guessed = np.stack([np.sum(predicted == k, axis=1) for k in range(classes)], 1)
    present = (support + guessed) > 0  # scikit-learn averages over the labels a resample holds
    per_class = {
        "f1": _ratio(2 * tp, support + guessed),
        "precision": _ratio(tp, guessed),
        "recall": _ratio(tp, support),
    }

    def macro(values: np.ndarray) -> np.ndarray:
        return np.sum(np.where(present, values, 0.0), axis=1) / np.sum(present, axis=1)

    return {
        "accuracy": np.mean(labels == predicted, axis=1),
        "macro_f1": macro(per_class["f1"]),
        "weighted_f1": np.sum(per_class["f1"] * support, axis=1) / np.sum(support, axis=1),
        "macro_precision": macro(per_class["precision"]),
        "macro_recall": macro(per_class["recall"]),
    }


def regression(targets: np.ndarray, predicted: np.ndarray) -> dict[str, np.ndarray]:
    """Per resample (row): r2, rmse, mae, mse."""
    errors = targets - predicted
    mse = np.mean(errors**2, axis=1)
    residual = np.sum(errors**2, axis=1)
    total = np.sum((targets - targets.mean(axis=1, keepdims=True)) ** 2, axis=1)
    constant = total == 0
    r2 = np.where(
        constant, np.where(residual == 0, 1.0, 0.0), 1 - residual / np.where(constant, 1, total)
    )
    return {
        "r2": r2,
        "rmse": np.sqrt(mse),
        "mae": np.mean(np.abs(errors), axis=1),
        "mse": mse,
    }


def resample_indices(rows: int, rounds: int, seed: int) -> list[np.ndarray]:
    """`rounds` bootstrap resamples of `rows` row indices, drawn one round after another from
    one seeded generator (the sequence earlier releases drew, so reports stay the same)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, rows, rows) for _ in range(rounds)]


def blocks(indices: list[np.ndarray]) -> list[np.ndarray]:
    """The resamples stacked into (resamples, rows) blocks of bounded size."""
    if not indices:
        return []
    per_block = max(1, _BLOCK_CELLS // max(1, len(indices[0])))
    return [np.stack(indices[i : i + per_block]) for i in range(0, len(indices), per_block)]
