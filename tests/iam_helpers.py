"""What the state machine role tests share: the dev machines' definitions and roles, and an
IAM request (action, resource, context keys) to ask a policy about."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from workflows.iam import RoleSpec, state_machine_policy
from workflows.machines import build_all
from workflows.policies.simulate import is_allowed
from workflows.settings import Settings, load_settings

MACHINES = ("retrain", "deploy-model", "drift-check")
SAGEMAKER = "sagemaker.amazonaws.com"


@dataclass(frozen=True)
class Call:
    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()

    def allowed_by(self, policy: dict[str, Any]) -> bool:
        return is_allowed(policy, self.action, self.resource, dict(self.context))


@cache
def settings() -> Settings:
    return load_settings("dev")


@cache
def definitions() -> dict[str, dict[str, Any]]:
    return {name: m.to_asl() for name, m in build_all(settings()).items()}


@cache
def role(machine: str) -> RoleSpec:
    return state_machine_policy(settings(), machine, definitions()[machine])


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:us-east-1:123456789012:{resource}"
