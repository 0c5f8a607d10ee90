"""What the deployer-permission tests record: every call (with its parameters) of a full deploy
cycle against the embedded cloud, the AWS target's extra calls, and the resource each call is
authorized on, for the IAM evaluator."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from deploy import AWS, LOCAL, deploy, destroy, plan, rollback
from deploy.boundary import boundary_name, boundary_policy, require_boundary
from deploy.calls import Clients
from deploy.clients import aws_clients
from deploy.desired_platform import buckets
from deploy.layers import powertools_parameter
from deploy.plan import Action
from deploy.providers.base import tag_list
from deploy.providers.s3 import BucketProvider
from environments.settings import Schedules, Settings
from localcloud import LocalCloud
from tests.deploy_helpers import Recorder, quiet

# What AWS publishes under the Powertools parameter (the embedded cloud has no public ones).
POWERTOOLS_LAYER = (
    "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python311-x86_64:7"
)
PASSED_TO = {
    "lambda": "lambda.amazonaws.com",
    "stepfunctions": "states.amazonaws.com",
    "events": "events.amazonaws.com",
    "scheduler": "scheduler.amazonaws.com",
}


@dataclass(frozen=True)
class Call:
    service: str  # botocore's name
    operation: str
    params: dict[str, Any]


@dataclass
class CallRecorder(Recorder):
    """A Recorder that keeps each call's parameters too (as the deploy passed them)."""

    requests: list[Call] = field(default_factory=list)

    def __call__(self, service: str) -> Any:
        client = self.factory(service)
        # Once per client: the deploy asks the factory again for every plan, deploy, destroy.
        client.meta.events.register("before-parameter-build", self.record, unique_id=self.key)
        return client

    @property
    def key(self) -> str:
        return f"call-recorder-{id(self)}"

    def record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        service = model.service_model.service_name
        self.requests.append(Call(service, model.name, copy.deepcopy(params)))
        self.calls.append((service, model.name))


def own_clients(cloud: LocalCloud) -> Callable[[str], Any]:
    """Clients apart from ``cloud.client``'s, so what a test changes by hand is not recorded."""
    made: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in made:
            made[service] = boto3.client(service, region_name=cloud.region)  # type: ignore[call-overload]
        return made[service]

    return client


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hand_edit.py", text)
    return buffer.getvalue()


def change_by_hand(cloud: LocalCloud, settings: Settings) -> None:
    """Drift every property an update corrects with a call of its own, so the next deploy makes
    each of those calls."""
    lam, iam = cloud.client("lambda"), cloud.client("iam")
    function = settings.function_name("notify")
    lam.update_function_configuration(FunctionName=function, Timeout=7)
    lam.update_function_code(FunctionName=function, ZipFile=_zip("changed"))
    for name in (settings.function_name(h) for h in ("trigger", "notify", "approval")):
        try:
            statements = json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]
        except lam.exceptions.ResourceNotFoundException:
            continue
        sid = statements[0]["Sid"]
        lam.remove_permission(FunctionName=name, StatementId=sid)
        lam.add_permission(
            FunctionName=name,
            StatementId=sid,
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
            SourceArn=settings.location.rule(settings.name("elsewhere")),
        )
        break
    else:
        raise AssertionError("no function has a permission to change")
    role = settings.state_machine_role_name("retrain")
    trust = json.loads(json.dumps(iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]))
    trust["Statement"][0]["Principal"] = {"Service": "lambda.amazonaws.com"}
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(trust))
    iam.update_role(RoleName=role, Description="changed by hand")
    iam.delete_role_permissions_boundary(RoleName=role)  # as a role from before the boundary
    if settings.audit.trail:  # a trail silenced and narrowed by hand is restored
        cloudtrail = cloud.client("cloudtrail")
        cloudtrail.stop_logging(Name=settings.audit.trail_name)
        cloudtrail.update_trail(Name=settings.audit.trail_name, IncludeGlobalServiceEvents=False)
    listing = {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [listing]})
    iam.put_role_policy(RoleName=role, PolicyName="by-hand", PolicyDocument=document)
    managed = iam.create_policy(PolicyName=settings.name("by-hand"), PolicyDocument=document)
    managed = managed["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=managed)
    sqs = cloud.client("sqs")
    url = sqs.get_queue_url(QueueName=settings.dead_letter_queue_name)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "60"})
    cloud.client("sns").set_topic_attributes(
        TopicArn=settings.location.topic(settings.topic_name),
        AttributeName="DisplayName",
        AttributeValue="changed by hand",
    )
    cloud.client("logs").put_retention_policy(
        logGroupName=f"/aws/lambda/{function}", retentionInDays=1
    )


