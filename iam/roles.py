"""Least-privilege IAM roles for the project, derived from the state machines.

``project_roles(settings, definitions, rules=..., schedules=..., machines=...)`` is what the
deploy creates: one role per state machine (exactly the calls its Task states make, as their
integration builders declared them when ``machines`` is given, else as read from the
definitions; plus execution logging and X-Ray), the EventBridge and EventBridge Scheduler roles
(exactly what the catalogue's rules and schedules make those services invoke; a role none of
them assumes is left out), the SageMaker execution role (the S3 prefixes the jobs read and
write, the images they pull, their logs), and one role per Lambda handler.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from environments.settings import Settings
from iam.declared import declared_calls
from iam.lambda_roles import lambda_roles
from iam.machine_roles import declared_machine_role, definition_calls, state_machine_role
from iam.sagemaker_role import sagemaker_role
from iam.service_roles import (
    RuleLike,
    ScheduleLike,
    events_role,
    scheduler_role,
)
from iam.spec import RoleSpec
from workflows.machine import StateMachine


def state_machine_policy(
    settings: Settings, machine: str, definition: Mapping[str, Any]
) -> RoleSpec:
    """The execution role of ``machine``: what ``definition`` calls and nothing else.

    Raises ``UnsupportedTaskError`` (naming the state and the fix) for a task whose resources
    the derivation cannot scope, rather than granting ``*``.
    """
    return state_machine_role(settings, machine, definition)


def project_roles(
    settings: Settings,
    definitions: Mapping[str, Mapping[str, Any]],
    *,
    rules: Iterable[RuleLike],
    schedules: Iterable[ScheduleLike],
    machines: Mapping[str, StateMachine] | None = None,
) -> list[RoleSpec]:
    """Every role the project deploys. ``definitions``: ``{machine: StateMachine.to_asl()}``;
    ``rules`` and ``schedules``: what ``event_rules.catalogue`` gives for ``settings``, the
    ones deployed beside the roles. ``machines``: the ``StateMachine`` objects the definitions
    came from; their roles and the SageMaker role are then what the integration builders
    declared (``iam.crosscheck`` checks that against the definitions)."""
    if machines is not None and set(machines) != set(definitions):
        raise ValueError(
            f"machines {sorted(machines)} and definitions {sorted(definitions)} differ; pass "
            "both from the same workflows.machines.build_all"
        )
    roles = [
        declared_machine_role(settings, m, machines[m])
        if machines is not None
        else state_machine_policy(settings, m, d)
        for m, d in sorted(definitions.items())
    ]
    services = [events_role(settings, rules), scheduler_role(settings, schedules)]
    roles += [role for role in services if role is not None]
    calls = (
        [c for m in sorted(machines) for c in declared_calls(machines[m])]
        if machines is not None
        else [c for m, d in sorted(definitions.items()) for c in definition_calls(m, d)]
    )
    roles += [sagemaker_role(settings, calls), *lambda_roles(settings)]
    names = [role.name for role in roles]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"two roles share the name {', '.join(duplicates)}; rename a machine")
    return roles
