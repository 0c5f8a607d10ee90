"""Desired Lambda functions, state machines and IAM roles.

Function environments are the variables each handler declares (tasks/handlers/registry.py),
filled from the settings by deploy/function_environment.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from deploy.artifacts import Artifacts
from deploy.boundary import boundary_arn
from deploy.compare import canonical_policy
from deploy.desired_platform import (
    function_log_group,
    log_group_arn,
    state_machine_log_group,
)
from deploy.function_environment import handler_environment
from deploy.model import Kind, Resource, arns_in
from environments.settings import Settings

RUNTIME = "python3.11"
FUNCTION_TIMEOUT_SECONDS = 60
FUNCTION_MEMORY_MB = 256
INLINE_POLICY_NAME = "permissions"


class RoleSpecLike(Protocol):
    """What `iam.project_roles` returns for each role."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def trust_policy(self) -> dict[str, Any]: ...
    @property
    def policy(self) -> dict[str, Any]: ...


def functions(settings: Settings, artifacts: Artifacts, layers: tuple[str, ...]) -> list[Resource]:
    resources = []
    for handler, zip_bytes in sorted(artifacts.lambda_zips.items()):
        name = settings.function_name(handler)
        role = settings.location.role(settings.lambda_role_name(handler))
        log_group = log_group_arn(settings, function_log_group(name))
        properties = {
            "Runtime": RUNTIME,
            "Handler": f"tasks.handlers.{handler}.handler",
            "Role": role,
            "Timeout": FUNCTION_TIMEOUT_SECONDS,
            "MemorySize": FUNCTION_MEMORY_MB,
            "Environment": {"Variables": handler_environment(settings, handler)},
            "TracingConfig": {"Mode": "Active"},
            "Layers": list(layers),
            "CodeSha256": Artifacts.code_sha256(zip_bytes),
            "live": "current",
        }
        resources.append(
            Resource(
                Kind.FUNCTION,
                name,
                properties,
                settings.all_tags(),
                identifiers=(
                    settings.location.function(name),
                    settings.function_alias_arn(handler),
                ),
                references=(role, log_group),
                payload=zip_bytes,
            )
        )
    return resources


def event_permissions(settings: Settings, targets: Iterable[tuple[str, str]]) -> list[Resource]:
    """One resource-policy statement per (rule ARN, function ARN) pair a rule targets, named
    ``<function>[:<qualifier>]/events-<rule>``: a rule that targets the ``live`` alias is
    allowed on the alias, whose resource policy is its own."""
    resources = []
    for rule_arn, function_arn in sorted(set(targets)):
        function = ":".join(function_arn.split(":")[6:])
        rule = rule_arn.rsplit("/", 1)[-1]
        resources.append(
            Resource(
                Kind.PERMISSION,
                f"{function}/events-{rule}",
                {
                    "Action": "lambda:InvokeFunction",
                    "Principal": "events.amazonaws.com",
                    "SourceArn": rule_arn,
                },
                {},
                references=(function_arn,),
            )
        )
    return resources


def state_machines(settings: Settings, definitions: Mapping[str, dict[str, Any]]) -> list[Resource]:
    resources = []
    for machine, definition in sorted(definitions.items()):
        name = settings.state_machine_name(machine)
        role = settings.location.role(settings.state_machine_role_name(machine))
        log_group = f"{log_group_arn(settings, state_machine_log_group(settings, machine))}:*"
        properties = {
            "definition": definition,
            "roleArn": role,
            "type": "STANDARD",
            "loggingConfiguration": {
                "level": "ALL",
                "includeExecutionData": True,
                "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": log_group}}],
            },
            "tracingConfiguration": {"enabled": True},
            "live": "current",
        }
        resources.append(
            Resource(
                Kind.STATE_MACHINE,
                name,
                properties,
                settings.all_tags(),
                identifiers=(
                    settings.location.state_machine(name),
                    settings.state_machine_alias_arn(machine),
                ),
                references=(*arns_in(definition), role, log_group),
            )
        )
    return resources


def roles(settings: Settings, specs: Iterable[RoleSpecLike]) -> list[Resource]:
    resources = []
    for spec in specs:
        managed = tuple(getattr(spec, "managed_policy_arns", ()))
        properties: dict[str, Any] = {
            "Description": spec.description,
            "AssumeRolePolicyDocument": canonical_policy(spec.trust_policy),
            "Policies": [
                {"PolicyName": INLINE_POLICY_NAME, "PolicyDocument": canonical_policy(spec.policy)}
            ],
            "ManagedPolicyArns": sorted(managed),
            # What the deployer's policy requires of every role it creates (boundary.py).
            "PermissionsBoundary": boundary_arn(settings),
        }
        resources.append(
            Resource(
                Kind.ROLE,
                spec.name,
                properties,
                settings.all_tags(),
                identifiers=(settings.location.role(spec.name),),
            )
        )
    return resources
