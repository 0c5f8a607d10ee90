"""The permissions boundary (deploy/boundary.py) against the roles the deploy creates: each
derived role's every statement is within it (or the role would be denied on AWS what its own
policy grants), both engines attach it to every role, and a role deployed before it gets it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deploy import AWS, LOCAL, DeployRefused, deploy, plan
from deploy.boundary import boundary_arn, boundary_name, boundary_policy, require_boundary
from deploy.desired import blueprint
from deploy.model import Kind
from deploy.template import render_template, template_blueprint
from iam.simulate import is_allowed
from localcloud import LocalCloud
from selfheal import deploy_commands as deploy_cli
from tests.deploy_helpers import Recorder, dev_settings, quiet
from tests.permissions_helpers import answer_public_parameter


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_every_derived_roles_every_action_is_within_the_boundary() -> None:
    settings = dev_settings()
    boundary = boundary_policy(settings)
    outside = sorted(
        f"{role.name}: {action} on {resource}"
        for role in blueprint(settings).state
        if role.kind is Kind.ROLE
        for inline in role.properties["Policies"]
        for statement in inline["PolicyDocument"]["Statement"]
        for action in _listed(statement["Action"])
        for resource in _listed(statement["Resource"])
        if not is_allowed(boundary, action, resource.replace("*", "x"))
    )
    assert outside == []
    # What the boundary is for: no role can write IAM, whatever its policy says.
    assert not is_allowed(boundary, "iam:PutRolePolicy", settings.location.role("churn-dev-x"))
    assert not is_allowed(boundary, "iam:PassRole", settings.location.role("admin"))


def test_every_role_carries_the_boundary_and_an_old_role_gets_it(localcloud: LocalCloud) -> None:
    settings = dev_settings()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    iam = localcloud.client("iam")
    roles = [r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("churn-dev-")]
    assert roles
    for role in roles:
        carried = iam.get_role(RoleName=role["RoleName"])["Role"]["PermissionsBoundary"]
        assert carried["PermissionsBoundaryArn"] == boundary_arn(settings)
    old = roles[0]["RoleName"]
    iam.delete_role_permissions_boundary(RoleName=old)
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    assert "PermissionsBoundary" in iam.get_role(RoleName=old)["Role"]
    assert plan(settings, localcloud.client, quiet, target=LOCAL).plan.pending == []


def test_the_template_attaches_the_boundary_to_every_role() -> None:
    settings = dev_settings()
    resources = render_template(template_blueprint(settings), settings)["Resources"]
    roles = [r for r in resources.values() if r["Type"] == "AWS::IAM::Role"]
    assert roles
    # The stack's own account and partition, as every ARN of the template.
    expected = f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{boundary_name(settings)}"
    assert [r["Properties"].get("PermissionsBoundary") for r in roles] == [
        {"Fn::Sub": expected}
    ] * len(roles)


def test_the_cli_prints_the_boundary_to_create(capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy_cli.main(["permissions", "--env", "dev", "--boundary"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out) == boundary_policy(dev_settings())
    assert "churn-dev-permissions-boundary" in printed.err


def test_a_deploy_to_aws_is_refused_before_any_write_when_the_boundary_is_missing(
    localcloud: LocalCloud,
) -> None:
    settings = dev_settings()
    recorder = Recorder(localcloud.client)

    def factory(service: str) -> Any:
        client = recorder(service)
        if service == "ssm":  # the public Powertools parameter, answered as AWS would
            client.meta.events.register(
                "before-call.ssm.GetParameter", answer_public_parameter, unique_id="answer"
            )
        return client

    # Without the check, CreateRole would fail on AWS after the buckets and topics were made.
    with pytest.raises(DeployRefused, match=boundary_name(settings)):
        deploy(settings, factory, quiet, target=AWS)
    assert recorder.all_writes == []
    iam = localcloud.client("iam")
    iam.create_policy(
        PolicyName=boundary_name(settings), PolicyDocument=json.dumps(boundary_policy(settings))
    )
    require_boundary(settings, iam)


def test_the_cloudformation_engine_on_aws_is_refused_before_any_write_too(
    localcloud: LocalCloud,
) -> None:
    from selfheal.stack_commands import stack_deploy

    settings = dev_settings()
    recorder = Recorder(localcloud.client)
    # Without the check, the code would be uploaded and the stack's change set executed until
    # the first role failed on the missing boundary, and rolled back.
    with pytest.raises(DeployRefused, match=boundary_name(settings)):
        stack_deploy(settings, recorder, "code-bucket-given", quiet, target=AWS)
    assert recorder.all_writes == []
