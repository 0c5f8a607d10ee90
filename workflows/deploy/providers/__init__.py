"""One provider per resource kind."""

from __future__ import annotations

from workflows.deploy.calls import Clients
from workflows.deploy.model import Kind
from workflows.deploy.providers.alarms import AlarmProvider
from workflows.deploy.providers.base import Current, Provider
from workflows.deploy.providers.events import RuleProvider
from workflows.deploy.providers.iam import RoleProvider
from workflows.deploy.providers.lambdas import FunctionProvider, PermissionProvider
from workflows.deploy.providers.log_groups import LogGroupProvider
from workflows.deploy.providers.messaging import QueueProvider, TopicProvider
from workflows.deploy.providers.model_registry import ModelPackageGroupProvider
from workflows.deploy.providers.s3 import BucketProvider, CodeObjectProvider
from workflows.deploy.providers.scheduler import ScheduleGroupProvider, ScheduleProvider
from workflows.deploy.providers.state_machines import StateMachineProvider
from workflows.settings import Settings

PROVIDERS: tuple[type[Provider], ...] = (
    BucketProvider,
    CodeObjectProvider,
    QueueProvider,
    RoleProvider,
    LogGroupProvider,
    TopicProvider,
    ModelPackageGroupProvider,
    FunctionProvider,
    PermissionProvider,
    StateMachineProvider,
    RuleProvider,
    ScheduleGroupProvider,
    ScheduleProvider,
    AlarmProvider,
)


def providers(clients: Clients, settings: Settings) -> dict[Kind, Provider]:
    return {cls.kind: cls(clients, settings) for cls in PROVIDERS}


__all__ = ["PROVIDERS", "Current", "Provider", "providers"]
