"""The deployer's policy (deploy/permissions.py) against what the deploy really calls:
a full cycle on each schedule mechanism and the AWS target's extra calls are recorded, and the
policy must grant every action each call needs, on the resource it is made on, and nothing no
call needs."""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from deploy.boundary import boundary_arn
from deploy.call_actions import actions_for
from deploy.permissions import deployer_grants, deployer_policy
from environments.audit import Audit
from environments.budget import Budget
from environments.settings import Schedules
from iam.lint import lint_policy
from iam.simulate import is_allowed
from iam.statements import wildcard_reasons
from localcloud import LocalCloud
from selfheal import deploy_commands as deploy_cli
from tests.deploy_helpers import dev_settings
from tests.permissions_helpers import (
    POWERTOOLS_LAYER,
    Call,
    authorized_on,
    aws_target_calls,
    boundaries_before,
    full_cycle,
)
from tests.run_once import once_per_run

DEPLOY_CODE = Path(__file__).resolve().parent.parent / "deploy"
# Calls in the deploy's code that no cycle makes, and why none can.
NEVER_CALLED = {
    "AttachRolePolicy": "no derived role names a managed policy (the IAM lint forbids it)",
    "DeleteObject": "code objects go with their bucket (DeleteObjects); none is deleted alone",
}
# Parliament's findings that are what a deployer is: it writes roles, their policies and the
# resource policies of what it creates, and updates the code of functions that run as a role.
MANAGES_PERMISSIONS = {
    "iam:createrole",
    "iam:deleterole",
    "iam:updaterole",
    "iam:updateassumerolepolicy",
    "iam:putrolepolicy",
    "iam:putrolepermissionsboundary",
    "iam:deleterolepolicy",
    "iam:detachrolepolicy",
    "lambda:addpermission",
    "lambda:removepermission",
    "s3:putbucketpolicy",
    "s3:putbucketpublicaccessblock",
    "sns:createtopic",
    "sns:settopicattributes",
    "sqs:createqueue",
    "sqs:setqueueattributes",
}
ACCEPTED_LINT = {
    "parliament PRIVILEGE_ESCALATION: {'type': 'EditExistingLambdaFunctionWithRole', "
    "'actions': ['lambda:updatefunctioncode'], 'filepath': None}",
    # Granted on * on purpose (see listing_reasons.WHY["CloudWatchDescribeAlarms"]).
    "parliament RESOURCE_STAR: ['cloudwatch:DescribeAlarms']",
    # iam:PermissionsBoundary compared with StringEquals, as the IAM User Guide's own
    # boundary examples do: the value is the policy ARN as a string.
    "parliament MISMATCHED_TYPE_BUT_USABLE: Type mismatch: StringEquals requires a value of "
    "type String but given Arn",
}
PERMISSIONS_MANAGEMENT = "parliament PERMISSIONS_MANAGEMENT_ACTIONS: "


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Call]]:
    """The calls of each run, recorded once per test run (three deploy cycles; the tests only
    read them)."""
    runs: dict[str, list[Call]] = once_per_run(tmp_path_factory, "deploy-permission-calls", _record)
    return runs


def _record() -> dict[str, list[Call]]:
    # With a budget (dev has none), so its calls are recorded too.
    settings = replace(dev_settings(), budget=Budget(100.0, "USD", (80.0, 100.0), (100.0,)))
    runs: dict[str, list[Call]] = {}
    # The scheduler cycle runs with the environment's own trail (audit.trail), the rule one
    # without: a trail's calls are recorded, and its listing happens without one too.
    trail = Audit(True, f"{settings.prefix}-audit")
    for name, schedules, audit in (
        ("scheduler", Schedules(), trail),
        ("rule", Schedules(use_scheduler=False), Audit()),
    ):
        with LocalCloud() as cloud:
            runs[name] = full_cycle(cloud, replace(settings, schedules=schedules, audit=audit))
    with LocalCloud() as cloud:
        runs["aws"] = aws_target_calls(cloud, settings)
    return runs


def _operations(calls: list[Call]) -> set[tuple[str, str]]:
    return {(c.service, c.operation) for c in calls}


def _needed(recorded: dict[str, list[Call]]) -> set[str]:
    return {
        a for run in recorded.values() for c in run for a in actions_for(c.service, c.operation)
    }


def _granted() -> set[str]:
    return {a for s in deployer_policy(dev_settings())["Statement"] for a in s["Action"]}


def test_every_action_a_recorded_call_needs_is_granted(recorded: dict[str, list[Call]]) -> None:
    assert sorted(_needed(recorded) - _granted()) == []


def test_every_granted_action_is_needed_by_a_recorded_call(
    recorded: dict[str, list[Call]],
) -> None:
    assert sorted(_granted() - _needed(recorded)) == []


def test_every_recorded_call_is_allowed_on_its_resource(recorded: dict[str, list[Call]]) -> None:
    settings = dev_settings()
    policy = deployer_policy(settings)
    denied = sorted(
        {
            f"{call.service}:{call.operation} needs {action} on {resource} {context or ''}"
            for run in recorded.values()
            for call, boundaries in zip(run, boundaries_before(run), strict=True)
            for action in actions_for(call.service, call.operation)
            for resource, context in authorized_on(settings, call, action, boundaries)
            if not is_allowed(policy, action, resource, context)
        }
    )
    assert denied == []


