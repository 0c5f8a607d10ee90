"""The cross-check of the builders' declarations against the ASL they emitted.

The deploy scopes each state machine's role by what its integration builders declared
(``iam.declared``). Reading the emitted definition (``iam.tasks``, ``iam.values``) is a second,
independent derivation of the same grants: where the two disagree, a builder declares a name
other than the one its request carries (a narrower prefix, a forgotten field), and the role
would not be the one the definition needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from environments.settings import Settings
from iam.declared import declared_calls
from iam.machine_roles import call_grants, definition_calls
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


def _statements(grants: Sequence[Grant]) -> list[dict[str, Any]]:
    """Grants as the policy statements they become: merged by Sid, sorted."""
    statements: list[dict[str, Any]] = policy_document(grants)["Statement"]
    return statements
