"""The SQS dead-letter queue and the SNS notification topic."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from botocore.exceptions import ClientError

from deploy.compare import canonical_policy, differences
from deploy.model import Kind, Resource
from deploy.providers.base import (
    Current,
    Provider,
    error_code,
    tag_dict,
    tag_list,
    unless_missing,
)

POLICY_ATTRIBUTES = ("Policy",)


def _attributes_for_write(attributes: dict[str, Any]) -> dict[str, str]:
    return {k: json.dumps(v) if k in POLICY_ATTRIBUTES else str(v) for k, v in attributes.items()}


def _attributes_as_read(attributes: dict[str, str]) -> dict[str, Any]:
    return {
        k: canonical_policy(v) if k in POLICY_ATTRIBUTES and v else v for k, v in attributes.items()
    }


class QueueProvider(Provider):
    kind = Kind.QUEUE

    @property
    def sqs(self) -> Any:
        return self.clients("sqs")

    def _url(self, name: str) -> str | None:
        try:
            return str(self.sqs.get_queue_url(QueueName=name)["QueueUrl"])
        except ClientError as error:
            if error_code(error) in (
                "AWS.SimpleQueueService.NonExistentQueue",
                "QueueDoesNotExist",
            ):
                return None
            raise

    def read(self, resource: Resource) -> Current | None:
        url = self._url(resource.name)
        if url is None:
            return None
        attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        tags = self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
        properties = {"Attributes": _attributes_as_read(attributes.get("Attributes", {}))}
        return Current(properties, dict(tags), {"url": url})

    def create(self, resource: Resource) -> str:
        self.sqs.create_queue(
            QueueName=resource.name,
            Attributes=_attributes_for_write(dict(resource.properties["Attributes"])),
            tags=dict(resource.tags),
        )
        return "created"

    def update(self, resource: Resource, current: Current) -> str:
        url = current.context["url"]
        desired = dict(resource.properties["Attributes"])
        have = current.properties.get("Attributes", {})
        changed = {k: v for k, v in desired.items() if k not in have or differences(v, have[k])}
        notes = []
        if changed:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes=_attributes_for_write(changed))
            notes.append("set " + ", ".join(sorted(changed)))
        if self.tags_differ(resource, current):
            self.sqs.tag_queue(QueueUrl=url, Tags=dict(resource.tags))
            notes.append("tagged")
        return "; ".join(notes)

    def owned(self, known: Collection[str] = ()) -> list[str]:
        urls = self.sqs.list_queues(QueueNamePrefix=self.name_prefix).get("QueueUrls", [])
        return [
            url.rsplit("/", 1)[-1]
            for url in urls
            if url.rsplit("/", 1)[-1] not in known
            and self.owns(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}))
        ]

    def delete(self, name: str) -> None:
        url = self._url(name)
        if url is not None:
            self.sqs.delete_queue(QueueUrl=url)


class TopicProvider(Provider):
    kind = Kind.TOPIC

    @property
    def sns(self) -> Any:
        return self.clients("sns")

    def _arn(self, name: str) -> str:
        return self.settings.location.topic(name)

    def read(self, resource: Resource) -> Current | None:
        arn = self._arn(resource.name)
        found = unless_missing(lambda: self.sns.get_topic_attributes(TopicArn=arn), "NotFound")
        if found is None:
            return None
        attributes = found["Attributes"]
        tags = tag_dict(self.sns.list_tags_for_resource(ResourceArn=arn).get("Tags", []))
        return Current({"Attributes": _attributes_as_read(attributes)}, tags)

    def create(self, resource: Resource) -> str:
        self.sns.create_topic(
            Name=resource.name,
            Attributes=_attributes_for_write(dict(resource.properties.get("Attributes", {}))),
            Tags=tag_list(resource.tags),
        )
        return "created"

    def update(self, resource: Resource, current: Current) -> str:
        arn = self._arn(resource.name)
        desired = dict(resource.properties.get("Attributes", {}))
        have = current.properties.get("Attributes", {})
        notes = []
        for name, value in _attributes_for_write(
            {k: v for k, v in desired.items() if k not in have or differences(v, have[k])}
        ).items():
            self.sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
            notes.append(f"set {name}")
        if self.tags_differ(resource, current):
            self.sns.tag_resource(ResourceArn=arn, Tags=tag_list(resource.tags))
            notes.append("tagged")
        return "; ".join(notes)

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        prefix = self._arn(self.name_prefix)
        for page in self.sns.get_paginator("list_topics").paginate():
            for topic in page.get("Topics", []):
                arn = topic["TopicArn"]
                if arn.startswith(prefix) and arn.rsplit(":", 1)[-1] not in known:
                    tags = self.sns.list_tags_for_resource(ResourceArn=arn).get("Tags", [])
                    if self.owns(tag_dict(tags)):
                        names.append(arn.rsplit(":", 1)[-1])
        return names

    def delete(self, name: str) -> None:
        self.sns.delete_topic(TopicArn=self._arn(name))
