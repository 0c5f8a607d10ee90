"""`cloudformation_trails`: `AWS::CloudTrail::Trail`, which moto 5.2.5 has no CloudFormation
model for and skipped silently, so a stack "created" a trail that never logged and the audit
rules it feeds saw nothing. It goes through CloudTrail's API on the embedded cloud: CreateTrail
(which checks that the bucket exists), PutEventSelectors, then StartLogging when `IsLogging`
(CloudTrail's `IsLogging` is required; a trail is created stopped).

Return values as CloudFormation documents them: `Ref` is the trail's name; `Arn` its ARN.
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.cloudformation_types import Provisioned, api_tags, aws_client, register
from localcloud.extensions.patching import PatchSet

SETTINGS = (
    "S3BucketName",
    "S3KeyPrefix",
    "SnsTopicName",
    "IncludeGlobalServiceEvents",
    "IsMultiRegionTrail",
    "EnableLogFileValidation",
    "CloudWatchLogsLogGroupArn",
    "CloudWatchLogsRoleArn",
    "KmsKeyId",
)
BOOLEANS = ("IncludeGlobalServiceEvents", "IsMultiRegionTrail", "EnableLogFileValidation")


def _flag(value: Any) -> bool:
    """Template booleans arrive as booleans or as the strings "true"/"false"."""
    return value is True or str(value).lower() == "true"


def _arguments(properties: dict[str, Any]) -> dict[str, Any]:
    arguments = {k: properties[k] for k in SETTINGS if k in properties}
    for key in BOOLEANS:
        if key in arguments:
            arguments[key] = _flag(arguments[key])
    return arguments


class Trail(Provisioned):
    TYPE = "AWS::CloudTrail::Trail"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        name = properties.get("TrailName", name)
        cloudtrail = aws_client("cloudtrail", region)
        extra = {"TagsList": api_tags(properties)} if properties.get("Tags") else {}
        created = cloudtrail.create_trail(Name=name, **_arguments(properties), **extra)
        trail = cls(name, region, Arn=created["TrailARN"])
        trail._selectors_and_logging(properties)
        return trail

    def _selectors_and_logging(self, properties: dict[str, Any]) -> None:
        cloudtrail = aws_client("cloudtrail", self.region)
        if properties.get("EventSelectors"):
            cloudtrail.put_event_selectors(
                TrailName=self.physical_id, EventSelectors=properties["EventSelectors"]
            )
        if _flag(properties.get("IsLogging")):
            cloudtrail.start_logging(Name=self.physical_id)
        else:
            cloudtrail.stop_logging(Name=self.physical_id)

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        if properties.get("TrailName", name) != self.physical_id:
            return super().change(name, properties)
        aws_client("cloudtrail", self.region).update_trail(
            Name=self.physical_id, **_arguments(properties)
        )
        self._selectors_and_logging(properties)
        return self

    def remove(self) -> None:
        aws_client("cloudtrail", self.region).delete_trail(Name=self.physical_id)


def install(patches: PatchSet) -> None:
    register(patches, Trail)
