"""Starting state machine executions exactly once per event.

EventBridge delivers at least once, so every execution name is derived from the event: a
redelivery reuses the name. StartExecution then refuses it with ExecutionAlreadyExists, or, for
the same input on a still-running Standard execution, quietly returns that execution; to tell
the caller which case it is, the execution is looked up first (states:DescribeExecution).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from botocore.exceptions import ClientError

from tasks.handlers.arns import execution_arn_for

MAX_NAME = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_QUOTED_ARN = re.compile(r"'(arn:[^']+:execution:[^']+)'")


def execution_name(prefix: str, *parts: str) -> str:
    """`prefix-<readable tail>-<hash>`: 1-80 characters of [A-Za-z0-9_-], stable for `parts`."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    readable = _UNSAFE.sub("-", parts[-1] if parts else "").strip("-")
    budget = MAX_NAME - len(prefix) - len(digest) - 2
    tail = readable[-budget:].strip("-") if budget > 0 else ""
    name = "-".join(p for p in (prefix, tail, digest) if p)
    return name[:MAX_NAME]


def start_once(
    sfn: Any,
    state_machine_arn: str,
    name: str,
    payload: dict[str, Any],
    trace_header: str | None = None,
) -> dict[str, Any]:
    """StartExecution; a duplicate delivery returns `duplicate: true` instead of failing.
    ``trace_header`` (the caller's X-Ray header) makes the execution part of the caller's trace."""
    expected = execution_arn_for(state_machine_arn, name)
    try:
        sfn.describe_execution(executionArn=expected)
        return {"executionArn": expected, "name": name, "duplicate": True}
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
            raise
    request: dict[str, str] = {
        "stateMachineArn": state_machine_arn,
        "name": name,
        "input": json.dumps(payload, sort_keys=True, separators=(",", ":")),
    }
    if trace_header:
        request["traceHeader"] = trace_header
    try:
        response = sfn.start_execution(**request)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
            raise
        message = str(exc.response.get("Error", {}).get("Message", ""))
        quoted = _QUOTED_ARN.search(message)
        arn = quoted.group(1) if quoted else expected
        return {"executionArn": arn, "name": name, "duplicate": True}
    return {"executionArn": response["executionArn"], "name": name, "duplicate": False}
