"""SageMaker serving tasks: the model, its endpoint config, the endpoint and its blue/green
update. Arguments are the SageMaker API request bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from environments.arns import Location
from workflows.integrations.sagemaker import TAGS, sagemaker_task, tag_list
from workflows.permissions import FieldPath, emitted
from workflows.states import Json, Task

# The fields of a createModelPackage request (an aws-sdk call) that scope the SageMaker role:
# it pulls the containers' images and reads their artifacts when a model is made from it.
MODEL_PACKAGE_FIELDS: tuple[FieldPath, ...] = (
    ("InferenceSpecification", "Containers", "*", "Image"),
    ("InferenceSpecification", "Containers", "*", "ModelDataUrl"),
    ("InferenceSpecification", "Containers", "*", "Environment", "SAGEMAKER_SUBMIT_DIRECTORY"),
)


def create_model(
    name: str,
    where: Location,
    *,
    model_name: Json,
    role_arn: str,
    model_package_arn: Json,
    tags: Mapping[str, str],
    **state: Any,
) -> Task:
    """``createModel`` from a registered model package (its image and artifacts)."""
    request: dict[str, Json] = {
        "ModelName": emitted(model_name),
        "ExecutionRoleArn": role_arn,
        "PrimaryContainer": {"ModelPackageName": model_package_arn},
        "Tags": tag_list(tags),
    }
    names: dict[FieldPath, Json] = {
        ("ModelName",): model_name,
        ("ExecutionRoleArn",): role_arn,
        **TAGS,
    }
    return sagemaker_task(name, where, "createModel", request, names, **state)


@dataclass(frozen=True)
class DataCapture:
    destination_s3_uri: str
    sampling_percentage: int
    content_types: Sequence[str] = ("text/csv",)

    def to_request(self) -> dict[str, Json]:
        return {
            "EnableCapture": True,
            "InitialSamplingPercentage": self.sampling_percentage,
            "DestinationS3Uri": self.destination_s3_uri,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"CsvContentTypes": list(self.content_types)},
        }


def create_endpoint_config(
    name: str,
    where: Location,
    *,
    config_name: Json,
    model_name: Json,
    instance_type: str,
    instance_count: int,
    data_capture: DataCapture | None,
    tags: Mapping[str, str],
    variant: str = "AllTraffic",
    **state: Any,
) -> Task:
    request: dict[str, Json] = {
        "EndpointConfigName": emitted(config_name),
        "ProductionVariants": [
            {
                "VariantName": variant,
                "ModelName": model_name,
                "InstanceType": instance_type,
                "InitialInstanceCount": instance_count,
                "InitialVariantWeight": 1,
            }
        ],
        "Tags": tag_list(tags),
    }
    if data_capture is not None:
        request["DataCaptureConfig"] = data_capture.to_request()
    names: dict[FieldPath, Json] = {("EndpointConfigName",): config_name, **TAGS}
    if data_capture is not None:
        names[("DataCaptureConfig", "DestinationS3Uri")] = data_capture.destination_s3_uri
    return sagemaker_task(name, where, "createEndpointConfig", request, names, **state)


def create_endpoint(
    name: str,
    where: Location,
    *,
    endpoint_name: str,
    config_name: Json,
    tags: Mapping[str, str],
    **state: Any,
) -> Task:
    request: dict[str, Json] = {
        "EndpointName": endpoint_name,
        "EndpointConfigName": emitted(config_name),
        "Tags": tag_list(tags),
    }
    names: dict[FieldPath, Json] = {
        ("EndpointName",): endpoint_name,
        ("EndpointConfigName",): config_name,
        **TAGS,
    }
    return sagemaker_task(name, where, "createEndpoint", request, names, **state)


@dataclass(frozen=True)
class BlueGreen:
    """Blue/green with canary traffic shifting; the alarms roll the update back automatically."""

    canary_percent: int
    canary_wait_seconds: int
    termination_wait_seconds: int
    rollback_alarms: Sequence[str]
    max_execution_seconds: int | None = None

    def to_request(self) -> dict[str, Json]:
        policy: dict[str, Json] = {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": self.canary_percent},
                "WaitIntervalInSeconds": self.canary_wait_seconds,
            },
            "TerminationWaitInSeconds": self.termination_wait_seconds,
        }
        if self.max_execution_seconds is not None:
            policy["MaximumExecutionTimeoutInSeconds"] = self.max_execution_seconds
        config: dict[str, Json] = {"BlueGreenUpdatePolicy": policy}
        if self.rollback_alarms:
            config["AutoRollbackConfiguration"] = {
                "Alarms": [{"AlarmName": a} for a in self.rollback_alarms]
            }
        return config


def update_endpoint(
    name: str,
    where: Location,
    *,
    endpoint_name: str,
    config_name: Json,
    deployment: BlueGreen,
    **state: Any,
) -> Task:
    request: dict[str, Json] = {
        "EndpointName": endpoint_name,
        "EndpointConfigName": emitted(config_name),
        "DeploymentConfig": deployment.to_request(),
    }
    names: dict[FieldPath, Json] = {
        ("EndpointName",): endpoint_name,
        ("EndpointConfigName",): config_name,
    }
    if deployment.rollback_alarms:
        alarms = ("DeploymentConfig", "AutoRollbackConfiguration", "Alarms", "*", "AlarmName")
        names[alarms] = list(deployment.rollback_alarms)
    return sagemaker_task(name, where, "updateEndpoint", request, names, **state)
