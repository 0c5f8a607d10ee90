"""The boto3 clients a handler reuses across warm invocations.

One client per service, region and endpoint: a Lambda container never changes region, but the
embedded cloud runs every function in one process, one account after another, and a client built
for an earlier region or endpoint must not answer for the next.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3


def client(service: str) -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return _client(service, region, os.environ.get("AWS_ENDPOINT_URL"))


@cache
def _client(service: str, region: str | None, endpoint: str | None) -> Any:
    # Lambda sets AWS_REGION, which boto3 alone does not read (it reads AWS_DEFAULT_REGION).
    return boto3.client(service, region_name=region, endpoint_url=endpoint)  # type: ignore[call-overload]
