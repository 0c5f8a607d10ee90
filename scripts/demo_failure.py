"""Why an execution failed, in two lines: the state, the error, and the reason a person can act on.

Read through the public API only (DescribeExecution and GetExecutionHistory), so it reads the same
from the embedded cloud and from AWS. A Cause is often a JSON document (the Describe*Job output of
a failed SageMaker job, a Lambda error, a nested execution); the reason is the part of it that
says what went wrong (FailureReason, errorMessage, the nested execution's own cause), never the
whole document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

REASON_LIMIT = 300  # characters of a reason shown on one line
# Events whose details carry the error and cause of a failed step (TaskFailed, LambdaFunctionFailed,
# TaskTimedOut, ...); the execution's own end events are what is being explained.
_EXECUTION_END = ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")


@dataclass(frozen=True)
class Failure:
    state: str | None  # the state whose step failed; None when no step failed (a Fail state)
    error: str
    reason: str  # one line

    def headline(self) -> str:
        return f"{self.state}: {self.error}" if self.state else self.error


def failure_of(described: dict[str, Any], events: list[dict[str, Any]]) -> Failure:
    """The failure that ended `described`, located in its history `events`.

    A machine that catches a failure, notifies and then fails with the original error and cause
    (as every machine here does) ends with the error of a step that failed earlier: that step is
    the one whose error and cause the execution ended with; failing that, the last step that
    failed."""
    error = str(described.get("error") or described.get("status") or "")
    cause = str(described.get("cause") or "")
    steps = _failed_steps(events)
    matching = [step for step in steps if step[1] == error and step[2] == cause]
    if matching or steps:
        state, step_error, step_cause = (matching or steps)[-1]
        return Failure(state, step_error or error, reason_of(step_cause))
    return Failure(None, error, reason_of(cause))


def _failed_steps(events: list[dict[str, Any]]) -> list[tuple[str | None, str, str]]:
    found: list[tuple[str | None, str, str]] = []
    state: str | None = None
    for event in events:
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            state = event.get("stateEnteredEventDetails", {}).get("name")
            continue
        if kind in _EXECUTION_END or not kind.endswith(("Failed", "TimedOut")):
            continue
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
        if isinstance(details, dict):
            found.append(
                (state, str(details.get("error") or kind), str(details.get("cause") or ""))
            )
    return found


def reason_of(cause: str) -> str:
    """The part of a Cause that says what went wrong, on one line."""
    text = cause.strip()
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict):
        text = _from_document(document) or ""
    line = " ".join(text.split())
    return line if len(line) <= REASON_LIMIT else line[: REASON_LIMIT - 3] + "..."


def _from_document(document: dict[str, Any]) -> str | None:
    # A failed SageMaker job's Describe*Job output (.sync): AWS's own one-line reason.
    for key in ("FailureReason", "ExitMessage"):
        if document.get(key):
            return str(document[key])
    # A Lambda function error: {"errorType", "errorMessage", "trace"}.
    if document.get("errorMessage"):
        return str(document["errorMessage"])
    # A nested execution (states:startExecution.sync): its DescribeExecution output.
    nested_error = document.get("Error") or document.get("error")
    nested_cause = document.get("Cause") or document.get("cause")
    if nested_error or nested_cause:
        inner = reason_of(str(nested_cause or ""))
        return f"{nested_error}: {inner}" if nested_error and inner else str(nested_error or inner)
    return None
