"""CloudWatch metric alarms. Properties are the PutMetricAlarm request without AlarmName and
Tags; PutMetricAlarm replaces the whole alarm, so an update sends every field."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from deploy.model import Kind, Resource
from deploy.providers.base import Current, Provider, tag_dict, tag_list

NAMES_PER_CALL = 100  # DescribeAlarms' AlarmNames limit


class AlarmProvider(Provider):
    kind = Kind.ALARM

    @property
    def cloudwatch(self) -> Any:
        return self.clients("cloudwatch")

    def _arn(self, name: str) -> str:
        return self.settings.location.alarm(name)

    def read(self, resource: Resource) -> Current | None:
        return self.read_all([resource])[0]

    def read_all(self, resources: Sequence[Resource]) -> list[Current | None]:
        """DescribeAlarms takes up to 100 names a call (and pages its answer)."""
        found: dict[str, dict[str, Any]] = {}
        names = [r.name for r in resources]
        paginator = self.cloudwatch.get_paginator("describe_alarms")
        for start in range(0, len(names), NAMES_PER_CALL):
            batch = names[start : start + NAMES_PER_CALL]
            for page in paginator.paginate(AlarmNames=batch, AlarmTypes=["MetricAlarm"]):
                found.update((a["AlarmName"], a) for a in page.get("MetricAlarms", []))
        return [
            self._current(r.name, found[r.name]) if r.name in found else None for r in resources
        ]

    def _current(self, name: str, alarm: dict[str, Any]) -> Current:
        tags = self.cloudwatch.list_tags_for_resource(ResourceARN=self._arn(name))
        return Current(dict(alarm), tag_dict(tags.get("Tags", [])))

    def create(self, resource: Resource) -> str:
        self.cloudwatch.put_metric_alarm(
            AlarmName=resource.name, Tags=tag_list(resource.tags), **resource.properties
        )
        return f"created on {resource.properties.get('MetricName')}"

    def update(self, resource: Resource, current: Current) -> str:
        self.cloudwatch.put_metric_alarm(AlarmName=resource.name, **resource.properties)
        if self.tags_differ(resource, current):
            self.cloudwatch.tag_resource(
                ResourceARN=self._arn(resource.name), Tags=tag_list(resource.tags)
            )
        return "updated"

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        paginator = self.cloudwatch.get_paginator("describe_alarms")
        for page in paginator.paginate(AlarmNamePrefix=self.name_prefix):
            for alarm in page.get("MetricAlarms", []):
                if alarm["AlarmName"] in known:
                    continue
                tags = self.cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
                if self.owns(tag_dict(tags.get("Tags", []))):
                    names.append(alarm["AlarmName"])
        return names

    def delete(self, name: str) -> None:
        self.cloudwatch.delete_alarms(AlarmNames=[name])