def test_the_policy_refuses_other_environments_and_other_services() -> None:
    policy = deployer_policy(dev_settings())
    prod = dev_settings().location.state_machine("churn-prod-retrain") + ":live"
    assert not is_allowed(policy, "states:UpdateStateMachineAlias", prod)
    assert not is_allowed(policy, "s3:GetObject", "arn:aws:s3:::churn-prod-data/key")
    role = "arn:aws:iam::123456789012:role/churn-dev-lambda-notify"
    assert is_allowed(policy, "iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"})
    assert not is_allowed(
        policy, "iam:PassRole", role, {"iam:PassedToService": "ec2.amazonaws.com"}
    )
    assert not is_allowed(policy, "iam:PassRole", "arn:aws:iam::123456789012:role/churn-dev-x")
    # On AWS the functions carry the Powertools layer AWS publishes from its own account.
    assert is_allowed(policy, "lambda:GetLayerVersion", POWERTOOLS_LAYER)


def test_both_mechanisms_and_the_aws_target_were_recorded(recorded: dict[str, list[Call]]) -> None:
    scheduler, rule = _operations(recorded["scheduler"]), _operations(recorded["rule"])
    assert {("scheduler", "CreateSchedule"), ("scheduler", "UpdateSchedule")} <= scheduler
    # Under mechanism: rule, the drift-check rule starts its machine with the events role.
    targets = [c for c in recorded["rule"] if c.operation == "PutTargets"]
    assert any(t.get("RoleArn") for c in targets for t in c.params["Targets"])
    assert ("stepfunctions", "PublishStateMachineVersion") in scheduler
    # The trail's bucket policy is put on every target; the TLS-only one only on AWS.
    assert ("cloudtrail", "CreateTrail") in scheduler and ("s3", "PutBucketPolicy") in scheduler
    assert ("s3", "PutBucketPolicy") not in rule
    added = _operations(recorded["aws"]) - scheduler - rule
    # The credentials' account, and the boundary the administrator made before the first deploy.
    assert added == {("sts", "GetCallerIdentity"), ("iam", "GetPolicy")}
    # Every target reads the lock parameter; only AWS reads the public Powertools one.
    public = [c for c in recorded["aws"] if c.params.get("Name", "").startswith("/aws/service/")]
    assert [c.operation for c in public] == ["GetParameter"]


def _called_operations(services: set[str]) -> set[str]:
    """Every operation of ``services`` the deploy's code names: client methods and paginators."""
    names: set[str] = set()
    for path in DEPLOY_CODE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # A one-word name (re's search, a dict's update) is no client method of the deploy.
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if "_" in node.func.attr:
                    names.add(node.func.attr)
                if node.func.attr == "get_paginator" and isinstance(node.args[0], ast.Constant):
                    names.add(str(node.args[0].value))
    assert "put_role_policy" in names, f"no deploy code read under {DEPLOY_CODE}"
    operations: set[str] = set()
    for service in services:
        mapping = boto3.client(service, region_name="us-east-1").meta.method_to_api_mapping  # type: ignore[call-overload]
        operations |= {mapping[name] for name in names if name in mapping}
    return operations


def test_every_operation_in_the_deploy_code_was_recorded(recorded: dict[str, list[Call]]) -> None:
    made = {c.operation for run in recorded.values() for c in run}
    services = {c.service for run in recorded.values() for c in run}
    missing = _called_operations(services) - made - set(NEVER_CALLED)
    assert sorted(missing) == []
    assert sorted(set(NEVER_CALLED) & made) == []


def test_the_policy_lints_clean_but_for_what_a_deployer_is() -> None:
    settings = dev_settings()
    findings = lint_policy(deployer_policy(settings), wildcard_reasons(deployer_grants(settings)))
    managing = [f for f in findings if f.startswith(PERMISSIONS_MANAGEMENT)]
    for finding in managing:
        actions = ast.literal_eval(finding.removeprefix(PERMISSIONS_MANAGEMENT))["actions"]
        assert sorted(set(actions) - MANAGES_PERMISSIONS) == []
    assert sorted(set(findings) - set(managing) - ACCEPTED_LINT) == []


def test_the_cli_prints_the_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy_cli.main(["permissions", "--env", "dev"]) == 0
    assert json.loads(capsys.readouterr().out) == deployer_policy(dev_settings())


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        # Names that share the prefix's letters but not its delimiter: another team's, or
        # environment dev2's. The bare ``churn-dev*`` granted all three.
        ("iam:PutRolePolicy", "arn:aws:iam::123456789012:role/churn-devops-admin"),
        ("s3:DeleteBucket", "arn:aws:s3:::churn-devices-telemetry"),
        (
            "lambda:UpdateFunctionCode",
            "arn:aws:lambda:us-east-1:123456789012:function:churn-dev2-x",
        ),
        ("sns:DeleteTopic", "arn:aws:sns:us-east-1:123456789012:churn-dev2-notifications"),
        ("cloudwatch:DeleteDashboards", "arn:aws:cloudwatch::123456789012:dashboard/churn-dev2"),
        (
            "sagemaker:DeleteModelPackageGroup",
            "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/x-churn-dev-models",
        ),
    ],
)
def test_the_policy_refuses_names_that_only_start_with_the_prefix_letters(
    action: str, resource: str
) -> None:
    assert not is_allowed(deployer_policy(dev_settings()), action, resource)


def test_the_deployer_writes_only_roles_capped_by_the_environments_boundary() -> None:
    # Guards the escalation: a role created or given a policy without the boundary could be
    # granted anything, and the deployer runs code as it (UpdateFunctionCode).
    settings = dev_settings()
    policy, role = deployer_policy(settings), settings.location.role("churn-dev-lambda-notify")
    capped = {"iam:PermissionsBoundary": boundary_arn(settings)}
    other = {"iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/anything-goes"}
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"):
        assert is_allowed(policy, action, role, capped)
        assert not is_allowed(policy, action, role, other)
        assert not is_allowed(policy, action, role)
    granted = {a for s in policy["Statement"] for a in s["Action"]}
    assert not granted & {"iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion"}
