"""The naming tables and the rules between them.

Step Functions' aws-sdk service names are the AWS SDK for Java v2's (lower case, no dashes:
``applicationautoscaling``, ``cloudwatchlogs``, ``sfn``); botocore's differ for a few and keep
dashes for the rest. IAM's action prefix is botocore's name but for Step Functions (``states``).
Step Functions names an API in camelCase (``describeEndpoint``), botocore and IAM in PascalCase;
a few APIs are authorized by an IAM action of another name (S3's above all).
"""

from __future__ import annotations

from functools import cache

# aws-sdk service name (as in the Resource ARN) -> botocore's, where removing botocore's dashes
# does not give it.
SDK_BOTOCORE_SERVICES = {
    "applicationautoscaling": "application-autoscaling",
    "cloudwatchlogs": "logs",
    "eventbridge": "events",
    "sfn": "stepfunctions",
}
# Optimized integration service (``arn:aws:states:::<service>:<api>``) -> botocore's name.
OPTIMIZED_BOTOCORE_SERVICES = {"states": "stepfunctions"}
# botocore service -> IAM action prefix, where they differ.
IAM_PREFIXES = {"stepfunctions": "states"}
# (botocore service, operation) -> the IAM action that authorizes it, where named otherwise
# (Service Authorization Reference, Amazon S3: "Actions defined by Amazon S3").
RENAMED_ACTIONS = {
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjectVersions"): "ListBucketVersions",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "PutBucketPublicAccessBlock",
    ("s3", "GetBucketNotificationConfiguration"): "GetBucketNotification",
    ("s3", "PutBucketNotificationConfiguration"): "PutBucketNotification",
    # Budgets authorizes its reads with ViewBudget and its writes with ModifyBudget.
    ("budgets", "DescribeBudget"): "ViewBudget",
    ("budgets", "DescribeBudgets"): "ViewBudget",
    ("budgets", "DescribeNotificationsForBudget"): "ViewBudget",
    ("budgets", "DescribeSubscribersForNotification"): "ViewBudget",
    ("budgets", "CreateBudget"): "ModifyBudget",
    ("budgets", "UpdateBudget"): "ModifyBudget",
    ("budgets", "DeleteBudget"): "ModifyBudget",
    ("budgets", "CreateNotification"): "ModifyBudget",
    ("budgets", "DeleteNotification"): "ModifyBudget",
    ("budgets", "UpdateNotification"): "ModifyBudget",
    ("budgets", "CreateSubscriber"): "ModifyBudget",
    ("budgets", "DeleteSubscriber"): "ModifyBudget",
    ("budgets", "UpdateSubscriber"): "ModifyBudget",
}
# aws-sdk service name -> the prefix of the errors its calls raise (``<prefix>.<Exception>``),
# where it is not the name with its first letter capitalised.
SDK_ERROR_PREFIXES = {
    "applicationautoscaling": "ApplicationAutoScaling",
    "cloudwatch": "CloudWatch",
    "s3": "S3",
    "sagemaker": "SageMaker",
}


@cache
def _botocore_services_without_dashes() -> dict[str, str]:
    # The loader alone lists the models: a botocore session costs far more to set up.
    from botocore.loaders import create_loader

    names = create_loader().list_available_services("service-2")
    return {name.replace("-", ""): name for name in names}


def dashed_botocore_service(name: str) -> str:
    """botocore's service whose name without its dashes is ``name``
    (``applicationautoscaling`` -> ``application-autoscaling``); ``name`` when there is none."""
    return _botocore_services_without_dashes().get(name, name)


def botocore_service(sdk_service: str) -> str:
    """botocore's name for an aws-sdk integration's service (``sfn`` -> ``stepfunctions``);
    the name itself when botocore has no such service."""
    known = SDK_BOTOCORE_SERVICES.get(sdk_service)
    if known is not None:
        return known
    return dashed_botocore_service(sdk_service)


def botocore_operation(api: str) -> str:
    """The API's operation name (``describeEndpoint`` -> ``DescribeEndpoint``)."""
    return api[:1].upper() + api[1:]


def iam_prefix(service: str) -> str:
    """The IAM action prefix of a botocore service."""
    return IAM_PREFIXES.get(service, service)


def iam_action(service: str, operation: str) -> str:
    """The IAM action that authorizes a botocore service's operation (``s3``, ``HeadObject``
    -> ``s3:GetObject``)."""
    return f"{iam_prefix(service)}:{RENAMED_ACTIONS.get((service, operation), operation)}"


def sdk_error_prefix(sdk_service: str) -> str:
    """The prefix of an aws-sdk integration's error names (``sagemaker`` -> ``SageMaker``)."""
    known = SDK_ERROR_PREFIXES.get(sdk_service)
    return known if known is not None else sdk_service[:1].upper() + sdk_service[1:]
