"""The SageMaker execution role: what the jobs, models and endpoints do with it.

SageMaker uses the role to pull the container images, read the job inputs, write the job
outputs, write logs and metrics ("How to use SageMaker AI execution roles", sagemaker-roles
.html: ``s3:ListBucket`` scoped to the input buckets, object access to the input and output
URIs, ``ecr:*`` pull actions scoped to the images, ``ecr:GetAuthorizationToken`` on ``*``), to
write endpoint data capture, and to check the auto-rollback alarms of a blue/green update
("Auto-Rollback Configuration and Monitoring": ``cloudwatch:DescribeAlarms`` on those alarms).

The S3 locations come from the Task calls: as the integration builders declared them (the
deploy), or as read from the definitions (``iam.crosscheck`` compares the two). A location
computed at run time is scoped by its origin: one the execution input supplies must lie under
the training-data or the ground-truth prefix (the only places the project takes data from
outside: uploads, and the labelled data drift-triggered and scheduled retrains learn from); one
an earlier task returned (a model artifact, a registered baseline) is an output of the
project's own jobs, covered by the writes.
Job code is read under the whole code prefix, every content-addressed version of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from environments.arns import Location
from environments.settings import Settings
from iam.scoping import SAGEMAKER_PRINCIPAL, camel_words, exact_values
from iam.spec import RoleSpec, role_spec
from iam.statements import WILDCARD, Grant, trust_policy
from iam.tasks import TaskCall, UnsupportedTaskError
from iam.values import Known

# Request fields holding S3 locations. SageMaker reads and writes under key prefixes, except
# for the fields that name one object (a model artifact, a source tarball).
OBJECT_FIELDS = {"ModelDataUrl", "sagemaker_submit_directory", "SAGEMAKER_SUBMIT_DIRECTORY"}
READS: dict[str, list[tuple[str, ...]]] = {
    "createProcessingJob": [("ProcessingInputs", "*", "S3Input", "S3Uri")],
    "createTrainingJob": [
        ("InputDataConfig", "*", "DataSource", "S3DataSource", "S3Uri"),
        ("CheckpointConfig", "S3Uri"),
        ("HyperParameters", "sagemaker_submit_directory"),
    ],
    "createTransformJob": [("TransformInput", "DataSource", "S3DataSource", "S3Uri")],
    "createModel": [("PrimaryContainer", "ModelDataUrl"), ("Containers", "*", "ModelDataUrl")],
    "createModelPackage": [
        ("InferenceSpecification", "Containers", "*", "ModelDataUrl"),
        ("InferenceSpecification", "Containers", "*", "Environment", "SAGEMAKER_SUBMIT_DIRECTORY"),
    ],
}
WRITES: dict[str, list[tuple[str, ...]]] = {
    "createProcessingJob": [("ProcessingOutputConfig", "Outputs", "*", "S3Output", "S3Uri")],
    "createTrainingJob": [("OutputDataConfig", "S3OutputPath"), ("CheckpointConfig", "S3Uri")],
    "createTransformJob": [("TransformOutput", "S3OutputPath")],
    "createEndpointConfig": [("DataCaptureConfig", "DestinationS3Uri")],
}
IMAGES: dict[str, list[tuple[str, ...]]] = {
    "createProcessingJob": [("AppSpecification", "ImageUri")],
    "createTrainingJob": [("AlgorithmSpecification", "TrainingImage")],
    "createModel": [("PrimaryContainer", "Image"), ("Containers", "*", "Image")],
    "createModelPackage": [("InferenceSpecification", "Containers", "*", "Image")],
}
ROLLBACK_ALARMS = ("DeploymentConfig", "AutoRollbackConfiguration", "Alarms", "*", "AlarmName")
ECR_PULL = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
LOG_ACTIONS = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
)


@dataclass
class Access:
    """S3 keys (or key prefixes ending in ``*``) read and written, by bucket."""

    reads: dict[str, set[str]] = field(default_factory=dict)
    writes: dict[str, set[str]] = field(default_factory=dict)

    def add(self, into: dict[str, set[str]], bucket: str, key: str) -> None:
        into.setdefault(bucket, set()).add(key)


def sagemaker_role(settings: Settings, calls: Iterable[TaskCall]) -> RoleSpec:
    """The role from the Task calls of every state machine (those that are not SageMaker's are
    skipped): ``iam.declared.declared_calls`` or ``iam.tasks.task_calls``."""
    access = Access()
    images: set[str] = set()
    alarms: set[str] = set()
    for call in (c for c in calls if c.service == "sagemaker"):
        for into, fields in ((access.reads, READS), (access.writes, WRITES)):
            for path in fields.get(call.api, []):
                whole = path[-1] in OBJECT_FIELDS
                for known in call.values(*path):
                    _locate(known, whole, call, settings, access, into)
        for path in IMAGES.get(call.api, []):
            why = "the image scopes the ECR pull grant"
            images.update(exact_values(call, *path, why=why, required=False))
        if call.api == "updateEndpoint":
            alarms.update(k.prefix for k in call.values(*ROLLBACK_ALARMS) if k.exact)
    _every_code_version(settings, access)
    grants = [*_s3_grants(settings.location, access), *_image_grants(settings, images)]
    grants += _log_and_metric_grants(settings)
    if alarms:
        arns = tuple(sorted(settings.location.alarm(a) for a in alarms))
        grants.append(Grant("DescribeRollbackAlarms", ("cloudwatch:DescribeAlarms",), arns))
    location = settings.location
    trust = trust_policy(
        SAGEMAKER_PRINCIPAL,
        source_account=location.account,
        source_arns=[location.arn("sagemaker", "*")],
    )
    return role_spec(
        settings.sagemaker_role_name,
        f"SageMaker jobs, models and endpoints of {settings.prefix}: their images, data and logs",
        trust,
        grants,
    )


def _locate(
    known: Known,
    whole: bool,
    call: TaskCall,
    settings: Settings,
    access: Access,
    into: dict[str, set[str]],
) -> None:
    """Record one location; ``whole``: the field names one object rather than a key prefix."""
    uri = known.prefix
    if uri.startswith("s3://") and "/" in uri[5:]:
        bucket, key = uri[5:].split("/", 1)
        access.add(into, bucket, key if known.exact and whole else f"{key}*")
    elif known.origin == "input":
        for source in (settings.training_data_uri, settings.ground_truth_uri):
            bucket, key = source.removeprefix("s3://").split("/", 1)
            access.add(into, bucket, f"{key}*")
    elif known.origin != "result" or into is access.writes:
        raise UnsupportedTaskError(
            f"{call.pointer}: an S3 location of {call.service}:{call.api} names no bucket the "
            "role can be scoped to; start it with a literal s3://<bucket>/<prefix>"
        )


def _every_code_version(settings: Settings, access: Access) -> None:
    """Widen reads of one job code version to the whole code prefix: the role is not versioned
    with the state machines, and an earlier machine version (after a rollback) or a model
    registered by one reads the job code of its own version."""
    bucket, code = settings.artifacts_bucket, settings.prefixes["code"]
    keys = access.reads.get(bucket, set())
    if any(key.startswith(code) for key in keys):
        access.reads[bucket] = {k for k in keys if not k.startswith(code)} | {f"{code}*"}


def _covering(keys: Iterable[str]) -> list[str]:
    """Keys minus those a broader prefix in the same set already covers."""
    ordered = sorted(set(keys))
    prefixes = [k[:-1] for k in ordered if k.endswith("*")]
    return [k for k in ordered if not any(k != f"{p}*" and k.startswith(p) for p in prefixes)]


def _s3_grants(location: Location, access: Access) -> list[Grant]:
    # Jobs read what earlier jobs wrote (a model artifact, a baseline): reads include writes.
    readable: dict[str, set[str]] = {}
    for source in (access.reads, access.writes):
        for bucket, keys in source.items():
            readable.setdefault(bucket, set()).update(keys)
    grants: list[Grant] = []
    for sid, action, by_bucket in (
        ("ReadJobData", "s3:GetObject", readable),
        ("WriteJobOutputs", "s3:PutObject", access.writes),
    ):
        objects = [
            f"{location.bucket(b)}/{k}" for b, ks in by_bucket.items() for k in _covering(ks)
        ]
        if objects:
            grants.append(Grant(sid, (action,), tuple(sorted(objects))))
    for bucket, keys in sorted(readable.items()):
        condition = {"StringLike": {"s3:prefix": _covering(keys)}}
        sid = f"List{camel_words(bucket)}"
        grants.append(Grant(sid, ("s3:ListBucket",), (location.bucket(bucket),), condition))
    return grants


def _image_grants(settings: Settings, images: Iterable[str]) -> list[Grant]:
    repositories: set[str] = set()
    for image in images:
        registry, _, path = image.partition("/")
        parts = registry.split(".")
        if len(parts) < 6 or parts[1:3] != ["dkr", "ecr"] or not path:
            raise UnsupportedTaskError(
                f"image {image!r} is not an ECR image URI "
                "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>)"
            )
        repository = path.split("@", 1)[0].rsplit(":", 1)[0]
        owner = Location(settings.location.partition, parts[3], parts[0])
        repositories.add(owner.arn("ecr", f"repository/{repository}"))
    if not repositories:
        return []
    why = "ecr:GetAuthorizationToken has no resource type: IAM authorizes it only on *"
    return [
        Grant("PullImages", ECR_PULL, tuple(sorted(repositories))),
        Grant("AuthorizeImagePulls", ("ecr:GetAuthorizationToken",), (WILDCARD,), why_wildcard=why),
    ]


def _log_and_metric_grants(settings: Settings) -> list[Grant]:
    location = settings.location
    groups = (
        location.arn("logs", "log-group:/aws/sagemaker/*"),
        location.arn("logs", "log-group:/aws/sagemaker/*:log-stream:*"),
    )
    why = "cloudwatch:PutMetricData has no resource type; the namespace condition scopes it"
    condition = {"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}}
    return [
        Grant("WriteJobLogs", LOG_ACTIONS, groups),
        Grant("PublishJobMetrics", ("cloudwatch:PutMetricData",), (WILDCARD,), condition, why),
    ]
