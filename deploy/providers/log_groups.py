"""CloudWatch log groups of the state machines and Lambda functions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from deploy.model import Kind, Resource
from deploy.providers.base import (
    Current,
    Provider,
)

LOG_GROUP_ROOTS = ("/aws/vendedlogs/states/", "/aws/lambda/")


class LogGroupProvider(Provider):
    kind = Kind.LOG_GROUP

    @property
    def logs(self) -> Any:
        return self.clients("logs")

    def _arn(self, name: str) -> str:
        return self.settings.location.arn("logs", f"log-group:{name}")

    def _find(self, name: str) -> dict[str, Any] | None:
        groups = self.logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
        return next((g for g in groups if g["logGroupName"] == name), None)

    def read(self, resource: Resource) -> Current | None:
        group = self._find(resource.name)
        return None if group is None else self._current(resource.name, group)

    def read_all(self, resources: Sequence[Resource]) -> list[Current | None]:
        """One listing per root answers for every group of the environment under it."""
        roots = [root + self.name_prefix for root in LOG_GROUP_ROOTS]
        listed: dict[str, dict[str, Any]] = {}
        for root in roots:
            if any(r.name.startswith(root) for r in resources):
                paginator = self.logs.get_paginator("describe_log_groups")
                for page in paginator.paginate(logGroupNamePrefix=root):
                    listed.update((g["logGroupName"], g) for g in page.get("logGroups", []))
        return [
            self.read(r)
            if not r.name.startswith(tuple(roots))
            else self._current(r.name, listed[r.name])
            if r.name in listed
            else None
            for r in resources
        ]

    def _current(self, name: str, group: dict[str, Any]) -> Current:
        tags = self.logs.list_tags_for_resource(resourceArn=self._arn(name))
        properties = {"retentionInDays": group.get("retentionInDays")}
        return Current(properties, dict(tags.get("tags", {})))

    def create(self, resource: Resource) -> str:
        self.logs.create_log_group(logGroupName=resource.name, tags=dict(resource.tags))
        self._retention(resource)
        return f"created, retention {resource.properties['retentionInDays']} days"

    def _retention(self, resource: Resource) -> None:
        self.logs.put_retention_policy(
            logGroupName=resource.name, retentionInDays=resource.properties["retentionInDays"]
        )

    def update(self, resource: Resource, current: Current) -> str:
        notes = []
        if current.properties.get("retentionInDays") != resource.properties["retentionInDays"]:
            self._retention(resource)
            notes.append("retention")
        if self.tags_differ(resource, current):
            self.logs.tag_resource(resourceArn=self._arn(resource.name), tags=dict(resource.tags))
            notes.append("tags")
        return "set " + ", ".join(notes)

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        for root in LOG_GROUP_ROOTS:
            paginator = self.logs.get_paginator("describe_log_groups")
            for page in paginator.paginate(logGroupNamePrefix=root + self.name_prefix):
                for group in page.get("logGroups", []):
                    name = group["logGroupName"]
                    if name in known:
                        continue
                    tags = self.logs.list_tags_for_resource(resourceArn=self._arn(name))
                    if self.owns(tags.get("tags", {})):
                        names.append(name)
        return names

    def delete(self, name: str) -> None:
        self.logs.delete_log_group(logGroupName=name)
