"""CloudTrail trails. Properties: the CreateTrail request's settings (without Name and
TagsList), ``IsLogging`` (GetTrailStatus; always true: StartLogging) and ``EventSelectors``
(PutEventSelectors). CreateTrail never starts logging: a trail is created, given its selectors,
then started.

ListTrails answers with the account's trails of every region (multi-region trails appear in
each); only those whose home is this region are this provider's to tag, change or delete.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from deploy.model import Json, Kind, Resource
from deploy.providers.base import Current, Provider, tag_dict, tag_list, unless_missing

NOT_FOUND = "TrailNotFoundException"
SETTINGS = (
    "S3BucketName",
    "S3KeyPrefix",
    "IncludeGlobalServiceEvents",
    "IsMultiRegionTrail",
    "EnableLogFileValidation",
)
# DescribeTrails spells one setting differently from CreateTrail and UpdateTrail.
READ_AS = {"EnableLogFileValidation": "LogFileValidationEnabled"}


def _selectors(selectors: list[Mapping[str, Json]]) -> list[dict[str, Json]]:
    """As the desired state spells them: AWS adds empty lists to what it reads back."""
    out = []
    for selector in selectors:
        shown = {
            "ReadWriteType": selector.get("ReadWriteType", "All"),
            "IncludeManagementEvents": selector.get("IncludeManagementEvents", True),
        }
        for extra in ("DataResources", "ExcludeManagementEventSources"):
            if selector.get(extra):
                shown[extra] = selector[extra]
        out.append(shown)
    return out


class TrailProvider(Provider):
    kind = Kind.TRAIL

    @property
    def cloudtrail(self) -> Any:
        return self.clients("cloudtrail")

    def _arn(self, name: str) -> str:
        return self.settings.location.arn("cloudtrail", f"trail/{name}")

    def _tags(self, arn: str) -> dict[str, str]:
        listed = self.cloudtrail.list_tags(ResourceIdList=[arn]).get("ResourceTagList", [])
        return tag_dict(listed[0].get("TagsList", [])) if listed else {}

    def read(self, resource: Resource) -> Current | None:
        # GetTrail, not DescribeTrails: it names the trail, so IAM can scope it to ours.
        found = unless_missing(lambda: self.cloudtrail.get_trail(Name=resource.name), NOT_FOUND)
        if found is None:
            return None
        trail = found["Trail"]
        properties: dict[str, Json] = {key: trail.get(READ_AS.get(key, key)) for key in SETTINGS}
        status = unless_missing(
            lambda: self.cloudtrail.get_trail_status(Name=resource.name), NOT_FOUND
        )
        properties["IsLogging"] = bool(status and status.get("IsLogging"))
        selectors = self.cloudtrail.get_event_selectors(TrailName=resource.name)
        properties["EventSelectors"] = _selectors(selectors.get("EventSelectors", []))
        return Current(properties, self._tags(trail["TrailARN"]))

    def _settings(self, resource: Resource) -> dict[str, Json]:
        return {k: resource.properties[k] for k in SETTINGS}

    def _logging_and_selectors(self, resource: Resource, current: Current | None) -> None:
        desired = resource.properties
        if current is None or current.properties["EventSelectors"] != desired["EventSelectors"]:
            self.cloudtrail.put_event_selectors(
                TrailName=resource.name, EventSelectors=desired["EventSelectors"]
            )
        # The desired trail always logs: one that stopped (by hand) is started again.
        if current is None or not current.properties["IsLogging"]:
            self.cloudtrail.start_logging(Name=resource.name)

    def create(self, resource: Resource) -> str:
        self.cloudtrail.create_trail(
            Name=resource.name, TagsList=tag_list(resource.tags), **self._settings(resource)
        )
        self._logging_and_selectors(resource, None)
        return f"created, logging management events to s3://{resource.properties['S3BucketName']}"

    def update(self, resource: Resource, current: Current) -> str:
        if any(current.properties.get(k) != resource.properties[k] for k in SETTINGS):
            self.cloudtrail.update_trail(Name=resource.name, **self._settings(resource))
        self._logging_and_selectors(resource, current)
        if self.tags_differ(resource, current):
            self.cloudtrail.add_tags(
                ResourceId=self._arn(resource.name), TagsList=tag_list(resource.tags)
            )
        return "updated"

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        paginator = self.cloudtrail.get_paginator("list_trails")
        for page in paginator.paginate():
            for trail in page.get("Trails", []):
                name = trail["Name"]
                home = trail.get("HomeRegion", self.settings.location.region)
                if name in known or home != self.settings.location.region:
                    continue
                if name.startswith(self.name_prefix) and self.owns(self._tags(trail["TrailARN"])):
                    names.append(name)
        return names

    def delete(self, name: str) -> None:
        # The log files stay in the bucket: deleting a trail stops logging, nothing more.
        self.cloudtrail.delete_trail(Name=name)
