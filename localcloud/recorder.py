"""What the embedded cloud records instead of doing for real time: waits and retry intervals,
and the wall time each local SageMaker job spent in its script."""

from __future__ import annotations

import threading
from dataclasses import dataclass


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


class WaitRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[WaitRecord] = []

    def record(
        self,
        execution_arn: str,
        state: str,
        seconds: float,
        kind: str,
        interval: float | None = None,
    ) -> None:
        record = WaitRecord(
            execution_arn,
            state,
            float(seconds),
            kind,
            float(seconds if interval is None else interval),
        )
        with self._lock:
            self._records.append(record)

    def records(self) -> list[WaitRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


class JobRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[JobRecord] = []

    def record(
        self, kind: str, name: str, script_seconds: float, status: str, total_seconds: float
    ) -> None:
        with self._lock:
            self._records.append(JobRecord(kind, name, script_seconds, status, total_seconds))

    def records(self) -> list[JobRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


WAITS = WaitRecorder()
JOBS = JobRecorder()
