"""Baseline statistics of the training data and the drift measures computed against them.

PSI (population stability index) compares binned proportions; the two-sample
Kolmogorov-Smirnov test compares a numeric feature's captured values with a seeded sample of
the training values kept in the baseline. Categorical features are binned by the categories
seen in training, plus an OTHER bin for values training never held. Missing cells count in
neither: proportions are of the values present.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import schema
from errors import JobInputError
from scipy import stats

HISTOGRAM_BINS = 10
SAMPLE_SIZE = 1000
# Empty bins would make PSI infinite; this floor is the customary smoothing.
PSI_FLOOR = 1e-4
OTHER = "(other)"


def baseline_statistics(frame: pd.DataFrame, seed: int = 0) -> dict[str, Any]:
    """Per-feature statistics of `frame` (the training split), JSON-serialisable."""
    rng = np.random.default_rng(seed)
    features: dict[str, Any] = {}
    for name in schema.NUMERIC_FEATURES:
        values = _present(frame[name], name).to_numpy(dtype=float)
        edges = np.unique(np.quantile(values, np.linspace(0, 1, HISTOGRAM_BINS + 1)))
        if len(edges) < 2:
            edges = np.array([values.min() - 0.5, values.max() + 0.5])
        sample = values if len(values) <= SAMPLE_SIZE else rng.choice(values, SAMPLE_SIZE, False)
        features[name] = {
            "type": "numeric",
            "count": len(values),
            "missing": int(len(frame) - len(values)),
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
    for name in schema.CATEGORICAL_FEATURES:
        values = _present(frame[name], name).astype(str)
        counts = values.value_counts()
        features[name] = {
            "type": "categorical",
            "count": len(values),
            "missing": int(len(frame) - len(values)),
            # Most frequent first; the categories the model learned, with their shares.
            "categories": {str(c): float(n) / len(values) for c, n in counts.items()},
        }
    return {"version": 2, "row_count": len(frame), "features": features}


def _present(values: pd.Series, name: str) -> pd.Series:
    present = values.dropna()
    if present.empty:
        raise JobInputError(f"column '{name}' has no values in the training split")
    return present


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
    present = values.dropna()
    if baseline["type"] == "numeric":
        numbers = present.to_numpy(dtype=float)
        if len(numbers) == 0:
            return {
                "type": "numeric",
                "psi": 0.0,
                "ks_statistic": None,
                "ks_pvalue": None,
                "baseline_mean": baseline["mean"],
                "captured_mean": None,
                "captured_count": 0,
            }
        edges = np.asarray(baseline["histogram"]["bin_edges"], dtype=float)
        ks = stats.ks_2samp(np.asarray(baseline["sample"], dtype=float), numbers)
        return {
            "type": "numeric",
            "psi": psi(baseline["histogram"]["proportions"], _proportions(numbers, edges)),
            "ks_statistic": float(ks.statistic),
            "ks_pvalue": float(ks.pvalue),
            "baseline_mean": baseline["mean"],
            "captured_mean": float(numbers.mean()),
            "captured_count": len(numbers),
        }
    expected = dict(baseline["categories"])
    counts = present.astype(str).value_counts()
    total = max(len(present), 1)
    actual = {c: float(counts.get(c, 0)) / total for c in expected}
    actual[OTHER] = float(counts[~counts.index.isin(list(expected))].sum()) / total
    expected[OTHER] = 0.0
    return {
        "type": "categorical",
        "psi": psi(list(expected.values()), list(actual.values())) if len(present) else 0.0,
        # KS needs ordered values; categorical features are judged by PSI alone.
        "ks_statistic": None,
        "ks_pvalue": None,
        "captured_proportions": actual,
        "captured_count": len(present),
    }
