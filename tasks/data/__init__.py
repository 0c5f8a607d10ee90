"""Synthetic churn datasets and endpoint data-capture files for local runs and tests."""
