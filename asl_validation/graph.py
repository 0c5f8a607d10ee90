"""The graph check of a state machine: names, transitions, reachability and termination.

The States Language makes each ``States`` object a scope: a transition (``Next``, a Choice
rule's ``Next``, ``Default``, a Catcher's ``Next``) may only name a state of its own scope, and
Parallel branches and Map processors (``ItemProcessor``, or the older ``Iterator``) are scopes of
their own. State names must nevertheless be unique across the whole machine and at most 80
characters long. Every state but Choice, Succeed and Fail either names its ``Next`` state or has
``"End": true``.

The check tolerates a definition that is structurally broken (that is the schema's job to report):
it looks only at the parts it can interpret.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_validation.problems import (
    DUPLICATE_STATE_NAME,
    MISSING_END_STATE,
    MISSING_TRANSITION_TARGET,
    STATE_NAME_TOO_LONG,
    UNREACHABLE_STATE,
    Problem,
    join_pointer,
)

MAX_STATE_NAME_LENGTH = 80

# Types whose transitions are fixed by the type itself, so Next and End do not apply.
_NO_NEXT_OR_END = {"Choice", "Succeed", "Fail"}
_TERMINAL_TYPES = {"Succeed", "Fail"}
_KNOWN_TYPES = {"Task", "Pass", "Wait", "Choice", "Parallel", "Map", "Succeed", "Fail"}


@dataclass
class _Scope:
    """One ``States`` object and where it sits in the definition."""

    pointer: str  # pointer to the object that holds StartAt and States
    start_at: Any
    states: Mapping[str, Any]
    edges: dict[str, list[str]] = field(default_factory=dict)


def check_graph(definition: Mapping[str, Any]) -> list[Problem]:
    """Return every graph problem of ``definition``, in document order.

    Checks, per scope: StartAt and every transition target exist in that scope; every state is
    reachable from StartAt; at least one terminal state is reachable and every reachable state can
    still reach one; Next and End are used as the state's type requires. Across the machine: state
    names are unique and at most 80 characters long.
    """
    problems: list[Problem] = []
    scopes = list(_scopes(definition, ""))
    for scope in scopes:
        problems.extend(_check_scope(scope))
    problems.extend(_check_names(scopes))
    return problems


def _scopes(machine: Mapping[str, Any], pointer: str) -> Iterator[_Scope]:
    """Yield the scope at ``pointer`` and every scope nested inside it, outermost first."""
    states = machine.get("States")
    if not isinstance(states, Mapping):
        return
    yield _Scope(pointer, machine.get("StartAt"), states)
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        state_pointer = join_pointer(pointer, "States", name)
        branches = state.get("Branches")
        if state.get("Type") == "Parallel" and isinstance(branches, list):
            for index, branch in enumerate(branches):
                if isinstance(branch, Mapping):
                    yield from _scopes(branch, join_pointer(state_pointer, "Branches", index))
        if state.get("Type") == "Map":
            for key in ("ItemProcessor", "Iterator"):
                processor = state.get(key)
                if isinstance(processor, Mapping):
                    yield from _scopes(processor, join_pointer(state_pointer, key))


def transitions(state: Mapping[str, Any], pointer: str) -> Iterator[tuple[str, str, Any]]:
    """Yield ``(pointer, field description, target)`` for every transition the state declares."""
    if "Next" in state:
        yield join_pointer(pointer, "Next"), "Next", state["Next"]
    if state.get("Type") == "Choice":
        choices = state.get("Choices")
        if isinstance(choices, list):
            for index, rule in enumerate(choices):
                if isinstance(rule, Mapping) and "Next" in rule:
                    yield (
                        join_pointer(pointer, "Choices", index, "Next"),
                        f"Choices[{index}].Next",
                        rule["Next"],
                    )
        if "Default" in state:
            yield join_pointer(pointer, "Default"), "Default", state["Default"]
    catchers = state.get("Catch")
    if isinstance(catchers, list):
        for index, catcher in enumerate(catchers):
            if isinstance(catcher, Mapping) and "Next" in catcher:
                yield (
                    join_pointer(pointer, "Catch", index, "Next"),
                    f"Catch[{index}].Next",
                    catcher["Next"],
                )


def _is_terminal(state: Mapping[str, Any]) -> bool:
    return state.get("Type") in _TERMINAL_TYPES or state.get("End") is True


def _check_scope(scope: _Scope) -> list[Problem]:
    problems: list[Problem] = []
    names = scope.states
    start_pointer = join_pointer(scope.pointer, "StartAt")
    if scope.start_at is None:
        problems.append(
            Problem(start_pointer, "StartAt is missing; name the state this scope begins with")
        )
    if not isinstance(scope.start_at, str):
        return problems + _check_states(scope)  # a non-string StartAt is the schema's report
    if scope.start_at not in names:
        problems.append(
            Problem(
                start_pointer,
                f'StartAt "{scope.start_at}" is not a state in this scope; '
                "name an existing state or add it",
            )
        )
    problems.extend(_check_states(scope))
    if scope.start_at in names:
        problems.extend(_check_reachability(scope, scope.start_at))
    return problems


def _check_states(scope: _Scope) -> list[Problem]:
    """Check each state's Next/End usage and transition targets; fill ``scope.edges``."""
    problems: list[Problem] = []
    for name, state in scope.states.items():
        if not isinstance(state, Mapping):
            continue
        pointer = join_pointer(scope.pointer, "States", name)
        problems.extend(_check_next_and_end(name, state, pointer))
        targets: list[str] = []
        for target_pointer, what, target in transitions(state, pointer):
            if not isinstance(target, str):
                continue  # the schema reports the type
            if target in scope.states:
                targets.append(target)
            else:
                problems.append(
                    Problem(
                        target_pointer,
                        f'state "{name}" has {what} "{target}", which is not a state in this '
                        "scope; name an existing state or add it",
                        MISSING_TRANSITION_TARGET,
                        f"Missing 'Next' target: {target}",
                    )
                )
        scope.edges[name] = targets
    return problems


