"""Waits and retry intervals, recorded instead of slept."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class WaitRecord:
    """One interval the interpreter would have slept: a Wait state or a Retry backoff."""

    execution_arn: str
    state: str
    seconds: float
    kind: str  # "Wait" or "Retry"


class WaitRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[WaitRecord] = []

    def record(self, execution_arn: str, state: str, seconds: float, kind: str) -> None:
        with self._lock:
            self._records.append(WaitRecord(execution_arn, state, float(seconds), kind))

    def records(self) -> list[WaitRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


WAITS = WaitRecorder()
