"""Plan: for every desired resource, read what exists and decide create, update or unchanged;
then delete what the environment owns but no longer wants.

Ownership is destroy's test (both owner tags) through destroy's discovery, so a deploy never
deletes what destroy would leave. An owned resource outside the desired state is a delete,
unless its provider gives a reason to keep it (a bucket holding objects, a model package group
holding packages, a state machine the desired state still refers to): that is a keep, shown
with its reason and never deleted.

A desired resource that exists but carries another environment's or project's tags, or none,
stops the plan (ownership.py): a deploy never updates or adopts it.

Reading is the only thing a plan does, so a plan of an up-to-date environment makes no write
call; applying a plan executes exactly its changes: creates and updates in dependency order,
then deletes in the reverse order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from deploy.compare import differences
from deploy.model import DesiredState, Kind, Resource
from deploy.ownership import check_ownership
from deploy.providers import Current, Provider, owned_resources


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"
    KEEP = "keep"  # owned, no longer desired, and not deleted (``diff`` says why)


SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.UNCHANGED: "=",
    Action.DELETE: "-",
    Action.KEEP: "!",
}


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
    # Every ARN the desired state refers to -> the resources referring to it (keep reasons).
    referenced: dict[str, str] = field(default_factory=dict)

    @property
    def pending(self) -> list[Change]:
        """What applying the plan does: the changes to desired resources, then the deletes."""
        changes = [c for c in self.changes if c.action in (Action.CREATE, Action.UPDATE)]
        return changes + [c for c in self.changes if c.action is Action.DELETE]

    @property
    def read(self) -> dict[str, Current | None]:
        """What the plan read of each desired resource (`Resource.key`; None: it did not exist)."""
        return {
            c.resource.key: c.current
            for c in self.changes
            if c.action in (Action.CREATE, Action.UPDATE, Action.UNCHANGED)
        }

    def counts(self) -> dict[str, int]:
        counted = Counter(c.action.value for c in self.changes)
        return {a.value: counted.get(a.value, 0) for a in Action}

    def summary(self) -> str:
        c = self.counts()
        text = f"{c['create']} to create, {c['update']} to update, {c['unchanged']} unchanged"
        if c["delete"]:
            text += f", {c['delete']} to delete"
        if c["keep"]:
            text += f", {c['keep']} kept (no longer wanted, not deleted)"
        return text

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


def references(desired: DesiredState) -> dict[str, str]:
    """Every ARN the desired state refers to -> the resources referring to it."""
    found: dict[str, list[str]] = {}
    for resource in desired:
        for ref in resource.references:
            found.setdefault(ref, []).append(resource.describe())
    return {ref: ", ".join(who) for ref, who in found.items()}


def read_desired(
    desired: DesiredState, providers: dict[Kind, Provider]
) -> list[tuple[Resource, Current | None]]:
    """Every desired resource with what exists of it, in the desired order; read kind by kind,
    so a provider answers for all of its kind at once (``Provider.read_all``)."""
    of_kind: dict[Kind, list[Resource]] = {}
    for resource in desired:
        of_kind.setdefault(resource.kind, []).append(resource)
    found: dict[str, Current | None] = {}
    for kind, resources in of_kind.items():
        answers = providers[kind].read_all(resources)
        found.update((r.key, current) for r, current in zip(resources, answers, strict=True))
    return [(resource, found[resource.key]) for resource in desired]


def make_plan(desired: DesiredState, providers: dict[Kind, Provider]) -> Plan:
    """Raises OwnershipConflict when a desired resource exists but is not the environment's
    (ownership.py): nothing is planned, so nothing is written."""
    plan = Plan(referenced=references(desired))
    existing = []
    for resource, current in read_desired(desired, providers):
        if current is None:
            plan.changes.append(Change(resource, Action.CREATE, None))
            continue
        if not providers[resource.kind].left_by_a_stopped_create(resource, current):
            existing.append((resource, current.tags))
        diff = diff_resource(resource, current)
        action = Action.UPDATE if diff else Action.UNCHANGED
        plan.changes.append(Change(resource, action, current, tuple(diff)))
    if existing:
        check_ownership(providers[existing[0][0].kind].settings, existing)
    plan.changes.extend(orphans(desired, providers, plan.referenced))
    return plan


def orphans(
    desired: DesiredState, providers: dict[Kind, Provider], referenced: dict[str, str]
) -> list[Change]:
    """A delete or a keep for each owned resource the desired state does not name, in
    deletion order."""
    known: dict[Kind, set[str]] = {}
    for resource in desired:
        known.setdefault(resource.kind, set()).add(providers[resource.kind].owned_name(resource))
    changes = []
    for provider, name in owned_resources(providers, known):
        # Only kind and name matter for a resource that is going away.
        gone = Resource(provider.kind, name, {}, {})
        reason = provider.keep_reason(name, referenced)
        if reason is None:
            changes.append(Change(gone, Action.DELETE, None))
        else:
            changes.append(Change(gone, Action.KEEP, None, (f"kept: {reason}",)))
    return changes
