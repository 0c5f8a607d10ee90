"""One provider per resource kind."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from deploy.calls import Clients
from deploy.model import Kind
from deploy.providers.alarms import AlarmProvider
from deploy.providers.base import Current, Provider
from deploy.providers.budgets import BudgetProvider
from deploy.providers.dashboards import DashboardProvider
from deploy.providers.events import RuleProvider
from deploy.providers.iam import RoleProvider
from deploy.providers.lambdas import FunctionProvider, PermissionProvider
from deploy.providers.log_groups import LogGroupProvider
from deploy.providers.messaging import QueueProvider, TopicProvider
from deploy.providers.model_registry import ModelPackageGroupProvider
from deploy.providers.s3 import BucketProvider, CodeObjectProvider
from deploy.providers.scheduler import ScheduleGroupProvider, ScheduleProvider
from deploy.providers.state_machines import StateMachineProvider
from deploy.providers.trails import TrailProvider
from environments.settings import Settings

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
    DashboardProvider,
    TrailProvider,
    BudgetProvider,
)


def providers(clients: Clients, settings: Settings) -> dict[Kind, Provider]:
    return {cls.kind: cls(clients, settings) for cls in PROVIDERS}


def owned_resources(
    by_kind: Mapping[Kind, Provider], known: Mapping[Kind, Collection[str]] | None = None
) -> Iterator[tuple[Provider, str]]:
    """Every resource carrying both owner tags, kind by kind in deletion order (the reverse of
    PROVIDERS: what refers comes before what it refers to), minus the ``known`` names. Lazy,
    so a caller deleting as it goes lists each kind after deleting the kinds before it."""
    for cls in reversed(PROVIDERS):
        provider = by_kind[cls.kind]
        for name in provider.owned((known or {}).get(cls.kind, ())):
            yield provider, name


__all__ = ["PROVIDERS", "Current", "Provider", "owned_resources", "providers"]
