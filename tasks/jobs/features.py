"""The feature transformer: scaling for numeric columns, one-hot for categorical ones."""

from __future__ import annotations

from schema import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def build_transformer() -> ColumnTransformer:
    """An unfitted transformer; categories are fixed by the schema so unseen data cannot
    change the model's input width."""
    categorical = list(CATEGORICAL_FEATURES)
    return ColumnTransformer(
        [
            ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
            (
                "categorical",
                OneHotEncoder(
                    categories=[list(CATEGORICAL_FEATURES[c]) for c in categorical],
                    handle_unknown="ignore",
                    sparse_output=False,
                ),
                categorical,
            ),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )
