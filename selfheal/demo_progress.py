"""Following executions through the public Step Functions API, for the demo's live output.

Works against any endpoint (the embedded cloud in-process, its server, or AWS), because it only
reads ListExecutions, GetExecutionHistory and DescribeExecution.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

ENTERED = ("StateEntered",)
ENDED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
# Polls start quick, so a state is printed as it is entered, and slow down while nothing changes
# (a training job runs for seconds): each poll is a full API call that competes with the job for
# the same cores, and polling every 50 ms took a third of the demo's CPU.
FIRST_POLL_SECONDS = 0.05
SLOWEST_POLL_SECONDS = 0.4


@dataclass
class Pacing:
    """The pause before the next poll: doubling while nothing changes, back to the first
    interval when something does."""

    interval: float = FIRST_POLL_SECONDS

    def after(self, changed: bool) -> float:
        self.interval = (
            FIRST_POLL_SECONDS if changed else min(self.interval * 2, SLOWEST_POLL_SECONDS)
        )
        return self.interval


class DemoTimeout(TimeoutError):
    """Something the demo waits for did not happen in time."""


@dataclass
class Clock:
    """Elapsed seconds since the demo started, for every progress line."""

    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stamp(self) -> str:
        return f"[{self.elapsed():6.1f}s]"


def wait_until(probe: Callable[[], Any], *, what: str, timeout: float) -> Any:
    """Poll `probe` until it returns something truthy; bounded by `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pacing = Pacing()
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DemoTimeout(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(pacing.after(changed=False))


def executions(sfn: Any, state_machine_arn: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = sfn.list_executions(stateMachineArn=state_machine_arn)[
        "executions"
    ]
    return listed


def new_execution(
    sfn: Any, state_machine_arn: str, known: Iterable[str], *, timeout: float
) -> dict[str, Any]:
    """The first execution of the state machine whose ARN is not in `known`."""
    seen = set(known)

    def probe() -> dict[str, Any] | None:
        fresh = [e for e in executions(sfn, state_machine_arn) if e["executionArn"] not in seen]
        return min(fresh, key=lambda e: e["startDate"]) if fresh else None

    found: dict[str, Any] = wait_until(
        probe, what=f"an execution of {state_machine_arn.rsplit(':', 1)[-1]}", timeout=timeout
    )
    return found


def follow(
    sfn: Any,
    execution_arn: str,
    *,
    clock: Clock,
    out: Callable[[str], None],
    timeout: float,
    indent: str = "  ",
) -> dict[str, Any]:
    """Print each state as it is entered until the execution ends; return DescribeExecution."""
    last_id = 0
    deadline = time.monotonic() + timeout
    pacing = Pacing()
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        # Read after DescribeExecution, so an ended execution's last states are among them.
        newer = events_after(sfn, execution_arn, last_id)
        for event in newer:
            if event["type"].endswith(ENTERED):
                name = event["stateEnteredEventDetails"]["name"]
                out(f"{clock.stamp()} {indent}-> {name}")
        if newer:
            last_id = max(int(event["id"]) for event in newer)
        if described["status"] in ENDED:
            out(f"{clock.stamp()} {indent}{described['status']}")
            return described
        if time.monotonic() > deadline:
            raise DemoTimeout(f"timed out after {timeout:.0f}s following {execution_arn}")
        time.sleep(pacing.after(changed=bool(newer)))


# Most polls find nothing new or a state or two, and each event in a page costs a response's
# worth of serialising: the first page is small, the ones after it (a burst of states) larger.
FIRST_PAGE = 4
NEWEST_PAGE = 25


def events_after(sfn: Any, execution_arn: str, last_id: int) -> list[dict[str, Any]]:
    """The execution's events after event `last_id`, oldest first. Read newest first, a page at
    a time, down to the last one seen: a poll costs what is new, not the whole history (which
    grows with every state, and every poll re-read and re-serialised it)."""
    newer: list[dict[str, Any]] = []
    first = {"executionArn": execution_arn, "reverseOrder": True, "maxResults": FIRST_PAGE}
    kwargs: dict[str, Any] = first
    for _ in range(1000):  # bounded: 25,000 new events in one poll
        page = sfn.get_execution_history(**kwargs)
        fresh = [event for event in page["events"] if int(event["id"]) > last_id]
        token = page.get("nextToken")
        if token and len(fresh) == len(page["events"]) and kwargs is first:
            # A burst of new events: read again in larger pages (AWS wants the other arguments
            # unchanged while following a token).
            kwargs = {**first, "maxResults": NEWEST_PAGE}
            continue
        newer.extend(fresh)
        if not token or len(fresh) < len(page["events"]):
            break
        kwargs = {**kwargs, "nextToken": token}
    newer.reverse()
    return newer


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    """GetExecutionHistory, every page, oldest event first."""
    events: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(1000):  # pages of 1000 events; bounded
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            break
    return events


def output_of(described: dict[str, Any]) -> dict[str, Any]:
    text = described.get("output")
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {"output": value}
