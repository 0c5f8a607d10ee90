"""IAM for ``arn:aws:states:::aws-sdk:<service>:<api>`` tasks.

An SDK integration needs the IAM action of the API it calls: the service's IAM prefix (not
always the SDK name: ``applicationautoscaling`` is ``application-autoscaling``) and the API
name in PascalCase (a few APIs are authorized by another action, e.g. S3 ``listObjectsV2`` by
``s3:ListBucket``); ``aws_naming`` holds those differences. The resources are the API's own
(Service Authorization Reference); an API this module has no resource rule for is refused with
the fix, so nothing defaults to ``*``.

Auto scaling a SageMaker variant also needs what Application Auto Scaling does with the
caller's permissions (SageMaker "Auto scaling prerequisites", endpoint-auto-scaling-
prerequisites.html): describe and update the endpoint's weights and capacities, manage the
target-tracking alarms, and create the service-linked role on first use.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_naming
from aws_naming import botocore_operation, botocore_service
from iam.scoping import Context, arns_of, exact_values, name_patterns, pattern
from iam.statements import WILDCARD, Grant
from iam.tasks import TaskCall, UnsupportedTaskError

AUTOSCALING_ROLE = (
    "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)


def iam_action(call: TaskCall) -> str:
    return aws_naming.iam_action(botocore_service(call.service), botocore_operation(call.api))


def sdk_grants(call: TaskCall, context: Context) -> list[Grant]:
    action = iam_action(call)
    rule = _RULES.get(action)
    if rule is None:
        known = ", ".join(sorted(_RULES))
        raise UnsupportedTaskError(
            f"{call.pointer}: no IAM resource rule for aws-sdk:{call.service}:{call.api} "
            f"({action}); add one to iam/sdk_actions.py (known: {known})"
        )
    return rule(call, context)


def _package_group(call: TaskCall, context: Context) -> list[str]:
    names = call.values("ModelPackageGroupName") if call.present("ModelPackageGroupName") else []
    groups = {pattern(v) for v in names} - {None}
    return sorted(g for g in groups if g) or [context.settings.model_package_group]


def _group_name(text: str) -> str:
    # ModelPackageGroupName takes a name or an ARN (model-package-group/<name>).
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


def _describe_model_package(call: TaskCall, context: Context) -> list[Grant]:
    # A package named at run time (execution input, a listing's result) is scoped to the
    # project's registry group: describing packages of other groups is not this role's job.
    fallback = context.sagemaker("model-package", f"{context.settings.model_package_group}/*")
    packages = arns_of(
        call,
        context,
        ("ModelPackageName",),
        lambda name: context.sagemaker("model-package", name),
        fallback=fallback,
    )
    return [Grant("ReadModelRegistry", ("sagemaker:DescribeModelPackage",), tuple(packages))]


def _list_model_packages(call: TaskCall, context: Context) -> list[Grant]:
    groups = [_group_name(g) for g in _package_group(call, context)]
    packages = tuple(context.sagemaker("model-package", f"{g}/*") for g in groups)
    return [Grant("ReadModelRegistry", ("sagemaker:ListModelPackages",), packages)]


def _create_model_package(call: TaskCall, context: Context) -> list[Grant]:
    groups = [_group_name(g) for g in _package_group(call, context)]
    resources = [context.sagemaker("model-package", f"{g}/*") for g in groups]
    resources += [context.sagemaker("model-package-group", g) for g in groups]
    grants = [Grant("RegisterModelPackages", ("sagemaker:CreateModelPackage",), tuple(resources))]
    if call.present("Tags"):
        condition = {"StringEquals": {"sagemaker:TaggingAction": "CreateModelPackage"}}
        grants.append(
            Grant("SageMakerTagModelPackages", ("sagemaker:AddTags",), tuple(resources), condition)
        )
    return grants


def _describe_endpoint(call: TaskCall, context: Context) -> list[Grant]:
    names = name_patterns(call, context, "EndpointName")
    endpoints = tuple(context.sagemaker("endpoint", n) for n in names)
    return [Grant("DescribeEndpoints", ("sagemaker:DescribeEndpoint",), endpoints)]


def _list_endpoints(call: TaskCall, context: Context) -> list[Grant]:
    why = "sagemaker:ListEndpoints has no resource type: IAM authorizes it only on *"
    return [Grant("ListEndpoints", ("sagemaker:ListEndpoints",), (WILDCARD,), why_wildcard=why)]


def _get_object(call: TaskCall, context: Context) -> list[Grant]:
    buckets = exact_values(call, "Bucket", why="the bucket scopes the object ARN")
    location = context.settings.location
    objects: list[str] = []
    for bucket in buckets:
        for known in call.values("Key"):
            key = pattern(known)
            if key is None:
                raise UnsupportedTaskError(
                    f"{call.pointer}: Key has no literal prefix; start it with the folder it "
                    "reads from (e.g. 'runs/' & $runId & ...) so the grant can be scoped"
                )
            objects.append(
                location.objects(bucket, key[:-1])
                if key.endswith("*")
                else f"{location.bucket(bucket)}/{key}"
            )
    return [Grant("ReadObjects", ("s3:GetObject",), tuple(sorted(set(objects))))]


def _put_metric_data(call: TaskCall, context: Context) -> list[Grant]:
    namespaces = exact_values(call, "Namespace", why="the namespace condition scopes the grant")
    why = "cloudwatch:PutMetricData has no resource type; a namespace condition scopes it"
    condition = {"StringEquals": {"cloudwatch:namespace": namespaces}}
    return [Grant("PublishMetrics", ("cloudwatch:PutMetricData",), (WILDCARD,), condition, why)]


def _scaling(call: TaskCall, context: Context) -> list[Grant]:
    action = iam_action(call)
    namespaces = exact_values(call, "ServiceNamespace", why="it scopes the scalable target")
    dimensions = exact_values(call, "ScalableDimension", why="it scopes the scalable target")
    resource_ids = exact_values(call, "ResourceId", why="it names the endpoint variant")
    # Scalable target ARNs end in a generated id, so the resource is every target of this
    # account and region; the namespace and dimension conditions narrow it to SageMaker variants.
    targets = context.arn("application-autoscaling", "scalable-target/*")
    condition = {
        "StringEquals": {
            "application-autoscaling:service-namespace": namespaces,
            "application-autoscaling:scalable-dimension": dimensions,
        }
    }
    grants = [Grant("ScaleEndpointVariants", (action,), (targets,), condition)]
    if namespaces != ["sagemaker"]:
        return grants
    endpoints = sorted({rid.split("/")[1] for rid in resource_ids if rid.startswith("endpoint/")})
    location = context.settings.location
    configs = context.endpoint_configs or (context.project_names,)
    variant_resources = [location.sagemaker("endpoint", e) for e in endpoints]
    variant_resources += [location.sagemaker("endpoint-config", c) for c in configs]
    variant_actions: tuple[str, ...] = (
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
    )
    if action.endswith("RegisterScalableTarget"):
        variant_actions += ("sagemaker:UpdateEndpointWeightsAndCapacities",)
        role = location.role(AUTOSCALING_ROLE)
        service = {
            "StringEquals": {
                "iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"
            }
        }
        grants.append(
            Grant("CreateAutoScalingRole", ("iam:CreateServiceLinkedRole",), (role,), service)
        )
    if action.endswith("PutScalingPolicy"):
        alarms = tuple(location.alarm(f"TargetTracking-{rid}-*") for rid in resource_ids)
        actions = (
            "cloudwatch:DescribeAlarms",
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DeleteAlarms",
        )
        grants.append(Grant("TargetTrackingAlarms", actions, alarms))
    grants.append(Grant("ScaleSageMakerVariants", variant_actions, tuple(variant_resources)))
    return grants


_RULES: dict[str, Callable[[TaskCall, Context], list[Grant]]] = {
    "sagemaker:DescribeModelPackage": _describe_model_package,
    "sagemaker:ListModelPackages": _list_model_packages,
    "sagemaker:CreateModelPackage": _create_model_package,
    "sagemaker:DescribeEndpoint": _describe_endpoint,
    "sagemaker:ListEndpoints": _list_endpoints,
    "s3:GetObject": _get_object,
    "cloudwatch:PutMetricData": _put_metric_data,
    "application-autoscaling:RegisterScalableTarget": _scaling,
    "application-autoscaling:PutScalingPolicy": _scaling,
}
