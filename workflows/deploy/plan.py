"""Plan: for every desired resource, read what exists and decide create, update or unchanged.

Reading is the only thing a plan does, so a plan of an up-to-date environment makes no write
call; applying a plan executes exactly its changes, in dependency order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from workflows.deploy.compare import differences
from workflows.deploy.model import DesiredState, Kind, Resource
from workflows.deploy.providers import Current, Provider


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.UNCHANGED: "="}


@dataclass(frozen=True)
class Change:
    resource: Resource
    action: Action
    current: Current | None
    diff: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        head = f"{SYMBOLS[self.action]} {self.action.value:<9} {self.resource.describe()}"
        return [head, *(f"      {line}" for line in self.diff)]


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action is not Action.UNCHANGED]

    def counts(self) -> dict[str, int]:
        counted = Counter(c.action.value for c in self.changes)
        return {a.value: counted.get(a.value, 0) for a in Action}

    def summary(self) -> str:
        c = self.counts()
        return f"{c['create']} to create, {c['update']} to update, {c['unchanged']} unchanged"

    def render(self, *, verbose: bool = False) -> list[str]:
        lines: list[str] = []
        for change in self.changes:
            if verbose or change.action is not Action.UNCHANGED:
                lines.extend(change.lines())
        lines.append(f"plan: {self.summary()}")
        return lines


def diff_resource(resource: Resource, current: Current) -> list[str]:
    lines = differences(dict(resource.properties), current.properties)
    for key, value in sorted(resource.tags.items()):
        if current.tags.get(key) != value:
            old = current.tags.get(key)
            lines.append(
                f"~ tags.{key}: {old!r} -> {value!r}"
                if old is not None
                else f"+ tags.{key}: {value!r}"
            )
    return lines


def make_plan(desired: DesiredState, providers: dict[Kind, Provider]) -> Plan:
    plan = Plan()
    for resource in desired:
        current = providers[resource.kind].read(resource)
        if current is None:
            plan.changes.append(Change(resource, Action.CREATE, None))
            continue
        diff = diff_resource(resource, current)
        action = Action.UPDATE if diff else Action.UNCHANGED
        plan.changes.append(Change(resource, action, current, tuple(diff)))
    return plan
