"""Each resource type a stack holds is created where the rest of the embedded cloud reads it, with
`Ref` and `Fn::GetAtt` as CloudFormation documents them. Every case names the extension it
guards; `test_without_the_extension_the_resource_is_missing_or_wrong` shows each one's gap."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.cloudformation_helpers import (
    ACCOUNT,
    ROLE_ARN,
    create_stack,
    events_of,
    outputs_of,
)

TAGS = [{"Key": "team", "Value": "ml"}]


@dataclass(frozen=True)
class Case:
    extension: str
    resources: dict[str, Any]
    outputs: dict[str, Any]
    check: Callable[[LocalCloud, dict[str, str]], None]  # raises when the resource is wrong
    prepare: Callable[[LocalCloud], None] = lambda cloud: None


# -- Step Functions: a machine from a Definition object, its version and a live alias --------
MACHINE = {
    "Machine": {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {
            "StateMachineName": "machine",
            "Definition": {
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "Result": {"ran": True}, "End": True}},
            },
            "RoleArn": ROLE_ARN,
            "TracingConfiguration": {"Enabled": True},
        },
    },
    "Version": {
        "Type": "AWS::StepFunctions::StateMachineVersion",
        "Properties": {
            "StateMachineArn": {"Ref": "Machine"},
            "StateMachineRevisionId": {"Fn::GetAtt": ["Machine", "StateMachineRevisionId"]},
        },
    },
    "Live": {
        "Type": "AWS::StepFunctions::StateMachineAlias",
        "Properties": {
            "Name": "live",
            "RoutingConfiguration": [{"StateMachineVersionArn": {"Ref": "Version"}, "Weight": 100}],
        },
    },
}
MACHINE_ARN = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:machine"


def _machine_runs(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {
        "Arn": MACHINE_ARN,
        "Name": "machine",
        "VersionArn": f"{MACHINE_ARN}:1",
        "AliasArn": f"{MACHINE_ARN}:live",
    }
    described = cloud.client("stepfunctions").describe_state_machine(stateMachineArn=MACHINE_ARN)
    assert described["tracingConfiguration"] == {"enabled": True}
    result = cloud.start_and_wait(outputs["AliasArn"], {})
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", {"ran": True})


# -- a literal null in a Definition -------------------------------------------------------------
NULL_DEFINITION = {
    "QueryLanguage": "JSONata",
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Assign": {"kept": None}, "End": True}},
}


def _null_kept(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    described = cloud.client("stepfunctions").describe_state_machine(stateMachineArn=MACHINE_ARN)
    assert json.loads(described["definition"]) == NULL_DEFINITION


# -- IAM: inline policies as JSON, GetAtt Arn --------------------------------------------------
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "states.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _role_policy_is_json(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {"Arn": f"arn:aws:iam::{ACCOUNT}:role/worker", "Name": "worker"}
    iam = cloud.client("iam")
    document = iam.get_role_policy(RoleName="worker", PolicyName="reads")["PolicyDocument"]
    assert document == POLICY  # boto3 decodes JSON; the Python text of a dict stays a string
    assert iam.list_role_tags(RoleName="worker")["Tags"] == TAGS


# -- Lambda: function from S3, version pinned by CodeSha256, alias, permission on the alias ----
def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


ZIP = _zip()  # built once: a zip's bytes hold the time it was written


def _upload_zip(cloud: LocalCloud) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="code")
    s3.put_object(Bucket="code", Key="fn.zip", Body=ZIP)


def _sha() -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(ZIP).digest()).decode()


FUNCTION = {
    "Role": {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": "fn",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
        },
    },
    "Function": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": "fn",
            "Runtime": "python3.11",
            "Handler": "index.handler",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"S3Bucket": "code", "S3Key": "fn.zip"},
            "TracingConfig": {"Mode": "Active"},
            "Tags": TAGS,
        },
    },
    "Version": {
        "Type": "AWS::Lambda::Version",
        "Properties": {"FunctionName": {"Ref": "Function"}, "CodeSha256": "SHA"},
    },
    "Live": {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "Name": "live",
            "FunctionName": {"Ref": "Function"},
            "FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]},
        },
    },
    "Allow": {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": {"Ref": "Live"},
            "Action": "lambda:InvokeFunction",
            "Principal": "events.amazonaws.com",
            "SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r",
        },
    },
}
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn"


def _function_resources() -> dict[str, Any]:
    resources = json.loads(json.dumps(FUNCTION))
    resources["Version"]["Properties"]["CodeSha256"] = _sha()
    return dict(resources)


def _function_and_alias(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {
        "Name": "fn",
        "Arn": FUNCTION_ARN,
        "VersionArn": f"{FUNCTION_ARN}:1",
        "Version": "1",
        "AliasArn": f"{FUNCTION_ARN}:live",
    }
    lam = cloud.client("lambda")
    configuration = lam.get_function_configuration(FunctionName="fn")
    assert configuration["TracingConfig"] == {"Mode": "Active"}
    assert lam.list_tags(Resource=FUNCTION_ARN)["Tags"] == {"team": "ml"}
    assert lam.get_alias(FunctionName="fn", Name="live")["FunctionVersion"] == "1"
    statements = json.loads(lam.get_policy(FunctionName="fn", Qualifier="live")["Policy"])[
        "Statement"
    ]
    assert [s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in statements] == [
        f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r"
    ]


# -- S3 bucket configuration and SNS topic tags -------------------------------------------------
STORAGE = {
    "Bucket": {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "BucketName": "data",
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
            "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}},
            "Tags": TAGS,
        },
    },
    "Topic": {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": "news", "DisplayName": "News", "Tags": TAGS},
    },
}


def _storage_configured(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:news"
    assert outputs == {"Bucket": "data", "BucketArn": "arn:aws:s3:::data", "Topic": topic}
    s3 = cloud.client("s3")
    block = s3.get_public_access_block(Bucket="data")["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket="data")
    assert s3.get_bucket_tagging(Bucket="data")["TagSet"] == TAGS
    assert cloud.client("sns").list_tags_for_resource(ResourceArn=topic)["Tags"] == TAGS


# -- resource policies -------------------------------------------------------------------------
def _document(resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Events",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "*",
                "Resource": resource,
            }
        ],
    }


QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:news"
POLICIES = {
    "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "data"}},
    "BucketPolicy": {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": "Bucket"},
            "PolicyDocument": _document("arn:aws:s3:::data/*"),
        },
    },
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "dlq"}},
    "QueuePolicy": {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {"Queues": [{"Ref": "Queue"}], "PolicyDocument": _document(QUEUE_ARN)},
    },
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "news"}},
    "TopicPolicy": {
        "Type": "AWS::SNS::TopicPolicy",
        "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": _document(TOPIC_ARN)},
    },
}


def _policies_applied(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert json.loads(cloud.client("s3").get_bucket_policy(Bucket="data")["Policy"]) == _document(
        "arn:aws:s3:::data/*"
    )
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName="dlq")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    assert json.loads(attributes["Policy"]) == _document(QUEUE_ARN)
    topic = cloud.client("sns").get_topic_attributes(TopicArn=TOPIC_ARN)["Attributes"]
    assert json.loads(topic["Policy"]) == _document(TOPIC_ARN)


# -- model package group, schedules, alarms ----------------------------------------------------
GROUP = {
    "Group": {
        "Type": "AWS::SageMaker::ModelPackageGroup",
        "Properties": {"ModelPackageGroupName": "models", "Tags": TAGS},
    }
}


def _group_exists(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package-group/models"
    assert outputs == {"Ref": arn, "Arn": arn}
    described = cloud.client("sagemaker").describe_model_package_group(
        ModelPackageGroupName="models"
    )
    assert described["ModelPackageGroupArn"] == arn


SCHEDULES = {
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "dlq"}},
    "Group": {
        "Type": "AWS::Scheduler::ScheduleGroup",
        "Properties": {"Name": "team", "Tags": TAGS},
    },
    "Daily": {
        "Type": "AWS::Scheduler::Schedule",
        "DependsOn": ["Group"],
        "Properties": {
            "Name": "daily",
            "GroupName": "team",
            "ScheduleExpression": "rate(1 day)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": QUEUE_ARN, "RoleArn": ROLE_ARN, "Input": "{}"},
        },
    },
}


def _schedule_in_group(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {
        "Group": "team",
        "GroupArn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/team",
        "Schedule": "daily",
        "ScheduleArn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/team/daily",
    }
    schedule = cloud.client("scheduler").get_schedule(Name="daily", GroupName="team")
    assert (schedule["ScheduleExpression"], schedule["Target"]["Arn"]) == ("rate(1 day)", QUEUE_ARN)


ALARM = {
    "Alarm": {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": "errors",
            "Namespace": "AWS/SageMaker",
            "MetricName": "Invocation5XXErrors",
            "Dimensions": [{"Name": "EndpointName", "Value": "serve"}],
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1.0,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
        },
    }
}


def _alarm_exists(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {
        "Ref": "errors",
        "Arn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:errors",
    }
    (alarm,) = cloud.client("cloudwatch").describe_alarms(AlarmNames=["errors"])["MetricAlarms"]
    assert (alarm["TreatMissingData"], alarm["Dimensions"]) == (
        "notBreaching",
        [{"Name": "EndpointName", "Value": "serve"}],
    )


def _get(logical_id: str, attribute: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, attribute]}


CASES = {
    "state machine, version, alias": Case(
        "cloudformation_state_machines",
        MACHINE,
        {
            "Arn": {"Ref": "Machine"},
            "Name": _get("Machine", "Name"),
            "VersionArn": {"Ref": "Version"},
            "AliasArn": {"Ref": "Live"},
        },
        _machine_runs,
    ),
    "literal null": Case(
        "cloudformation_template_nulls",
        {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": "machine",
                    "Definition": NULL_DEFINITION,
                    "RoleArn": ROLE_ARN,
                },
            }
        },
        {},
        _null_kept,
    ),
    "role": Case(
        "cloudformation_iam_roles",
        {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "worker",
                    "AssumeRolePolicyDocument": TRUST,
                    "Policies": [{"PolicyName": "reads", "PolicyDocument": POLICY}],
                    "Tags": TAGS,
                },
            }
        },
        {"Arn": _get("Role", "Arn"), "Name": {"Ref": "Role"}},
        _role_policy_is_json,
    ),
    "function, version, alias, permission": Case(
        "cloudformation_lambda",
        _function_resources(),
        {
            "Name": {"Ref": "Function"},
            "Arn": _get("Function", "Arn"),
            "VersionArn": {"Ref": "Version"},
            "Version": _get("Version", "Version"),
            "AliasArn": {"Ref": "Live"},
        },
        _function_and_alias,
        _upload_zip,
    ),
    "bucket and topic": Case(
        "cloudformation_storage",
        STORAGE,
        {
            "Bucket": {"Ref": "Bucket"},
            "BucketArn": _get("Bucket", "Arn"),
            "Topic": {"Ref": "Topic"},
        },
        _storage_configured,
    ),
    "policies": Case("cloudformation_policies", POLICIES, {}, _policies_applied),
    "model package group": Case(
        "cloudformation_model_package_group",
        GROUP,
        {"Ref": {"Ref": "Group"}, "Arn": _get("Group", "ModelPackageGroupArn")},
        _group_exists,
    ),
    "schedule group and schedule": Case(
        "cloudformation_schedules",
        SCHEDULES,
        {
            "Group": {"Ref": "Group"},
            "GroupArn": _get("Group", "Arn"),
            "Schedule": {"Ref": "Daily"},
            "ScheduleArn": _get("Daily", "Arn"),
        },
        _schedule_in_group,
    ),
    "alarm": Case(
        "cloudformation_alarms",
        ALARM,
        {"Ref": {"Ref": "Alarm"}, "Arn": _get("Alarm", "Arn")},
        _alarm_exists,
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_stack_creates_the_resource_as_the_api_reads_it(
    localcloud: LocalCloud, case: Case
) -> None:
    case.prepare(localcloud)
    stack = create_stack(localcloud, case.resources, case.outputs)
    assert stack["StackStatus"] == "CREATE_COMPLETE", events_of(localcloud)
    case.check(localcloud, outputs_of(stack))


def _broken(cloud: LocalCloud, case: Case) -> bool:
    case.prepare(cloud)
    try:
        stack = create_stack(cloud, case.resources, case.outputs)
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        case.check(cloud, outputs_of(stack))
    except Exception:  # a failed stack, a missing resource, a wrong value: each is the gap
        return True
    return False


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_without_the_extension_the_resource_is_missing_or_wrong(case: Case) -> None:
    with extensions_disabled(case.extension), LocalCloud() as cloud:
        assert _broken(cloud, case)


def test_without_the_type_hook_state_machines_land_in_the_backend_that_does_not_run_them() -> None:
    """`cloudformation_types` puts localcloud's provisioners in front of moto's models."""
    with extensions_disabled("cloudformation_types"), LocalCloud() as cloud:
        assert _broken(cloud, CASES["state machine, version, alias"])
