"""Assembling states into a scope (the machine, a Parallel branch, a Map processor).

This is the one path from state objects to ASL: the machine, Parallel and Map all emit through
`emit_scope`.
"""

from __future__ import annotations

from workflows.base_state import Json, State
from workflows.expressions import QueryLanguage


class DuplicateStateName(ValueError):
    pass


def collect_scope(start: State) -> list[State]:
    """The states reachable from ``start`` in its own scope, depth-first in emission order.

    Nested scopes (Parallel branches, Map processors) are not entered: they emit themselves.
    """
    ordered: list[State] = []
    by_name: dict[str, State] = {}
    stack = [start]
    while stack:
        state = stack.pop()
        seen = by_name.get(state.name)
        if seen is state:
            continue
        if seen is not None:
            raise DuplicateStateName(
                f'two different states are named "{state.name}" ({seen!r} and {state!r}); '
                "state names must be unique in a state machine: rename one"
            )
        by_name[state.name] = state
        ordered.append(state)
        stack.extend(reversed(state.successors()))
    return ordered


def emit_scope(start: State, inherited: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
    states = collect_scope(start)
    return {
        "StartAt": start.name,
        "States": {state.name: state.to_asl(inherited, default) for state in states},
    }


def all_states(start: State) -> list[State]:
    """Every state of the machine, nested scopes included."""
    found: list[State] = []
    pending = [start]
    while pending:
        scope = collect_scope(pending.pop())
        found.extend(scope)
        for state in scope:
            pending.extend(state.nested_starts())
    return found
