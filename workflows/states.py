"""Typed ASL states: the simple states (Pass, Wait, Task, Succeed, Fail) and the kinds they share.

The base class is in `base_state.py`, Choice in `choice.py`, Parallel and Map in
`concurrency.py`. Every state emits its own
fields; `scope.py` assembles them into a definition, so there is one `to_asl()` path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflows.base_state import Json, OpenEnd, State
from workflows.chain import Chain
from workflows.errors import Catch, Retry
from workflows.expressions import QueryLanguage
from workflows.permissions import TaskPermissions

__all__ = [
    "Chainable",
    "Fail",
    "Json",
    "Pass",
    "Recoverable",
    "State",
    "Succeed",
    "Task",
    "Wait",
]


class Chainable(State):
    """A state with one successor: ``Next`` when it has one, ``End`` otherwise."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._next: State | None = None

    @property
    def next_state(self) -> State | None:
        return self._next

    def next(self, then: State | Chain) -> Chain:
        follower = Chain.start(then)
        self.set_next(follower.start_state)
        return Chain(self, follower.ends())

    def set_next(self, then: State) -> None:
        if self._next is not None and self._next is not then:
            raise ValueError(
                f'state "{self.name}" already goes to "{self._next.name}"; '
                f'a state has one Next, so branch with a Choice instead of chaining "{then.name}"'
            )
        self._next = then

    def successors(self) -> list[State]:
        return [self._next] if self._next is not None else []

    def ends(self) -> list[OpenEnd]:
        return [self] if self._next is None else []

    def _transitions(self) -> dict[str, Json]:
        return {"Next": self._next.name} if self._next is not None else {"End": True}


class Recoverable(Chainable):
    """A state that can Retry and Catch (Task, Parallel, Map)."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.retries: list[Retry] = []
        self.catches: list[Catch] = []

    def add_retry(self, *retries: Retry) -> Recoverable:
        self.retries.extend(retries)
        return self

    def add_catch(
        self,
        handler: State | Chain,
        *,
        errors: Sequence[str] = ("States.ALL",),
        assign: Mapping[str, Json] | None = None,
        output: Json = None,
        result_path: str | None = None,
    ) -> Recoverable:
        self.catches.append(
            Catch(
                list(errors),
                handler.start_state,
                assign=assign,
                output=output,
                result_path=result_path,
            )
        )
        return self

    def successors(self) -> list[State]:
        return super().successors() + [c.handler for c in self.catches]

    def _recovery(self) -> dict[str, Json]:
        out: dict[str, Json] = {}
        if self.retries:
            out["Retry"] = [r.to_asl() for r in self.retries]
        if self.catches:
            out["Catch"] = [c.to_asl() for c in self.catches]
        return out


class Pass(Chainable):
    type_name = "Pass"

    def __init__(
        self,
        name: str,
        *,
        result: Json = None,
        parameters: Mapping[str, Json] | None = None,
        result_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, **kwargs)
        self.result = result
        self.parameters = parameters
        self.result_path = result_path

    def _body(self, language: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        out: dict[str, Json] = {}
        if self.parameters is not None:
            out["Parameters"] = dict(self.parameters)
        if self.result is not None:
            out["Result"] = self.result
        if self.result_path is not None:
            out["ResultPath"] = self.result_path
        return out


class Wait(Chainable):
    """Wait for ``seconds`` (an int, or a JSONata expression) or until ``timestamp``."""

    type_name = "Wait"

    def __init__(
        self,
        name: str,
        *,
        seconds: int | str | None = None,
        timestamp: str | None = None,
        seconds_path: str | None = None,
        timestamp_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, **kwargs)
        given = [v for v in (seconds, timestamp, seconds_path, timestamp_path) if v is not None]
        if len(given) != 1:
            raise ValueError(
                f'Wait "{name}": give exactly one of seconds, timestamp, seconds_path, '
                "timestamp_path"
            )
        self.seconds = seconds
        self.timestamp = timestamp
        self.seconds_path = seconds_path
        self.timestamp_path = timestamp_path

    def _body(self, language: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        for key, value in (
            ("Seconds", self.seconds),
            ("Timestamp", self.timestamp),
            ("SecondsPath", self.seconds_path),
            ("TimestampPath", self.timestamp_path),
        ):
            if value is not None:
                return {key: value}
        return {}


class Task(Recoverable):
    """A Task state. Service integrations (`workflows/integrations/`) build these, with the
    ``permissions`` the call needs (for ``iam``; never emitted)."""

    type_name = "Task"

    def __init__(
        self,
        name: str,
        *,
        resource: str,
        arguments: Json = None,
        parameters: Mapping[str, Json] | None = None,
        result_selector: Mapping[str, Json] | None = None,
        result_path: str | None = None,
        timeout_seconds: int | str | None = None,
        heartbeat_seconds: int | str | None = None,
        credentials: Mapping[str, Json] | None = None,
        permissions: TaskPermissions | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, **kwargs)
        self.resource = resource
        self.permissions = permissions
        self.arguments = arguments
        self.parameters = parameters
        self.result_selector = result_selector
        self.result_path = result_path
        self.timeout_seconds = timeout_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.credentials = credentials

    def _body(self, language: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        out: dict[str, Json] = {"Resource": self.resource}
        if self.arguments is not None:
            out["Arguments"] = self.arguments
        if self.parameters is not None:
            out["Parameters"] = dict(self.parameters)
        if self.credentials is not None:
            out["Credentials"] = dict(self.credentials)
        if self.result_selector is not None:
            out["ResultSelector"] = dict(self.result_selector)
        if self.result_path is not None:
            out["ResultPath"] = self.result_path
        if self.timeout_seconds is not None:
            out["TimeoutSeconds"] = self.timeout_seconds
        if self.heartbeat_seconds is not None:
            out["HeartbeatSeconds"] = self.heartbeat_seconds
        out.update(self._recovery())
        return out


class Succeed(State):
    type_name = "Succeed"


class Fail(State):
    """A Fail state. ``error`` and ``cause`` may be JSONata expressions in JSONata states."""

    type_name = "Fail"

    def __init__(
        self,
        name: str,
        *,
        error: str | None = None,
        cause: str | None = None,
        error_path: str | None = None,
        cause_path: str | None = None,
        comment: str | None = None,
        query_language: QueryLanguage | None = None,
    ) -> None:
        super().__init__(name, comment=comment, query_language=query_language)
        self.error = error
        self.cause = cause
        self.error_path = error_path
        self.cause_path = cause_path

    def _body(self, language: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        out: dict[str, Json] = {}
        for key, value in (
            ("Error", self.error),
            ("ErrorPath", self.error_path),
            ("Cause", self.cause),
            ("CausePath", self.cause_path),
        ):
            if value is not None:
                out[key] = value
        return out
