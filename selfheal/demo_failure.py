"""Why an execution failed, in two lines: the state, the error, and the reason a person can act on.

Read through the public API only (DescribeExecution and GetExecutionHistory), so it reads the same
from the embedded cloud and from AWS. A Cause is often a JSON document (the Describe*Job output of
a failed SageMaker job, a Lambda error, a nested execution); the reason is the part of it that
says what went wrong (FailureReason, errorMessage, the nested execution's own cause), never the
whole document (`tasks.handlers.failure_reasons`, which the notify function uses too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tasks.handlers.failure_reasons import reason_of

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
