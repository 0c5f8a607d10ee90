"""The Task calls of a built state machine, as its integration builders declared them.

Each integration builder (``workflows.integrations``) records on its Task the API it calls and
what it knows of the names in the request (``workflows.permissions.TaskPermissions``). Those
declarations answer the same questions the IAM rules ask of a definition (``iam.tasks``), so
the rules in ``iam.actions`` give the grants without reading JSONata back out of the ASL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iam.tasks import Pattern, UnsupportedTaskError
from iam.values import Known
from workflows.machine import StateMachine
from workflows.permissions import FieldPath, Name
from workflows.scope import all_states
from workflows.states import Task


@dataclass(frozen=True)
class DeclaredCall:
    """One Task as its builder declared it (satisfies ``iam.tasks.TaskCall``)."""

    state: str
    pointer: str
    service: str
    api: str
    pattern: Pattern
    sync_version: int
    sdk: bool
    names: Mapping[FieldPath, tuple[Name, ...]]

    def values(self, *path: str) -> list[Known]:
        return [
            Known(n.text, n.exact, "literal" if n.exact else n.origin)
            for n in self.names.get(path, ())
        ]

    def present(self, *path: str) -> bool:
        return path in self.names

    def every_item_has(self, key: str, *path: str) -> bool:
        # A builder declares a field of every item ("Entries", "*", key) only when each has it.
        return (*path, "*", key) in self.names


def declared_calls(machine: StateMachine) -> list[DeclaredCall]:
    """Every Task of ``machine`` (nested scopes included) as its builder declared it."""
    calls: list[DeclaredCall] = []
    for state in all_states(machine.start_state):
        if not isinstance(state, Task):
            continue
        declared = state.permissions
        if declared is None:
            raise UnsupportedTaskError(
                f"{machine.name} state {state.name}: the Task declares no permissions; build it "
                "with workflows.integrations, or pass permissions=TaskPermissions.of(...)"
            )
        calls.append(
            DeclaredCall(
                state=state.name,
                pointer=f"{machine.name} state {state.name}",
                service=declared.service,
                api=declared.api,
                pattern=declared.pattern,
                sync_version=declared.sync_version,
                sdk=declared.sdk,
                names=declared.names,
            )
        )
    return calls
