"""The bootstrap's metrics, counted for a hundred resamples at once, are scikit-learn's metrics
of each resample: `quality_metrics.point_metrics` is the reference, case by case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tests.jobs_helpers import job_modules

JOBS = Path(__file__).resolve().parent.parent / "tasks" / "jobs"


@pytest.fixture(scope="module")
def modules() -> Iterator[tuple[ModuleType, ModuleType]]:
    with job_modules(JOBS):
        import quality_metrics
        import resampled_metrics

        yield quality_metrics, resampled_metrics


def _per_resample(
    quality: ModuleType, problem: str, truth: np.ndarray, predicted: np.ndarray, rows: np.ndarray
) -> dict[str, list[float]]:
    columns: dict[str, list[float]] = {}
    for index in rows:
        for name, value in quality.point_metrics(problem, truth[index], predicted[index]).items():
            columns.setdefault(name, []).append(value)
    return columns


def _resamples(rows: int, rounds: int = 40, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, rows, rows) for _ in range(rounds)])


def _agree(counted: dict[str, np.ndarray], reference: dict[str, list[float]]) -> None:
    assert list(counted) == list(reference)
    for name, values in reference.items():
        np.testing.assert_allclose(counted[name], values, rtol=1e-12, atol=1e-12, err_msg=name)


def test_binary_metrics_agree_with_scikit_learn_including_tied_scores(modules) -> None:
    quality, resampled = modules
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 300)
    # Rounded scores tie often, and some sit exactly on the threshold.
    scores = np.round(np.clip(truth * 0.3 + rng.random(300) * 0.7, 0, 1), 1)
    rows = _resamples(300)
    counted = resampled.binary(truth[rows], scores[rows], quality.THRESHOLD)
    _agree(counted, _per_resample(quality, "binary", truth, scores, rows))


def test_binary_resamples_with_no_predicted_positive_score_zero_not_nan(modules) -> None:
    quality, resampled = modules
    truth = np.array([0, 1, 0, 1, 0, 0])
    scores = np.array([0.1, 0.4, 0.2, 0.3, 0.1, 0.2])  # nothing reaches the threshold
    rows = np.stack([np.arange(6), np.array([0, 1, 1, 2, 3, 5])])
    counted = resampled.binary(truth[rows], scores[rows], quality.THRESHOLD)
    _agree(counted, _per_resample(quality, "binary", truth, scores, rows))
    assert counted["precision"].tolist() == [0.0, 0.0]


def test_multiclass_averages_over_the_labels_each_resample_holds(modules) -> None:
    quality, resampled = modules
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 3, 200)
    # Class 3 is only ever predicted, and rarely: many resamples lack it entirely.
    predicted = np.where(rng.random(200) < 0.7, truth, rng.integers(0, 3, 200))
    predicted[:2] = 3
    rows = _resamples(200)
    counted = resampled.multiclass(truth[rows], predicted[rows])
    _agree(counted, _per_resample(quality, "multiclass", truth, predicted, rows))


def test_regression_metrics_agree_including_constant_targets(modules) -> None:
    quality, resampled = modules
    rng = np.random.default_rng(2)
    targets = rng.normal(size=150)
    predicted = targets + rng.normal(scale=0.3, size=150)
    rows = _resamples(150)
    _agree(
        resampled.regression(targets[rows], predicted[rows]),
        _per_resample(quality, "regression", targets, predicted, rows),
    )
    flat = np.full((2, 4), 2.0)
    guessed = np.array([[2.0, 2.0, 2.0, 2.0], [2.0, 1.0, 2.0, 2.0]])
    reference = _per_resample(quality, "regression", flat[0], guessed[1], np.array([[0, 1, 2, 3]]))
    assert resampled.regression(flat, guessed)["r2"].tolist() == [1.0, reference["r2"][0]]


def test_large_test_sets_are_counted_in_bounded_blocks(modules) -> None:
    _, resampled = modules
    indices = resampled.resample_indices(300_000, 20, seed=0)
    stacked = resampled.blocks(indices)
    assert len(stacked) > 1
    assert sum(block.shape[0] for block in stacked) == 20
    assert all(block.size <= 2_000_000 for block in stacked)


def test_string_labels_give_the_spread_of_their_codes(modules) -> None:
    quality, _ = modules
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 3, 120)
    guesses = np.where(rng.random(120) < 0.6, codes, rng.integers(0, 3, 120))
    names = np.array(["setosa", "versicolor", "virginica"])
    by_code = quality._bootstrap_std("multiclass", codes, guesses, 0)
    by_name = quality._bootstrap_std("multiclass", names[codes], names[guesses], 0)
    assert by_name == by_code
    assert by_code["accuracy"] > 0
