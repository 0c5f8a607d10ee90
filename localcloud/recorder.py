"""What the embedded cloud records instead of doing for real time or for real delivery: waits
and retry intervals, the wall time of each local SageMaker job, EventBridge deliveries and their
failures, what asynchronous Lambda invocations raised, and the pending SageMaker endpoint updates.

Each `LocalCloud` (and each server) owns one `CloudRecords`. Code that runs inside moto's
callbacks finds it through `current()`: the owner installs it with `activate` while it runs.
moto's backends are process-wide, so one owner at most is active in a process at a time; a
second `activate` is an error rather than a silent reset of the first owner's records.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class WaitRecord:
    """One interval the interpreter would have slept: a Wait state or a Retry backoff.

    `interval` is what the Retry asks for (IntervalSeconds x BackoffRate^n, capped by
    MaxDelaySeconds); `seconds` is the delay actually drawn, which FULL jitter picks at random
    between 0 and `interval`. For a Wait state and for retries without jitter they are equal.
    """

    execution_arn: str
    state: str
    seconds: float
    kind: str  # "Wait" or "Retry"
    interval: float


@dataclass(frozen=True)
class JobRecord:
    """A local job's wall time: `script_seconds` its script's process ran, `total_seconds`
    from start to end including staging its inputs and uploading its outputs."""

    kind: str  # "processing", "training" or "transform"
    name: str
    script_seconds: float
    status: str
    total_seconds: float


class RecordLog(Generic[T]):
    """Records appended from any thread (execution workers, job workers, async invocations)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[T] = []

    def append(self, item: T) -> None:
        with self._lock:
            self._items.append(item)

    def items(self) -> list[T]:
        with self._lock:
            return list(self._items)


class BoundedLog(RecordLog[T]):
    """A ring keeping only its newest `cap` items: the oldest are dropped, and counted, so a
    long-running server's memory stays bounded however many events it routes."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self._cap = cap
        self._ring: collections.deque[T] = collections.deque(maxlen=cap)
        self._dropped = 0

    def append(self, item: T) -> None:
        with self._lock:
            if len(self._ring) == self._cap:
                self._dropped += 1
            self._ring.append(item)

    def items(self) -> list[T]:
        with self._lock:
            return list(self._ring)

    @property
    def dropped(self) -> int:
        """How many of the oldest items the ring has let go."""
        with self._lock:
            return self._dropped


# How many management writes the embedded CloudTrail's event history keeps.
API_EVENT_CAP = 10_000
# How many EventBridge deliveries, delivery failures and asynchronous function errors each cloud
# keeps: the newest; a server routing 100,000 events keeps 10,000 of each, not all.
DELIVERY_CAP = 10_000


class CloudRecords:
    """One cloud's records, fresh when it starts and readable after it stops."""

    def __init__(self) -> None:
        self.waits: RecordLog[WaitRecord] = RecordLog()
        self.jobs: RecordLog[JobRecord] = RecordLog()
        # The newest deliveries made: rule, target ARN, event id (a redelivery repeats the id).
        self.deliveries: BoundedLog[dict[str, Any]] = BoundedLog(DELIVERY_CAP)
        self.delivery_failures: BoundedLog[dict[str, Any]] = BoundedLog(DELIVERY_CAP)
        # What asynchronous invocations raised: on AWS these reach only the function's logs and,
        # after retries, its dead-letter target.
        self.function_errors: BoundedLog[dict[str, str]] = BoundedLog(DELIVERY_CAP)
        # How many times each matched event reaches each target (more than one reproduces
        # EventBridge's at-least-once redelivery).
        self.delivery_copies = 1
        # SageMaker endpoint ARN -> its pending update / the failure its next update meets;
        # they belong with the endpoints of this cloud's moto state (`sagemaker_endpoints`).
        self.endpoint_updates: dict[str, Any] = {}
        self.endpoint_failures: dict[str, tuple[str, str]] = {}
        # Invocations counted per endpoint variant, for data capture's sampling.
        self.capture_counts: dict[str, int] = {}
        self.endpoint_lock = threading.Lock()
        # Management writes, as CloudTrail's event history records them (`cloudtrail_events`).
        self.api_events: BoundedLog[Any] = BoundedLog(API_EVENT_CAP)

    def record_wait(
        self,
        execution_arn: str,
        state: str,
        seconds: float,
        kind: str,
        interval: float | None = None,
    ) -> None:
        self.waits.append(
            WaitRecord(
                execution_arn,
                state,
                float(seconds),
                kind,
                float(seconds if interval is None else interval),
            )
        )

    def record_job(
        self, kind: str, name: str, script_seconds: float, status: str, total_seconds: float
    ) -> None:
        self.jobs.append(JobRecord(kind, name, script_seconds, status, total_seconds))


class CloudAlreadyRunning(RuntimeError):
    """Another embedded cloud is active in this process."""


_active: CloudRecords | None = None
# What extensions record while no cloud is active (moto driven directly after a cloud stopped,
# or an execution thread outliving its cloud): kept apart so no cloud's records receive it.
_unowned = CloudRecords()
_active_lock = threading.Lock()


def activate(records: CloudRecords, owner: str) -> None:
    """Make `records` the ones moto's callbacks write to; refuse while another is active."""
    global _active
    with _active_lock:
        if _active is not None:
            raise CloudAlreadyRunning(
                f"cannot start {owner}: another LocalCloud or localcloud server is running in "
                "this process, and moto's backends are process-wide (starting would wipe its "
                "state); stop it first (cloud.stop() or leave its `with` block)"
            )
        _active = records


def deactivate(records: CloudRecords) -> None:
    global _active
    with _active_lock:
        if _active is records:
            _active = None


def current() -> CloudRecords:
    """The active cloud's records (or the unowned ones when no cloud runs)."""
    with _active_lock:
        return _active if _active is not None else _unowned
