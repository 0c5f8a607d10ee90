"""The churn dataset's feature schema, shared by every job script.

Captured endpoint rows carry no header, so the column order here is also the order of the
CSV fields the endpoint accepts.
"""

from __future__ import annotations

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

CATEGORICAL_FEATURES: dict[str, tuple[str, ...]] = {
    "contract_type": ("month-to-month", "one-year", "two-year"),
    "payment_method": ("electronic-check", "mailed-check", "bank-transfer", "credit-card"),
    "internet_service": ("dsl", "fiber-optic", "none"),
    "paperless_billing": ("yes", "no"),
}

FEATURES: tuple[str, ...] = NUMERIC_FEATURES + tuple(CATEGORICAL_FEATURES)
COLUMNS: tuple[str, ...] = (*FEATURES, LABEL)
