"""The handlers' warm clients follow the region and endpoint they run in."""

from __future__ import annotations

import pytest

from tasks.handlers import aws_clients


def test_a_warm_client_is_reused_only_in_its_own_region_and_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    west = aws_clients.client("sns")
    assert aws_clients.client("sns") is west
    assert west.meta.region_name == "eu-west-1"

    monkeypatch.setenv("AWS_REGION", "us-east-1")
    east = aws_clients.client("sns")
    assert east.meta.region_name == "us-east-1"

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    local = aws_clients.client("sns")
    assert local is not east and local.meta.endpoint_url == "http://127.0.0.1:4566"
