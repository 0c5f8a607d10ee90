"""Desired storage, messaging, registry, log groups and alarms, from the settings alone."""

from __future__ import annotations

from collections.abc import Iterable

from deploy.artifacts import Artifacts
from deploy.compare import canonical_policy
from deploy.desired_audit import trail_bucket_statements
from deploy.model import Json, Kind, Resource
from deploy.providers.s3 import sha256_hex
from environments.settings import Settings
from workflows.machines.deploy_model import VARIANT

LOG_RETENTION_DAYS = 30
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # the longest SQS keeps a message
EVENTS = "events.amazonaws.com"


def log_group_arn(settings: Settings, name: str) -> str:
    return settings.location.arn("logs", f"log-group:{name}")


def state_machine_log_group(settings: Settings, machine: str) -> str:
    # The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy from growing per group.
    return f"/aws/vendedlogs/states/{settings.state_machine_name(machine)}"


def function_log_group(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def _bucket_policy(settings: Settings, bucket: str, *, tls_only: bool) -> dict[str, object]:
    """TLS only (on AWS), and the audit trail's writes (when the bucket receives them)."""
    arn = settings.location.bucket(bucket)
    statements: list[Json] = []
    if tls_only:
        statements.append(
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
    statements += trail_bucket_statements(settings, bucket)
    return canonical_policy({"Version": "2012-10-17", "Statement": statements})


def buckets(settings: Settings, *, tls_only: bool) -> list[Resource]:
    resources = []
    for bucket in (settings.data_bucket, settings.artifacts_bucket):
        properties: dict[str, object] = {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
            "NotificationConfiguration": {"EventBridgeConfiguration": {}},
        }
        policy = _bucket_policy(settings, bucket, tls_only=tls_only)
        if policy["Statement"]:
            properties["Policy"] = policy
        resources.append(
            Resource(
                Kind.BUCKET,
                bucket,
                properties,
                settings.all_tags(),
                identifiers=(settings.location.bucket(bucket),),
            )
        )
    return resources


def code_objects(settings: Settings, artifacts: Artifacts) -> list[Resource]:
    bucket, prefix = settings.artifacts_bucket, settings.prefixes["code"]
    return [
        Resource(
            Kind.CODE_OBJECT,
            f"{bucket}/{prefix}{key}",
            {"Sha256": sha256_hex(content)},
            settings.all_tags(),
            references=(settings.location.bucket(bucket),),
            payload=content,
        )
        for key, content in sorted(artifacts.code_objects.items())
    ]


def _rules_may(sid: str, action: str, resource_arn: str, rule_arns: list[str]) -> dict[str, Json]:
    """A resource policy letting exactly these EventBridge rules call ``action`` on it."""
    return canonical_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": {"Service": EVENTS},
                    "Action": action,
                    "Resource": resource_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": rule_arns}},
                }
            ],
        }
    )


def budget_publishes(settings: Settings, topic_arn: str) -> dict[str, Json]:
    """The statement letting the project's budget, and no other account's, notify the topic
    (Budgets publishes as budgets.amazonaws.com; AWS Budgets user guide, "Creating an Amazon SNS
    topic for budget notifications")."""
    return {
        "Sid": "BudgetsPublishes",
        "Effect": "Allow",
        "Principal": {"Service": "budgets.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {
            "StringEquals": {"aws:SourceAccount": settings.location.account},
            "ArnLike": {"aws:SourceArn": settings.location.budget(settings.budget_name)},
        },
    }


def dead_letter_queue(settings: Settings, rule_arns: Iterable[str]) -> Resource:
    """The queue, with a policy letting exactly the rules that name it send to it
    (Scheduler dead-letters through the schedule's role instead)."""
    arn = settings.dead_letter_queue_arn
    sources = sorted(rule_arns)
    attributes: dict[str, object] = {
        "MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS),
        "SqsManagedSseEnabled": "true",
    }
    if sources:
        attributes["Policy"] = _rules_may("EventBridgeDeadLetters", "sqs:SendMessage", arn, sources)
    return Resource(
        Kind.QUEUE,
        settings.dead_letter_queue_name,
        {"Attributes": attributes},
        settings.all_tags(),
        identifiers=(arn,),
    )


