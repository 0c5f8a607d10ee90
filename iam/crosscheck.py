"""The cross-check of the builders' declarations against the ASL they emitted.

The deploy scopes each state machine's role by what its integration builders declared
(``iam.declared``). Reading the emitted definition (``iam.tasks``, ``iam.values``) is a second,
independent derivation of the same grants: where the two disagree, a builder declares a name
other than the one its request carries (a narrower prefix, a forgotten field), and the role
would not be the one the definition needs. The SageMaker execution role is checked the same
way, over every machine: its S3 prefixes, images and alarms come from the same declarations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from environments.settings import Settings
from iam.declared import declared_calls
from iam.machine_roles import call_grants, definition_calls
from iam.sagemaker_role import sagemaker_role
from iam.statements import Grant, policy_document
from workflows.machine import StateMachine


def disagreements(
    settings: Settings, machine: str, built: StateMachine, definition: Mapping[str, Any]
) -> list[str]:
    """One line per Task state whose declared statements differ from those its ASL needs
    (``definition``: ``built.to_asl()``); empty when they agree."""
    declared = call_grants(settings, declared_calls(built))
    derived = call_grants(settings, definition_calls(machine, definition))
    problems: list[str] = []
    for state in sorted(set(declared) | set(derived)):
        ours, theirs = _statements(declared.get(state, [])), _statements(derived.get(state, []))
        if ours != theirs:
            problems.append(
                f"{machine} state {state}: the builder declares {ours} but its definition "
                f"needs {theirs}; declare the names the request carries (workflows.permissions)"
            )
    return problems


def sagemaker_disagreements(
    settings: Settings,
    machines: Mapping[str, StateMachine],
    definitions: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """One line per SageMaker role statement (by Sid) that the declarations give otherwise
    than the definitions (``{machine: built.to_asl()}``) need; empty when they agree."""
    declared = sagemaker_role(settings, [c for m in machines.values() for c in declared_calls(m)])
    derived = sagemaker_role(
        settings, [c for m, d in definitions.items() for c in definition_calls(m, d)]
    )
    ours, theirs = _by_sid(declared.policy), _by_sid(derived.policy)
    return [
        f"SageMaker role statement {sid}: the builders declare {ours.get(sid)} but the "
        f"definitions need {theirs.get(sid)}; declare the S3 locations, images and alarms the "
        "requests carry (workflows.permissions)"
        for sid in sorted(set(ours) | set(theirs))
        if ours.get(sid) != theirs.get(sid)
    ]


def _by_sid(policy: Mapping[str, Any]) -> dict[str, Any]:
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def _statements(grants: Sequence[Grant]) -> list[dict[str, Any]]:
    """Grants as the policy statements they become: merged by Sid, sorted."""
    statements: list[dict[str, Any]] = policy_document(grants)["Statement"]
    return statements
