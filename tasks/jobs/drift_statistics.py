"""Baseline statistics of the training data and the drift measures computed against them.

PSI (population stability index) compares binned proportions; the two-sample
Kolmogorov-Smirnov test compares a numeric feature's captured values with a seeded sample of
the training values kept in the baseline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from schema import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from scipy import stats

HISTOGRAM_BINS = 10
SAMPLE_SIZE = 1000
# Empty bins would make PSI infinite; this floor is the customary smoothing.
PSI_FLOOR = 1e-4


def baseline_statistics(frame: pd.DataFrame, seed: int = 0) -> dict[str, Any]:
    """Per-feature statistics of `frame` (the training split), JSON-serialisable."""
    rng = np.random.default_rng(seed)
    features: dict[str, Any] = {}
    for name in NUMERIC_FEATURES:
        values = frame[name].to_numpy(dtype=float)
        edges = np.unique(np.quantile(values, np.linspace(0, 1, HISTOGRAM_BINS + 1)))
        if len(edges) < 2:
            edges = np.array([values.min() - 0.5, values.max() + 0.5])
        sample = values if len(values) <= SAMPLE_SIZE else rng.choice(values, SAMPLE_SIZE, False)
        features[name] = {
            "type": "numeric",
            "count": len(values),
            "mean": float(values.mean()),
            "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "min": float(values.min()),
            "max": float(values.max()),
            "histogram": {
                "bin_edges": [float(e) for e in edges],
                "proportions": _proportions(values, edges),
            },
            "quantiles": [float(q) for q in np.quantile(values, np.linspace(0, 1, 101))],
            "sample": [float(v) for v in np.sort(sample)],
        }
    for name, categories in CATEGORICAL_FEATURES.items():
        counts = frame[name].value_counts()
        features[name] = {
            "type": "categorical",
            "count": len(frame),
            "categories": {c: float(counts.get(c, 0)) / len(frame) for c in categories},
        }
    return {"version": 1, "row_count": len(frame), "features": features}


def _proportions(values: np.ndarray, edges: np.ndarray) -> list[float]:
    # Values outside the baseline's range fall into the outer bins.
    clipped = np.clip(values, edges[0], edges[-1])
    counts, _ = np.histogram(clipped, bins=edges)
    return [float(c) / len(values) for c in counts]


def psi(expected: list[float], actual: list[float]) -> float:
    """Population stability index between two proportion vectors over the same bins."""
    e = np.maximum(np.asarray(expected, dtype=float), PSI_FLOOR)
    a = np.maximum(np.asarray(actual, dtype=float), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def compare_feature(baseline: dict[str, Any], values: pd.Series) -> dict[str, Any]:
    """Drift measures of one feature's captured `values` against its baseline entry."""
    if baseline["type"] == "numeric":
        numbers = values.to_numpy(dtype=float)
        edges = np.asarray(baseline["histogram"]["bin_edges"], dtype=float)
        ks = stats.ks_2samp(np.asarray(baseline["sample"], dtype=float), numbers)
        return {
            "type": "numeric",
            "psi": psi(baseline["histogram"]["proportions"], _proportions(numbers, edges)),
            "ks_statistic": float(ks.statistic),
            "ks_pvalue": float(ks.pvalue),
            "baseline_mean": baseline["mean"],
            "captured_mean": float(numbers.mean()),
        }
    categories = list(baseline["categories"])
    counts = values.value_counts()
    actual = [float(counts.get(c, 0)) / len(values) for c in categories]
    return {
        "type": "categorical",
        "psi": psi(list(baseline["categories"].values()), actual),
        # KS needs ordered values; categorical features are judged by PSI alone.
        "ks_statistic": None,
        "ks_pvalue": None,
        "captured_proportions": dict(zip(categories, actual, strict=True)),
    }
