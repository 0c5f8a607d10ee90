"""The model-quality metrics of each problem type: what the evaluate job reports, what the quality
gate may hold a candidate to, and which way is better.

The evaluation report is SageMaker Model Registry's ``ModelQuality`` statistics format: one section
per problem type (``binary_classification_metrics``, ``multiclass_classification_metrics``,
``regression_metrics``) holding ``{<metric>: {"value", "standard_deviation"}}``. The job scripts run
standalone in the container and cannot import this module; a test holds what evaluate.py writes to
the names here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Problem = Literal["binary", "multiclass", "regression"]
PROBLEMS: tuple[Problem, ...] = ("binary", "multiclass", "regression")


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    # Scores bounded by 0 and 1 (a threshold outside makes no sense); errors and r2 are not.
    ratio: bool

    def describe_threshold(self) -> str:
        return "at least" if self.higher_is_better else "at most"


_SCORE = {"higher_is_better": True, "ratio": True}
_ERROR = {"higher_is_better": False, "ratio": False}

METRICS: dict[Problem, dict[str, Metric]] = {
    "binary": {
        name: Metric(name, **_SCORE) for name in ("auc", "accuracy", "f1", "precision", "recall")
    },
    "multiclass": {
        name: Metric(name, **_SCORE)
        for name in ("accuracy", "macro_f1", "weighted_f1", "macro_precision", "macro_recall")
    },
    "regression": {
        "r2": Metric("r2", higher_is_better=True, ratio=False),
        **{name: Metric(name, **_ERROR) for name in ("rmse", "mae", "mse")},
    },
}

REPORT_SECTIONS: dict[Problem, str] = {
    "binary": "binary_classification_metrics",
    "multiclass": "multiclass_classification_metrics",
    "regression": "regression_metrics",
}

# What the training job's metric definitions pick out of its log (`validation:<name>=<value>;`),
# so the console and CloudWatch show them while the job runs.
TRAINING_METRICS: dict[Problem, tuple[str, ...]] = {
    "binary": ("auc", "accuracy"),
    "multiclass": ("accuracy", "macro_f1"),
    "regression": ("r2", "rmse"),
}

# What `selfheal init` writes into a new project's gate: clearly better than guessing (chance AUC
# is 0.5, a constant prediction has r2 0), and no more, since nothing is known yet about how good
# the team's model must be. The settings file says to raise them.
DEFAULT_GATES: dict[Problem, dict[str, float]] = {
    "binary": {"auc": 0.6},
    "multiclass": {"accuracy": 0.5, "macro_f1": 0.4},
    "regression": {"r2": 0.2},
}
MAX_REGRESSION_KEY = "max_regression"


def metric(problem: Problem, name: str) -> Metric | None:
    return METRICS[problem].get(name)


def worse_by(metric: Metric, candidate: float, champion: float) -> float:
    """How much worse the candidate is than the champion, positive when worse: an absolute drop
    for scores, a fraction of the champion's value for errors (whose scale is the data's)."""
    if metric.higher_is_better:
        return champion - candidate
    if champion <= 0:
        return 0.0 if candidate <= champion else float("inf")
    return (candidate - champion) / champion
