"""The CloudFormation template renders the same desired state, and cfn-lint finds no error."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deploy import blueprint
from deploy.layers import powertools_parameter
from deploy.model import Kind
from deploy.publish import assets
from deploy.template import template_blueprint, write_template
from deploy.template_resources import RENDERERS, logical_id
from environments.audit import Audit
from environments.settings import Schedules, Settings, load_settings
from tasks.handlers.registry import HANDLERS
from tests.template_values import resolve as _resolve
from tests.template_values import stack_values as _stack_values
from workflows.machines import build_all


def _cfn_lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("cfn-lint")
    return subprocess.run(
        # Informational checks too (I3011: a stateful resource without explicit policies).
        [str(script), *map(str, paths), "--include-checks", "I"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


LEGACY = Schedules(use_scheduler=False, retrain="cron(0 3 ? * SUN *)")
WITH_RETRAIN = Schedules(retrain="cron(0 3 ? * SUN *)")


def _dev(schedules: Schedules) -> Settings:
    return dataclasses.replace(load_settings("dev"), schedules=schedules)


def _audited(settings: Settings) -> Settings:
    """With the environment's own trail (``audit.trail: true``)."""
    return dataclasses.replace(settings, audit=Audit(True, f"{settings.prefix}-audit"))


def test_templates_of_both_environments_pass_cfn_lint(tmp_path: Path) -> None:
    """Both environments, dev with legacy scheduled rules (the EventBridge role's case) and
    prod with its own audit trail."""
    names = ("dev", "prod", "dev-rules", "prod-trail")
    paths = [tmp_path / f"{name}.json" for name in names]
    prod = load_settings("prod")
    for settings, path in zip(
        (load_settings("dev"), prod, _dev(LEGACY), _audited(prod)), paths, strict=True
    ):
        write_template(settings, path)
    linted = _cfn_lint(*paths)
    assert (linted.returncode, linted.stdout, linted.stderr) == (0, "", "")


def test_the_template_renders_every_desired_resource(tmp_path: Path) -> None:
    settings = _audited(load_settings("prod"))  # the trail is a kind of its own
    template = write_template(settings, tmp_path / "prod.json")
    assert json.loads((tmp_path / "prod.json").read_text()) == template
    # The boto3 engine's desired state: each resource is a stack resource, except the job
    # code, which is among the assets publish uploads, at the same keys.
    design = blueprint(settings, powertools_layer=lambda: "layer")
    published = {f"{a.bucket}/{a.key}" for a in assets(design, "code-bucket")}
    kinds_in_stack = set()
    for resource in design.state:
        if resource.kind is Kind.CODE_OBJECT:
            assert resource.name in published, resource.describe()
        else:
            assert logical_id(resource) in template["Resources"], resource.describe()
            kinds_in_stack.add(resource.kind)
    assert len(kinds_in_stack) == len(RENDERERS)
    listed = {(a["Key"], a["Sha256"]) for a in template["Metadata"]["Assets"]}
    assert listed == {(a.key, a.sha256) for a in assets(design, "code-bucket")}

    machines = _resources(template, "AWS::StepFunctions::StateMachine")
    values = _stack_values(settings)
    definitions = {
        m["Properties"]["StateMachineName"]: json.loads(
            _resolve(m["Properties"]["DefinitionString"], values)
        )
        for m in machines.values()
    }
    assert definitions == {
        settings.state_machine_name(name): machine.to_asl()
        for name, machine in build_all(settings).items()
    }
    aliases = _resources(template, "AWS::StepFunctions::StateMachineAlias")
    assert {a["Properties"]["Name"] for a in aliases.values()} == {"live"}
    assert len(aliases) == len(machines) == 3

    functions = _resources(template, "AWS::Lambda::Function").values()
    layer = "{{resolve:ssm:" + powertools_parameter() + "}}"
    assert all(f["Properties"]["Layers"] == [layer] for f in functions)
    notify = next(f for f in functions if f["Properties"]["FunctionName"] == "churn-prod-notify")
    secret = notify["Properties"]["Environment"]["Variables"]["SLACK_WEBHOOK_SECRET_ARN"]
    assert _resolve(secret, values) == (settings.location.secret("churn-prod/slack-webhook"))


