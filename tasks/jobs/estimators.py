"""The estimator train.py fits, chosen by model.json's estimator and problem.

| estimator | binary, multiclass | regression |
| --- | --- | --- |
| gradient_boosting | GradientBoostingClassifier | GradientBoostingRegressor |
| random_forest | RandomForestClassifier | RandomForestRegressor |
| linear | LogisticRegression | Ridge |

Each estimator's hyperparameters are declared in `<estimator>.hyperparameters.json`, with keys
both of its classes accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from errors import JobInputError
from sklearn.base import BaseEstimator
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge

# (classifier, regressor) per estimator name.
ESTIMATOR_CLASSES: dict[str, tuple[type[BaseEstimator], type[BaseEstimator]]] = {
    "gradient_boosting": (GradientBoostingClassifier, GradientBoostingRegressor),
    "random_forest": (RandomForestClassifier, RandomForestRegressor),
    "linear": (LogisticRegression, Ridge),
}


def estimator_class(estimator: str, problem: str) -> type[BaseEstimator]:
    if estimator not in ESTIMATOR_CLASSES:
        raise JobInputError(
            f"the built-in train.py builds {', '.join(ESTIMATOR_CLASSES)}, not {estimator!r}; "
            "pick one of those in model.estimator, or put your own train.py in the project's "
            "jobs/ folder"
        )
    classifier, regressor = ESTIMATOR_CLASSES[estimator]
    return regressor if problem == "regression" else classifier


def build_estimator(estimator: str, problem: str, params: Mapping[str, Any]) -> BaseEstimator:
    """An unfitted estimator with the parsed hyperparameters."""
    return estimator_class(estimator, problem)(**params)
