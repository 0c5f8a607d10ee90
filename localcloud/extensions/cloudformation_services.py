"""Stack resources moto 5.2.5 had no CloudFormation model for and skipped silently: the SageMaker
model package group, EventBridge Scheduler's schedule groups and schedules, CloudWatch alarms.
Each goes through its service's API on the embedded cloud, so it is validated as the API
validates it (a schedule into a missing group fails) and read back as the API reads it.

Return values as CloudFormation documents them: ModelPackageGroup `Ref` and
ModelPackageGroupArn are the ARN (also CreationTime, ModelPackageGroupStatus); ScheduleGroup
`Ref` is the name (Arn, CreationDate, LastModificationDate, State); Schedule `Ref` is the name
(Arn); Alarm `Ref` is the name (Arn).
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.cloudformation_types import (
    Provisioned,
    ProvisioningError,
    api_tags,
    aws_client,
    register,
)
from localcloud.extensions.patching import PatchSet


class ModelPackageGroup(Provisioned):
    TYPE = "AWS::SageMaker::ModelPackageGroup"
    ATTRIBUTES = ("ModelPackageGroupArn", "CreationTime", "ModelPackageGroupStatus")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        if "ModelPackageGroupPolicy" in properties:
            raise ProvisioningError("ModelPackageGroupPolicy is not supported by localcloud")
        name = properties.get("ModelPackageGroupName", name)
        arguments: dict[str, Any] = {"ModelPackageGroupName": name}
        if "ModelPackageGroupDescription" in properties:
            arguments["ModelPackageGroupDescription"] = properties["ModelPackageGroupDescription"]
        if properties.get("Tags"):
            arguments["Tags"] = api_tags(properties)
        sagemaker = aws_client("sagemaker", region)
        arn = sagemaker.create_model_package_group(**arguments)["ModelPackageGroupArn"]
        described = sagemaker.describe_model_package_group(ModelPackageGroupName=name)
        return cls(
            arn,
            region,
            ModelPackageGroupArn=arn,
            CreationTime=str(described.get("CreationTime", "")),
            ModelPackageGroupStatus=described.get("ModelPackageGroupStatus", "Completed"),
            name=name,
        )

    def remove(self) -> None:
        aws_client("sagemaker", self.region).delete_model_package_group(
            ModelPackageGroupName=self.attributes["name"]
        )


class ScheduleGroup(Provisioned):
    TYPE = "AWS::Scheduler::ScheduleGroup"
    ATTRIBUTES = ("Arn", "CreationDate", "LastModificationDate", "State")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        name = properties.get("Name", name)
        scheduler = aws_client("scheduler", region)
        arn = scheduler.create_schedule_group(Name=name, Tags=api_tags(properties))[
            "ScheduleGroupArn"
        ]
        described = scheduler.get_schedule_group(Name=name)
        return cls(
            name,
            region,
            Arn=arn,
            CreationDate=str(described.get("CreationDate", "")),
            LastModificationDate=str(described.get("LastModificationDate", "")),
            State=described.get("State", "ACTIVE"),
        )

    def remove(self) -> None:
        aws_client("scheduler", self.region).delete_schedule_group(Name=self.physical_id)


# Template properties of AWS::Scheduler::Schedule with the same name and shape in CreateSchedule.
SCHEDULE_FIELDS = (
    "Description",
    "EndDate",
    "FlexibleTimeWindow",
    "GroupName",
    "KmsKeyArn",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "StartDate",
    "State",
    "Target",
)


class Schedule(Provisioned):
    TYPE = "AWS::Scheduler::Schedule"
    ATTRIBUTES = ("Arn",)

    @staticmethod
    def _arguments(name: str, properties: dict[str, Any]) -> dict[str, Any]:
        arguments = {k: properties[k] for k in SCHEDULE_FIELDS if k in properties}
        # The template has no ActionAfterCompletion; the API's default is NONE, which moto
        # leaves unset unless it is given.
        return {"Name": properties.get("Name", name), "ActionAfterCompletion": "NONE", **arguments}

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        arguments = cls._arguments(name, properties)
        arn = aws_client("scheduler", region).create_schedule(**arguments)["ScheduleArn"]
        return cls(arguments["Name"], region, Arn=arn, group=arguments.get("GroupName"))

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        arguments = self._arguments(name, properties)
        if (arguments["Name"], arguments.get("GroupName")) != (
            self.physical_id,
            self.attributes["group"],
        ):
            return super().change(name, properties)
        aws_client("scheduler", self.region).update_schedule(**arguments)
        return self

    def remove(self) -> None:
        arguments = {"Name": self.physical_id}
        if self.attributes["group"]:
            arguments["GroupName"] = self.attributes["group"]
        aws_client("scheduler", self.region).delete_schedule(**arguments)


# Template properties of AWS::CloudWatch::Alarm that PutMetricAlarm takes under the same name.
ALARM_FIELDS = (
    "ActionsEnabled",
    "AlarmActions",
    "AlarmDescription",
    "ComparisonOperator",
    "DatapointsToAlarm",
    "Dimensions",
    "EvaluateLowSampleCountPercentile",
    "EvaluationPeriods",
    "ExtendedStatistic",
    "InsufficientDataActions",
    "MetricName",
    "Metrics",
    "Namespace",
    "OKActions",
    "Period",
    "Statistic",
    "Threshold",
    "ThresholdMetricId",
    "TreatMissingData",
    "Unit",
)


class Alarm(Provisioned):
    TYPE = "AWS::CloudWatch::Alarm"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        name = properties.get("AlarmName", name)
        arguments = {k: properties[k] for k in ALARM_FIELDS if k in properties}
        if properties.get("Tags"):
            arguments["Tags"] = api_tags(properties)
        cloudwatch = aws_client("cloudwatch", region)
        cloudwatch.put_metric_alarm(AlarmName=name, **arguments)
        alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
        return cls(name, region, Arn=alarm["AlarmArn"])

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        if properties.get("AlarmName", name) != self.physical_id:
            return super().change(name, properties)
        return self.create(name, properties, self.region)  # PutMetricAlarm replaces

    def remove(self) -> None:
        aws_client("cloudwatch", self.region).delete_alarms(AlarmNames=[self.physical_id])


def install_model_package_group(patches: PatchSet) -> None:
    register(patches, ModelPackageGroup)


def install_schedules(patches: PatchSet) -> None:
    register(patches, ScheduleGroup, Schedule)


def install_alarms(patches: PatchSet) -> None:
    register(patches, Alarm)
