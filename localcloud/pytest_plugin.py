"""pytest fixtures: `localcloud` (a fresh in-process cloud per test) and `sfn_endpoint`."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from localcloud.cloud import LocalCloud
from localcloud.remote import RemoteStepFunctions


@pytest.fixture
def localcloud(request: pytest.FixtureRequest) -> Iterator[LocalCloud]:
    """A fresh embedded cloud. A test can pass a MockConfigFile with
    `@pytest.mark.parametrize("localcloud", [path], indirect=True)`."""
    config = getattr(request, "param", None)
    with LocalCloud(mock_config_file=config) as cloud:
        yield cloud


@pytest.fixture
def sfn_endpoint() -> RemoteStepFunctions:
    """Step Functions Local or LocalStack at SFN_ENDPOINT; skips when it is not set."""
    endpoint = os.environ.get("SFN_ENDPOINT")
    if not endpoint:
        pytest.skip("SFN_ENDPOINT is not set: no external Step Functions Local/LocalStack to run")
    return RemoteStepFunctions(endpoint)
