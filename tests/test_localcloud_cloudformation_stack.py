"""The project's own template, deployed through CloudFormation in the embedded cloud, creates every
resource of the boto3 engine's desired state as that engine reads it, and a state machine the
stack created runs in the embedded engine."""

from __future__ import annotations

import json
from typing import Any

from deploy.artifacts import build_artifacts
from deploy.calls import Clients
from deploy.desired import blueprint
from deploy.model import Kind, Resource
from deploy.plan import diff_resource
from deploy.providers import providers
from deploy.publish import publish
from deploy.target import LOCAL
from deploy.template import render_template
from deploy.template_resources import logical_id
from environments.settings import Settings, load_settings
from localcloud import LocalCloud

CODE_BUCKET = "selfheal-code"


def _parameters(template: dict[str, Any]) -> list[dict[str, str]]:
    # Only the code bucket has no default; every other parameter keeps the settings' default.
    return [
        {"ParameterKey": name, "ParameterValue": CODE_BUCKET}
        for name, declared in template.get("Parameters", {}).items()
        if "Default" not in declared
    ]


def _permission_exists(cloud: LocalCloud, resource: Resource) -> bool:
    """CloudFormation names a permission's statement itself (the boto3 engine reads its own Sid),
    so the statement is found by what it allows."""
    function, _, _ = resource.name.partition("/")
    name, _, qualifier = function.partition(":")
    policy = cloud.client("lambda").get_policy(FunctionName=name, Qualifier=qualifier)
    wanted = resource.properties
    return any(
        statement["Principal"] == {"Service": wanted["Principal"]}
        and statement["Condition"]["ArnLike"]["AWS:SourceArn"] == wanted["SourceArn"]
        for statement in json.loads(policy["Policy"])["Statement"]
    )


def _deployed(cloud: LocalCloud, settings: Settings) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    design = blueprint(
        settings,
        target=LOCAL,
        powertools_layer=lambda: "unused",
        artifacts=build_artifacts(settings),
    )
    template = render_template(design, settings)
    # The Lambda zips go to the code bucket before the stack, as `selfheal publish` puts them.
    cloud.client("s3").create_bucket(Bucket=CODE_BUCKET)
    report = publish(design, cloud.client, CODE_BUCKET, lambda _: None)
    assert report.uploaded and report.pending  # the job code waits for the artifacts bucket
    cfn = cloud.client("cloudformation")
    cfn.create_stack(
        StackName=settings.prefix,
        TemplateBody=json.dumps(template),
        Parameters=_parameters(template),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    stack = cfn.describe_stacks(StackName=settings.prefix)["Stacks"][0]
    return design, template, stack


def test_the_dev_template_deploys_every_desired_resource(localcloud: LocalCloud) -> None:
    settings = load_settings("dev")
    design, template, stack = _deployed(localcloud, settings)
    events = localcloud.client("cloudformation").describe_stack_events(StackName=settings.prefix)
    assert stack["StackStatus"] == "CREATE_COMPLETE", [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
        for e in events["StackEvents"]
    ]
    listed = localcloud.client("cloudformation").list_stack_resources(StackName=settings.prefix)
    assert {r["LogicalResourceId"] for r in listed["StackResourceSummaries"]} == set(
        template["Resources"]
    )

    # The job code goes to the artifacts bucket once the stack made it: publish again.
    assert not publish(design, localcloud.client, CODE_BUCKET, lambda _: None).pending
    by_kind = providers(Clients(localcloud.client), settings)

    missing, differing = [], {}
    for resource in design.state:
        if resource.kind is Kind.PERMISSION:
            if not _permission_exists(localcloud, resource):
                missing.append(resource.describe())
            continue
        current = by_kind[resource.kind].read(resource)
        if current is None:
            missing.append(resource.describe())
            continue
        declared = template["Resources"].get(logical_id(resource), {}).get("Properties", {})
        # Tags are compared only where the template declares them: a resource type whose
        # template carries no Tags cannot be tagged by the stack.
        diff = [
            line
            for line in diff_resource(resource, current)
            if "Tags" in declared or not line.lstrip("+~- ").startswith("tags.")
        ]
        if diff:
            differing[resource.describe()] = diff
    assert (missing, differing) == ([], {})

    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    live = {
        f"arn:aws:states:us-east-1:123456789012:stateMachine:{settings.state_machine_name(name)}:live"
        for name in ("retrain", "drift-check", "deploy-model")
    }
    assert set(outputs.values()) == live
    drift_check = next(arn for arn in live if "drift-check" in arn)
    result = localcloud.start_and_wait(drift_check, {})
    assert result["status"] == "SUCCEEDED", result
    assert localcloud.states_entered(result["executionArn"])
