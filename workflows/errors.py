"""Retry and Catch: how a state reacts to errors, and the error names Step Functions defines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from workflows.base_state import State

ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
PERMISSIONS = "States.Permissions"


class JitterStrategy(StrEnum):
    FULL = "FULL"
    NONE = "NONE"


def _check_errors(owner: str, errors: Sequence[str]) -> list[str]:
    if not errors:
        raise ValueError(f"{owner}: ErrorEquals needs at least one error name, e.g. ['States.ALL']")
    if ALL in errors and len(errors) > 1:
        raise ValueError(f"{owner}: 'States.ALL' must appear alone in ErrorEquals; split the rule")
    return list(errors)


@dataclass(frozen=True)
class Retry:
    """A retrier. Defaults are the service's: 1 s interval, 3 attempts, backoff 2.0."""

    errors: Sequence[str]
    interval_seconds: int = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: int | None = None
    jitter: JitterStrategy | None = None
    comment: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "errors", _check_errors("Retry", self.errors))
        if self.interval_seconds < 1:
            raise ValueError("Retry.interval_seconds must be >= 1")
        if not 0 <= self.max_attempts <= 99999999:
            raise ValueError("Retry.max_attempts must be between 0 and 99999999")
        if self.backoff_rate < 1.0:
            raise ValueError("Retry.backoff_rate must be >= 1.0")
        if self.max_delay_seconds is not None and not 0 < self.max_delay_seconds < 31622400:
            raise ValueError("Retry.max_delay_seconds must be between 1 and 31622399")

    def to_asl(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ErrorEquals": list(self.errors)}
        if self.comment:
            out["Comment"] = self.comment
        out["IntervalSeconds"] = self.interval_seconds
        out["MaxAttempts"] = self.max_attempts
        out["BackoffRate"] = self.backoff_rate
        if self.max_delay_seconds is not None:
            out["MaxDelaySeconds"] = self.max_delay_seconds
        if self.jitter is not None:
            out["JitterStrategy"] = self.jitter.value
        return out


@dataclass
class Catch:
    """A catcher: on a matching error, go to ``handler``.

    JSONata states use ``assign``/``output`` (the error is ``$states.errorOutput``); JSONPath states
    use ``result_path``.
    """

    errors: Sequence[str]
    handler: State
    assign: Mapping[str, Any] | None = None
    output: Any = None
    result_path: str | None = None
    comment: str | None = None
    _checked: list[str] = field(init=False, repr=False, default_factory=list)

    def __post_init__(self) -> None:
        self._checked = _check_errors("Catch", self.errors)

    def to_asl(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ErrorEquals": list(self._checked)}
        if self.comment:
            out["Comment"] = self.comment
        out["Next"] = self.handler.name
        if self.assign is not None:
            out["Assign"] = dict(self.assign)
        if self.output is not None:
            out["Output"] = self.output
        if self.result_path is not None:
            out["ResultPath"] = self.result_path
        return out
