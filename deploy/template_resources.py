"""Each resource kind as CloudFormation resources (the same desired properties, renamed)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from deploy.dashboard_body import body_text
from deploy.model import Json, Kind, Resource
from environments.settings import LIVE_ALIAS

CfnResources = dict[str, dict[str, Json]]
CODE_BUCKET_PARAMETER = "CodeBucket"


def logical_id(resource: Resource, suffix: str = "") -> str:
    """The resource's name in CamelCase, without the account id a bucket name ends with (the
    template names no account: a stack deploys into the one it is created in)."""
    words = re.split(r"[^A-Za-z0-9]+", f"{resource.kind.value} {resource.name} {suffix}")
    return "".join(w[:1].upper() + w[1:] for w in words if w and not ACCOUNT_ID.match(w))


ACCOUNT_ID = re.compile(r"^\d{12}$")
# Set explicitly on what the boto3 engine's destroy deletes too (a log group, the dead-letter
# queue): the same outcome, stated, rather than CloudFormation's unstated default.
DELETED_WITH_STACK = {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}
# Data outlives the stack: deleting or replacing it keeps them (destroy keeps them too).
RETAINED = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def cfn_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def lambda_code_key(resource: Resource) -> str:
    digest = str(resource.properties["CodeSha256"])
    safe = re.sub(r"[^A-Za-z0-9]", "", digest)[:16]
    return f"lambda/{resource.name}-{safe}.zip"


def _bucket(r: Resource) -> CfnResources:
    p = r.properties
    props: dict[str, Json] = {
        "BucketName": r.name,
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": rule["ApplyServerSideEncryptionByDefault"]}
                for rule in p["ServerSideEncryptionConfiguration"]["Rules"]
            ]
        },
        "PublicAccessBlockConfiguration": p["PublicAccessBlockConfiguration"],
        "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}},
        "Tags": cfn_tags(r.tags),
    }
    out: CfnResources = {
        logical_id(r): {"Type": "AWS::S3::Bucket", **RETAINED, "Properties": props}
    }
    if "Policy" in p:
        out[logical_id(r, "policy")] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": logical_id(r)}, "PolicyDocument": p["Policy"]},
        }
    return out


def _resource_policy(r: Resource, cfn_type: str, targets_key: str) -> CfnResources:
    """The queue's or topic's resource policy, when it has one, as its own CFN resource."""
    policy = r.properties["Attributes"].get("Policy")
    if policy is None:
        return {}
    return {
        logical_id(r, "policy"): {
            "Type": cfn_type,
            "Properties": {targets_key: [{"Ref": logical_id(r)}], "PolicyDocument": policy},
        }
    }


def _queue(r: Resource) -> CfnResources:
    attributes = r.properties["Attributes"]
    out: CfnResources = {
        logical_id(r): {
            "Type": "AWS::SQS::Queue",
            **DELETED_WITH_STACK,
            "Properties": {
                "QueueName": r.name,
                "MessageRetentionPeriod": int(attributes["MessageRetentionPeriod"]),
                "SqsManagedSseEnabled": attributes["SqsManagedSseEnabled"] == "true",
                "Tags": cfn_tags(r.tags),
            },
        }
    }
    return out | _resource_policy(r, "AWS::SQS::QueuePolicy", "Queues")


def _topic(r: Resource) -> CfnResources:
    attributes = r.properties["Attributes"]
    out: CfnResources = {
        logical_id(r): {
            "Type": "AWS::SNS::Topic",
            "Properties": {
                "TopicName": r.name,
                "DisplayName": attributes["DisplayName"],
                "Tags": cfn_tags(r.tags),
            },
        }
    }
    return out | _resource_policy(r, "AWS::SNS::TopicPolicy", "Topics")


def _role(r: Resource) -> CfnResources:
    p = r.properties
    props: dict[str, Json] = {
        "RoleName": r.name,
        "Description": p["Description"],
        "AssumeRolePolicyDocument": p["AssumeRolePolicyDocument"],
        "Policies": p["Policies"],
        "PermissionsBoundary": p["PermissionsBoundary"],
        "Tags": cfn_tags(r.tags),
    }
    if p["ManagedPolicyArns"]:
        props["ManagedPolicyArns"] = p["ManagedPolicyArns"]
    return {logical_id(r): {"Type": "AWS::IAM::Role", "Properties": props}}


def _log_group(r: Resource) -> CfnResources:
    props = {
        "LogGroupName": r.name,
        "RetentionInDays": r.properties["retentionInDays"],
        "Tags": cfn_tags(r.tags),
    }
    return {
        logical_id(r): {"Type": "AWS::Logs::LogGroup", **DELETED_WITH_STACK, "Properties": props}
    }


def _model_package_group(r: Resource) -> CfnResources:
    props = {
        "ModelPackageGroupName": r.name,
        "ModelPackageGroupDescription": r.properties["ModelPackageGroupDescription"],
        "Tags": cfn_tags(r.tags),
    }
    return {
        logical_id(r): {
            "Type": "AWS::SageMaker::ModelPackageGroup",
            **RETAINED,
            "Properties": props,
        }
    }


def _function(r: Resource) -> CfnResources:
    p = r.properties
    props: dict[str, Json] = {
        "FunctionName": r.name,
        "Runtime": p["Runtime"],
        "Handler": p["Handler"],
        "Role": p["Role"],
        "Timeout": p["Timeout"],
        "MemorySize": p["MemorySize"],
        "TracingConfig": p["TracingConfig"],
        "Code": {"S3Bucket": {"Ref": CODE_BUCKET_PARAMETER}, "S3Key": lambda_code_key(r)},
        "Tags": cfn_tags(r.tags),
    }
    if p["Environment"]["Variables"]:
        props["Environment"] = p["Environment"]
    if p["Layers"]:
        props["Layers"] = p["Layers"]
    function = logical_id(r)
    version = logical_id(r, "version")
    return {
        function: {"Type": "AWS::Lambda::Function", "Properties": props},
        # New code (CodeSha256) replaces the version resource; the old version is kept, so the
        # alias can be moved back to it.
        version: {
            "Type": "AWS::Lambda::Version",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {"FunctionName": {"Ref": function}, "CodeSha256": p["CodeSha256"]},
        },
        function_alias_id(r.name): {
            "Type": "AWS::Lambda::Alias",
            "Properties": {
                "Name": LIVE_ALIAS,
                "FunctionName": {"Ref": function},
                "FunctionVersion": {"Fn::GetAtt": [version, "Version"]},
            },
        },
    }


def function_alias_id(function: str) -> str:
    """The logical id of a function's ``live`` alias (what rules and definitions invoke)."""
    return logical_id(Resource(Kind.FUNCTION, function, {}, {}), LIVE_ALIAS)


