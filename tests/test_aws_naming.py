"""AWS's names for one service and API in its different places, held once in aws_naming."""

from __future__ import annotations

from botocore.loaders import create_loader

from aws_naming import SDK_BOTOCORE_SERVICES, botocore_service, iam_action, sdk_error_prefix
from deploy.call_actions import actions_for
from iam.sdk_actions import iam_action as sdk_task_action
from iam.tasks import task_calls


def test_every_sdk_service_name_maps_to_a_botocore_model() -> None:
    models = set(create_loader().list_available_services("service-2"))
    assert set(SDK_BOTOCORE_SERVICES.values()) <= models
    # Step Functions drops botocore's dashes; the rest of the names are botocore's own.
    assert botocore_service("sagemakerruntime") == "sagemaker-runtime"
    assert botocore_service("sagemaker") == "sagemaker"


def test_iam_and_the_deploy_name_a_call_by_the_same_action() -> None:
    # The same API reached as an aws-sdk Task and as a deploy call needs one IAM action.
    for sdk, api, service, operation in [
        ("s3", "headObject", "s3", "HeadObject"),
        ("s3", "listObjectsV2", "s3", "ListObjectsV2"),
        ("sfn", "startExecution", "stepfunctions", "StartExecution"),
        ("cloudwatchlogs", "createLogGroup", "logs", "CreateLogGroup"),
    ]:
        definition = {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": f"arn:aws:states:::aws-sdk:{sdk}:{api}",
                    "End": True,
                }
            },
        }
        [call] = task_calls(definition)
        assert sdk_task_action(call) == actions_for(service, operation)[0]
    assert iam_action("s3", "HeadObject") == "s3:GetObject"
    assert iam_action("stepfunctions", "DescribeExecution") == "states:DescribeExecution"


def test_sdk_error_prefixes() -> None:
    # SageMaker.AmazonSageMakerException, as the Step Functions documentation names it.
    assert sdk_error_prefix("sagemaker") == "SageMaker"
    assert sdk_error_prefix("applicationautoscaling") == "ApplicationAutoScaling"


def test_the_embedded_cloud_reaches_botocore_by_the_same_names() -> None:
    from localcloud.extensions.integrations import _ServiceNames

    names = _ServiceNames({"sfn": "stepfunctions"})
    assert names.get("eventbridge") == "events"
    assert names.get("applicationautoscaling") == "application-autoscaling"
