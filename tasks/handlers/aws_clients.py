"""The boto3 clients a handler reuses across warm invocations.

One client per service, region and endpoint: a Lambda container never changes region, but the
embedded cloud runs every function in one process, one account after another, and a client built
for an earlier region or endpoint must not answer for the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from tasks.handlers.environment import read_environment, variable


@dataclass(frozen=True, kw_only=True)
class RuntimeEnvironment:
    """What Lambda (or the embedded cloud) sets for every function; the deploy sets none."""

    aws_region: str = variable("the function's region, set by Lambda", default="", set_by="runtime")
    aws_default_region: str = variable(
        "the region when AWS_REGION is unset", default="", set_by="runtime"
    )
    aws_endpoint_url: str = variable(
        "an endpoint for every service (the embedded cloud)", default="", set_by="runtime"
    )


def client(service: str) -> Any:
    # Read on every call: the embedded cloud changes region and endpoint between accounts.
    env = read_environment(RuntimeEnvironment)
    region = env.aws_region or env.aws_default_region or None
    return _client(service, region, env.aws_endpoint_url or None)


@cache
def _client(service: str, region: str | None, endpoint: str | None) -> Any:
    # Lambda sets AWS_REGION, which boto3 alone does not read (it reads AWS_DEFAULT_REGION).
    return boto3.client(service, region_name=region, endpoint_url=endpoint)  # type: ignore[call-overload]