def _permission(r: Resource) -> CfnResources:
    function, _, qualifier = r.name.split("/", 1)[0].partition(":")
    # A statement on the alias is added through the alias's ARN (Ref), after the alias exists.
    target: Json = {"Ref": function_alias_id(function)} if qualifier == LIVE_ALIAS else function
    props = {"FunctionName": target, **r.properties}
    return {logical_id(r): {"Type": "AWS::Lambda::Permission", "Properties": props}}


def _state_machine(r: Resource) -> CfnResources:
    p = r.properties
    logging = p["loggingConfiguration"]
    machine = logical_id(r)
    version = logical_id(r, "version")
    return {
        machine: {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "StateMachineName": r.name,
                "StateMachineType": p["type"],
                "Definition": p["definition"],
                "RoleArn": p["roleArn"],
                "LoggingConfiguration": {
                    "Level": logging["level"],
                    "IncludeExecutionData": logging["includeExecutionData"],
                    "Destinations": [
                        {
                            "CloudWatchLogsLogGroup": {
                                "LogGroupArn": d["cloudWatchLogsLogGroup"]["logGroupArn"]
                            }
                        }
                        for d in logging["destinations"]
                    ],
                },
                "TracingConfiguration": {"Enabled": p["tracingConfiguration"]["enabled"]},
                "Tags": cfn_tags(r.tags),
            },
        },
        # A new revision replaces the version resource; the old version is kept, so the alias
        # can be moved back to it.
        version: {
            "Type": "AWS::StepFunctions::StateMachineVersion",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "StateMachineArn": {"Ref": machine},
                "StateMachineRevisionId": {"Fn::GetAtt": [machine, "StateMachineRevisionId"]},
            },
        },
        logical_id(r, "live"): {
            "Type": "AWS::StepFunctions::StateMachineAlias",
            "Properties": {
                "Name": LIVE_ALIAS,
                "RoutingConfiguration": [
                    {"StateMachineVersionArn": {"Ref": version}, "Weight": 100}
                ],
            },
        },
    }


