"""A state machine's execution role, derived from its definition's Task states."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from environments.settings import Settings
from iam.actions import grants_for, observability_grants
from iam.scoping import Context, name_patterns
from iam.spec import RoleSpec, role_spec
from iam.statements import trust_policy
from iam.tasks import TaskCall, task_calls

STATES_PRINCIPAL = "states.amazonaws.com"


def definition_context(settings: Settings, calls: list[TaskCall]) -> Context:
    """Names one task creates that another task's grant must cover (endpoint configs)."""
    base = Context(settings)
    configs = {
        name
        for call in calls
        if not call.sdk and call.service == "sagemaker" and call.api == "createEndpointConfig"
        for name in name_patterns(call, base, "EndpointConfigName")
    }
    return Context(settings, tuple(sorted(configs)))


def state_machine_role(settings: Settings, machine: str, definition: Mapping[str, Any]) -> RoleSpec:
    """Exactly what ``definition``'s tasks call, plus execution logging and X-Ray tracing."""
    if not isinstance(definition, Mapping) or not isinstance(definition.get("States"), Mapping):
        raise ValueError(
            f"definition of {machine!r} must be an ASL document with a States object; pass "
            "StateMachine.to_asl() from workflows.machines.build_all"
        )
    calls = list(task_calls(definition))
    context = definition_context(settings, calls)
    grants = [grant for call in calls for grant in grants_for(call, context)]
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
