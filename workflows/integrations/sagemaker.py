"""SageMaker job tasks (processing, training, batch transform). Arguments are the SageMaker API
request bodies; ``sagemaker_serving`` builds the model and endpoint tasks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from environments.arns import Location
from environments.settings import Compute, Spot
from workflows.integrations.retries import SAGEMAKER_TRANSIENT, job_failure, transient
from workflows.permissions import FieldPath, TaskPermissions, emitted
from workflows.states import Json, Task

TAGS: dict[FieldPath, Json] = {("Tags",): []}  # present: tagging on create needs AddTags
# Also declared: the S3 locations, images and alarms a request names, which scope the SageMaker
# execution role (iam.sagemaker_role) rather than the state machine's.


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def sagemaker_task(
    name: str,
    where: Location,
    action: str,
    arguments: dict[str, Json],
    names: dict[FieldPath, Json],
    **state: Any,
) -> Task:
    """``names``: the request fields IAM scopes the call by, as the caller knows them."""
    integration = f"sagemaker:{action}"
    task = Task(
        name,
        resource=where.integration(integration),
        arguments=arguments,
        permissions=TaskPermissions.of(integration, names),
        **state,
    )
    task.add_retry(transient(SAGEMAKER_TRANSIENT))
    return task


@dataclass(frozen=True)
class ProcessingInput:
    name: str
    s3_uri: Json
    local_path: str
    data_type: str = "S3Prefix"

    def to_request(self) -> dict[str, Json]:
        return {
            "InputName": self.name,
            "S3Input": {
                "S3Uri": emitted(self.s3_uri),
                "LocalPath": self.local_path,
                "S3DataType": self.data_type,
                "S3InputMode": "File",
                "S3DataDistributionType": "FullyReplicated",
            },
        }


@dataclass(frozen=True)
class ProcessingOutput:
    name: str
    s3_uri: Json
    local_path: str

    def to_request(self) -> dict[str, Json]:
        return {
            "OutputName": self.name,
            "S3Output": {
                "S3Uri": emitted(self.s3_uri),
                "LocalPath": self.local_path,
                "S3UploadMode": "EndOfJob",
            },
        }


def processing_job(
    name: str,
    where: Location,
    *,
    job_name: Json,
    role_arn: str,
    image: str,
    entrypoint: Sequence[str],
    arguments: Sequence[str] = (),
    inputs: Sequence[ProcessingInput],
    outputs: Sequence[ProcessingOutput],
    compute: Compute,
    environment: Mapping[str, str] | None = None,
    tags: Mapping[str, str],
    retry_failed_job: bool = False,
    **state: Any,
) -> Task:
    """``createProcessingJob.sync``: the result is the DescribeProcessingJob response."""
    app: dict[str, Json] = {"ImageUri": image, "ContainerEntrypoint": list(entrypoint)}
    if arguments:
        app["ContainerArguments"] = list(arguments)
    request: dict[str, Json] = {
        "ProcessingJobName": emitted(job_name),
        "RoleArn": role_arn,
        "AppSpecification": app,
        "ProcessingInputs": [i.to_request() for i in inputs],
        "ProcessingOutputConfig": {"Outputs": [o.to_request() for o in outputs]},
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceType": compute.instance_type,
                "InstanceCount": compute.instance_count,
                "VolumeSizeInGB": compute.volume_size_gb,
            }
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": compute.max_runtime_seconds},
        "Tags": tag_list(tags),
    }
    if environment:
        request["Environment"] = dict(environment)
    names: dict[FieldPath, Json] = {
        ("ProcessingJobName",): job_name,
        ("RoleArn",): role_arn,
        **TAGS,
        ("AppSpecification", "ImageUri"): image,
        ("ProcessingInputs", "*", "S3Input", "S3Uri"): [i.s3_uri for i in inputs],
        ("ProcessingOutputConfig", "Outputs", "*", "S3Output", "S3Uri"): [
            o.s3_uri for o in outputs
        ],
    }
    task = sagemaker_task(name, where, "createProcessingJob.sync", request, names, **state)
    if retry_failed_job:
        task.add_retry(job_failure())
    return task


@dataclass(frozen=True)
class Channel:
    name: str
    s3_uri: Json
    content_type: str | None = "text/csv"
    data_type: str = "S3Prefix"

    def to_request(self) -> dict[str, Json]:
        channel: dict[str, Json] = {
            "ChannelName": self.name,
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": self.data_type,
                    "S3Uri": emitted(self.s3_uri),
                    "S3DataDistributionType": "FullyReplicated",
                }
            },
            "InputMode": "File",
        }
        if self.content_type:
            channel["ContentType"] = self.content_type
        return channel


def training_job(
    name: str,
    where: Location,
    *,
    job_name: Json,
    role_arn: str,
    image: str,
    hyperparameters: Mapping[str, Json],
    channels: Sequence[Channel],
    output_path: Json,
    compute: Compute,
    spot: Spot | None = None,
    checkpoint_s3_uri: Json = None,
    metric_definitions: Sequence[tuple[str, str]] = (),
    environment: Mapping[str, str] | None = None,
    tags: Mapping[str, str],
    **state: Any,
) -> Task:
    """``createTrainingJob.sync``: the result is the DescribeTrainingJob response
    (``ModelArtifacts.S3ModelArtifacts`` is the model.tar.gz)."""
    stopping: dict[str, Json] = {"MaxRuntimeInSeconds": compute.max_runtime_seconds}
    request: dict[str, Json] = {
        "TrainingJobName": emitted(job_name),
        "RoleArn": role_arn,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "HyperParameters": emitted(dict(hyperparameters)),
        "InputDataConfig": [c.to_request() for c in channels],
        "OutputDataConfig": {"S3OutputPath": emitted(output_path)},
        "ResourceConfig": {
            "InstanceType": compute.instance_type,
            "InstanceCount": compute.instance_count,
            "VolumeSizeInGB": compute.volume_size_gb,
        },
        "StoppingCondition": stopping,
        "Tags": tag_list(tags),
    }
    if metric_definitions:
        request["AlgorithmSpecification"]["MetricDefinitions"] = [
            {"Name": metric, "Regex": regex} for metric, regex in metric_definitions
        ]
    if spot is not None:
        # Managed spot training: SageMaker resumes from the checkpoint after an interruption.
        if checkpoint_s3_uri is None:
            raise ValueError(f'training job "{name}": spot training needs checkpoint_s3_uri')
        request["EnableManagedSpotTraining"] = True
        stopping["MaxWaitTimeInSeconds"] = spot.max_wait_seconds
        request["CheckpointConfig"] = {"S3Uri": emitted(checkpoint_s3_uri)}
    if environment:
        request["Environment"] = dict(environment)
    names: dict[FieldPath, Json] = {
        ("TrainingJobName",): job_name,
        ("RoleArn",): role_arn,
        **TAGS,
        ("AlgorithmSpecification", "TrainingImage"): image,
        ("InputDataConfig", "*", "DataSource", "S3DataSource", "S3Uri"): [
            c.s3_uri for c in channels
        ],
        ("OutputDataConfig", "S3OutputPath"): output_path,
    }
    if "CheckpointConfig" in request:
        names[("CheckpointConfig", "S3Uri")] = checkpoint_s3_uri
    if "sagemaker_submit_directory" in hyperparameters:
        source = hyperparameters["sagemaker_submit_directory"]
        names[("HyperParameters", "sagemaker_submit_directory")] = source
    task = sagemaker_task(name, where, "createTrainingJob.sync", request, names, **state)
    task.add_retry(job_failure())
    return task


def transform_job(
    name: str,
    where: Location,
    *,
    job_name: Json,
    model_name: Json,
    input_s3_uri: Json,
    output_s3_uri: Json,
    instance_type: str,
    instance_count: int = 1,
    content_type: str = "text/csv",
    split_type: str = "Line",
    tags: Mapping[str, str],
    **state: Any,
) -> Task:
    """``createTransformJob.sync``: batch inference; the result is DescribeTransformJob."""
    request: dict[str, Json] = {
        "TransformJobName": emitted(job_name),
        "ModelName": model_name,
        "TransformInput": {
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": emitted(input_s3_uri)}
            },
            "ContentType": content_type,
            "SplitType": split_type,
        },
        "TransformOutput": {"S3OutputPath": emitted(output_s3_uri), "AssembleWith": split_type},
        "TransformResources": {"InstanceType": instance_type, "InstanceCount": instance_count},
        "Tags": tag_list(tags),
    }
    names: dict[FieldPath, Json] = {
        ("TransformJobName",): job_name,
        **TAGS,
        ("TransformInput", "DataSource", "S3DataSource", "S3Uri"): input_s3_uri,
        ("TransformOutput", "S3OutputPath"): output_s3_uri,
    }
    return sagemaker_task(name, where, "createTransformJob.sync", request, names, **state)
