"""The desired state: every resource the project owns, in the shape AWS reads it back.

A resource names the ARNs it refers to; the desired state turns those into dependencies on the
resources that own the ARNs, so creation follows references and deletion runs the other way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Json = Any


class Kind(StrEnum):
    """Resource kinds, in the order a listing shows them."""

    BUCKET = "s3-bucket"
    CODE_OBJECT = "s3-object"
    QUEUE = "sqs-queue"
    ROLE = "iam-role"
    LOG_GROUP = "log-group"
    TOPIC = "sns-topic"
    MODEL_PACKAGE_GROUP = "model-package-group"
    FUNCTION = "lambda-function"
    PERMISSION = "lambda-permission"
    STATE_MACHINE = "state-machine"
    RULE = "events-rule"
    SCHEDULE_GROUP = "schedule-group"
    SCHEDULE = "schedule"
    ALARM = "cloudwatch-alarm"
    DASHBOARD = "cloudwatch-dashboard"
    TRAIL = "cloudtrail-trail"
    BUDGET = "cost-budget"
    # Created at run time by deploy-model, never desired; only destroy deletes them.
    ENDPOINT = "sagemaker-endpoint"
    ENDPOINT_CONFIG = "sagemaker-endpoint-config"
    MODEL = "sagemaker-model"


class DesiredStateError(ValueError):
    """The desired state is inconsistent (duplicate names, a dependency cycle)."""


@dataclass(frozen=True)
class Resource:
    """One resource. ``properties`` are compared with what the provider reads back; ``payload``
    is content that travels with the write but is compared through a hash in ``properties``."""

    kind: Kind
    name: str
    properties: Mapping[str, Json]
    tags: Mapping[str, str]
    identifiers: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    payload: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.kind.value}/{self.name}"

    def describe(self) -> str:
        return f"{self.kind.value} {self.name}"


_ARN = re.compile(r"arn:[a-z-]+:[a-z0-9-]+:[^\s\"',]*")


def arns_in(value: Json) -> tuple[str, ...]:
    """Every ARN-looking string inside a JSON value (for references), sorted and unique."""
    found: set[str] = set()

    def walk(node: Json) -> None:
        if isinstance(node, str):
            found.update(m.group(0) for m in _ARN.finditer(node))
        elif isinstance(node, Mapping):
            for item in node.values():
                walk(item)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(value)
    return tuple(sorted(found))


class DesiredState:
    """Resources in dependency order (a resource comes after everything it refers to)."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        by_key: dict[str, Resource] = {}
        for resource in resources:
            if resource.key in by_key:
                raise DesiredStateError(f"{resource.describe()} is declared twice")
            by_key[resource.key] = resource
        owner: dict[str, str] = {}
        for resource in by_key.values():
            for ident in resource.identifiers:
                owner[ident] = resource.key
        self.dependencies: dict[str, tuple[str, ...]] = {
            key: tuple(
                sorted(
                    {
                        owner[ref]
                        for ref in resource.references
                        if ref in owner and owner[ref] != key
                    }
                )
            )
            for key, resource in by_key.items()
        }
        self._ordered = [by_key[key] for key in self._topological(list(by_key))]

    def _topological(self, keys: list[str]) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = visiting, 2 = done

        def visit(key: str, path: list[str]) -> None:
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                cycle = " -> ".join([*path[path.index(key) :], key])
                raise DesiredStateError(f"dependency cycle: {cycle}")
            state[key] = 1
            for dep in self.dependencies[key]:
                visit(dep, [*path, key])
            state[key] = 2
            order.append(key)

        for key in keys:
            visit(key, [])
        return order

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._ordered)

    def __len__(self) -> int:
        return len(self._ordered)

    def of_kind(self, kind: Kind) -> list[Resource]:
        return [r for r in self._ordered if r.kind is kind]

    def get(self, kind: Kind, name: str) -> Resource:
        for resource in self._ordered:
            if resource.kind is kind and resource.name == name:
                return resource
        raise KeyError(f"no {kind.value} named {name!r} in the desired state")
