"""`action_lookup`: a request's action is found without listing its response class's members,
and requests for actions a class has, inherits or lacks are answered as before."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled


def _listings(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> int:
    """inspect.getmembers calls made by a few requests (their answers checked)."""
    listings = [0]
    getmembers = inspect.getmembers

    def counted(*args: Any, **kwargs: Any) -> Any:
        listings[0] += 1
        return getmembers(*args, **kwargs)

    monkeypatch.setattr(inspect, "getmembers", counted)
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="lookups")
    s3.put_object(Bucket="lookups", Key="k", Body=b"v")
    assert s3.get_object(Bucket="lookups", Key="k")["Body"].read() == b"v"
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName="lookups")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    with pytest.raises(ClientError):
        cloud.client("stepfunctions").describe_execution(
            executionArn="arn:aws:states:us-east-1:123456789012:execution:none:none"
        )
    return listings[0]


def test_actions_are_found_without_listing_the_class(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _listings(localcloud, monkeypatch) == 0


def test_without_the_extension_every_request_lists_the_class(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with extensions_disabled("action_lookup"), LocalCloud() as cloud:
        assert _listings(cloud, monkeypatch) >= 3