def register_model(cloud: LocalCloud, settings: Settings) -> None:
    """A registered model in the group, which destroy deletes before the group."""
    cloud.client("sagemaker").create_model_package(
        ModelPackageGroupName=settings.model_package_group,
        InferenceSpecification={
            "Containers": [{"Image": settings.sklearn_image}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelApprovalStatus="PendingManualApproval",
    )


def serve_model(cloud: LocalCloud, settings: Settings) -> None:
    """A model, endpoint config and endpoint as deploy-model creates them (tagged), which
    destroy deletes."""
    sagemaker, tags = cloud.client("sagemaker"), tag_list(settings.all_tags())
    model, config = settings.name("model-run-1"), settings.name("epc-run-1")
    sagemaker.create_model(
        ModelName=model,
        ExecutionRoleArn=settings.sagemaker_role_arn,
        PrimaryContainer={"Image": settings.sklearn_image},
        Tags=tags,
    )
    variant = {
        "VariantName": "AllTraffic",
        "ModelName": model,
        "InitialInstanceCount": 1,
        "InstanceType": settings.endpoint.instance_type,
    }
    sagemaker.create_endpoint_config(
        EndpointConfigName=config, ProductionVariants=[variant], Tags=tags
    )
    sagemaker.create_endpoint(
        EndpointName=settings.endpoint.name, EndpointConfigName=config, Tags=tags
    )


def full_cycle(cloud: LocalCloud, settings: Settings) -> list[Call]:
    """plan, first deploy, a changed deploy (settings, tags and hand-made drift), a no-op
    deploy, rollback, the deploy that moves ``live`` forward again, a deploy on the other
    schedule mechanism (whose prune, where it exists, deletes the first one's resources) and
    destroy."""
    recorder = CallRecorder(own_clients(cloud))
    plan(settings, recorder, quiet, target=LOCAL)
    deploy(settings, recorder, quiet, target=LOCAL)
    changed = replace(
        settings,
        thresholds={**settings.thresholds, "auc": 0.8},
        drift=replace(settings.drift, schedule="rate(12 hours)"),
        tags={**settings.tags, "team": "changed"},
        # A changed amount and thresholds: UpdateBudget and the notifications' difference.
        budget=settings.budget
        and replace(settings.budget, amount=settings.budget.amount * 2, actual_percent=(50.0,)),
    )
    change_by_hand(cloud, settings)
    deploy(changed, recorder, quiet, target=LOCAL)
    again = deploy(changed, recorder, quiet, target=LOCAL)
    assert (again.changed, again.writes) == (False, 0), again.plan.render()
    assert rollback(changed, recorder, quiet)
    deploy(changed, recorder, quiet, target=LOCAL)
    mechanism = Schedules(use_scheduler=not settings.schedules.use_scheduler)
    switched = deploy(replace(changed, schedules=mechanism), recorder, quiet, target=LOCAL)
    pruned = [c for c in switched.plan.changes if c.action is Action.DELETE]
    assert pruned, "switching schedules.mechanism pruned nothing"
    register_model(cloud, settings)
    serve_model(cloud, settings)
    destroy(replace(changed, schedules=mechanism), recorder, quiet, yes=True, delete_data=True)
    return recorder.requests


@contextmanager
def _recording_sessions(recorder: CallRecorder) -> Iterator[None]:
    """Every boto3 session made meanwhile (aws_clients makes its own) reports to ``recorder``."""
    base = boto3.session.Session

    class RecordingSession(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.events.register("before-parameter-build", recorder.record, unique_id=recorder.key)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(boto3.session, "Session", RecordingSession)
        yield


def answer_public_parameter(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    parameter = {"Name": powertools_parameter(), "Type": "String", "Value": POWERTOOLS_LAYER}
    return AWSResponse("", 200, {}, None), {"Parameter": parameter}


def aws_target_calls(cloud: LocalCloud, settings: Settings) -> list[Call]:
    """The calls the AWS target adds: the credentials' account check (aws_clients), the
    Powertools layer's public parameter (answered as AWS would, after it is recorded), and the
    TLS-only bucket policy. A whole AWS deploy cannot run here: the embedded cloud ignores the
    policy's aws:SecureTransport condition, so it refuses every object call after it."""
    recorder = CallRecorder(own_clients(cloud))
    with _recording_sessions(recorder):
        clients = aws_clients(settings)

    def factory(service: str) -> Any:
        client = clients(service)
        if service == "ssm":
            client.meta.events.register(
                "before-call.ssm.GetParameter", answer_public_parameter, unique_id="answer"
            )
        return client

    recorder.factory = factory
    plan(settings, recorder, quiet, target=AWS)
    # The deploy's check that the administrator made the roles' boundary (made here unrecorded).
    cloud.client("iam").create_policy(
        PolicyName=boundary_name(settings), PolicyDocument=json.dumps(boundary_policy(settings))
    )
    require_boundary(settings, Clients(recorder)("iam"))
    data_bucket = buckets(settings, tls_only=AWS.tls_only_buckets)[0]
    BucketProvider(Clients(recorder), settings).create(data_bucket)
    return recorder.requests


Authorization = tuple[str, dict[str, str]]  # resource ARN, condition keys


def boundaries_before(calls: list[Call]) -> list[dict[str, str]]:
    """For each call of a run, the permissions boundary each role carries when it is made (as
    the run's own CreateRole and PutRolePermissionsBoundary calls set them): what IAM puts in
    ``iam:PermissionsBoundary`` for a write to that role."""
    carried: dict[str, str] = {}
    out = []
    for call in calls:
        out.append(dict(carried))
        if call.service == "iam" and "PermissionsBoundary" in call.params:
            carried[call.params["RoleName"]] = call.params["PermissionsBoundary"]
        elif call.service == "iam" and call.operation == "DeleteRole":
            carried.pop(call.params["RoleName"], None)
    return out


def authorized_on(
    settings: Settings, call: Call, action: str, boundaries: dict[str, str] | None = None
) -> list[Authorization]:
    """The resources (and condition keys) IAM checks ``action`` of ``call`` against: ``*``
    when the call names no resource, so a scoped grant cannot pass a listing by accident.
    ``boundaries``: the boundary each role carries at the call (boundaries_before)."""
    params = call.params
    if action in ("iam:CreateRole", "iam:PutRolePermissionsBoundary"):
        context = {"iam:PermissionsBoundary": params.get("PermissionsBoundary", "")}
        return [(settings.location.role(params["RoleName"]), context)]
    if action == "iam:PutRolePolicy":
        carried = (boundaries or {}).get(params["RoleName"])
        context = {"iam:PermissionsBoundary": carried} if carried else {}
        return [(settings.location.role(params["RoleName"]), context)]
    if action == "iam:PassRole":
        context = {"iam:PassedToService": PASSED_TO[call.service]}
        return [(role, context) for role in _passed_roles(params)]
    if action == "iam:GetPolicy":
        return [(params["PolicyArn"], {})]
    if action == "lambda:GetLayerVersion":
        return [(layer, {}) for layer in params.get("Layers", [])]
    if action == "application-autoscaling:DeregisterScalableTarget":
        # The endpoint's variant's scalable target, whose ARN ends in a generated id.
        target = settings.location.arn("application-autoscaling", "scalable-target/0a1b2c3d4e")
        return [(target, {})]
    if action == "scheduler:DeleteSchedule" and call.operation == "DeleteScheduleGroup":
        return [(settings.location.arn("scheduler", f"schedule/{params['Name']}/*"), {})]
    return [(arn, {}) for arn in _resources(settings, call)] or [("*", {})]


def _passed_roles(params: dict[str, Any]) -> list[str]:
    found = [params.get("Role"), params.get("roleArn"), params.get("Target", {}).get("RoleArn")]
    found += [t.get("RoleArn") for t in params.get("Targets", [])]
    return [role for role in found if role]


ARN_PARAMETERS = (
    "stateMachineAliasArn",
    "stateMachineArn",
    "resourceArn",
    "ResourceARN",
    "ResourceArn",
    "TopicArn",
    "ModelPackageName",
)


def _resources(settings: Settings, call: Call) -> list[str]:
    loc, params, service = settings.location, call.params, call.service
    for key in ARN_PARAMETERS:
        if key in params:
            return [params[key]]
    if service == "s3" and "Bucket" in params:
        bucket = params["Bucket"]
        if call.operation == "DeleteObjects":
            return [f"{loc.bucket(bucket)}/{o['Key']}" for o in params["Delete"]["Objects"]]
        return [f"{loc.bucket(bucket)}/{params['Key']}" if "Key" in params else loc.bucket(bucket)]
    if service == "lambda" and "FunctionName" in params:
        return [loc.function(params["FunctionName"])]
    if service == "lambda" and "Resource" in params:
        return [params["Resource"]]
    if service == "iam" and "RoleName" in params:
        return [loc.role(params["RoleName"])]
    if service == "stepfunctions" and call.operation == "CreateStateMachine":
        return [loc.state_machine(params["name"])]
    if service == "stepfunctions" and call.operation == "CreateStateMachineAlias":
        version = params["routingConfiguration"][0]["stateMachineVersionArn"]
        return [f"{version.rsplit(':', 1)[0]}:{params['name']}"]
    if service == "events" and ("Rule" in params or "Name" in params):
        return [loc.rule(params.get("Rule") or params["Name"])]
    if service == "scheduler" and "Name" in params:
        if "GroupName" in params:
            return [loc.schedule(params["Name"], params["GroupName"])]
        return [loc.schedule_group(params["Name"])]
    if service == "sns" and "Name" in params:
        return [loc.topic(params["Name"])]
    if service == "sqs" and ("QueueUrl" in params or "QueueName" in params):
        name = params.get("QueueName") or params["QueueUrl"].rsplit("/", 1)[-1]
        return [loc.arn("sqs", name)]
    if service == "logs" and "logGroupName" in params:
        return [loc.arn("logs", f"log-group:{params['logGroupName']}")]
    if service == "cloudwatch" and ("AlarmName" in params or "AlarmNames" in params):
        names = params.get("AlarmNames") or [params["AlarmName"]]
        return [loc.alarm(name) for name in names]
    if service == "cloudwatch" and ("DashboardName" in params or "DashboardNames" in params):
        names = params.get("DashboardNames") or [params["DashboardName"]]
        return [loc.dashboard(name) for name in names]
    if service == "cloudtrail" and ("Name" in params or "TrailName" in params):
        name = params.get("Name") or params["TrailName"]  # a trail's name or ARN
        return [name if name.startswith("arn:") else loc.arn("cloudtrail", f"trail/{name}")]
    if service == "cloudtrail" and ("ResourceIdList" in params or "ResourceId" in params):
        return list(params.get("ResourceIdList") or [params["ResourceId"]])
    if service == "budgets":
        named = params.get("BudgetName") or params.get("Budget", params.get("NewBudget", {}))
        name = named if isinstance(named, str) else named.get("BudgetName")
        return [loc.budget(name)] if name else []
    if service == "sagemaker" and call.operation == "ListModelPackages":
        return []  # a listing: the group it names is a filter, not the resource
    if service == "sagemaker" and "EndpointName" in params:
        return [loc.sagemaker("endpoint", params["EndpointName"])]
    if service == "sagemaker" and "EndpointConfigName" in params:
        return [loc.sagemaker("endpoint-config", params["EndpointConfigName"])]
    if service == "sagemaker" and "ModelName" in params:
        return [loc.sagemaker("model", params["ModelName"])]
    if service == "sagemaker" and "ModelPackageGroupName" in params:
        return [loc.sagemaker("model-package-group", params["ModelPackageGroupName"])]
    if service == "ssm" and str(params.get("Name", "")).startswith("/aws/service/"):
        # A public parameter's ARN has no account.
        return [f"arn:{loc.partition}:ssm:{loc.region}::parameter{params['Name']}"]
    if service == "ssm" and "Name" in params:
        return [loc.arn("ssm", f"parameter{params['Name']}")]
    return []
