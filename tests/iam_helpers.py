"""What the IAM tests share: the dev machines' definitions and roles, every role derived for a
settings object (with its rule catalogue, as the deploy does), and an IAM request (action,
resource, context keys) to ask a policy about."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from environments.settings import Settings, load_settings
from event_rules.catalogue import CatalogueOptions, project_rules, project_schedules
from iam import RoleSpec, project_roles, state_machine_policy
from iam.simulate import is_allowed
from workflows.machines import build_all

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


def catalogue(settings: Settings) -> dict[str, Any]:
    """The rules and schedules deployed beside the roles (``project_roles``' keyword arguments),
    the schedule mechanism taken from the settings."""
    options = CatalogueOptions.from_settings(settings)
    return {
        "rules": project_rules(settings, options),
        "schedules": project_schedules(settings, options),
    }


def derived_roles(settings: Settings) -> list[RoleSpec]:
    """What the deploy derives: the roles of the machines (from what their builders declared)
    and of the catalogue's rules and schedules."""
    built = build_all(settings)
    definitions = {name: m.to_asl() for name, m in built.items()}
    return project_roles(settings, definitions, **catalogue(settings), machines=built)