def _check_next_and_end(name: str, state: Mapping[str, Any], pointer: str) -> list[Problem]:
    state_type = state.get("Type")
    if state_type not in _KNOWN_TYPES:
        return []  # the schema names the allowed types
    has_next, has_end = "Next" in state, "End" in state
    if state_type in _NO_NEXT_OR_END:
        found = [key for key in ("Next", "End") if key in state]
        how = (
            "it transitions through its Choices and Default"
            if state_type == "Choice"
            else "it always ends its scope"
        )
        return [
            Problem(
                join_pointer(pointer, key),
                f'{state_type} state "{name}" cannot have {key}, because {how}; remove {key}',
            )
            for key in found
        ]
    if has_next and has_end:
        return [
            Problem(
                join_pointer(pointer, "End"),
                f'state "{name}" has both Next and End; a state either moves on with Next or '
                'ends with "End": true, so remove one of them',
            )
        ]
    if has_end and state.get("End") is not True:
        return [
            Problem(
                join_pointer(pointer, "End"),
                f'state "{name}" has "End": {_json_literal(state.get("End"))}; End may only be '
                'true, so write "End": true or replace End with Next',
            )
        ]
    if not has_next and not has_end:
        return [
            Problem(
                pointer,
                f'state "{name}" has neither Next nor "End": true; add Next to name the state '
                'that follows, or "End": true to end here',
            )
        ]
    return []


def _json_literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _check_reachability(scope: _Scope, start: str) -> list[Problem]:
    problems: list[Problem] = []
    reachable = _closure([start], scope.edges)
    for name in scope.states:
        if name not in reachable:
            problems.append(
                Problem(
                    join_pointer(scope.pointer, "States", name),
                    f'state "{name}" is never reached from StartAt "{start}"; transition to it '
                    "with Next, Default or a Catch, or remove it",
                    UNREACHABLE_STATE,
                )
            )
    terminals = [
        name
        for name in reachable
        if isinstance(scope.states[name], Mapping) and _is_terminal(scope.states[name])
    ]
    if not terminals:
        if any(not isinstance(scope.states[name], Mapping) for name in reachable):
            return problems  # a malformed state hides the real shape; the schema reports it
        problems.append(
            Problem(
                join_pointer(scope.pointer, "States"),
                f'no terminal state is reachable from StartAt "{start}"; give a state '
                '"End": true, or transition to a Succeed or Fail state',
                MISSING_END_STATE,
                "Workflow has no terminal state",
            )
        )
        return problems
    reverse: dict[str, list[str]] = {name: [] for name in scope.states}
    for source, targets in scope.edges.items():
        for target in targets:
            reverse[target].append(source)
    can_finish = _closure(terminals, reverse)
    for name in scope.states:
        if name in reachable and name not in can_finish:
            problems.append(
                Problem(
                    join_pointer(scope.pointer, "States", name),
                    f'state "{name}" can never reach a terminal state, so an execution that '
                    'enters it never ends; add a transition toward a state with "End": true, '
                    "or a Succeed or Fail state",
                )
            )
    return problems


def _closure(starts: list[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for target in edges.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _check_names(scopes: list[_Scope]) -> list[Problem]:
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    for scope in scopes:
        for name in scope.states:
            pointer = join_pointer(scope.pointer, "States", name)
            if len(name) > MAX_STATE_NAME_LENGTH:
                problems.append(
                    Problem(
                        pointer,
                        f'state name "{name}" is {len(name)} characters long; AWS allows at most '
                        f"{MAX_STATE_NAME_LENGTH}, so shorten it",
                        STATE_NAME_TOO_LONG,
                    )
                )
            if name in first_seen:
                problems.append(
                    Problem(
                        pointer,
                        f'state name "{name}" is already used at {first_seen[name]}; state names '
                        "must be unique across the whole state machine, including Parallel "
                        "branches and Map processors, so rename one of them",
                        DUPLICATE_STATE_NAME,
                        f"Duplicate State name: {name}",
                    )
                )
            else:
                first_seen[name] = pointer
    return problems
