"""The feature transformer: numeric columns imputed (median) and scaled, categorical ones
imputed (most frequent) and one-hot encoded with the categories seen in the training data."""

from __future__ import annotations

import schema
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def build_transformer() -> ColumnTransformer:
    """An unfitted transformer for model.json's features. A category the training data never
    held encodes as all zeros (handle_unknown="ignore"), so a new value in a request is served
    instead of refused, and the model's input width stays the one it was trained with."""
    parts = []
    if schema.NUMERIC_FEATURES:
        numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        parts.append(("numeric", numeric, list(schema.NUMERIC_FEATURES)))
    if schema.CATEGORICAL_FEATURES:
        categorical = make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
        )
        parts.append(("categorical", categorical, list(schema.CATEGORICAL_FEATURES)))
    return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)