def _rule(r: Resource) -> CfnResources:
    props: dict[str, Json] = {"Name": r.name, **r.properties}
    return {logical_id(r): {"Type": "AWS::Events::Rule", "Properties": props}}


def _schedule_group(r: Resource) -> CfnResources:
    props = {"Name": r.name, "Tags": cfn_tags(r.tags)}
    return {logical_id(r): {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": props}}


def _schedule(r: Resource) -> CfnResources:
    # CloudFormation has no ActionAfterCompletion; its behaviour is the API's NONE.
    action = r.properties.get("ActionAfterCompletion", "NONE")
    if action != "NONE":
        raise ValueError(
            f"{r.describe()}: ActionAfterCompletion {action!r} has no CloudFormation property; "
            "use NONE or deploy without the template"
        )
    props: dict[str, Json] = {
        "Name": r.name,
        **{k: v for k, v in r.properties.items() if k != "ActionAfterCompletion"},
    }
    return {logical_id(r): {"Type": "AWS::Scheduler::Schedule", "Properties": props}}


def _alarm(r: Resource) -> CfnResources:
    props: dict[str, Json] = {"AlarmName": r.name, **r.properties, "Tags": cfn_tags(r.tags)}
    return {logical_id(r): {"Type": "AWS::CloudWatch::Alarm", "Properties": props}}


def _dashboard(r: Resource) -> CfnResources:
    # No Tags property: the body's owner line marks it (dashboard_body.py), as on the API.
    props = {"DashboardName": r.name, "DashboardBody": body_text(r.properties["DashboardBody"])}
    return {logical_id(r): {"Type": "AWS::CloudWatch::Dashboard", "Properties": props}}


def _trail(r: Resource) -> CfnResources:
    p = r.properties
    props: dict[str, Json] = {
        "TrailName": r.name,
        **{k: v for k, v in p.items() if k != "EventSelectors"},
        "EventSelectors": p["EventSelectors"],
        "Tags": cfn_tags(r.tags),
    }
    # CreateTrail checks the bucket's policy, so the trail waits for the policy as well.
    bucket_policy = logical_id(Resource(Kind.BUCKET, str(p["S3BucketName"]), {}, {}), "policy")
    return {
        logical_id(r): {
            "Type": "AWS::CloudTrail::Trail",
            "DependsOn": [bucket_policy],
            "Properties": props,
        }
    }


def _budget(r: Resource) -> CfnResources:
    # No ResourceTags: the budget is owned by its name (deploy/providers/budgets.py).
    props = {
        "Budget": {**r.properties["Budget"], "BudgetName": r.name},
        "NotificationsWithSubscribers": list(r.properties["Notifications"]),
    }
    return {logical_id(r): {"Type": "AWS::Budgets::Budget", "Properties": props}}


RENDERERS: dict[Kind, Callable[[Resource], CfnResources]] = {
    Kind.BUCKET: _bucket,
    Kind.QUEUE: _queue,
    Kind.TOPIC: _topic,
    Kind.ROLE: _role,
    Kind.LOG_GROUP: _log_group,
    Kind.MODEL_PACKAGE_GROUP: _model_package_group,
    Kind.FUNCTION: _function,
    Kind.PERMISSION: _permission,
    Kind.STATE_MACHINE: _state_machine,
    Kind.RULE: _rule,
    Kind.SCHEDULE_GROUP: _schedule_group,
    Kind.SCHEDULE: _schedule,
    Kind.ALARM: _alarm,
    Kind.DASHBOARD: _dashboard,
    Kind.TRAIL: _trail,
    Kind.BUDGET: _budget,
}
