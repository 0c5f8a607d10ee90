"""A state machine's execution role, from its Task calls: as the builders declared them, or as
read from the definition."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from environments.settings import Settings
from iam.actions import grants_for, observability_grants
from iam.declared import declared_calls
from iam.scoping import Context, name_patterns
from iam.spec import RoleSpec, role_spec
from iam.statements import Grant, trust_policy
from iam.tasks import TaskCall, task_calls
from workflows.machine import StateMachine

STATES_PRINCIPAL = "states.amazonaws.com"


def definition_context(settings: Settings, calls: Sequence[TaskCall]) -> Context:
    """Names one task creates that another task's grant must cover (endpoint configs)."""
    base = Context(settings)
    configs = {
        name
        for call in calls
        if not call.sdk and call.service == "sagemaker" and call.api == "createEndpointConfig"
        for name in name_patterns(call, base, "EndpointConfigName")
    }
    return Context(settings, tuple(sorted(configs)))


def call_grants(settings: Settings, calls: Sequence[TaskCall]) -> dict[str, list[Grant]]:
    """Each Task state's grants, by state name."""
    context = definition_context(settings, calls)
    grants: dict[str, list[Grant]] = {}
    for call in calls:
        grants.setdefault(call.state, []).extend(grants_for(call, context))
    return grants


def definition_calls(machine: str, definition: Mapping[str, Any]) -> list[TaskCall]:
    if not isinstance(definition, Mapping) or not isinstance(definition.get("States"), Mapping):
        raise ValueError(
            f"definition of {machine!r} must be an ASL document with a States object; pass "
            "StateMachine.to_asl() from workflows.machines.build_all"
        )
    return list(task_calls(definition))


def state_machine_role(settings: Settings, machine: str, definition: Mapping[str, Any]) -> RoleSpec:
    """Exactly what ``definition``'s tasks call, plus execution logging and X-Ray tracing."""
    return _role(settings, machine, definition_calls(machine, definition))


def declared_machine_role(settings: Settings, machine: str, built: StateMachine) -> RoleSpec:
    """The same role, from what ``built``'s integration builders declared they call."""
    return _role(settings, machine, declared_calls(built))


def _role(settings: Settings, machine: str, calls: Sequence[TaskCall]) -> RoleSpec:
    grants = [g for state in call_grants(settings, calls).values() for g in state]
    grants += observability_grants()
    location = settings.location
    name = settings.state_machine_name(machine)
    # The source ARN is the state machine, or one of its versions or aliases.
    sources = [location.state_machine(name), f"{location.state_machine(name)}:*"]
    trust = trust_policy(STATES_PRINCIPAL, source_account=location.account, source_arns=sources)
    return role_spec(
        settings.state_machine_role_name(machine),
        f"Execution role of the {name} state machine: only the calls its definition makes",
        trust,
        grants,
    )