def notification_topic(settings: Settings, rule_arns: Iterable[str]) -> Resource:
    """The topic, with a policy letting the rules that target it publish. It is not encrypted
    with the AWS managed key: EventBridge cannot publish to topics that use it."""
    arn = settings.location.topic(settings.topic_name)
    sources = sorted(rule_arns)
    attributes: dict[str, object] = {"DisplayName": f"{settings.prefix} notifications"}
    statements = []
    if sources:
        statements += _rules_may("EventBridgePublishes", "sns:Publish", arn, sources)["Statement"]
    if settings.budget is not None:
        statements.append(budget_publishes(settings, arn))
    if statements:
        attributes["Policy"] = canonical_policy({"Version": "2012-10-17", "Statement": statements})
    return Resource(
        Kind.TOPIC,
        settings.topic_name,
        {"Attributes": attributes},
        settings.all_tags(),
        identifiers=(arn,),
    )


def model_package_group(settings: Settings) -> Resource:
    name = settings.model_package_group
    description = f"{settings.project.capitalize()} models of {settings.prefix}"
    return Resource(
        Kind.MODEL_PACKAGE_GROUP,
        name,
        {"ModelPackageGroupDescription": description},
        settings.all_tags(),
        identifiers=(settings.location.sagemaker("model-package-group", name),),
    )


def log_groups(names: Iterable[str], settings: Settings) -> list[Resource]:
    return [
        Resource(
            Kind.LOG_GROUP,
            name,
            {"retentionInDays": LOG_RETENTION_DAYS},
            settings.all_tags(),
            identifiers=(log_group_arn(settings, name), f"{log_group_arn(settings, name)}:*"),
        )
        for name in sorted(names)
    ]


def metric_alarm(settings: Settings, name: str, **properties: object) -> Resource:
    defaults: dict[str, object] = {
        "ActionsEnabled": True,
        "TreatMissingData": "notBreaching",
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
    }
    return Resource(
        Kind.ALARM,
        name,
        {**defaults, **properties},
        settings.all_tags(),
        identifiers=(settings.location.alarm(name),),
    )


def alarms(settings: Settings) -> list[Resource]:
    """The endpoint's rollback alarms (SageMaker rolls a blue/green update back when one fires
    during the baking period) and the drift alarm on the drift-check machine's metric."""
    endpoint = settings.endpoint.name
    variant = [
        {"Name": "EndpointName", "Value": endpoint},
        {"Name": "VariantName", "Value": VARIANT},
    ]
    errors_name, latency_name = settings.rollback_alarms
    return [
        metric_alarm(
            settings,
            errors_name,
            AlarmDescription=f"Server errors on {endpoint}: rolls an endpoint update back",
            Namespace="AWS/SageMaker",
            MetricName="Invocation5XXErrors",
            Dimensions=variant,
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1.0,
        ),
        metric_alarm(
            settings,
            latency_name,
            AlarmDescription=f"Model latency on {endpoint} over 1 s: rolls an endpoint update back",
            Namespace="AWS/SageMaker",
            MetricName="ModelLatency",  # microseconds
            Dimensions=variant,
            Statistic="Average",
            Period=60,
            EvaluationPeriods=3,
            Threshold=1_000_000.0,
        ),
        metric_alarm(
            settings,
            settings.drift_alarm_name,
            AlarmDescription=f"drift-check found drift on {endpoint}: starts a retrain",
            Namespace=settings.drift_metric_namespace,
            MetricName="DriftDetected",
            Dimensions=[{"Name": "EndpointName", "Value": endpoint}],
            Statistic="Maximum",
            Period=3600,
            EvaluationPeriods=1,
            Threshold=1.0,
        ),
    ]
