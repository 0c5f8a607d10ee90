"""Drive an external Step Functions (Step Functions Local, LocalStack, or this project's own
server, which requires the credentials `python -m localcloud up` exports) named by SFN_ENDPOINT."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3

_POLL_SECONDS = 0.2


class RemoteStepFunctions:
    """The same start-and-wait surface as LocalCloud, over an endpoint URL. An external service
    has no worker to join, so this polls DescribeExecution (bounded by `timeout`)."""

    def __init__(self, endpoint_url: str, region: str = "us-east-1") -> None:
        self.endpoint_url = endpoint_url
        self.region = region

    def client(self, service: str = "stepfunctions") -> Any:
        # The environment's keys when exported (the project's server refuses any others), else
        # the placeholder Step Functions Local and LocalStack accept.
        key = os.environ.get("AWS_ACCESS_KEY_ID")
        secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
        if not (key and secret):
            key = secret = "test"
        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )

    def start_and_wait(
        self,
        state_machine_arn: str,
        input: Any = None,
        name: str | None = None,
        timeout: float = 120.0,
    ) -> dict[str, Any]:
        sfn = self.client()
        kwargs: dict[str, Any] = {
            "stateMachineArn": state_machine_arn,
            "input": json.dumps(input if input is not None else {}),
        }
        if name:
            kwargs["name"] = name
        arn = sfn.start_execution(**kwargs)["executionArn"]
        deadline = time.monotonic() + timeout
        while True:
            result: dict[str, Any] = sfn.describe_execution(executionArn=arn)
            if result["status"] != "RUNNING":
                result.pop("ResponseMetadata", None)
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"{arn} still RUNNING after {timeout} s")
            time.sleep(_POLL_SECONDS)
