"""A shifted copy of a dataset: what the world looks like after it changed, for the demo's drift.

Every numeric feature moves by `SHIFT` of its standard deviation, and `TAKEN_OVER` of the rows of
every categorical feature take its rarest value: a change the drift check's PSI and KS tests find
on any data, whatever its columns. Targets are kept: they are the labelled outcomes the
drift-triggered retrain learns from.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

SHIFT = 1.0
TAKEN_OVER = 0.6


def shifted_copy(
    frame: pd.DataFrame, features: Mapping[str, str], rows: int, seed: int = 11
) -> pd.DataFrame:
    """`rows` rows drawn from `frame` (with replacement), their features shifted.
    `features` maps each feature column to numeric or categorical."""
    rng = np.random.default_rng(seed)
    copy = frame.iloc[rng.integers(0, len(frame), rows)].reset_index(drop=True)
    for column, kind in features.items():
        if kind == "numeric":
            values = pd.to_numeric(copy[column], errors="coerce")
            spread = float(values.std()) or 1.0
            copy[column] = (values + SHIFT * spread).round(6)
        else:
            counts = frame[column].value_counts()
            if counts.empty:
                continue
            chosen = rng.random(rows) < TAKEN_OVER
            copy[column] = copy[column].astype(object)
            copy.loc[chosen, column] = counts.index[-1]
    return copy
