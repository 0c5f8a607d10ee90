"""A deterministic, realistic customer-churn dataset: the churn example's generator (it wrote
data/churn.csv: `generate(seed=7, rows=3000)`), which the tests and benchmarks also draw from.

`drift` (0 = none, 1 = strong) moves both the feature distributions and the relation between
features and the label, the way a changed customer base would. `label_noise` flips that share of
labels at random, which makes a dataset a model cannot learn well from.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_ROWS = 5000
LABEL = "churned"
NUMERIC_FEATURES: tuple[str, ...] = (
    "age",
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "support_calls",
    "late_payments",
    "add_on_services",
    "data_usage_gb",
)
# The values the generator draws, in the order of the weights given to _choice.
CATEGORY_VALUES: dict[str, tuple[str, ...]] = {
    "contract_type": ("month-to-month", "one-year", "two-year"),
    "payment_method": ("electronic-check", "mailed-check", "bank-transfer", "credit-card"),
    "internet_service": ("dsl", "fiber-optic", "none"),
    "paperless_billing": ("yes", "no"),
}
CATEGORICAL_FEATURES: tuple[str, ...] = tuple(CATEGORY_VALUES)
FEATURES: tuple[str, ...] = NUMERIC_FEATURES + CATEGORICAL_FEATURES
COLUMNS: tuple[str, ...] = (*FEATURES, LABEL)


def generate(
    seed: int = 7, rows: int = DEFAULT_ROWS, drift: float = 0.0, label_noise: float = 0.0
) -> pd.DataFrame:
    """Return `rows` customers with COLUMNS in order (the `churned` label last)."""
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    if not 0.0 <= drift <= 1.0:
        raise ValueError(f"drift must be between 0.0 and 1.0, got {drift}")
    if not 0.0 <= label_noise <= 0.5:
        raise ValueError(f"label_noise must be between 0.0 and 0.5, got {label_noise}")
    rng = np.random.default_rng(seed)
    d = drift

    contract = _choice(
        rng, "contract_type", rows, [0.50 + 0.25 * d, 0.27 - 0.1 * d, 0.23 - 0.15 * d]
    )
    payment = _choice(
        rng,
        "payment_method",
        rows,
        [0.33 + 0.3 * d, 0.22 - 0.1 * d, 0.23 - 0.1 * d, 0.22 - 0.1 * d],
    )
    internet = _choice(
        rng, "internet_service", rows, [0.35 - 0.2 * d, 0.44 + 0.3 * d, 0.21 - 0.1 * d]
    )
    paperless = _choice(rng, "paperless_billing", rows, [0.6 + 0.2 * d, 0.4 - 0.2 * d])

    age = np.clip(rng.normal(46 - 12 * d, 14, rows), 18, 90).round()
    tenure_scale = np.where(
        contract == "two-year", 40.0, np.where(contract == "one-year", 28.0, 14.0)
    )
    tenure = np.clip(rng.exponential(tenure_scale * (1 - 0.5 * d)), 0, 72).round()
    base_charge = np.select(
        [internet == "fiber-optic", internet == "dsl"], [80.0, 55.0], default=22.0
    )
    add_ons = rng.binomial(6, np.where(internet == "none", 0.1, 0.35), rows).astype(float)
    monthly = np.clip(base_charge + 5.0 * add_ons + rng.normal(15 * d, 8, rows), 18, 160).round(2)
    total = (monthly * tenure * rng.uniform(0.95, 1.05, rows)).round(2)
    support = rng.poisson(1.2 + 1.8 * d + 0.8 * (internet == "fiber-optic"), rows).astype(float)
    late = rng.poisson(0.4 + 0.8 * (payment == "electronic-check") + 1.0 * d, rows).astype(float)
    usage = np.where(
        internet == "none", 0.0, rng.lognormal(np.log(120 + 150 * d), 0.6, rows)
    ).round(1)

    # Drift also changes why customers leave: service problems matter less, price much more.
    logit = (
        -3.4
        - 1.2 * d
        + 1.25
        * (
            1.7 * (contract == "month-to-month")
            - 1.3 * (contract == "two-year")
            - 0.045 * tenure
            + (0.025 + 0.04 * d) * (monthly - 65)
            + (0.5 - 0.35 * d) * support
            + 0.6 * (internet == "fiber-optic")
            + 0.55 * (payment == "electronic-check")
            + 0.4 * late
            - 0.2 * add_ons
            + 0.3 * (paperless == "yes")
            - 0.012 * (age - 45)
            + 0.004 * d * (usage - 120)
        )
    )
    churned = (rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))).astype(int)
    flip = rng.uniform(size=rows) < label_noise
    churned = np.where(flip, 1 - churned, churned)

    frame = pd.DataFrame(
        {
            "age": age,
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "total_charges": total,
            "support_calls": support,
            "late_payments": late,
            "add_on_services": add_ons,
            "data_usage_gb": usage,
            "contract_type": contract,
            "payment_method": payment,
            "internet_service": internet,
            "paperless_billing": paperless,
            LABEL: churned,
        }
    )
    int_columns = ["age", "tenure_months", "support_calls", "late_payments", "add_on_services"]
    frame[int_columns] = frame[int_columns].astype(int)
    return frame[list(COLUMNS)]


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write `frame` as CSV with a header row (what the preprocessing job reads)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False, lineterminator="\n")
    return target


def _choice(rng: np.random.Generator, feature: str, rows: int, weights: list[float]) -> np.ndarray:
    values = CATEGORY_VALUES[feature]
    p = np.asarray(weights, dtype=float)
    return rng.choice(np.asarray(values, dtype=object), size=rows, p=p / p.sum())
