"""EventBridge rules with their targets (Scheduler's schedules are in ``scheduler.py``).

A rule's properties are its PutRule request (without Name and Tags; the pattern parsed) plus
``Targets``, the PutTargets list sorted by Id.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from deploy.compare import differences
from deploy.model import Kind, Resource
from deploy.providers.base import (
    Current,
    Provider,
    retry_while_propagating,
    tag_dict,
    tag_list,
)

RULE_FIELDS = ("EventPattern", "ScheduleExpression", "State", "Description", "RoleArn")
TARGET_BATCH = 10  # PutTargets and RemoveTargets take at most 10 targets per call
# A role created moments ago may not be assumable by EventBridge yet.
ROLE_NOT_READY = ("assume",)


class RuleProvider(Provider):
    kind = Kind.RULE

    @property
    def events(self) -> Any:
        return self.clients("events")

    def _arn(self, name: str) -> str:
        return self.settings.location.rule(name)

    def read(self, resource: Resource) -> Current | None:
        return self.read_all([resource])[0]

    def read_all(self, resources: Sequence[Resource]) -> list[Current | None]:
        """One ListRules of the environment's prefix answers for every rule under it (a rule
        outside it, by its own name as the prefix); ListRules returns every field
        DescribeRule does that a rule is compared on."""
        listed: dict[str, dict[str, Any]] = {}
        prefixes = {
            self.name_prefix if r.name.startswith(self.name_prefix) else r.name for r in resources
        }
        paginator = self.events.get_paginator("list_rules")
        for prefix in sorted(prefixes):
            for page in paginator.paginate(NamePrefix=prefix):
                listed.update((rule["Name"], rule) for rule in page["Rules"])
        return [
            self._current(r.name, listed[r.name]) if r.name in listed else None for r in resources
        ]

    def _current(self, name: str, rule: dict[str, Any]) -> Current:
        properties: dict[str, Any] = {k: rule[k] for k in RULE_FIELDS if k in rule}
        if "EventPattern" in properties:
            properties["EventPattern"] = json.loads(properties["EventPattern"])
        targets = []
        for page in self.events.get_paginator("list_targets_by_rule").paginate(Rule=name):
            targets.extend(page["Targets"])
        properties["Targets"] = sorted(targets, key=lambda t: t["Id"])
        tags = self.events.list_tags_for_resource(ResourceARN=self._arn(name))
        return Current(properties, tag_dict(tags.get("Tags", [])))

    def _put_rule(self, resource: Resource) -> None:
        request: dict[str, Any] = {
            k: resource.properties[k] for k in RULE_FIELDS if k in resource.properties
        }
        if "EventPattern" in request:
            request["EventPattern"] = json.dumps(request["EventPattern"])
        self.events.put_rule(Name=resource.name, Tags=tag_list(resource.tags), **request)

    def _put_targets(self, name: str, targets: list[dict[str, Any]]) -> None:
        for start in range(0, len(targets), TARGET_BATCH):
            batch = targets[start : start + TARGET_BATCH]
            result = retry_while_propagating(
                lambda batch=batch: self.events.put_targets(Rule=name, Targets=batch),
                *ROLE_NOT_READY,
            )
            if result.get("FailedEntryCount"):
                failed = "; ".join(
                    f"{e.get('TargetId')}: {e.get('ErrorMessage')}"
                    for e in result.get("FailedEntries", [])
                )
                raise RuntimeError(f"events-rule {name}: targets refused: {failed}")

    def _remove_targets(self, name: str, ids: list[str]) -> None:
        for start in range(0, len(ids), TARGET_BATCH):
            self.events.remove_targets(Rule=name, Ids=ids[start : start + TARGET_BATCH])

    def create(self, resource: Resource) -> str:
        self._put_rule(resource)
        targets = list(resource.properties["Targets"])
        self._put_targets(resource.name, targets)
        return f"created with {len(targets)} target(s)"

    def update(self, resource: Resource, current: Current) -> str:
        desired, have = resource.properties, current.properties
        notes = []
        rule_changed = [
            k for k in RULE_FIELDS if k in desired and differences(desired[k], have.get(k))
        ]
        if rule_changed or self.tags_differ(resource, current):
            self._put_rule(resource)
            if self.tags_differ(resource, current):
                self.events.tag_resource(
                    ResourceARN=self._arn(resource.name), Tags=tag_list(resource.tags)
                )
            notes.append("rule")
        wanted = {t["Id"]: t for t in desired["Targets"]}
        existing = {t["Id"]: t for t in have.get("Targets", [])}
        stale = sorted(set(existing) - set(wanted))
        if stale:
            self._remove_targets(resource.name, stale)
            notes.append("removed target(s) " + ", ".join(stale))
        changed = [t for i, t in wanted.items() if i not in existing or differences(t, existing[i])]
        if changed:
            self._put_targets(resource.name, changed)
            notes.append("target(s) " + ", ".join(t["Id"] for t in changed))
        return "updated " + ", ".join(notes)

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        paginator = self.events.get_paginator("list_rules")
        for page in paginator.paginate(NamePrefix=self.name_prefix):
            for rule in page["Rules"]:
                if rule["Name"] in known:
                    continue
                tags = self.events.list_tags_for_resource(ResourceARN=rule["Arn"])
                if self.owns(tag_dict(tags.get("Tags", []))):
                    names.append(rule["Name"])
        return names

    def delete(self, name: str) -> None:
        ids: list[str] = []
        for page in self.events.get_paginator("list_targets_by_rule").paginate(Rule=name):
            ids.extend(t["Id"] for t in page["Targets"])
        self._remove_targets(name, ids)
        self.events.delete_rule(Name=name)
