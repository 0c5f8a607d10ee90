"""One execution's history read as visits to states: when each was entered and left, its input
and output, and the error and cause of each failure inside it (a retried task shows each)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# GetExecutionHistory pages are read up to this many events: a console shows, it does not audit.
MAX_EVENTS = 5000


@dataclass
class Failure:
    kind: str  # the history event's type: TaskFailed, LambdaFunctionFailed, ExecutionFailed, ...
    error: str
    cause: str


@dataclass
class Visit:
    state: str
    entered: datetime.datetime | None
    input: str = ""
    left: datetime.datetime | None = None
    output: str = ""
    failures: list[Failure] = field(default_factory=list)
    failed: bool = False  # the visit's last outcome was a failure (a retry may have cleared it)

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        return "succeeded" if self.left is not None else "running"

    def seconds(self, until: datetime.datetime | None) -> float | None:
        end = self.left or until
        if self.entered is None or end is None:
            return None
        return max(0.0, (end - self.entered).total_seconds())


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


def visits(events: Iterable[Mapping[str, Any]]) -> list[Visit]:
    """The visits in the order they began. A failure event belongs to the visit still open."""
    result: list[Visit] = []
    open_visit: Visit | None = None
    for event in events:
        kind = str(event.get("type", ""))
        details = _details(event)
        if kind.endswith("StateEntered"):
            open_visit = Visit(str(details.get("name", "")), event.get("timestamp"))
            open_visit.input = str(details.get("input", ""))
            result.append(open_visit)
        elif kind.endswith("StateExited") and open_visit is not None:
            open_visit.left = event.get("timestamp")
            open_visit.output = str(details.get("output", ""))
        elif kind.endswith(("Failed", "TimedOut", "Aborted")) and open_visit is not None:
            if "error" in details or "cause" in details or kind.startswith("Execution"):
                open_visit.failures.append(
                    Failure(kind, str(details.get("error", "")), str(details.get("cause", "")))
                )
                open_visit.failed = True
        elif kind.endswith("Succeeded") and open_visit is not None:
            open_visit.failed = False  # a retry that worked
    return result


def read_history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while len(events) < MAX_EVENTS:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page.get("events", []))
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    return events


def last_status(found: list[Visit]) -> dict[str, str]:
    """Each state's status on its latest visit (what the graph colours)."""
    return {visit.state: visit.status for visit in found}