def test_functions_publish_versions_behind_live_and_job_code_is_content_addressed(
    tmp_path: Path,
) -> None:
    settings = load_settings("dev")
    template = write_template(settings, tmp_path / "dev.json")
    functions = _resources(template, "AWS::Lambda::Function")
    versions = _resources(template, "AWS::Lambda::Version")
    aliases = _resources(template, "AWS::Lambda::Alias")
    assert len(functions) == len(versions) == len(aliases) == len(HANDLERS)
    for version in versions.values():
        # A new CodeSha256 replaces the version resource and keeps the old version.
        assert (version["DeletionPolicy"], version["UpdateReplacePolicy"]) == ("Retain", "Retain")
        assert version["Properties"]["CodeSha256"]
    for alias in aliases.values():
        assert alias["Properties"]["Name"] == "live"
        version_id = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
        assert (
            versions[version_id]["Properties"]["FunctionName"]
            == alias["Properties"]["FunctionName"]
        )
    # Rules are allowed on the alias they target, by the alias's own ARN.
    permissions = _resources(template, "AWS::Lambda::Permission").values()
    assert permissions and all(
        p["Properties"]["FunctionName"]["Ref"] in aliases for p in permissions
    )
    rule_targets = [
        t["Arn"]
        for r in _resources(template, "AWS::Events::Rule").values()
        for t in r["Properties"].get("Targets", [])
        if ":lambda:" in json.dumps(t["Arn"])
    ]
    assert rule_targets and all(
        _resolve(arn, _stack_values(settings)).endswith(":live") for arn in rule_targets
    )
    # The definitions name the job code objects the template's metadata lists, by content.
    code = settings.code_uri
    assert code.endswith(f"/code/{settings.job_code_version}/")
    bucket = settings.artifacts_bucket
    destinations = {f"s3://{a.bucket}/{a.key}" for a in assets(template_blueprint(settings), "b")}
    assert f"{code}sourcedir.tar.gz" in destinations
    assert f"{code}jobs/train.py" in destinations
    assert code.startswith(f"s3://{bucket}/")
    retrain = _resolve(
        _resources(template, "AWS::StepFunctions::StateMachine")[
            logical_id(
                blueprint(settings, powertools_layer=lambda: "l").state.get(
                    Kind.STATE_MACHINE, settings.state_machine_name("retrain")
                )
            )
        ]["Properties"]["DefinitionString"],
        _stack_values(settings),
    )
    assert f"{code}sourcedir.tar.gz" in retrain and f"{code}jobs/" in retrain
    assert settings.function_alias_arn("quality_gate") in retrain


def test_buckets_on_aws_deny_requests_without_tls() -> None:
    settings = load_settings("dev")
    design = blueprint(settings, powertools_layer=lambda: "layer")
    for bucket in design.state.of_kind(Kind.BUCKET):
        [statement] = bucket.properties["Policy"]["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": ["false"]}}
        arn = settings.location.bucket(bucket.name)
        assert statement["Resource"] == [arn, f"{arn}/*"]


def test_schedules_are_in_the_tagged_schedule_group_created_before_them(tmp_path: Path) -> None:
    """Scheduler tags groups only: the group carries the owner tags, and CloudFormation
    creates it before the schedules in it (as the deploy does)."""
    settings = load_settings("dev")
    template = write_template(settings, tmp_path / "dev.json")
    [(group_id, group)] = _resources(template, "AWS::Scheduler::ScheduleGroup").items()
    assert group["Properties"]["Name"] == "churn-dev"
    tags = {t["Key"]: t["Value"] for t in group["Properties"]["Tags"]}
    assert tags == settings.all_tags() and tags["environment"] == "dev"
    schedules = _resources(template, "AWS::Scheduler::Schedule").values()
    assert [s["Properties"]["Name"] for s in schedules] == ["churn-dev-drift-check"]
    for schedule in schedules:
        assert schedule["Properties"]["GroupName"] == "churn-dev"
        assert group_id in schedule["DependsOn"]

    order = [r.kind for r in blueprint(settings, powertools_layer=lambda: "layer").state]
    assert order.index(Kind.SCHEDULE_GROUP) < order.index(Kind.SCHEDULE)


@pytest.mark.parametrize(
    "schedules", [Schedules(), WITH_RETRAIN, LEGACY], ids=["scheduler", "retrain", "rules"]
)
def test_the_service_roles_deployed_are_the_ones_rules_and_schedules_assume(
    schedules: Schedules,
) -> None:
    """A role no rule or schedule assumes is not deployed (dev schedules through Scheduler, so
    it has no EventBridge role), and each one assumed is created before what assumes it."""
    settings = _dev(schedules)
    state = blueprint(settings, powertools_layer=lambda: "layer").state
    service_roles = {settings.events_role_name, settings.scheduler_role_name}
    deployed = {r.name for r in state.of_kind(Kind.ROLE) if r.name in service_roles}
    assumers = [*state.of_kind(Kind.RULE), *state.of_kind(Kind.SCHEDULE)]
    role_arns = {settings.location.role(name): name for name in service_roles}
    assumed = {role_arns[a] for r in assumers for a in r.references if a in role_arns}
    only = settings.scheduler_role_name if schedules.use_scheduler else settings.events_role_name
    assert deployed == assumed == {only}
    for resource in assumers:
        for name in {role_arns[a] for a in resource.references if a in role_arns}:
            assert f"{Kind.ROLE.value}/{name}" in state.dependencies[resource.key]
