"""CloudWatch metric alarms. Properties are the PutMetricAlarm request without AlarmName and
Tags; PutMetricAlarm replaces the whole alarm, so an update sends every field."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from deploy.model import Kind, Resource
from deploy.providers.base import Current, Provider, tag_dict, tag_list


class AlarmProvider(Provider):
    kind = Kind.ALARM

    @property
    def cloudwatch(self) -> Any:
        return self.clients("cloudwatch")

    def _arn(self, name: str) -> str:
        return self.settings.location.alarm(name)

    def read(self, resource: Resource) -> Current | None:
        alarms = self.cloudwatch.describe_alarms(
            AlarmNames=[resource.name], AlarmTypes=["MetricAlarm"]
        ).get("MetricAlarms", [])
        if not alarms:
            return None
        tags = self.cloudwatch.list_tags_for_resource(ResourceARN=self._arn(resource.name))
        return Current(dict(alarms[0]), tag_dict(tags.get("Tags", [])))

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
