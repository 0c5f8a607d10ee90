"""The embedded cloud's one account and its default region (moto's defaults)."""

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
