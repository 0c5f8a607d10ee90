"""Every Task state of a definition as the service integration it calls.

A Task ``Resource`` names the integration: ``arn:<partition>:states:::<service>:<api>`` with an
optional pattern suffix (``.sync``, ``.sync:2``, ``.waitForTaskToken``), or
``arn:<partition>:states:::aws-sdk:<service>:<api>[.waitForTaskToken]``. Activities and plain
Lambda ARNs are the other Resource forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from asl_validation.walk import iter_states
from iam.values import Assignments, Known, argument, resolve

Pattern = Literal["request", "sync", "callback"]
_INTEGRATION = re.compile(
    r"^arn:(?P<partition>[^:]+):states:::(?P<sdk>aws-sdk:)?(?P<service>[A-Za-z0-9-]+):"
    r"(?P<api>[A-Za-z0-9]+)(?P<suffix>\.sync(?::2)?|\.waitForTaskToken)?$"
)
_FUNCTION = re.compile(r"^arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$")
_ACTIVITY = re.compile(r"^arn:[^:]+:states:[^:]+:\d{12}:activity:.+$")


class UnsupportedTaskError(ValueError):
    """A Task Resource the IAM derivation cannot scope; the message names the state and the fix."""


class TaskCall(Protocol):
    """One Task state as the IAM rules see it: which integration, how it waits, and what each
    request field is known to hold. Read from a definition (``DefinitionCall``) or declared by
    the builder that made the Task (``iam.declared.DeclaredCall``)."""

    @property
    def state(self) -> str: ...
    @property
    def pointer(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def api(self) -> str: ...
    @property
    def pattern(self) -> Pattern: ...
    @property
    def sync_version(self) -> int: ...
    @property
    def sdk(self) -> bool: ...

    def values(self, *path: str) -> list[Known]:
        """Possible values of one request field (``*`` walks a list)."""
        ...

    def present(self, *path: str) -> bool: ...

    def every_item_has(self, key: str, *path: str) -> bool:
        """Whether the list at ``path`` has items and each of them has ``key``."""
        ...


@dataclass(frozen=True)
class DefinitionCall:
    """One Task state of a definition: which integration, how it waits, and its request body."""

    state: str
    pointer: str
    service: str  # the integration's service name as written in the Resource
    api: str  # the API action as written (camelCase)
    pattern: Pattern
    sync_version: int  # 2 for ``.sync:2``, 1 for ``.sync``, 0 otherwise
    sdk: bool  # an ``aws-sdk:`` integration rather than an optimized one
    body: Any  # Arguments (JSONata) or Parameters (JSONPath)
    language: str
    scope: Assignments

    def values(self, *path: str) -> list[Known]:
        """Possible values of one request field (``*`` walks a list)."""
        found: list[Known] = []
        for value, is_path in argument(self.body, *path):
            found += resolve(value, self.language, self.scope, path=is_path)
        return found

    def present(self, *path: str) -> bool:
        return bool(argument(self.body, *path))

    def every_item_has(self, key: str, *path: str) -> bool:
        items = [value for value, _ in argument(self.body, *path, "*")]
        # JSONPath Parameters name a dynamic field ``Key.$``.
        names = (key, f"{key}.$")
        return bool(items) and all(isinstance(i, Mapping) and set(names) & set(i) for i in items)


def task_calls(definition: Mapping[str, Any]) -> Iterator[DefinitionCall]:
    """Every Task state of ``definition``, nested Parallel and Map states included."""
    scope = Assignments(definition)
    for visit in iter_states(definition):
        if visit.state.get("Type") != "Task":
            continue
        resource = visit.state.get("Resource")
        if not isinstance(resource, str):
            raise UnsupportedTaskError(
                f"{visit.pointer}: Resource must be a literal ARN for IAM derivation, got "
                f"{resource!r}; name the integration in the definition, not in the input"
            )
        match = _INTEGRATION.match(resource)
        if match is None:
            kind = "a Lambda function ARN" if _FUNCTION.match(resource) else None
            kind = kind or ("an activity ARN" if _ACTIVITY.match(resource) else "not recognised")
            raise UnsupportedTaskError(
                f"{visit.pointer}: Resource {resource!r} is {kind}; call services through "
                "arn:aws:states:::<service>:<api> (Lambda: arn:aws:states:::lambda:invoke)"
            )
        suffix = match.group("suffix") or ""
        pattern: Pattern = (
            "sync" if suffix.startswith(".sync") else "callback" if suffix else "request"
        )
        body = visit.state.get("Arguments", visit.state.get("Parameters", {}))
        yield DefinitionCall(
            state=visit.name,
            pointer=visit.pointer,
            service=match.group("service"),
            api=match.group("api"),
            pattern=pattern,
            sync_version=2 if suffix == ".sync:2" else 1 if suffix == ".sync" else 0,
            sdk=match.group("sdk") is not None,
            body=body,
            language=visit.language,
            scope=scope,
        )
